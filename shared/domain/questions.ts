/**
 * The question bank: simple common questions (简单常见问题) that read like a citizen wrote them, by department,
 * plus personas. Pure: randomness comes in as an `rng` argument.
 */
import { InputError } from './errors.ts';
import type { Persona, Site } from './model.ts';

export const DEPARTMENTS = ['通用', '人社', '公安', '教育', '医保', '民政', '住建', '税务', '交通', '市场监管', '卫健', '自然资源', '退役军人'] as const;
export type Department = (typeof DEPARTMENTS)[number];

export interface Question {
  id: string;
  dept: Department;
  /** 10–25 characters. */
  title: string;
  /** 1–3 sentences. */
  body: string;
}

const q = (id: string, dept: Department, title: string, body: string): Question => ({ id, dept, title, body });

export const QUESTIONS: readonly Question[] = [
  // 通用 (portals: 省市县政府门户)
  q('gen-01', '通用', '办理居住证需要哪些材料？', '您好，我刚来本地工作不久，想办理居住证。请问需要准备哪些材料，在哪里办理？谢谢。'),
  q('gen-02', '通用', '政务服务中心周末是否办公？', '您好，我平时工作日上班走不开。请问政务服务中心周六周日能不能办理业务，几点开门？'),
  q('gen-03', '通用', '新生儿落户需要带什么材料？', '您好，孩子上个月出生，想尽快办理户口登记。请问需要带哪些材料，父母双方都要到场吗？'),
  q('gen-04', '通用', '如何查询本地的便民服务热线？', '您好，想咨询一些日常办事的问题。请问本地有没有统一的便民服务电话，工作时间是几点到几点？'),
  q('gen-05', '通用', '老年人优待证在哪里办理？', '您好，我父亲今年满六十五岁了。请问老年人优待证去哪里办，需要带什么证件？'),
  q('gen-06', '通用', '网上办事大厅的账号如何注册？', '您好，我想在网上办理一些业务，但不太会注册账号。请问注册需要什么信息，有没有操作指南？'),
  q('gen-07', '通用', '营业执照可以在网上办理吗？', '您好，我准备开一家小店。请问个体工商户营业执照能不能全程网上办理，大概需要几天？'),
  // 人社
  q('rs-01', '人社', '灵活就业人员如何缴纳养老保险？', '您好，我目前是自由职业，想自己缴纳养老保险。请问在哪里办理，每年的缴费标准是多少？'),
  q('rs-02', '人社', '失业保险金怎么申领？', '您好，我上个月离职了，之前单位一直给交失业保险。请问失业保险金怎么申请，需要哪些材料？'),
  q('rs-03', '人社', '社保卡丢失后如何补办？', '您好，我的社保卡不小心丢了。请问补办需要去哪里，要带什么材料，多久能拿到新卡？'),
  q('rs-04', '人社', '养老保险关系转移怎么办理？', '您好，我从外省换到本地工作。请问原来交的养老保险怎么转过来，需要本人回原参保地吗？'),
  q('rs-05', '人社', '职业技能培训补贴如何申请？', '您好，我参加了电工的职业技能培训并拿到了证书。请问培训补贴怎么申请，有时间限制吗？'),
  q('rs-06', '人社', '退休人员领取资格认证怎么做？', '您好，我母亲已经退休。请问每年的养老金领取资格认证可以在手机上做吗，具体怎么操作？'),
  q('rs-07', '人社', '单位不签劳动合同该怎么办？', '您好，我入职三个月了，单位一直没有和我签劳动合同。请问我可以向哪个部门反映？'),
  // 公安
  q('ga-01', '公安', '身份证过期了在哪里换领？', '您好，我的身份证下个月到期。请问可以在户籍地以外换领吗，需要带什么材料？'),
  q('ga-02', '公安', '临时身份证办理需要多长时间？', '您好，我的身份证丢了，近期要坐火车。请问临时身份证能不能当天办好，需要什么材料？'),
  q('ga-03', '公安', '户口迁入需要满足什么条件？', '您好，我在本地买了房，想把户口迁过来。请问需要满足哪些条件，办理流程是怎样的？'),
  q('ga-04', '公安', '出入境证件可以异地办理吗？', '您好，我的户籍在外省，目前在本地工作。请问能否在本地办理护照，需要提供居住证吗？'),
  q('ga-05', '公安', '驾驶证到期换证需要体检吗？', '您好，我的驾驶证快到期了。请问换证需要去医院体检吗，可以在网上办理吗？'),
  q('ga-06', '公安', '无犯罪记录证明如何开具？', '您好，新单位入职需要无犯罪记录证明。请问在哪里开具，本人不在户籍地能办理吗？'),
  // 教育
  q('jy-01', '教育', '小学入学报名需要哪些材料？', '您好，孩子明年上小学。请问入学报名一般在什么时间，需要准备户口本、房产证之外的哪些材料？'),
  q('jy-02', '教育', '随迁子女如何在本地上学？', '您好，我们一家在本地务工多年，户口在外省。请问孩子在本地上小学需要什么条件？'),
  q('jy-03', '教育', '教师资格证认定在哪里办理？', '您好，我已通过教师资格考试。请问资格认定在什么时间办理，需要提交哪些材料？'),
  q('jy-04', '教育', '学前教育资助怎么申请？', '您好，我家孩子上幼儿园，家庭经济比较困难。请问学前教育资助怎么申请，需要哪些证明？'),
  q('jy-05', '教育', '学籍证明在哪里可以开具？', '您好，孩子转学需要学籍证明。请问是在原学校开还是去教育局开，需要本人去吗？'),
  q('jy-06', '教育', '中考报名时间一般在什么时候？', '您好，孩子今年初三。请问今年中考报名大概在什么时间，往届生可以报名吗？'),
  // 医保
  q('yb-01', '医保', '异地就医备案怎么办理？', '您好，我父母长期住在外省的子女家。请问异地就医备案怎么办理，能在手机上办吗？'),
  q('yb-02', '医保', '城乡居民医保每年何时缴费？', '您好，想给家里老人交城乡居民医保。请问每年缴费时间是什么时候，可以在网上缴吗？'),
  q('yb-03', '医保', '门诊慢特病如何申请认定？', '您好，我母亲患有高血压和糖尿病。请问门诊慢特病怎么申请，需要提供哪些病历材料？'),
  q('yb-04', '医保', '医保个人账户可以给家人用吗？', '您好，听说医保个人账户可以家庭共济。请问怎么开通，能给父母买药用吗？'),
  q('yb-05', '医保', '新生儿医保参保怎么办理？', '您好，孩子刚出生不久。请问新生儿参加医保需要在多长时间内办理，出生前的费用能报销吗？'),
  q('yb-06', '医保', '医保报销需要准备哪些材料？', '您好，我在外地住院没有直接结算。请问回来后报销需要准备哪些票据和材料？'),
  // 民政
  q('mz-01', '民政', '结婚登记需要提前预约吗？', '您好，我们打算下个月登记结婚。请问需要提前预约吗，双方户口不在本地可以办理吗？'),
  q('mz-02', '民政', '八十岁老人高龄津贴怎么申请？', '您好，我爷爷今年八十岁了。请问高龄津贴怎么申请，需要本人到场吗？'),
  q('mz-03', '民政', '低保申请需要什么条件？', '您好，我家里收入比较低，还有病人。请问申请最低生活保障需要满足什么条件，到哪里申请？'),
  q('mz-04', '民政', '残疾人两项补贴如何申领？', '您好，我家有一位残疾人。请问残疾人生活补贴和护理补贴怎么申请，需要什么材料？'),
  q('mz-05', '民政', '养老机构入住有补贴吗？', '您好，我父亲想入住养老院。请问入住养老机构有没有政府补贴，怎么申请？'),
  q('mz-06', '民政', '补领结婚证需要带哪些证件？', '您好，我们的结婚证丢失了。请问补领结婚证要去哪里，需要夫妻双方一起去吗？'),
  // 住建
  q('zj-01', '住建', '公租房申请条件有哪些？', '您好，我在本地工作，还没有买房。请问申请公租房需要什么条件，收入有没有限制？'),
  q('zj-02', '住建', '住房公积金可以提取付房租吗？', '您好，我目前在租房住。请问住房公积金能不能提取用来付房租，每年可以提多少？'),
  q('zj-03', '住建', '老旧小区加装电梯怎么申请？', '您好，我们小区是九十年代的老楼，想加装电梯。请问需要什么手续，有没有补贴？'),
  q('zj-04', '住建', '商品房网签备案如何查询？', '您好，我刚买了一套新房。请问怎么查询购房合同有没有网签备案？'),
  q('zj-05', '住建', '物业服务收费标准在哪查询？', '您好，我们小区物业费比较高。请问本地住宅物业服务收费标准在哪里可以查到？'),
  q('zj-06', '住建', '公积金贷款需要满足哪些条件？', '您好，我准备首次购房。请问申请住房公积金贷款需要连续缴存多久，最高能贷多少？'),
  // 税务
  q('sw-01', '税务', '个人所得税汇算清缴怎么办理？', '您好，我是第一次办理个税年度汇算。请问在手机上怎么操作，截止时间是什么时候？'),
  q('sw-02', '税务', '小规模纳税人如何申报增值税？', '您好，我开了一家小店，是小规模纳税人。请问增值税多久申报一次，可以在网上申报吗？'),
  q('sw-03', '税务', '个税专项附加扣除怎么填报？', '您好，我家孩子上小学，还有房贷。请问子女教育和住房贷款利息的专项附加扣除怎么填报？'),
  q('sw-04', '税务', '个体工商户电子发票怎么开具？', '您好，我是个体工商户，客户需要开发票。请问电子发票怎么申请开具，需要购买设备吗？'),
  q('sw-05', '税务', '完税证明在哪里可以打印？', '您好，办事需要个人完税证明。请问可以在网上自己打印吗，具体在哪个页面？'),
  // 交通
  q('jt-01', '交通', '网约车驾驶员证怎么办理？', '您好，我想从事网约车工作。请问网约车驾驶员证怎么考，需要满足什么条件？'),
  q('jt-02', '交通', '公交老年卡在哪里办理？', '您好，我母亲满六十五岁了。请问公交老年卡在哪里办理，需要带什么材料？'),
  q('jt-03', '交通', '道路运输证年审怎么办理？', '您好，我有一辆货车，道路运输证快到年审时间了。请问年审可以网上办理吗？'),
  q('jt-04', '交通', '城际客运班车时刻在哪查询？', '您好，我经常往返周边县城。请问城际客运班车的时刻表在哪里可以查到？'),
  q('jt-05', '交通', '从业资格证到期如何换证？', '您好，我的道路运输从业资格证快到期了。请问换证需要参加继续教育吗，在哪里办理？'),
  // 市场监管
  q('sj-01', '市场监管', '个体工商户注销需要哪些手续？', '您好，我的小店不打算继续经营了。请问个体工商户注销需要哪些手续，能网上办理吗？'),
  q('sj-02', '市场监管', '食品经营许可证如何申请？', '您好，我准备开一家小饭馆。请问食品经营许可证怎么申请，需要现场核查吗？'),
  q('sj-03', '市场监管', '企业年报在哪里填报？', '您好，我们是一家小微企业。请问企业年度报告在哪个网站填报，截止时间是什么时候？'),
  q('sj-04', '市场监管', '营业执照地址变更怎么办理？', '您好，我的店铺搬到了新地址。请问营业执照的经营场所变更需要提交哪些材料？'),
  q('sj-05', '市场监管', '网购商品质量问题向哪里反映？', '您好，我在网上买的商品有质量问题，商家不给处理。请问可以向哪个部门反映，怎么反映？'),
  // 卫健
  q('wj-01', '卫健', '出生医学证明丢失如何补办？', '您好，孩子的出生医学证明不小心丢了。请问补办要去哪里，需要准备哪些材料？'),
  q('wj-02', '卫健', '孕前优生健康检查怎么预约？', '您好，我们夫妻准备要孩子。请问免费的孕前优生健康检查在哪里做，需要预约吗？'),
  q('wj-03', '卫健', '儿童预防接种证丢了怎么办？', '您好，孩子的预防接种证丢失了。请问去哪里补办，之前的接种记录还能查到吗？'),
  q('wj-04', '卫健', '家庭医生签约怎么办理？', '您好，想给家里老人签约家庭医生。请问在哪里签约，签约后有哪些服务？'),
  q('wj-05', '卫健', '医师执业注册变更怎么办理？', '您好，我是一名医生，近期换了执业单位。请问执业地点变更在哪里办理，需要多长时间？'),
  // 自然资源
  q('zr-01', '自然资源', '不动产登记需要预约吗？', '您好，我想办理房屋过户。请问不动产登记中心需要提前预约吗，可以在网上预约吗？'),
  q('zr-02', '自然资源', '不动产权证书丢失怎么补办？', '您好，我家的不动产权证书找不到了。请问补办需要登报声明吗，大概多久能办好？'),
  q('zr-03', '自然资源', '农村宅基地建房如何审批？', '您好，我家想在宅基地上翻建房屋。请问需要办理哪些审批手续，到哪里申请？'),
  // 退役军人
  q('ty-01', '退役军人', '退役军人优待证怎么申领？', '您好，我是一名退役军人。请问退役军人优待证在哪里申领，需要准备什么材料？'),
  q('ty-02', '退役军人', '退役士兵自主就业补助何时发放？', '您好，我今年退役选择了自主就业。请问一次性经济补助什么时候发放，需要本人办理什么手续？'),
];

const DEPT_PATTERNS: Array<[Department, RegExp]> = [
  ['人社', /人力资源|社会保障|人社|社保/],
  ['公安', /公安|警/],
  ['教育', /教育|教体/],
  ['医保', /医疗保障|医保/],
  ['民政', /民政/],
  ['住建', /住房|城乡建设|住建|公积金|房产|房管/],
  ['税务', /税务/],
  ['交通', /交通|运输/],
  ['市场监管', /市场监督|市场监管|工商|质监|食品药品/],
  ['卫健', /卫生|健康|卫健/],
  ['自然资源', /自然资源|国土|不动产/],
  ['退役军人', /退役军人/],
];

/** The department a site belongs to, from its name; portals and unknown departments are `通用`. */
export function departmentOf(site: Pick<Site, 'name' | 'category'>): Department {
  if (site.category === '省政府门户' || site.category === '市县政府门户') return '通用';
  for (const [dept, re] of DEPT_PATTERNS) if (re.test(site.name)) return dept;
  return '通用';
}

/** Every question a site may be asked was asked within the past year: the plan cannot be made as asked. */
export class QuestionBankExhaustedError extends InputError {
  override readonly name = 'QuestionBankExhaustedError';
}

/**
 * A question for `site` not in `usedQuestionIds` (the ids used at this site within the past year — the caller
 * queries them). Portals draw from every department (a portal answers everything); a department site draws from
 * its own questions, then from the general ones. Throws when nothing unused is left.
 */
export function pickQuestion(
  site: Pick<Site, 'name' | 'category'>,
  usedQuestionIds: Iterable<string>,
  rng: () => number,
): Question {
  const used = new Set(usedQuestionIds);
  const dept = departmentOf(site);
  const pools: Question[][] =
    dept === '通用' ? [QUESTIONS.filter((x) => !used.has(x.id))] : [QUESTIONS.filter((x) => x.dept === dept && !used.has(x.id)), QUESTIONS.filter((x) => x.dept === '通用' && !used.has(x.id))];
  for (const pool of pools) {
    if (pool.length > 0) return pool[Math.min(pool.length - 1, Math.floor(rng() * pool.length))]!;
  }
  throw new QuestionBankExhaustedError(
    `${site.name} 一年内已用完题库中可用的问题：取消未开始的活动（campaign cancel，其信件不再计入）或减少每站信件数 / no unused question left for ${site.name} within a year: cancel campaigns that never started (their letters stop counting) or ask fewer letters per site`,
  );
}

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '林', '罗', '高'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀英', '霞', '平', '建华', '志强', '晓燕', '海燕', '文静', '俊杰', '丽娟', '子涵', '浩然', '欣怡'];
const MOBILE_PREFIXES = ['130', '131', '132', '133', '135', '136', '137', '138', '139', '150', '151', '152', '155', '156', '157', '158', '159', '166', '173', '175', '176', '177', '178', '180', '181', '182', '183', '185', '186', '187', '188', '189', '191', '198', '199'];

export const MAINLAND_MOBILE = /^1[3-9]\d{9}$/;

/** A plausible persona; the e-mail is the letter's own reply address (so replies reach our gateway). */
export function makePersona(rng: () => number, replyAddress: string): Persona {
  const pick = <T>(xs: readonly T[]): T => xs[Math.min(xs.length - 1, Math.floor(rng() * xs.length))]!;
  let digits = '';
  for (let i = 0; i < 8; i++) digits += String(Math.min(9, Math.floor(rng() * 10)));
  return { name: pick(SURNAMES) + pick(GIVEN), phone: pick(MOBILE_PREFIXES) + digits, email: replyAddress };
}

/**
 * The persona of ad-hoc submissions (the CLI, checks): `HUIXIN_PERSONA_NAME/PHONE/EMAIL` with sensible defaults.
 * The default phone is a valid-format number from a reserved-looking range; set a real, owned number in production
 * (sites do call or text back).
 */
export function personaFromEnv(env: Record<string, string | undefined>, replyTo?: string): Persona {
  return {
    name: env.HUIXIN_PERSONA_NAME?.trim() || '王伟',
    phone: env.HUIXIN_PERSONA_PHONE?.trim() || '13800138000',
    email: replyTo ?? (env.HUIXIN_PERSONA_EMAIL?.trim() || 'huixin-test@example.cn'),
  };
}

/** A free-text question as a letter: title = its first sentence cut to ≤ 25 characters, body = the whole text. */
export function questionFromText(text: string): Pick<Question, 'title' | 'body'> {
  const clean = text.replace(/\s+/g, ' ').trim();
  const first = /^[^。！？!?]*[。！？!?]?/.exec(clean)?.[0] ?? clean;
  return { title: first, body: clean };
}

/**
 * Pure heuristic classification of consultation-form controls into roles, from general knowledge of Chinese
 * government 咨询/留言/信箱 forms (labels, table cells, placeholders, pinyin abbreviations, English names).
 */
import type { FieldDescriptor, FieldOption } from './descriptor.ts';

export const FIELD_ROLES = [
  'sms',
  'captcha',
  'email',
  'phone',
  'idcard',
  'personal',
  'postcode',
  'address',
  'title',
  'name',
  'body',
  'type',
  'public',
  'unit',
  'agree',
  'password',
  'submit',
  'unknown',
] as const;
export type FieldRole = (typeof FIELD_ROLES)[number];

interface Rule {
  role: Exclude<FieldRole, 'submit' | 'unknown' | 'password'>;
  /** Matched against the human text (label, near text, placeholder, title). */
  text: RegExp;
  /** Matched against each token of name/id (pinyin abbreviations, English). */
  token?: RegExp;
  /** Matched against the whole normalised name/id. */
  ident?: RegExp;
}

/**
 * Order matters: the first rule that matches wins (短信验证码 before 验证码, 邮箱地址 before 地址, 联系人电话 before 联系人,
 * a 标题 whose placeholder mentions 职业 before the personal details).
 */
const RULES: readonly Rule[] = [
  { role: 'sms', text: /短信验证码|短信校验码|手机验证码|动态码|短信码/, token: /^(dxyzm|sjyzm|smscode|sms|dtm)$/, ident: /sms|mobilecode|phonecode/ },
  { role: 'captcha', text: /验证码|校验码|附加码|计算结果|图形码|验证字符|图片中的字符|图片上的字符|图中(?:的)?字符|右图|右边的字符|看不清|换一张/, token: /^(yzm|jym|captcha|vcode|checkcode|verifycode|validatecode|validcode|code|rand|randcode|kaptcha|authcode|imgcode)$/, ident: /captcha|checkcode|verifycode|validatecode|validcode|kaptcha|yzm/ },
  { role: 'email', text: /邮箱|电子邮件|电子信箱|电邮|e-?mail/i, token: /^(dzyx|yx|email|mail|dzxx|yxdz)$/, ident: /e?mail/ },
  { role: 'phone', text: /手机|电话|联系方式|移动号码|联系号码/, token: /^(lxdh|sjhm|sj|dh|phone|mobile|tel|telephone|cellphone|lxfs|sjh|mobilephone|lxdianhua)$/, ident: /phone|mobile|tel(?!l)/ },
  { role: 'idcard', text: /身份证|证件号/, token: /^(sfzh|sfz|idcard|idno|zjhm|cardid|zjh)$/, ident: /idcard|idno|identity/ },
  { role: 'postcode', text: /邮政编码|邮编/, token: /^(yzbm|yb|yzbh|postcode|zipcode|zip|postalcode|post)$/, ident: /postcode|zipcode|postalcode/ },
  { role: 'address', text: /地址|住址|通讯处|所在地/, token: /^(dz|txdz|address|addr|zz|lxdz)$/, ident: /address|addr/ },
  { role: 'title', text: /标题|主题|题目|事由/, token: /^(bt|zt|xjbt|lybt|title|subject|tm|zhuti|biaoti)$/, ident: /title|subject/ },
  { role: 'name', text: /姓名|来信人|联系人|写信人|留言人|提问人|咨询人|诉求人|反映人|来电人|投诉人|建议人|求助人|称呼|真实姓名|申请人|您的名字|名字/, token: /^(xm|lxr|lxrxm|xingming|name|realname|truename|username|xjr|lxrmc|fullname|writer|lxrname|sqr|fyr|sqrxm|ldr)$/, ident: /realname|truename|fullname|^name$|username|xingming/ },
  // personal details of the writer we hold no value for (a persona has a name, a phone and a mail address only)
  { role: 'personal', text: /性别|称呼|年龄|出生(?:日期|年月|年份)|生日|职业|民族|学历|文化程度|政治面貌|婚姻状况|籍贯/, token: /^(xb|xingbie|sex|gender|nl|age|nianling|zhiye|occupation|job|mz|minzu|nation|xueli|education|zzmm|csrq|birthday|birth|hyzk|jiguan)$/, ident: /gender|birth|occupation/ },
  { role: 'body', text: /内容|正文|问题描述|诉求|详细描述|具体问题|咨询问题|留言$|^留言|我要留言|问题/, token: /^(nr|xjnr|lynr|zxnr|content|body|message|msg|question|detail|details|text|wtms|sqnr|neirong)$/, ident: /content|message|question|detail/ },
  { role: 'type', text: /类型|类别|分类|性质|信件种类/, token: /^(lx|xjlx|lylx|type|category|kind|lb|xjlb|zxlx)$/, ident: /type|category|kind/ },
  { role: 'public', text: /是否公开|公开|保密|匿名/, token: /^(sfgk|gk|ispublic|public|isopen|open|secret|isshow|sfbm|sfnm|anonymous)$/, ident: /public|isopen|isshow/ },
  { role: 'unit', text: /受理单位|受理部门|收信单位|写信对象|办理单位|部门|单位|信箱|领导|机构/, token: /^(sldw|slbm|dept|department|unit|org|organ|bm|dw|deptid|unitid|mailbox|xx)$/, ident: /dept|department|unit|organ/ },
  { role: 'agree', text: /已阅读|已仔细阅读|同意|承诺|知晓|须知|已知悉/, token: /^(agree|accept|ty|yd|read)$/, ident: /agree|accept/ },
];

const SUBMIT_TEXT = /^(提交|发送|确定|确认|保存|提交留言|提交信件|确认提交|我要提交|立即提交|提交咨询|发送信件|递交|送出|发表|发布|写好了|提交问题|提交诉求|submit|send|ok)$/i;
const SUBMIT_CONTAINS = /提交|发送|递交/;
const NOT_SUBMIT = /验证码|重置|重填|取消|返回|关闭|清空|查询|搜索|登录|注册|上一步|预览|附件|上传|浏览/;

/** Split `ctl00$Main$txtLxdh`, `mail.title`, `userName`, `lx_dh` into lower-case tokens (prefixes like txt/ddl dropped). */
export function identTokens(ident: string): string[] {
  const last = ident.split(/[$.:[\]]/).filter(Boolean).pop() ?? ident;
  const stripped = last.replace(/^(txt|tb|ddl|drp|rbl|rb|chk|cb|sel|ipt|input|hid|f_|fld)(?=[A-Z_]|$)/, '');
  const words = stripped
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
  const joined = stripped.replace(/[^A-Za-z0-9]/g, '').toLowerCase();
  return [...new Set([...words, joined, last.toLowerCase()])].filter(Boolean);
}

/** The control's own label names it as the letter's content (内容/正文/诉求…), not merely an unlabelled textarea. */
export function labelledAsBody(d: FieldDescriptor): boolean {
  return RULES.find((r) => r.role === 'body')!.text.test(humanText(d));
}

function squash(s: string): string {
  return s.replace(/[\s\u3000:：*＊()（）【】[\]"“”'’]/g, '');
}

export function humanText(d: FieldDescriptor): string {
  return squash([d.label, d.nearText, d.placeholder, d.title].filter(Boolean).join(' '));
}

/** The role of one control, or `unknown`. Buttons and links are `submit` or `unknown`. */
export function classifyField(d: FieldDescriptor): FieldRole {
  if (d.tag === 'img' || d.tag === 'other') return 'unknown';
  if (d.tag === 'button' || d.tag === 'a' || (d.tag === 'input' && ['submit', 'button', 'image', 'reset'].includes(d.type))) {
    return isSubmitControl(d) ? 'submit' : 'unknown';
  }
  if (d.tag === 'input' && ['hidden', 'file'].includes(d.type)) return 'unknown';
  if (d.tag === 'input' && d.type === 'password') return 'password';
  const text = humanText(d);
  const tokens = [...identTokens(d.name), ...identTokens(d.id)];
  const idents = [d.name, d.id].map((s) => s.toLowerCase()).filter(Boolean);
  // Human text first (it is what the citizen sees), then identifiers.
  // A code field next to a 获取验证码 button is an SMS code, whatever its label says (验证码 alone).
  const codeRole = (role: FieldRole): FieldRole => (role === 'captcha' && d.smsButtonNearby && !d.captchaImageNearby ? 'sms' : role);
  for (const rule of RULES) {
    if (!ruleFitsControl(rule.role, d)) continue;
    if (rule.text.test(ownText(d, rule.role))) return codeRole(rule.role);
  }
  for (const rule of RULES) {
    if (!ruleFitsControl(rule.role, d)) continue;
    if (rule.token && tokens.some((t) => rule.token!.test(t))) return codeRole(rule.role);
  }
  for (const rule of RULES) {
    if (!ruleFitsControl(rule.role, d)) continue;
    if (rule.ident && idents.some((t) => rule.ident!.test(t))) return codeRole(rule.role);
  }
  if (d.tag === 'textarea') return 'body';
  // an unlabelled input right next to an image is the captcha (请输入右边的字符…): a short one next to any image,
  // any one next to an image whose address says captcha (ValidateCode.aspx, kaptcha.jpg, yzm.jsp…)
  if (d.tag === 'input' && isTextLike(d.type) && d.captchaImageNearby) return 'captcha';
  if (d.tag === 'input' && isTextLike(d.type) && d.imageNearby && d.maxLength !== undefined && d.maxLength > 0 && d.maxLength <= 8) return 'captcha';
  if (d.tag === 'input' && d.type === 'email') return 'email';
  if (d.tag === 'input' && d.type === 'tel') return 'phone';
  void text;
  return 'unknown';
}

/** For radios/checkboxes the group caption (nearText) names the field; the own label is an option's text. */
function ownText(d: FieldDescriptor, role: FieldRole): string {
  if (d.type === 'radio') return squash([d.nearText, d.title].join(' '));
  if (d.type === 'checkbox' && role !== 'agree') return squash([d.nearText, d.title].join(' '));
  return humanText(d);
}

function ruleFitsControl(role: FieldRole, d: FieldDescriptor): boolean {
  const choice = d.tag === 'select' || d.type === 'radio';
  switch (role) {
    case 'type':
    case 'public':
    case 'unit':
      return choice || (role === 'public' && d.type === 'checkbox');
    case 'agree':
      return d.type === 'checkbox';
    case 'body':
      return d.tag === 'textarea' || (d.tag === 'input' && isTextLike(d.type));
    case 'personal':
      return choice || (d.tag === 'input' && isTextLike(d.type));
    case 'address':
      // a 通讯地址 may be a (small) textarea of its own, before the content one
      return d.tag === 'textarea' || d.tag === 'select' || (d.tag === 'input' && isTextLike(d.type));
    default:
      return d.tag === 'textarea' ? false : d.tag === 'input' && isTextLike(d.type);
  }
}

function isTextLike(type: string): boolean {
  return ['', 'text', 'tel', 'email', 'number', 'search', 'url'].includes(type);
}

export function isSubmitControl(d: FieldDescriptor): boolean {
  const text = squash(d.text || d.title || '');
  if (NOT_SUBMIT.test(text)) return false;
  if (SUBMIT_TEXT.test(text) || (SUBMIT_CONTAINS.test(text) && text.length <= 8)) return true;
  if (/__doPostBack|\.submit\(\)|submitForm|doSubmit|tijiao|save\(|check_?form\(|chkForm\(/i.test(d.action) && !NOT_SUBMIT.test(text)) return true;
  // image buttons of older sites: <a onclick…><img src="images/tj.gif"></a>, <input type="image" src="btn_submit.png">
  if (/img:\S*?(?:^|[/_\-.])(?:tj|tijiao|submit|fasong|fs|send|queding|qd|ok)[\w-]*\.(?:gif|png|jpe?g)/i.test(d.action) && !NOT_SUBMIT.test(text)) return true;
  if (d.tag === 'input' && (d.type === 'submit' || d.type === 'image') && text === '') return true;
  if (d.tag === 'button' && d.type === 'submit' && text === '') return true;
  return false;
}

/** Texts of a two-step 须知 page's "go on" control. */
const ACCEPT_TEXT = /我已阅读|已阅读|同意|接受|我要写信|我要留言|我要咨询|开始写信|写信|下一步|进入|继续/;
export function isAcceptControl(d: FieldDescriptor): boolean {
  if (!(d.tag === 'button' || d.tag === 'a' || (d.tag === 'input' && ['submit', 'button', 'image'].includes(d.type)))) return false;
  const text = squash(d.text || d.title);
  return text.length > 0 && text.length <= 16 && ACCEPT_TEXT.test(text) && !/不同意|返回|取消/.test(text);
}

/**
 * Pick an option of a choice field by role: 咨询 for the type, 公开 for public, the first real unit. `caption` is
 * the field's question (是否公开 / 是否保密): a question about keeping the letter private is answered the other way
 * round (是否保密 → 否, 是否匿名 → 否), so the letter is always public.
 */
export function chooseOption(role: FieldRole, options: readonly FieldOption[], caption = ''): FieldOption | undefined {
  const real = options.filter((o) => !o.disabled && !isPlaceholderOption(o));
  switch (role) {
    case 'type':
      // 咨询, else 求助/建议, else a neutral kind (其他); never a 投诉/举报 (or 表扬) in the tester's name: a column
      // that only takes those is no consultation column (undefined: the caller leaves it to staff)
      return (
        real.find((o) => /咨询/.test(o.text)) ??
        real.find((o) => /求助|建议/.test(o.text)) ??
        real.find((o) => /^(其他|其它|问题|意见|留言|综合|一般)/.test(o.text.trim())) ??
        real.find((o) => !NOT_A_QUESTION.test(o.text))
      );
    case 'public': {
      // 公开 (是): the reply list is one of our reply sources, and the 通报 checks that messages and replies are
      // published; our letters carry no personal detail in their text, so publishing them harms no one.
      const open = (o: FieldOption) => /公开/.test(o.text) && !/不公开|非公开/.test(o.text);
      if (asksPrivacy(caption)) {
        return (
          real.find((o) => /^(否|不|不保密|不需要保密|无需保密|不匿名|公开|同意公开)$/.test(o.text.trim())) ??
          real.find(open) ??
          real.find((o) => /^否|不保密|不匿名/.test(o.text.trim())) ??
          real[0]
        );
      }
      return real.find((o) => /^(是|公开|同意公开|愿意公开|可以公开)$/.test(o.text.trim())) ?? real.find(open) ?? real[0];
    }
    case 'unit':
      return real[0];
    case 'personal':
      // only an answer that claims nothing about the writer (其他, 保密, 不详); none: the caller leaves it to staff
      return real.find((o) => NEUTRAL_ANSWER.test(o.text.trim()));
    default:
      return real[0];
  }
}

/** Letter kinds a test letter (a simple question) is not: filing one of them would misstate what was sent. */
const NOT_A_QUESTION = /投诉|举报|检举|控告|申诉|揭发|表扬|感谢|批评/;

/** An answer to a personal question (性别, 职业…) that states nothing about the writer. */
const NEUTRAL_ANSWER = /^(?:其他|其它|保密|不详|未知|不愿透露|不便透露|不填|无|其他职业|其他人员|其他民族)$/;

/**
 * A length limit given only in words near the field (（限10字以内）, 不超过10个字, 10字以内, 5-30字): the smallest
 * maximum stated, or undefined. A minimum (不少于10字) is not a limit.
 */
export function hintedMaxLength(d: Pick<FieldDescriptor, 'label' | 'nearText' | 'placeholder' | 'title' | 'hint'>): number | undefined {
  const found = statedLengths(d, [
    `(?:限|限制|限定|不超过|不得超过|不能超过|不可超过|不要超过|请勿超过|最多|至多|不多于|控制在)(?:输入|填写)?(\\d{1,4})${LENGTH_UNIT}`,
    `(\\d{1,4})${LENGTH_UNIT}(?:以内|之内|以下)`,
    `\\d{1,4}[-~～至到](\\d{1,4})${LENGTH_UNIT}`,
  ]);
  return found.length ? Math.min(...found) : undefined;
}

const LENGTH_UNIT = '(?:个)?(?:汉字|中文字|字符|字)';

/** The positive numbers the patterns' first group captures in the words around the field. */
function statedLengths(d: Pick<FieldDescriptor, 'label' | 'nearText' | 'placeholder' | 'title' | 'hint'>, patterns: readonly string[]): number[] {
  const text = [d.label, d.nearText, d.placeholder, d.title, d.hint].filter(Boolean).join(' ').replace(/\s+/g, '');
  return patterns.flatMap((p) => [...text.matchAll(new RegExp(p, 'g'))].map((m) => Number(m[1]))).filter((n) => n > 0);
}

/**
 * The least the field accepts: its minlength, or a minimum stated next to it (不少于20字, 至少20个字, 最少10个汉字,
 * 60字以上, the low end of 20-500字), the larger one; undefined when none is given.
 */
export function hintedMinLength(d: Pick<FieldDescriptor, 'label' | 'nearText' | 'placeholder' | 'title' | 'hint' | 'minLength'>): number | undefined {
  const found = statedLengths(d, [
    `(?:不少于|不得少于|不能少于|不可少于|不低于|至少|最少|最低|不小于)(?:输入|填写)?(\\d{1,4})${LENGTH_UNIT}`,
    `(\\d{1,4})${LENGTH_UNIT}(?:以上|及以上)`,
    `(\\d{1,4})[-~～至到]\\d{1,4}${LENGTH_UNIT}`,
  ]);
  if (d.minLength && d.minLength > 0) found.push(d.minLength);
  return found.length ? Math.max(...found) : undefined;
}

/** The question asks whether to keep the letter private (是否保密, 是否匿名, 不公开), not whether to publish it. */
export function asksPrivacy(caption: string): boolean {
  const c = squash(caption);
  return /保密|不公开|匿名|隐私/.test(c) && !/是否公开|公开与否|是否同意公开/.test(c);
}

export function isPlaceholderOption(o: FieldOption): boolean {
  const t = o.text.trim();
  return o.value === '' || o.value === '-1' || o.value === '0' && /请选择|--/.test(t) || /^(请选择|--|全部|选择)/.test(t) || /请选择/.test(t);
}

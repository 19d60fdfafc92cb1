import { describe, expect, it } from 'vitest';
import { fc, test as fcTest } from '@fast-check/vitest';
import { chooseOption, classifyField, identTokens, isAcceptControl, isSubmitControl } from '../../shared/domain/forms/classify.ts';
import type { FieldDescriptor } from '../../shared/domain/forms/descriptor.ts';
import { rankConsultLinks } from '../../shared/domain/forms/discover.ts';
import { classifyAfterSubmit, extractCodes, isLoginUrl, looksLikeInteractiveCaptcha, pickQueryCode } from '../../shared/domain/forms/outcome.ts';
import { LIMITS, planForm } from '../../shared/domain/forms/plan.ts';
import { parseProfile } from '../../shared/domain/forms/profile.ts';
import { charCount, shorten } from '../../shared/domain/forms/text.ts';
import { departmentOf, MAINLAND_MOBILE, makePersona, pickQuestion, QUESTIONS, QuestionBankExhaustedError } from '../../shared/domain/questions.ts';

let n = 0;
function field(p: Partial<FieldDescriptor>): FieldDescriptor {
  return { key: `k${n++}`, frame: 0, tag: 'input', type: 'text', name: '', id: '', placeholder: '', label: '', nearText: '', text: '', title: '', action: '', required: false, visible: true, form: 0, ...p };
}
const content = { name: '王伟', phone: '13812345678', email: 'l1@reply.example.cn', title: '办理居住证需要哪些材料？', body: '您好，请问办理居住证需要哪些材料？谢谢。' };

describe('classifyField: roles from Chinese labels, table cells, placeholders and pinyin names', () => {
  const cases: Array<[string, Partial<FieldDescriptor>, string]> = [
    ['姓名 in a table cell', { nearText: '姓名：' }, 'name'],
    ['来信人 with a red star', { nearText: '来信人*' }, 'name'],
    ['联系人', { label: '联系人' }, 'name'],
    ['诉求人 (12345 platforms)', { nearText: '诉求人' }, 'name'],
    ['反映人', { nearText: '反映人姓名' }, 'name'],
    ['联系人电话 is a phone, not a name', { nearText: '联系人电话' }, 'phone'],
    ['手机号码 placeholder', { placeholder: '请输入手机号码' }, 'phone'],
    ['联系电话', { nearText: '联系电话' }, 'phone'],
    ['电子邮箱', { nearText: '电子邮箱' }, 'email'],
    ['E-mail', { label: 'E-mail:' }, 'email'],
    ['邮箱地址 is an email, not an address', { nearText: '邮箱地址' }, 'email'],
    ['信件标题', { nearText: '信件标题' }, 'title'],
    ['主题', { label: '主 题' }, 'title'],
    ['留言标题 is a title, not a body', { nearText: '留言标题' }, 'title'],
    ['信件内容 textarea', { tag: 'textarea', type: '', nearText: '信件内容' }, 'body'],
    ['问题描述 textarea', { tag: 'textarea', type: '', label: '问题描述' }, 'body'],
    ['unlabelled textarea is the body', { tag: 'textarea', type: '' }, 'body'],
    ['验证码 with an image', { nearText: '验证码', imageNearby: true }, 'captcha'],
    ['短信验证码 is sms, not captcha', { nearText: '短信验证码' }, 'sms'],
    ['通讯地址', { nearText: '通讯地址' }, 'address'],
    ['身份证号', { nearText: '身份证号码' }, 'idcard'],
    ['pinyin xm', { name: 'mail.xm' }, 'name'],
    ['pinyin lxdh', { name: 'lxdh' }, 'phone'],
    ['pinyin sjhm', { name: 'sjhm' }, 'phone'],
    ['pinyin dzyx', { name: 'dzyx' }, 'email'],
    ['pinyin yx', { id: 'yx' }, 'email'],
    ['pinyin bt', { name: 'bt' }, 'title'],
    ['pinyin zt', { name: 'zt' }, 'title'],
    ['pinyin nr (text input)', { name: 'nr' }, 'body'],
    ['pinyin xjnr', { tag: 'textarea', type: '', name: 'xjnr' }, 'body'],
    ['pinyin yzm', { name: 'yzm' }, 'captcha'],
    ['ASP.NET name ctl00$Main$txtTitle', { name: 'ctl00$Main$txtTitle' }, 'title'],
    ['camelCase userName', { name: 'userName' }, 'name'],
    ['English mobile', { name: 'mobile' }, 'phone'],
    ['type=email input without a label', { type: 'email' }, 'email'],
  ];
  for (const [what, p, role] of cases) it(`${what} → ${role}`, () => expect(classifyField(field(p))).toBe(role));

  it('classifies selects and radio groups by their caption: 信件类型, 是否公开, 受理单位', () => {
    expect(classifyField(field({ tag: 'select', type: '', nearText: '信件类型', options: [] }))).toBe('type');
    expect(classifyField(field({ type: 'radio', nearText: '是否公开', label: '是', options: [] }))).toBe('public');
    expect(classifyField(field({ tag: 'select', type: '', nearText: '受理单位', options: [] }))).toBe('unit');
    expect(classifyField(field({ tag: 'select', type: '', name: 'deptId', options: [] }))).toBe('unit');
  });

  it('recognises the 我已阅读并同意 checkbox as agree', () => {
    expect(classifyField(field({ type: 'checkbox', label: '我已阅读并同意《留言须知》' }))).toBe('agree');
  });

  it('an unlabelled short input next to an image is a captcha', () => {
    expect(classifyField(field({ nearText: '请输入右边的字符', imageNearby: true, maxLength: 4 }))).toBe('captcha');
    expect(classifyField(field({ imageNearby: true, maxLength: 4 }))).toBe('captcha');
  });
  it('password fields mark a login', () => expect(classifyField(field({ type: 'password' }))).toBe('password'));
  it('hidden and file inputs are never filled', () => {
    expect(classifyField(field({ type: 'hidden', name: 'xm' }))).toBe('unknown');
    expect(classifyField(field({ type: 'file', nearText: '附件' }))).toBe('unknown');
  });
  it('splits identifiers into tokens', () => {
    expect(identTokens('ctl00$ContentPlaceHolder1$txtLxdh')).toContain('lxdh');
    expect(identTokens('mail.title')).toContain('title');
  });
});

describe('submit and accept controls', () => {
  it.each(['提交', '提 交', '发送', '确定', '保存', '提交留言', '立即提交', '确认提交'])('"%s" submits', (text) => {
    expect(isSubmitControl(field({ tag: 'button', type: 'submit', text }))).toBe(true);
  });
  it.each(['重置', '获取验证码', '返回', '查询', '发送验证码'])('"%s" does not submit', (text) => {
    expect(isSubmitControl(field({ tag: 'button', type: 'button', text }))).toBe(false);
  });
  it('an ASP.NET __doPostBack link submits', () => {
    expect(isSubmitControl(field({ tag: 'a', type: '', text: '提交信件', action: "javascript:__doPostBack('btnSubmit','')" }))).toBe(true);
    expect(isSubmitControl(field({ tag: 'a', type: '', text: '', action: "javascript:__doPostBack('lbSave','')" }))).toBe(true);
  });
  it('an unlabelled submit input submits', () => expect(isSubmitControl(field({ type: 'submit' }))).toBe(true));
  it('image buttons of older sites submit (tj.gif, btn_submit.png), a reset image does not', () => {
    expect(isSubmitControl(field({ tag: 'a', type: '', text: '', action: '# checkForm() img:images/tj.gif' }))).toBe(true);
    expect(isSubmitControl(field({ type: 'image', text: '', action: ' img:/skin/btn_submit.png' }))).toBe(true);
    expect(isSubmitControl(field({ tag: 'a', type: '', text: '重填', action: '# img:images/cz.gif' }))).toBe(false);
  });
  it('accepts 须知 with 我已阅读并同意 / 我要写信, not 不同意', () => {
    expect(isAcceptControl(field({ tag: 'a', type: '', text: '我已阅读并同意' }))).toBe(true);
    expect(isAcceptControl(field({ tag: 'button', type: 'button', text: '我要写信' }))).toBe(true);
    expect(isAcceptControl(field({ tag: 'button', type: 'button', text: '不同意' }))).toBe(false);
  });
});

describe('chooseOption', () => {
  const opts = (...texts: string[]) => texts.map((t, i) => ({ value: String(i), text: t }));
  it('picks 咨询 as the letter type', () => expect(chooseOption('type', opts('请选择', '投诉', '咨询', '建议'))?.text).toBe('咨询'));
  it('picks 公开 (是) so the reply shows on the public list', () => expect(chooseOption('public', opts('否', '是'))?.text).toBe('是'));
  it('picks the first real unit, skipping the placeholder', () => expect(chooseOption('unit', [{ value: '', text: '--请选择--' }, { value: '11', text: '市教育局' }])?.text).toBe('市教育局'));
});

describe('shorten: clean cuts, never half a character', () => {
  it('keeps a short text as it is', () => expect(shorten('办理居住证需要哪些材料？', 25)).toBe('办理居住证需要哪些材料？'));
  it('cuts at a sentence end when one is near', () => {
    expect(shorten('您好，我想办理居住证。请问需要哪些材料？还有办理地点在哪里呢？', 22)).toBe('您好，我想办理居住证。请问需要哪些材料？');
  });
  it('respects a maxlength counted in UTF-16 units with astral characters', () => {
    const s = shorten('𠮷'.repeat(10), 100, 7);
    expect(s).toBe('𠮷'.repeat(3));
  });
  fcTest.prop([fc.string({ unit: 'grapheme', maxLength: 800 }), fc.integer({ min: 1, max: 600 })])('never exceeds the limit and is a prefix of the clean text', (text, max) => {
    const out = shorten(text, max);
    expect(charCount(out)).toBeLessThanOrEqual(max);
    const clean = text.replace(/\s+/g, ' ').trim();
    expect(clean.startsWith(out.replace(/。$/, '')) || out.endsWith('。')).toBe(true);
  });
});

describe('planForm', () => {
  const fields = () => [
    field({ nearText: '姓名', form: 0 }),
    field({ nearText: '手机', form: 0 }),
    field({ nearText: '邮箱', form: 0 }),
    field({ nearText: '标题', maxLength: 12, form: 0 }),
    field({ tag: 'textarea', type: '', nearText: '内容', maxLength: 30, form: 0 }),
    field({ tag: 'select', type: '', nearText: '信件类型', options: [{ value: '', text: '请选择' }, { value: 't', text: '投诉' }, { value: 'z', text: '咨询' }], form: 0 }),
    field({ type: 'checkbox', label: '我已阅读并同意', form: 0 }),
    field({ type: 'text', name: 'honeypot', visible: false, form: 0 }),
    field({ tag: 'button', type: 'submit', text: '提交', form: 0 }),
    field({ tag: 'button', type: 'reset', text: '重置', form: 0 }),
  ];
  it('fills every role, picks 咨询, ticks agree, skips the invisible honeypot, finds submit', () => {
    const f = fields();
    const plan = planForm(f, { ...content, body: '一二三四五六七八九十。'.repeat(5) })!;
    const byRole = Object.fromEntries(plan.actions.map((a) => [a.role, a.value]));
    expect(byRole).toMatchObject({ name: '王伟', phone: '13812345678', email: 'l1@reply.example.cn', type: 'z', agree: 'on' });
    expect(charCount(byRole.title!)).toBeLessThanOrEqual(12);
    expect(charCount(byRole.body!)).toBeLessThanOrEqual(30);
    expect(plan.actions.some((a) => a.key === f[7]!.key)).toBe(false);
    expect(plan.submit?.key).toBe(f[8]!.key);
    expect(plan.gates).toEqual([]);
  });
  it('caps the body at the special check limit (500) even without a maxlength', () => {
    const plan = planForm([field({ tag: 'textarea', type: '' })], { ...content, body: '问'.repeat(900) })!;
    expect(charCount(plan.sent.body)).toBe(LIMITS.bodyMax);
  });
  it('reports captcha and sms gates before anything is sent', () => {
    const plan = planForm([field({ tag: 'textarea', type: '' }), field({ nearText: '验证码', imageNearby: true }), field({ nearText: '短信验证码' })], content)!;
    expect(plan.gates.sort()).toEqual(['captcha', 'sms']);
  });
  it('has no plan without a body field', () => expect(planForm([field({ nearText: '姓名' })], content)).toBeUndefined());
});

describe('after-submit classification and codes', () => {
  it('prefers 查询码 over 信件编号 and keeps every code', () => {
    const codes = extractCodes('提交成功！信件编号：XJ2026001，查询码：AB12CD。');
    expect(codes).toEqual({ 信件编号: 'XJ2026001', 查询码: 'AB12CD' });
    expect(pickQueryCode(codes)).toBe('AB12CD');
  });
  it('reads codes from JSON bodies', () => expect(pickQueryCode(extractCodes('{"success":true,"queryCode":"Q99X"}'))).toBe('Q99X'));
  it('submitted on 留言成功 in an alert', () => expect(classifyAfterSubmit({ texts: ['留言成功，感谢您的来信'], responses: [], formStillThere: false }).outcome).toBe('submitted'));
  it('submitted on a JSON success without words', () => expect(classifyAfterSubmit({ texts: [], responses: ['{"code":0}'], formStillThere: true }).outcome).toBe('submitted'));
  it('unavailable on 系统繁忙 after the click', () => expect(classifyAfterSubmit({ texts: ['系统繁忙，请稍后再试'], responses: [], formStillThere: false })).toMatchObject({ outcome: 'unavailable', reason: 'site-error' }));
  it('unavailable on an HTTP 500 answer to the POST', () => expect(classifyAfterSubmit({ texts: [], responses: [], navigationStatus: 500, formStillThere: false }).reason).toBe('site-error-http-500'));
  it('gated (login) when the site demands a login only after the click; a header 用户登录 link is not a demand', () => {
    expect(classifyAfterSubmit({ texts: ['请先登录后再留言'], responses: [], formStillThere: true, newTexts: ['请先登录后再留言'] })).toMatchObject({ outcome: 'gated', reason: 'login' });
    expect(classifyAfterSubmit({ texts: ['用户登录 | 首页'], responses: [], formStillThere: false, newTexts: ['用户登录 | 首页'] }).outcome).toBe('unconfirmed');
  });
  it('script-broken when the site rejects what we filled (a validation message appeared)', () => {
    expect(classifyAfterSubmit({ texts: ['请填写诉求人'], responses: [], formStillThere: true, newTexts: ['请填写诉求人'] })).toMatchObject({ outcome: 'script-broken', reason: 'rejected-by-form-validation' });
  });
  it('spots slider captchas by their instructions', () => expect(looksLikeInteractiveCaptcha('请按住滑块，拖动到最右边')).toBe(true));
  it('unconfirmed when nothing says success', () => expect(classifyAfterSubmit({ texts: ['首页 政务公开'], responses: [], formStillThere: false }).outcome).toBe('unconfirmed'));
  it('spots identity-provider URLs', () => {
    expect(isLoginUrl('https://tyrz.zwfw.example.gov.cn/sso/login?service=x')).toBe(true);
    expect(isLoginUrl('https://www.example.gov.cn/hdjl/write.html')).toBe(false);
  });
});

describe('site profiles', () => {
  it('parses a profile with selectors, success text and the 查询码 location', () => {
    const p = parseProfile({ name: 'jact', fields: { body: { selector: '#content' }, type: { label: '信件类型', value: '咨询' } }, submit: { text: '提交' }, success: '提交成功', queryCode: { regex: '查询码[:：](\\w+)' } });
    expect(p.fields.body?.selector).toBe('#content');
  });
  it('rejects a field with neither selector nor label', () => {
    expect(() => parseProfile({ name: 'x', fields: { body: {} }, submit: { text: '提交' } })).toThrow();
  });
});

describe('discover: consultation links on a home page', () => {
  it('ranks 我要写信 / 领导信箱 above 答复选登 and news', () => {
    const ranked = rankConsultLinks(
      [
        { text: '要闻动态', href: '/news' },
        { text: '答复选登', href: '/list' },
        { text: '领导信箱', href: '/mailbox' },
        { text: '我要写信', href: '/jact/front/mailwrite.do?sysid=1' },
      ],
      'https://www.example.gov.cn/',
    );
    expect(ranked[0]).toBe('https://www.example.gov.cn/jact/front/mailwrite.do?sysid=1');
    expect(ranked).toContain('https://www.example.gov.cn/mailbox');
    expect(ranked).not.toContain('https://www.example.gov.cn/news');
    expect(ranked).not.toContain('https://www.example.gov.cn/list');
  });
});

describe('question bank and personas', () => {
  it('has at least 60 questions with unique ids, titles of 10–25 characters and 1–3 sentence bodies', () => {
    expect(QUESTIONS.length).toBeGreaterThanOrEqual(60);
    expect(new Set(QUESTIONS.map((q) => q.id)).size).toBe(QUESTIONS.length);
    for (const q of QUESTIONS) {
      expect(charCount(q.title), q.title).toBeGreaterThanOrEqual(10);
      expect(charCount(q.title), q.title).toBeLessThanOrEqual(25);
      const sentences = q.body.split(/[。？！]/).filter((s) => s.trim()).length;
      expect(sentences, q.body).toBeGreaterThanOrEqual(1);
      expect(sentences, q.body).toBeLessThanOrEqual(3);
      expect(charCount(q.body)).toBeLessThanOrEqual(LIMITS.bodyMax);
    }
  });
  it('maps department sites to their questions and portals to all', () => {
    expect(departmentOf({ name: '某市人力资源和社会保障局', category: '市县部门' })).toBe('人社');
    expect(departmentOf({ name: '某市人民政府', category: '市县政府门户' })).toBe('通用');
    const rng = () => 0.3;
    expect(pickQuestion({ name: '某市公安局', category: '市县部门' }, [], rng).dept).toBe('公安');
  });
  it('never repeats a question at a site until the bank is exhausted', () => {
    const site = { name: '某省医疗保障局', category: '省级部门' as const };
    const used: string[] = [];
    let seed = 1;
    const rng = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const pool = QUESTIONS.filter((q) => q.dept === '医保' || q.dept === '通用').length;
    for (let i = 0; i < pool; i++) used.push(pickQuestion(site, used, rng).id);
    expect(new Set(used).size).toBe(pool);
    expect(() => pickQuestion(site, used, rng)).toThrow(QuestionBankExhaustedError);
  });
  fcTest.prop([fc.array(fc.double({ min: 0, max: 0.9999999, noNaN: true }), { minLength: 16, maxLength: 16 })])('personas have a valid-format mainland mobile and the reply address', (xs) => {
    let i = 0;
    const p = makePersona(() => xs[i++ % xs.length]!, 'l1@reply.example.cn');
    expect(p.phone).toMatch(MAINLAND_MOBILE);
    expect(p.email).toBe('l1@reply.example.cn');
    expect(p.name.length).toBeGreaterThanOrEqual(2);
  });
});

/**
 * The pure parts of the fixes for a reviewer's 27 consultation pages: query codes next to a 查询密码, 12345 工单号,
 * success wordings, captcha/SMS fields with unusual labels, the body among several textareas, 是否保密, 邮政编码.
 */
import { describe, expect, it } from 'vitest';
import { asksPrivacy, chooseOption, classifyField, hintedMaxLength } from '../../shared/domain/forms/classify.ts';
import type { FieldDescriptor } from '../../shared/domain/forms/descriptor.ts';
import { classifyAfterSubmit, extractCodes, looksSuccessful, pickQueryCode, pickQueryPassword } from '../../shared/domain/forms/outcome.ts';
import { DEFAULT_POSTCODE, planForm } from '../../shared/domain/forms/plan.ts';

let n = 0;
function field(p: Partial<FieldDescriptor>): FieldDescriptor {
  return { key: `r${n++}`, frame: 0, tag: 'input', type: 'text', name: '', id: '', placeholder: '', label: '', nearText: '', text: '', title: '', action: '', required: false, visible: true, form: 0, ...p };
}
const content = { name: '王伟', phone: '13812345678', email: 'l1@reply.example.cn', title: '办理居住证需要哪些材料？', body: '您好，请问办理居住证需要哪些材料？谢谢。' };
const opts = (...texts: string[]) => texts.map((text, i) => ({ value: String(i), text }));

describe('query codes', () => {
  it('信件编号 + 查询密码: the number is the query code, the password is kept beside it', () => {
    const codes = extractCodes('信件已提交，等待相关部门审核办理。信件编号：XJ2026001  查询密码：k9x2');
    expect(codes).toEqual({ 信件编号: 'XJ2026001', 查询密码: 'k9x2' });
    expect(pickQueryCode(codes)).toBe('XJ2026001');
    expect(pickQueryPassword(codes)).toBe('k9x2');
  });
  it('a password alone is never the query code', () => {
    expect(pickQueryCode({ 查询密码: 'k9x2' })).toBeNull();
    expect(pickQueryCode({ 'json:queryPwd': 'k9x2', error: 'x' })).toBeNull();
  });
  it('查询码 still wins over 信件编号 with a password present', () => expect(pickQueryCode(extractCodes('信件编号：XJ2026001 查询码：AB12 查询密码：9911'))).toBe('AB12'));
  it('12345 工单号 and JSON gdh', () => {
    expect(pickQueryCode(extractCodes('提交成功 您的工单号：GD20260001，请妥善保存'))).toBe('GD20260001');
    expect(pickQueryCode(extractCodes('{"code":200,"msg":"ok","data":{"gdh":"GD20260002"}}'))).toBe('GD20260002');
    expect(pickQueryCode(extractCodes('{"status":1,"cxbm":"LA20260003"}'))).toBe('LA20260003');
    expect(pickQueryCode(extractCodes('办件号：BJ20260004'))).toBe('BJ20260004');
    expect(pickQueryCode(extractCodes('受理单号：SD20260005'))).toBe('SD20260005');
  });
  it('查询编码 is a query code, ahead of the plain 编号', () => expect(pickQueryCode(extractCodes('编号：1234567 查询编码：LA2026'))).toBe('LA2026'));
});

describe('success wording and JSON', () => {
  it('信件已提交，等待…审核 and 留言已提交，待审核后公开 are success; 信件已受理的 in a notice is not', () => {
    expect(looksSuccessful('信件已提交，等待相关部门审核办理。')).toBe(true);
    expect(looksSuccessful('留言已提交，待审核后公开。')).toBe(true);
    expect(looksSuccessful('诉求已受理。')).toBe(true);
    expect(looksSuccessful('信件已受理的，不得撤回')).toBe(false);
  });
  it('{"status":1} and {"flag":true} are JSON successes', () => {
    expect(classifyAfterSubmit({ texts: [], responses: ['{"status":1,"info":"ok"}'], formStillThere: true })).toMatchObject({ outcome: 'submitted', reason: 'confirmed-json' });
    expect(classifyAfterSubmit({ texts: [], responses: ['{"flag":true}'], formStillThere: true }).outcome).toBe('submitted');
  });
  it('a refused verification code after the click is a gate, not a validation failure', () => {
    expect(classifyAfterSubmit({ texts: ['验证码错误！'], responses: [], formStillThere: true, newTexts: ['验证码错误！'] })).toMatchObject({ outcome: 'gated', reason: 'captcha' });
    expect(classifyAfterSubmit({ texts: ['短信验证码不正确'], responses: [], formStillThere: true, newTexts: ['短信验证码不正确'] })).toMatchObject({ outcome: 'gated', reason: 'sms' });
  });
});

describe('captcha and SMS fields', () => {
  it('请输入图片中的字符 is a captcha', () => expect(classifyField(field({ nearText: '请输入图片中的字符', name: 'checkWord', required: true }))).toBe('captcha'));
  it('an unlabelled input next to a captcha-like image is a captcha, whatever its length', () => expect(classifyField(field({ name: 'cw', imageNearby: true, captchaImageNearby: true }))).toBe('captcha'));
  it('验证码 next to a 获取验证码 button is an SMS code', () => expect(classifyField(field({ nearText: '验证码', name: 'yzm', smsButtonNearby: true }))).toBe('sms'));
  it('验证码 with a captcha image and an SMS button elsewhere in the row stays a captcha', () =>
    expect(classifyField(field({ nearText: '验证码', imageNearby: true, captchaImageNearby: true, smsButtonNearby: true }))).toBe('captcha'));
  it('a required unknown input next to an image gates (captcha) instead of getting 无', () => {
    const plan = planForm([field({ tag: 'textarea', type: '', nearText: '内容' }), field({ name: 'q1', required: true, imageNearby: true })], content)!;
    expect(plan.gates).toEqual(['captcha']);
    expect(plan.actions.map((a) => a.value)).not.toContain('无');
  });
});

describe('field choice', () => {
  it('a 通讯地址 textarea before 留言内容 is the address; the body goes into 留言内容', () => {
    const addr = field({ tag: 'textarea', type: '', nearText: '通讯地址', name: 'txdz' });
    const body = field({ tag: 'textarea', type: '', nearText: '留言内容', name: 'lynr' });
    expect(classifyField(addr)).toBe('address');
    const plan = planForm([addr, body], content)!;
    expect(plan.actions.find((a) => a.role === 'body')?.key).toBe(body.key);
    expect(plan.actions.some((a) => a.key === addr.key)).toBe(false);
  });
  it('a labelled body wins over an unlabelled textarea before it', () => {
    const other = field({ tag: 'textarea', type: '', name: 'bz' });
    const body = field({ tag: 'textarea', type: '', nearText: '信件内容' });
    expect(planForm([other, body], content)!.actions.find((a) => a.role === 'body')?.key).toBe(body.key);
  });
  it('a rich-text editor (a textarea of type richtext) is a body', () => {
    const ed = field({ tag: 'textarea', type: 'richtext', nearText: '信件内容' });
    expect(planForm([ed], content)!.actions.find((a) => a.role === 'body')?.key).toBe(ed.key);
  });
  it('是否保密 / 是否匿名 are answered so the letter is public; 是否公开 still 是', () => {
    expect(asksPrivacy('是否保密：')).toBe(true);
    expect(asksPrivacy('是否公开')).toBe(false);
    expect(chooseOption('public', opts('是', '否'), '是否保密')?.text).toBe('否');
    expect(chooseOption('public', opts('保密', '不保密'), '是否保密')?.text).toBe('不保密');
    expect(chooseOption('public', opts('是', '否'), '是否匿名')?.text).toBe('否');
    expect(chooseOption('public', opts('公开', '不公开'), '是否公开')?.text).toBe('公开');
    expect(chooseOption('public', opts('否', '是'))?.text).toBe('是');
  });
  it('the planner reads the question: a 是否保密 radio group gets 否', () => {
    const radio = field({ type: 'radio', nearText: '是否保密：', options: [{ value: 'k-yes', text: '是' }, { value: 'k-no', text: '否' }] });
    expect(classifyField(radio)).toBe('public');
    expect(planForm([field({ tag: 'textarea', type: '' }), radio], content)!.actions.find((a) => a.role === 'public')?.value).toBe('k-no');
  });
  it('a 匿名 checkbox is never ticked; a 公开 one is', () => {
    const anon = field({ type: 'checkbox', nearText: '', label: '匿名', title: '匿名' });
    const open = field({ type: 'checkbox', nearText: '是否公开' });
    const plan = planForm([field({ tag: 'textarea', type: '' }), anon, open], content)!;
    expect(plan.actions.some((a) => a.key === anon.key)).toBe(false);
    expect(plan.actions.some((a) => a.key === open.key)).toBe(true);
  });
  it('a required 邮政编码 gets a six-digit postcode (never 无), an optional one nothing', () => {
    const pc = field({ nearText: '*邮政编码', name: 'yzbm', required: true });
    expect(classifyField(pc)).toBe('postcode');
    expect(classifyField(field({ name: 'zipcode' }))).toBe('postcode');
    const plan = planForm([field({ tag: 'textarea', type: '' }), pc], content)!;
    expect(plan.actions.find((a) => a.key === pc.key)?.value).toBe(DEFAULT_POSTCODE);
    expect(DEFAULT_POSTCODE).toMatch(/^\d{6}$/);
    expect(planForm([field({ tag: 'textarea', type: '' }), pc], { ...content, postcode: '710001' })!.actions.find((a) => a.key === pc.key)?.value).toBe('710001');
    const optional = field({ nearText: '邮编', name: 'yb' });
    expect(planForm([field({ tag: 'textarea', type: '' }), optional], content)!.actions.some((a) => a.key === optional.key)).toBe(false);
  });
});

describe('second round: header logins, cascading selects, hinted limits, notes among the codes', () => {
  // c16: <body>(0) > div.top(1) > span.loginbox(2) holds 用户名/密码/登录; div.main(3) > div.lyform(4) the letter
  const login = {
    user: field({ id: 'loginName', nearText: '用户名', form: -1, anc: [2, 1, 0] }),
    pwd: field({ type: 'password', id: 'loginPwd', nearText: '密码', form: -1, anc: [2, 1, 0] }),
    button: field({ tag: 'a', type: '', text: '登录', action: 'javascript:doLogin()', form: -1, anc: [2, 1, 0] }),
  };
  const letter = {
    name: field({ id: 'lyr', nearText: '留言人', form: -1, anc: [5, 4, 3, 0] }),
    title: field({ id: 'lybt', nearText: '留言标题', form: -1, anc: [5, 4, 3, 0] }),
    body: field({ tag: 'textarea', type: '', id: 'lynr', nearText: '留言内容', form: -1, anc: [5, 4, 3, 0] }),
    submit: field({ tag: 'a', type: '', text: '提 交', action: ' saveMsg()', form: -1, anc: [6, 4, 3, 0] }),
  };

  it('a login box of the page header (its own 登录, outside the letter) neither gates the form nor gives the name', () => {
    const plan = planForm([login.user, login.pwd, login.button, letter.name, letter.title, letter.body, letter.submit], content)!;
    expect(plan.gates).toEqual([]);
    expect(plan.foreignLogin).toEqual([login.pwd.key]);
    expect(plan.actions.find((a) => a.role === 'name')?.key).toBe(letter.name.key);
    expect(plan.actions.some((a) => a.key === login.user.key)).toBe(false);
    expect(plan.submit?.key).toBe(letter.submit.key);
  });

  it('a password among the letter fields (no login box of its own) still gates, as does one without ancestors', () => {
    const inline = field({ type: 'password', nearText: '密码', form: -1, anc: [5, 4, 3, 0] });
    expect(planForm([letter.name, letter.title, letter.body, inline, letter.submit], content)!.gates).toEqual(['login']);
    // a 登录 control in the same box as the body: the box is the letter's
    const shared = field({ tag: 'a', type: '', text: '登录', form: -1, anc: [4, 3, 0] });
    expect(planForm([letter.name, letter.body, inline, shared, letter.submit], content)!.gates).toEqual(['login']);
    const bare = field({ type: 'password', nearText: '密码', form: -1 });
    expect(planForm([letter.body, bare], content)!.gates).toEqual(['login']);
  });

  it('without a <form>, the submit nearest the body is chosen (not the first one of the page)', () => {
    const far = field({ tag: 'button', type: 'button', text: '提交', form: -1, anc: [9, 0] });
    expect(planForm([far, letter.body, letter.submit], content)!.submit?.key).toBe(letter.submit.key);
  });

  it('a select with no real option yet after a chosen one is pending (filled by script); none without an earlier choice', () => {
    const qx = field({ tag: 'select', type: '', nearText: '所属区县', name: 'qx', required: true, options: [{ value: '', text: '请选择区县' }, { value: '610102', text: '新城区' }] });
    const bm = field({ tag: 'select', type: '', nearText: '承办部门', name: 'bm', required: true, options: [{ value: '', text: '请先选择区县' }] });
    const body = field({ tag: 'textarea', type: '', nearText: '内容' });
    const plan = planForm([qx, bm, body], content)!;
    expect(plan.actions.find((a) => a.key === qx.key)?.value).toBe('610102');
    expect(plan.actions.some((a) => a.key === bm.key)).toBe(false);
    expect(plan.pending).toEqual([bm.key]);
    expect(planForm([bm, body], content)!.pending).toEqual([]);
  });

  it('a title limit stated only in words is a maxLength', () => {
    expect(hintedMaxLength(field({ nearText: '标题', hint: '（限10字以内）' }))).toBe(10);
    expect(hintedMaxLength(field({ nearText: '标题（不超过10个字）' }))).toBe(10);
    expect(hintedMaxLength(field({ placeholder: '请输入标题，10字以内' }))).toBe(10);
    expect(hintedMaxLength(field({ hint: '最多输入20个字符' }))).toBe(20);
    expect(hintedMaxLength(field({ hint: '5-30字' }))).toBe(30);
    expect(hintedMaxLength(field({ hint: '不少于10个字' }))).toBeUndefined();
    expect(hintedMaxLength(field({ nearText: '标题' }))).toBeUndefined();
    const title = field({ nearText: '标题', name: 'bt', hint: '（限10字以内）' });
    const plan = planForm([title, field({ tag: 'textarea', type: '', nearText: '内容', hint: '限20字' })], { ...content, title: '关于办理居住证所需材料的咨询' })!;
    expect([...plan.sent.title].length).toBeLessThanOrEqual(10);
    expect(plan.actions.find((a) => a.key === title.key)?.value).toBe(plan.sent.title);
    expect([...plan.sent.body].length).toBeLessThanOrEqual(20);
  });

  it('what blocked a submission (codes.blocked) is a note, never the query code', () => {
    expect(pickQueryCode({ blocked: 'bz: Please match the requested format.' })).toBeNull();
    expect(pickQueryCode({ blocked: '请先阅读并同意', 编号: 'AB1234' })).toBe('AB1234');
  });
});

describe('after the POST: which failures say the site did not take the letter', () => {
  it('an XHR/fetch POST answered with an HTTP error is an HTTP error (never retried), whatever its body says', () => {
    const r = classifyAfterSubmit({ texts: ['网上咨询'], responses: ["Server Error in '/' Application. 系统错误"], requestErrorStatus: 500, formStillThere: true, newTexts: [] });
    expect(r).toMatchObject({ outcome: 'unavailable', reason: 'site-error-http-500' });
  });
  it('error words the page always shows (a footer) are not the answer; the same words arriving after the click are', () => {
    const footer = '如遇系统繁忙请稍后再试';
    expect(classifyAfterSubmit({ texts: [`网上咨询\n${footer}`], responses: [], formStillThere: true, newTexts: [] }).outcome).toBe('unconfirmed');
    expect(classifyAfterSubmit({ texts: [`网上咨询\n${footer}`], responses: [], formStillThere: true, newTexts: ['提交失败，系统繁忙，请稍后再试'] })).toMatchObject({ outcome: 'unavailable', reason: 'site-error' });
  });
});

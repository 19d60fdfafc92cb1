/**
 * Reading the page after a submission (or instead of one): success, the site's own error, gates, codes. Pure.
 */

export const OUTCOMES = ['submitted', 'gated', 'unavailable', 'unconfirmed', 'script-broken', 'ready'] as const;
export type SubmitOutcome = (typeof OUTCOMES)[number];

const SUCCESS =
  /提交成功|留言成功|发送成功|写信成功|投递成功|保存成功|递交成功|咨询成功|受理成功|操作成功|已成功提交|已提交成功|感谢您的来信|感谢您的留言|谢谢您的来信|感谢您的参与|我们已收到您的|您的(?:信件|留言|来信|咨询)已(?:提交|收到|成功)|提交完成|(?:信件|留言|来信|咨询|诉求|投诉|建议|工单)已(?:经)?(?:成功)?(?:提交|受理|收到|登记)(?=[，,。！!；;、\s]|$)/;
const SITE_ERROR =
  /系统繁忙|系统忙|服务器繁忙|系统错误|系统异常|服务器错误|服务器内部错误|提交失败|保存失败|发送失败|留言失败|操作失败|出错了|发生错误|程序错误|服务暂不可用|暂停服务|维护中|Internal Server Error|Service Unavailable|Bad Gateway|Gateway Time-?out|Runtime Error|Server Error in|数据库连接|请稍后(?:再试|重试)/i;
const VALIDATION = /请输入|请填写|不能为空|必填项|格式不正确|格式错误|请选择|长度不能|字数不能|不能少于|不能超过/;
const LOGIN = /统一身份认证|请先登录|请登录后|用户登录|实名认证登录|登录后(?:方可|才能)|扫码登录/;
/** After a click: the site demands a login (stricter than LOGIN: a header's 用户登录 link is not a demand). */
const LOGIN_DEMAND = /请先登录|请登录后|登录后(?:方可|才能)|您(?:还)?未登录|登录(?:已)?超时|需(?:要)?实名认证/;
/** The site refused a verification code: 验证码错误, 短信验证码不正确, 校验码已失效. */
const CODE_REFUSED = /(?:短信|手机|动态)?(?:验证码|校验码|附加码)(?:输入)?(?:错误|不正确|有误|已失效|失效|已过期|过期|不匹配)/;
const SLIDER = /(?:拖动|滑动|按住|拖拽|向右拖)[^，。,.\n]{0,4}滑块|滑块(?:验证|拼图)|向右滑动|滑动验证|拼图验证|请完成安全验证|点击按钮进行验证|请依次点击/;
/** Slider / click captchas have no text field to spot: their instructions give them away. */
export function looksLikeInteractiveCaptcha(text: string): boolean {
  return SLIDER.test(text);
}
const BUSY_BEFORE = /系统繁忙|系统维护|暂停服务|服务暂不可用|栏目(?:已)?关闭|暂停使用|升级改造/;

export function looksSuccessful(text: string): boolean {
  return SUCCESS.test(text);
}
export function looksLikeSiteError(text: string): boolean {
  return SITE_ERROR.test(text);
}
export function looksLikeValidationError(text: string): boolean {
  return VALIDATION.test(text);
}
export function looksLikeLogin(text: string): boolean {
  return LOGIN.test(text);
}
export function looksClosedOrBusy(text: string): boolean {
  return BUSY_BEFORE.test(text);
}

/** A URL that is a login / identity-provider page (统一身份认证, SSO, CAS, passport). */
export function isLoginUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return /(^|\.)(sso|cas|passport|login|uc|auth|tyrz|zwfw-?login)\./i.test(u.hostname) || /\/(sso|cas|login|passport|tyrz|auth\/login|user\/login|oauth2?\/authorize)(\/|\.|$|\?)/i.test(u.pathname);
  } catch {
    return false;
  }
}

/** Labels of the codes a page may show after a submission, most useful first. */
const CODE_LABELS = ['查询码', '查询编码', '查询密码', '查询号', '提取码', '信件编号', '受理编号', '留言编号', '工单编号', '工单号', '受理单号', '办件编号', '办件号', '信件号', '受理号', '编号', '流水号'] as const;
export type CodeLabel = (typeof CODE_LABELS)[number];

/**
 * Every `label: code` pair in the text (and JSON-ish `"queryCode":"…"`). Codes are 4–40 characters of letters,
 * digits and dashes.
 */
export function extractCodes(text: string): Record<string, string> {
  const codes: Record<string, string> = {};
  const re = new RegExp(`(${CODE_LABELS.join('|')})\\s*(?:为|是)?\\s*[：:]?\\s*[“"'「【\\[]?\\s*([A-Za-z0-9][A-Za-z0-9-]{3,39})`, 'g');
  for (const m of text.matchAll(re)) {
    const label = m[1]!;
    if (!(label in codes)) codes[label] = m[2]!;
  }
  const json = /"(queryCode|querycode|cxm|cxbm|searchCode|queryPwd|letterNo|mailNo|code|no|bh|xjbh|slbh|gdh|orderNo|workOrderNo)"\s*:\s*"([A-Za-z0-9-]{4,40})"/g;
  for (const m of text.matchAll(json)) {
    const key = `json:${m[1]}`;
    if (!(key in codes)) codes[key] = m[2]!;
  }
  return codes;
}

/**
 * A password is never a lookup key on its own: a site that shows 信件编号 + 查询密码 is searched by the number,
 * with the password beside it (`pickQueryPassword`).
 */
const PASSWORD_KEYS = new Set(['查询密码', 'json:queryPwd']);

/** Entries of the evidence's codes that are notes, not codes: an error, what blocked a submission in the page. */
const NOTE_KEYS = new Set(['error', 'blocked']);

/** The code to look the letter up with: 查询码 preferred, else 信件编号/受理编号/工单号, else any code but a password. */
export function pickQueryCode(codes: Record<string, string>): string | null {
  const order = [
    '查询码',
    '查询编码',
    'json:queryCode',
    'json:querycode',
    'json:cxm',
    'json:cxbm',
    'json:searchCode',
    '查询号',
    '提取码',
    '信件编号',
    '受理编号',
    '留言编号',
    '工单编号',
    '工单号',
    'json:gdh',
    'json:workOrderNo',
    'json:orderNo',
    '受理单号',
    '信件号',
    '受理号',
    '办件编号',
    '办件号',
    'json:letterNo',
    'json:mailNo',
    'json:xjbh',
    'json:slbh',
    '编号',
    '流水号',
  ];
  for (const k of order) if (codes[k]) return codes[k]!;
  const any = Object.entries(codes).find(([k]) => !PASSWORD_KEYS.has(k) && !NOTE_KEYS.has(k))?.[1];
  return any ?? null;
}

/** The 查询密码 that goes with the query code, when the site shows one. */
export function pickQueryPassword(codes: Record<string, string>): string | null {
  for (const k of PASSWORD_KEYS) if (codes[k]) return codes[k]!;
  return null;
}

export interface AfterSubmitObservation {
  /** Visible texts after the click: every frame's body text, open modals, alert/confirm dialog messages. */
  texts: string[];
  /** Bodies of XHR/fetch responses seen after the click (JSON or text). */
  responses: string[];
  /** HTTP status of a document navigation caused by the submission, if any. */
  navigationStatus?: number;
  /** The first HTTP error status (≥ 400) of an XHR/fetch request after the click, if any: the POST itself failed. */
  requestErrorStatus?: number;
  /** The form is still on the page, unchanged, after the click. */
  formStillThere: boolean;
  /** Text that appeared only after the click (new lines of the page, dialogs): where a validation message shows. */
  newTexts?: string[];
}

/** The reason of a site that answered the POST in words that the submission failed: it did not take the letter. */
export const SITE_REFUSED = 'site-error';

export interface Classified {
  outcome: SubmitOutcome;
  reason: string;
  codes: Record<string, string>;
}

/** After clicking submit: confirmed, the site's own error, or unconfirmed. Success wins over a generic error word. */
export function classifyAfterSubmit(o: AfterSubmitObservation): Classified {
  const all = [...o.texts, ...o.responses].join('\n');
  const codes = extractCodes(all);
  if (o.navigationStatus !== undefined && o.navigationStatus >= 400) {
    return { outcome: 'unavailable', reason: `site-error-http-${o.navigationStatus}`, codes };
  }
  if (o.requestErrorStatus !== undefined && !looksSuccessful(all)) {
    return { outcome: 'unavailable', reason: `site-error-http-${o.requestErrorStatus}`, codes };
  }
  const json = o.responses.map(parseJson).find((j) => j !== undefined);
  if (looksSuccessful(all)) return { outcome: 'submitted', reason: 'confirmed', codes };
  if (json && jsonSaysSuccess(json)) return { outcome: 'submitted', reason: 'confirmed-json', codes };
  // The form wanted a login only when sent (请先登录): a person must act.
  if (o.newTexts && LOGIN_DEMAND.test(o.newTexts.join('\n'))) return { outcome: 'gated', reason: 'login', codes };
  // A code we could not have known was refused (验证码错误): a captcha/SMS gate we did not see before the click.
  const refusedCode = o.newTexts ? CODE_REFUSED.exec(o.newTexts.join('\n')) : null;
  if (refusedCode) return { outcome: 'gated', reason: /短信|手机|动态/.test(refusedCode[0]) ? 'sms' : 'captcha', codes };
  // The site refused what we filled (a required field we missed, a format it wants): our script's problem.
  if (o.newTexts && looksLikeValidationError(o.newTexts.join('\n'))) return { outcome: 'script-broken', reason: 'rejected-by-form-validation', codes };
  // The site's own words that it failed — only text that came with the answer (not a footer the page always shows):
  // `site-error` is the one failure after the POST that is retried (the site said it did not take the letter).
  const answered = [...(o.newTexts ?? o.texts), ...o.responses].join('\n');
  if (looksLikeSiteError(answered) || (json && jsonSaysFailure(json))) return { outcome: 'unavailable', reason: SITE_REFUSED, codes };
  return { outcome: 'unconfirmed', reason: o.formStillThere ? 'no-confirmation-form-still-shown' : 'no-confirmation', codes };
}

function parseJson(s: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(s);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
function jsonSaysSuccess(j: Record<string, unknown>): boolean {
  return (
    j.success === true ||
    j.ok === true ||
    j.result === 'success' ||
    j.result === true ||
    j.flag === true ||
    j.status === 'success' ||
    j.status === 1 ||
    j.status === '1' ||
    j.code === 0 ||
    j.code === 200 ||
    j.code === '0' ||
    j.code === '200'
  );
}
function jsonSaysFailure(j: Record<string, unknown>): boolean {
  return j.success === false || j.ok === false || j.status === 'error' || j.result === 'fail' || j.result === 'error';
}

/**
 * What a machine reason (a submission's or a channel check's `reason`: `http-404`, `no-form`, `captcha`…) means, in
 * the words staff read — for alerts, the dashboard and the CLI alike. An unknown code is shown as it is. Pure.
 */

const TEXT: Record<string, string> = {
  // the site's channel
  dns: '域名无法解析',
  connection: '无法连接网站',
  tls: '网站证书错误',
  timeout: '访问超时，网站无响应',
  'redirect-loop': '网页重定向循环',
  'navigation-error': '网页无法打开',
  'no-form': '找不到留言表单',
  'site-busy': '网站提示系统繁忙',
  'site-error': '网站提示提交失败',
  'no-response-after-submit': '提交后网站无响应',
  'no-consult-url': '未登记留言栏目地址',
  'not-found': '页面不存在',
  // gates: a person has to submit
  captcha: '需要图形验证码',
  sms: '需要短信验证码',
  login: '需要登录或实名认证',
  personal: '表单要求填写本人信息（性别、年龄、职业等），需人工填写',
  'body-too-short': '网站要求的留言字数多于问题内容，需人工补充后提交',
  'no-consult-type': '留言类型只有投诉、举报等，没有咨询：需人工判断该栏目能否受理咨询',
  // fine
  confirmed: '网站确认提交成功',
  'confirmed-json': '网站确认提交成功',
  'confirmed-profile': '网站确认提交成功',
  'form-fillable': '表单可正常填写',
  'form-with-textarea': '留言表单正常',
  'no-confirmation': '提交后网站未明确确认',
  'no-confirmation-form-still-shown': '提交后仍显示表单，未确认收到',
  'rejected-by-form-validation': '网站表单校验未通过',
  // our side (script-broken)
  'fill-failed': '表单填写失败（程序问题）',
  'no-submit-control': '找不到提交按钮（程序问题）',
  'submit-click-failed': '点击提交失败（程序问题）',
  'blocked-by-page': '网页阻止了提交（程序问题）',
  'deadline-before-submit': '未能在时限内完成提交（程序问题）',
  'crashed-after-claim': '提交过程中断，可能已发出',
  unknown: '原因不明',
  // the HTTP pre-check
  'no-textarea-in-html': '网页未直接包含留言框，需浏览器检查',
  'gate-hint': '网页提示需要验证，需浏览器检查',
  iframe: '留言表单在内嵌页面中，需浏览器检查',
};

const HTTP: Record<number, string> = {
  400: '请求错误',
  401: '需要身份验证',
  403: '禁止访问',
  404: '页面不存在',
  410: '页面已删除',
  429: '访问过于频繁',
  500: '服务器内部错误',
  502: '网关错误',
  503: '服务暂不可用',
  504: '网关超时',
};

function httpText(status: number): string {
  return `HTTP ${status}${HTTP[status] ? `（${HTTP[status]}）` : ''}`;
}

/** `http-404` → `HTTP 404（页面不存在）`; `sent-then-timeout` → `已发出，随后访问超时…`; unknown codes as they are. */
export function reasonText(code: string | null | undefined): string {
  if (!code) return '';
  const known = TEXT[code];
  if (known) return known;
  const http = /^http-(\d{3})$/.exec(code);
  if (http) return httpText(Number(http[1]));
  const siteHttp = /^site-error-http-(\d{3})$/.exec(code);
  if (siteHttp) return `提交后网站报错 ${httpText(Number(siteHttp[1]))}`;
  if (code.startsWith('sent-then-')) return `已发出，随后${reasonText(code.slice('sent-then-'.length))}（可能已送达，切勿重发）`;
  if (code.startsWith('unchanged-since-browser-check:')) return `${reasonText(code.slice('unchanged-since-browser-check:'.length))}（网页结构未变，沿用浏览器检查结果）`;
  return code;
}

/**
 * Where a reply list or query page is, when no profile says and the platform is not a known one: read the
 * links and forms of a page the way a citizen would. Pure: HTML in, candidate URLs out.
 *
 * - A query page is a link named like 查询 (信件查询, 诉求查询, 办理进度查询…); on it, a GET form with a text field for
 *   the code (查询码/信件编号/受理编号, or a name such as cxm/searchcode/code) becomes a URL template `…?cxm={code}`;
 *   a POST form that is plainly a look-up (queryFormOf) makes the page itself the profile's `queryPage`.
 * - A list page is a link named like 公开/选登/答复/回复 (信件公开, 诉求公开, 留言选登, 回复选登, 答复公开…).
 */
export interface PageLinks {
  queryPages: string[];
  listPages: string[];
}

const QUERY_TEXT = /(信件|诉求|留言|来信|办理|进度|回复|答复|工单)?(查询|查看办理)/;
const LIST_TEXT = /(信件|诉求|留言|来信|咨询|回复|答复)(公开|选登|列表)|(公开|选登)(信件|留言|答复|回复)|答复公开|回复选登/;
const CODE_LABEL = /查询码|查询密码|信件编号|受理编号|工单编号|编号|code|cxm|searchcode/i;

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\b${name}\\s*=\\s*("([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  return m ? (m[2] ?? m[3] ?? m[4] ?? '') : undefined;
}

function text(html: string): string {
  return html.replace(/<[^>]*>/g, '').replace(/&nbsp;/g, ' ').replace(/\s+/g, '').trim();
}

function resolve(href: string, base: string): string | undefined {
  if (!href || /^(javascript:|mailto:|#)/i.test(href)) return undefined;
  try {
    return new URL(href.replace(/&amp;/g, '&'), base).toString();
  } catch {
    return undefined;
  }
}

/** A form's largest body: an ASP.NET page is one form around the whole page, its __VIEWSTATE included. */
const MAX_FORM_CHARS = 300_000;

/**
 * Every <name> element: its tag's attributes (≤ 2,000 chars) and what it encloses — up to its first closing tag, or
 * the next <name> (neither <a> nor <form> nests: a browser ends the first there), at most `maxInner` chars — in one
 * pass over the page: a hostile page of unclosed tags costs linear time, not a scan to the end per tag.
 */
function* elementsOf(html: string, name: 'a' | 'form', maxInner: number): Generator<{ attrs: string; inner: string }> {
  const closings = [...html.matchAll(new RegExp(`</${name}\\s*>`, 'gi'))].map((c) => c.index);
  const opens = [...html.matchAll(new RegExp(`<${name}\\b`, 'gi'))].map((o) => o.index);
  let k = 0;
  let gt = -1;
  for (const [i, at] of opens.entries()) {
    const from = at + 1 + name.length;
    if (gt < from) {
      gt = html.indexOf('>', from); // the first '>' after this tag's start: there is none between the last one and here
      if (gt < 0) return;
    }
    if (gt - from > 2000) continue;
    while (k < closings.length && closings[k]! <= gt) k++;
    if (k >= closings.length) return;
    const end = closings[k]!;
    if (end - (gt + 1) > maxInner || (opens[i + 1] ?? Infinity) < end) continue;
    yield { attrs: html.slice(from, gt), inner: html.slice(gt + 1, end) };
  }
}

export function linksOf(html: string, baseUrl: string): PageLinks {
  const queryPages = new Set<string>();
  const listPages = new Set<string>();
  for (const a of elementsOf(html.slice(0, 2_000_000), 'a', 500)) {
    const url = resolve(attr(a.attrs, 'href') ?? '', baseUrl);
    if (!url) continue;
    const t = text(a.inner) || attr(a.attrs, 'title') || '';
    if (LIST_TEXT.test(t)) listPages.add(url);
    else if (QUERY_TEXT.test(t)) queryPages.add(url);
  }
  return { queryPages: [...queryPages], listPages: [...listPages] };
}

/**
 * A form that looks a letter up: where it goes, how, and every control a browser would send with it — hidden fields
 * (ASP.NET's __VIEWSTATE, a CSRF token) with the values the page gave, the query button's name and value — with the
 * code (and, if asked, the 查询密码) left for the caller to fill.
 */
export interface QueryForm {
  method: 'get' | 'post';
  action: string;
  fields: Array<[string, string]>;
  codeField: string;
  passwordField?: string;
}

/** A field that names the letter's code without doubt: what a POST form must have before anything is sent to it. */
const STRICT_CODE_LABEL = /查询码|查询编[号码]|信件编号|受理编号|工单编号|办件编号|留言编号|searchcode|cxm|query_?code/i;
const PASSWORD_LABEL = /查询密码|密码|password|passwd|pwd|cxmm/i;
/** Fields no look-up asks for: a captcha (we cannot read one), or a letter's own content (this is a letter form). */
const NOT_A_QUERY = /验证码|校验码|captcha|yzm|checkcode|verifycode|valicode|标题|主题|内容|正文|姓名|手机|电话|title|content|subject/i;

/** The containers ASP.NET and JSF write into every control's name and id (`ctl00$ContentPlaceHolder1$txtCxm`). */
const CONTAINERS = /ctl\d+|ContentPlaceHolder\d*|MainContent|PlaceHolder\d*/gi;

/** What says what a control is for: its name and id (without their containers' names), placeholder and title. */
function describe(tag: string): string {
  const own = (v: string | undefined) => (v ?? '').replace(CONTAINERS, '');
  return `${own(attr(tag, 'name'))} ${own(attr(tag, 'id'))} ${attr(tag, 'placeholder') ?? ''} ${attr(tag, 'title') ?? ''}`;
}

function decodeEntities(v: string): string {
  return v.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/**
 * The look-up form of a page, if it has one: a GET form with a text field for the code, or a POST form that is
 * plainly a look-up and nothing else — its code field named without doubt (查询码, 信件编号…), a 查询 button or
 * wording, and no textarea, file, captcha or letter field (a POST to a letter form would send a letter).
 */
export function queryFormOf(html: string, pageUrl: string): QueryForm | null {
  for (const { attrs: formTag, inner: body } of elementsOf(html.slice(0, 2_000_000), 'form', MAX_FORM_CHARS)) {
    const method = (attr(formTag, 'method') ?? 'get').toLowerCase() === 'post' ? 'post' : 'get';
    const inputs = [...body.matchAll(/<input\b([^>]*)>/gi)].map((i) => i[1] ?? '');
    const type = (i: string) => (attr(i, 'type') ?? 'text').toLowerCase();
    const named = (i: string) => !!attr(i, 'name');
    const texts = inputs.filter((i) => /^(text|search|number|tel)$/.test(type(i)) && named(i));
    if (texts.length === 0) continue;
    const codeLabel = method === 'post' ? STRICT_CODE_LABEL : CODE_LABEL;
    const code =
      texts.find((i) => codeLabel.test(describe(i)) && !NOT_A_QUERY.test(describe(i))) ??
      (codeLabel.test(text(body)) && texts.length === 1 && !NOT_A_QUERY.test(describe(texts[0]!)) ? texts[0] : undefined);
    if (!code) continue;
    const password = inputs.find((i) => named(i) && i !== code && (type(i) === 'password' || (texts.includes(i) && PASSWORD_LABEL.test(describe(i)))));
    if (method === 'post') {
      const others = texts.filter((i) => i !== code && i !== password);
      if (/<textarea\b/i.test(body) || inputs.some((i) => type(i) === 'file') || others.some((i) => NOT_A_QUERY.test(describe(i)))) continue;
      if (!QUERY_TEXT.test(text(body)) && !inputs.some((i) => /查询/.test(attr(i, 'value') ?? ''))) continue;
    }
    const fields: Array<[string, string]> = [];
    for (const i of inputs) {
      const name = attr(i, 'name');
      if (!name) continue;
      const t = type(i);
      if (i === code || i === password) fields.push([name, '']);
      else if (t === 'hidden' || (texts.includes(i) && method === 'post')) fields.push([name, decodeEntities(attr(i, 'value') ?? '')]);
      else if ((t === 'checkbox' || t === 'radio') && /\bchecked\b/i.test(i)) fields.push([name, decodeEntities(attr(i, 'value') ?? 'on')]);
    }
    // the button a person would press: the one that says 查询, else the only one
    const buttons = [
      ...inputs.filter((i) => /^(submit|image)$/.test(type(i))).map((i) => ({ name: attr(i, 'name'), value: decodeEntities(attr(i, 'value') ?? ''), label: attr(i, 'value') ?? '' })),
      ...[...body.matchAll(/<button\b([^>]*)>([\s\S]{0,200}?)<\/button\s*>/gi)]
        .filter((b) => /^(submit|)$/i.test(attr(b[1] ?? '', 'type') ?? ''))
        .map((b) => ({ name: attr(b[1] ?? '', 'name'), value: decodeEntities(attr(b[1] ?? '', 'value') ?? ''), label: text(b[2] ?? '') })),
    ];
    const says = (re: RegExp) => buttons.find((b) => re.test(b.label.replace(/\s+/g, '')));
    const button = says(/查询|查看/) ?? says(/确定|提交|搜索/) ?? (buttons.length === 1 ? buttons[0] : undefined);
    if (button?.name) fields.push([button.name, button.value]);
    return {
      method,
      action: resolve(attr(formTag, 'action') ?? '', pageUrl) ?? pageUrl,
      fields,
      codeField: attr(code, 'name') as string,
      ...(password ? { passwordField: attr(password, 'name') as string } : {}),
    };
  }
  return null;
}

/**
 * A GET look-up form → a URL template with `{code}` (and `{password}` when it asks for one); null when the page has
 * none. (A POST look-up cannot be a URL: its page is read again at every poll, see queryFormOf.)
 */
export function queryTemplateOf(html: string, pageUrl: string): string | null {
  const form = queryFormOf(html, pageUrl);
  if (!form || form.method !== 'get') return null;
  const u = new URL(form.action);
  u.search = '';
  for (const [name, value] of form.fields) {
    u.searchParams.append(name, name === form.codeField ? '__CODE__' : name === form.passwordField ? '__PASSWORD__' : value);
  }
  return u.toString().replace('__CODE__', '{code}').replace('__PASSWORD__', '{password}');
}

const NEXT_TEXT = /^(下一页|下页|后一页|下一頁|next|>|›|»|>>)$/i;

/** The attributes of a list page's 下一页 links, in page order. */
function* nextLinks(html: string): Generator<string> {
  for (const a of elementsOf(html.slice(0, 2_000_000), 'a', 200)) {
    const t = text(a.inner) || attr(a.attrs, 'title') || '';
    if (NEXT_TEXT.test(t.replace(/&gt;/g, '>').replace(/&raquo;/g, '»'))) yield a.attrs;
  }
}

/** A list page's 下一页 link when it is a plain link (script paging: see nextPostbackOf); null on the last page. */
export function nextPageOf(html: string, pageUrl: string): string | null {
  for (const a of nextLinks(html)) {
    const url = resolve(attr(a, 'href') ?? '', pageUrl);
    if (url && url !== pageUrl) return url;
  }
  return null;
}

/**
 * The pages a page shows in its frames (<iframe src>, <frame src>) on its own origin, in page order, at most three: a
 * CMS often draws its reply list in a frame of an outer page, which has nothing of it but the frame. Another origin's
 * frame (a map, a share button, an advert) is not the site's list.
 */
export function framesOf(html: string, pageUrl: string): string[] {
  const out: string[] = [];
  let origin: string;
  try {
    origin = new URL(pageUrl).origin;
  } catch {
    return out;
  }
  for (const m of html.slice(0, 2_000_000).matchAll(/<i?frame\b([^>]{0,2000})>/gi)) {
    const url = resolve(attr(m[1]!, 'src') ?? '', pageUrl);
    if (!url || url === pageUrl || out.includes(url) || new URL(url).origin !== origin) continue;
    out.push(url);
    if (out.length === 3) break;
  }
  return out;
}

/** A page turned by an ASP.NET postback: the page's form as a browser sends it, with the link's event target set. */
export interface Postback {
  action: string;
  fields: Array<[string, string]>;
  /** `target argument`: tells one postback from another (a list that pages back to its start is not read twice). */
  key: string;
}

const DO_POSTBACK = /__doPostBack\(\s*['"]([^'"]*)['"]\s*,\s*['"]([^'"]*)['"]\s*\)|PostBackOptions\(\s*["']([^'"]*)["']\s*,\s*["']([^'"]*)["']/;

/**
 * A list page's 下一页 when it is script paging — `javascript:__doPostBack('ctl00$Main$pager','Page$2')` (or
 * WebForm_DoPostBackWithOptions) — as the POST the page's own script would send: every hidden field of the form that
 * holds __EVENTTARGET (__VIEWSTATE, __EVENTVALIDATION…) and its text fields as they stand, the event target and
 * argument set. Null when there is no such link or form.
 */
export function nextPostbackOf(html: string, pageUrl: string): Postback | null {
  const page = html.slice(0, 2_000_000);
  let call: RegExpExecArray | null = null;
  for (const a of nextLinks(page)) {
    call = DO_POSTBACK.exec(decodeEntities(`${attr(a, 'href') ?? ''} ${attr(a, 'onclick') ?? ''}`));
    if (call) break;
  }
  if (!call) return null;
  const target = call[1] ?? call[3] ?? '';
  const argument = call[2] ?? call[4] ?? '';
  for (const { attrs: formTag, inner: body } of elementsOf(page, 'form', MAX_FORM_CHARS)) {
    if (!/name\s*=\s*["']?__EVENTTARGET\b/i.test(body)) continue;
    const fields: Array<[string, string]> = [['__EVENTTARGET', target], ['__EVENTARGUMENT', argument]];
    for (const i of [...body.matchAll(/<input\b([^>]*)>/gi)].map((x) => x[1] ?? '')) {
      const name = attr(i, 'name');
      const type = (attr(i, 'type') ?? 'text').toLowerCase();
      if (!name || name === '__EVENTTARGET' || name === '__EVENTARGUMENT') continue;
      if (type === 'hidden' || /^(text|search|number|tel)$/.test(type)) fields.push([name, decodeEntities(attr(i, 'value') ?? '')]);
    }
    return { action: resolve(attr(formTag, 'action') ?? '', pageUrl) ?? pageUrl, fields, key: `${target} ${argument}` };
  }
  return null;
}

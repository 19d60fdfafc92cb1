/**
 * Where a reply list or query page is, when no profile says and the platform is not a known one: read the
 * links and forms of a page the way a citizen would. Pure: HTML in, candidate URLs out.
 *
 * - A query page is a link named like 查询 (信件查询, 诉求查询, 办理进度查询…); on it, a GET form with a text field for
 *   the code (查询码/查询密码/信件编号/受理编号, or a name such as cxm/searchcode/code) becomes a URL template `…?cxm={code}`.
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

export function linksOf(html: string, baseUrl: string): PageLinks {
  const queryPages = new Set<string>();
  const listPages = new Set<string>();
  for (const m of html.slice(0, 2_000_000).matchAll(/<a\b([^>]{0,2000})>([\s\S]{0,500}?)<\/a\s*>/gi)) {
    const url = resolve(attr(m[1] ?? '', 'href') ?? '', baseUrl);
    if (!url) continue;
    const t = text(m[2] ?? '') || attr(m[1] ?? '', 'title') || '';
    if (LIST_TEXT.test(t)) listPages.add(url);
    else if (QUERY_TEXT.test(t)) queryPages.add(url);
  }
  return { queryPages: [...queryPages], listPages: [...listPages] };
}

/** A GET form asking for the letter's code → a URL template with `{code}`; null when the page has none. */
export function queryTemplateOf(html: string, pageUrl: string): string | null {
  for (const m of html.slice(0, 2_000_000).matchAll(/<form\b([^>]{0,2000})>([\s\S]{0,20000}?)<\/form\s*>/gi)) {
    const formTag = m[1] ?? '';
    const method = (attr(formTag, 'method') ?? 'get').toLowerCase();
    if (method !== 'get') continue;
    const body = m[2] ?? '';
    const inputs = [...body.matchAll(/<input\b([^>]*)>/gi)].map((i) => i[1] ?? '');
    const texts = inputs.filter((i) => /^(text|search|)$/i.test(attr(i, 'type') ?? '') && attr(i, 'name'));
    if (texts.length === 0) continue;
    const labelled = texts.find((i) => CODE_LABEL.test(`${attr(i, 'name')} ${attr(i, 'id') ?? ''} ${attr(i, 'placeholder') ?? ''}`))
      ?? (CODE_LABEL.test(text(body)) && texts.length === 1 ? texts[0] : undefined);
    if (!labelled) continue;
    const action = resolve(attr(formTag, 'action') ?? '', pageUrl) ?? pageUrl;
    const u = new URL(action);
    for (const h of inputs.filter((i) => (attr(i, 'type') ?? '').toLowerCase() === 'hidden' && attr(i, 'name'))) {
      u.searchParams.set(attr(h, 'name') as string, attr(h, 'value') ?? '');
    }
    u.searchParams.set(attr(labelled, 'name') as string, '__CODE__');
    return u.toString().replace('__CODE__', '{code}');
  }
  return null;
}

const NEXT_TEXT = /^(下一页|下页|后一页|下一頁|next|>|›|»|>>)$/i;

/** A list page's 下一页 link (a plain link: script paging such as __doPostBack is not followed); null on the last page. */
export function nextPageOf(html: string, pageUrl: string): string | null {
  for (const m of html.slice(0, 2_000_000).matchAll(/<a\b([^>]{0,2000})>([\s\S]{0,200}?)<\/a\s*>/gi)) {
    const t = text(m[2] ?? '') || attr(m[1] ?? '', 'title') || '';
    if (!NEXT_TEXT.test(t.replace(/&gt;/g, '>').replace(/&raquo;/g, '»'))) continue;
    const url = resolve(attr(m[1] ?? '', 'href') ?? '', pageUrl);
    if (url && url !== pageUrl) return url;
  }
  return null;
}

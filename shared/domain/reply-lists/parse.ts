/**
 * Public reply lists (信件选登 / 答复列表 / 查询结果), parsed without a browser. Pure.
 * Two general shapes cover JACT, TRS and most other platforms:
 * - tables with a header row (序号 | 标题 | 来信时间 | 答复时间 | 状态), one row per letter, often linking to a detail page;
 * - label/value detail blocks (`<th>答复时间</th><td>…</td>`, or lines `答复时间：2026-11-24 10:30`).
 */
import { decodeEntities, htmlToText } from '../mail/html-text.ts';

export interface ReplyListEntry {
  /** The stated reply time as ISO-8601: `YYYY-MM-DDTHH:mm:ss+08:00` (precision instant) or `YYYY-MM-DD` (day). */
  repliedAt: string | null;
  precision: 'instant' | 'day' | null;
  content: string | null;
  status: string | null;
  /** Whether the page says the letter has been answered. */
  replied: boolean;
  queryCode: string | null;
  title: string | null;
  /** Link to the letter's detail page, when the row had one (absolute or relative to the page). */
  detailHref: string | null;
}

const LABELS = {
  repliedAt: /^(答复|回复|办理|处理|办结|反馈)(时间|日期)$/,
  content: /^(答复|回复|办理|处理)(内容|意见|结果)$|^办理结果$|^答复$|^回复$/,
  status: /^(办理|处理|答复|回复|信件)?状态$/,
  queryCode: /^(查询码|查询编号|信件编号|受理编号|编号|信件编码)$/,
  title: /^(信件|来信|留言)?(标题|主题)$/,
};

const REPLIED = /(已回复|已答复|已办结|已处理|办结|已反馈|答复完毕)/;
const NOT_REPLIED = /(未回复|未答复|办理中|处理中|待处理|待答复|已受理|未办结|受理中)/;

function cellText(html: string): string {
  return htmlToText(html).replace(/\s+/g, ' ').trim();
}

function normLabel(s: string): string {
  return s.replace(/[\s:：　*]/g, '');
}

/** A stated time → ISO with +08:00 (Beijing) or a bare date. Null when it is not a time. */
export function parseStatedTime(s: string): { iso: string; precision: 'instant' | 'day' } | null {
  const m = /(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s*(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2}))?)?/.exec(s);
  if (!m) return null;
  const p2 = (v: string | undefined) => String(Number(v ?? 0)).padStart(2, '0');
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return null;
  const date = `${y}-${p2(m[2])}-${p2(m[3])}`;
  if (m[4] === undefined) return { iso: date, precision: 'day' };
  if (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59) return null;
  return { iso: `${date}T${p2(m[4])}:${p2(m[5])}:${p2(m[6])}+08:00`, precision: 'instant' };
}

interface Row {
  cells: string[];
  html: string[];
  header: boolean;
}

export function tablesOf(html: string): Row[][] {
  const tables: Row[][] = [];
  const noScript = html.replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, '');
  for (const t of noScript.matchAll(/<table\b[^>]*>([\s\S]*?)<\/table\s*>/gi)) {
    const rows: Row[] = [];
    for (const r of t[1]!.matchAll(/<tr\b[^>]*>([\s\S]*?)(?=<tr\b|<\/tr\s*>|$)/gi)) {
      const cellsHtml: string[] = [];
      let header = true;
      for (const c of r[1]!.matchAll(/<(td|th)\b[^>]*>([\s\S]*?)(?=<t[dh]\b|<\/t[dh]\s*>|$)/gi)) {
        if (c[1]!.toLowerCase() === 'td') header = false;
        cellsHtml.push(c[2]!);
      }
      if (cellsHtml.length) rows.push({ cells: cellsHtml.map(cellText), html: cellsHtml, header });
    }
    if (rows.length) tables.push(rows);
  }
  return tables;
}

function fieldOf(label: string): keyof typeof LABELS | null {
  const l = normLabel(label);
  for (const [k, re] of Object.entries(LABELS)) if (re.test(l)) return k as keyof typeof LABELS;
  return null;
}

function finish(fields: Partial<Record<keyof typeof LABELS, string>>, detailHref: string | null): ReplyListEntry {
  const t = fields.repliedAt ? parseStatedTime(fields.repliedAt) : null;
  const status = fields.status?.trim() || null;
  const content = fields.content?.trim() || null;
  const replied = status ? REPLIED.test(status) && !NOT_REPLIED.test(status.replace(/已办结/, '')) : !!(t && content);
  return {
    repliedAt: t?.iso ?? null,
    precision: t?.precision ?? null,
    content,
    status,
    replied: replied || (!!t && !!content && !(status && NOT_REPLIED.test(status))),
    queryCode: fields.queryCode?.trim() || null,
    title: fields.title?.trim() || null,
    detailHref,
  };
}

/** Label/value blocks: 2-cell table rows `标签 | 值`, or text lines `标签：值`. */
export function parseDetail(html: string): ReplyListEntry | null {
  const fields: Partial<Record<keyof typeof LABELS, string>> = {};
  for (const rows of tablesOf(html)) {
    for (const r of rows) {
      for (let i = 0; i + 1 < r.cells.length; i += 2) {
        const f = fieldOf(r.cells[i]!);
        if (f && fields[f] === undefined) fields[f] = r.cells[i + 1]!;
      }
    }
  }
  if (fields.repliedAt === undefined && fields.content === undefined) {
    const lines = htmlToText(html).split('\n');
    for (let i = 0; i < lines.length; i++) {
      const m = /^\s*([^：:]{2,8})[：:]\s*(.*)$/.exec(lines[i]!);
      if (!m) continue;
      const f = fieldOf(m[1]!);
      if (!f || fields[f] !== undefined) continue;
      let v = m[2]!.trim();
      if (f === 'content') {
        // a reply runs on until the next label line
        for (let j = i + 1; j < lines.length && !/^\s*[^：:]{2,8}[：:]/.test(lines[j]!); j++) v += `\n${lines[j]!.trim()}`;
      }
      fields[f] = v.trim();
    }
  }
  if (fields.repliedAt === undefined && fields.content === undefined && fields.status === undefined) return null;
  return finish(fields, null);
}

/** A header table: find the row of the letter (by 查询码, else by title) and map its cells by the header labels. */
export function findInList(html: string, key: { queryCode?: string; title?: string }): ReplyListEntry | null {
  for (const rows of tablesOf(html)) {
    const headerIdx = rows.findIndex((r) => r.cells.filter((c) => fieldOf(c) !== null).length >= 2);
    if (headerIdx < 0) continue;
    const header = rows[headerIdx]!.cells.map(fieldOf);
    for (const r of rows.slice(headerIdx + 1)) {
      const joined = r.cells.join(' ') + ' ' + r.html.join(' ');
      const hit =
        (key.queryCode && joined.toLowerCase().includes(key.queryCode.toLowerCase())) ||
        (key.title && key.title.length >= 4 && r.cells.some((c) => c.includes(key.title!)));
      if (!hit) continue;
      const fields: Partial<Record<keyof typeof LABELS, string>> = {};
      header.forEach((f, i) => {
        if (f && r.cells[i] !== undefined) fields[f] = r.cells[i]!;
      });
      const href = /<a\b[^>]*href\s*=\s*["']([^"']+)["']/i.exec(r.html.join(' '))?.[1];
      return finish(fields, href ? decodeEntities(href) : null);
    }
  }
  return null;
}

/** Whatever the page is (a query result, a detail page, a list): the letter's entry, or null. */
export function findLetterReply(html: string, key: { queryCode?: string; title?: string }): ReplyListEntry | null {
  const listed = findInList(html, key);
  if (listed && (listed.content || !listed.detailHref)) return listed;
  const detail = parseDetail(html);
  if (detail) {
    const text = htmlToText(html);
    const ours = (key.queryCode && text.toLowerCase().includes(key.queryCode.toLowerCase())) || (key.title && text.includes(key.title));
    if (ours || !key.queryCode) return listed ? { ...detail, detailHref: listed.detailHref } : detail;
  }
  return listed;
}

/**
 * HTML → readable plain text, pure. The contents of <script>, <style>, <head>, <template>, <noscript>, <title> and
 * comments are dropped entirely (never shown as text); block elements become line breaks; entities are decoded.
 * As in browsers, <head> ends at </head> or where <body> starts, and only an unclosed <script> or <style> runs on to
 * the end of the document (any other unclosed element loses just its tag).
 * Read as a mail body (`{ mail: true }`), only what the sender wrote and shows is kept: form controls (<textarea>,
 * <select>/<option>, <button>; an <input>'s value never was text) and elements hidden by an inline `display:none`
 * (preheaders) are dropped, and <blockquote> lines come out as quoted lines ("> ", one per level).
 * The output is plain text: callers must still escape it when they put it in HTML.
 */
const NAMED: Record<string, string> = {
  nbsp: ' ',
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  copy: '©',
  middot: '·',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  ldquo: '“',
  rdquo: '”',
  lsquo: '‘',
  rsquo: '’',
  emsp: ' ',
  ensp: ' ',
};

export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
    }
    return NAMED[e.toLowerCase()] ?? whole;
  });
}

export interface HtmlTextOptions {
  /** Read the HTML as a mail body: drop form controls and hidden elements, mark <blockquote> lines as quotes. */
  mail?: boolean;
}

/** Elements dropped with their contents in every mode. */
const DROPPED = /<(script|style|head|template|noscript|title)\b[^>]*>/gi;
/** …and, in a mail, form controls: what they hold (a letter echoed in a <textarea>, a <select>'s options) is not authored text. */
const DROPPED_IN_MAIL = /<(script|style|head|template|noscript|title|textarea|select|option|button)\b[^>]*>/gi;
/** Browsers read an unclosed <script> or <style> to the end of the document; other unclosed elements lose only their tag. */
const RAW_TEXT = new Set(['script', 'style']);
const CLOSE_TAG = new Map<string, RegExp>();

/** Where the element opened just before `from` ends (after its end tag), or -1. <head> also ends where <body> starts. */
function elementEnd(html: string, name: string, from: number): number {
  let re = CLOSE_TAG.get(name);
  if (!re) {
    re = name === 'head' ? /<\/head\s*>|(?=<body\b)/gi : new RegExp(`</${name}\\s*>`, 'gi');
    CLOSE_TAG.set(name, re);
  }
  re.lastIndex = from;
  const m = re.exec(html);
  return m ? m.index + m[0].length : -1;
}

/**
 * The HTML without the elements `open` finds, contents included. One pass, left to right (an element inside a dropped
 * one goes with it); an element with no end tag has none later either, so each name is searched to the end at most once.
 */
function dropElements(html: string, open: RegExp): string {
  const unclosed = new Set<string>();
  let out = '';
  let from = 0;
  open.lastIndex = 0;
  for (let m = open.exec(html); m; m = open.exec(html)) {
    const name = m[1]!.toLowerCase();
    const end = unclosed.has(name) ? -1 : elementEnd(html, name, open.lastIndex);
    if (end < 0) unclosed.add(name);
    out += html.slice(from, m.index);
    from = end >= 0 ? end : RAW_TEXT.has(name) ? html.length : open.lastIndex;
    open.lastIndex = from;
  }
  return from === 0 ? html : out + html.slice(from);
}

const HIDDEN_OPEN = /<([a-z][a-z0-9]*)\b[^>]*?\sstyle\s*=\s*(?:"[^"]*?display\s*:\s*none[^"]*"|'[^']*?display\s*:\s*none[^']*'|[^\s>"']*display:none[^\s>]*)[^>]*>/gi;
const VOID = new Set(['area', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
/** Hidden elements looked at per document: each costs a scan for its end tag. */
const MAX_HIDDEN = 64;

/** Where the element opened just before `from` ends, counting nested elements of the same name; -1 if it never does. */
function nestedEnd(html: string, name: string, from: number): number {
  const tags = new RegExp(`<(/?)${name}\\b[^>]*>`, 'gi');
  tags.lastIndex = from;
  let depth = 1;
  for (let m = tags.exec(html); m; m = tags.exec(html)) {
    if (m[1]) depth--;
    else if (!m[0].endsWith('/>')) depth++;
    if (depth === 0) return tags.lastIndex;
  }
  return -1;
}

/** The HTML without the elements an inline style hides (`display:none`: preheaders, tracking text), contents included. */
function dropHidden(html: string): string {
  if (!/display\s*:\s*none/i.test(html)) return html;
  let out = '';
  let from = 0;
  let seen = 0;
  HIDDEN_OPEN.lastIndex = 0;
  for (let m = HIDDEN_OPEN.exec(html); m && seen < MAX_HIDDEN; m = HIDDEN_OPEN.exec(html), seen++) {
    const name = m[1]!.toLowerCase();
    const end = VOID.has(name) || m[0].endsWith('/>') ? HIDDEN_OPEN.lastIndex : nestedEnd(html, name, HIDDEN_OPEN.lastIndex);
    out += html.slice(from, m.index);
    from = end >= 0 ? end : HIDDEN_OPEN.lastIndex;
    HIDDEN_OPEN.lastIndex = from;
  }
  return from === 0 ? html : out + html.slice(from);
}

/** Private-use markers for where a <blockquote> opens and closes, each on a line of its own until quoteLines reads them. */
const QUOTE_OPEN = '\uE000';
const QUOTE_CLOSE = '\uE001';

/** Lines inside <blockquote> markers → "> " once per level (the marker lines themselves go). */
function quoteLines(s: string): string {
  if (!s.includes(QUOTE_OPEN)) return s;
  let depth = 0;
  const out: string[] = [];
  for (const line of s.split('\n')) {
    const t = line.trim();
    if (t === QUOTE_OPEN) depth++;
    else if (t === QUOTE_CLOSE) depth = Math.max(0, depth - 1);
    else out.push(depth > 0 && t ? `${'> '.repeat(depth)}${t}` : line);
  }
  return out.join('\n');
}

export function htmlToText(html: string, options: HtmlTextOptions = {}): string {
  const mail = options.mail === true;
  let s = html.replace(/<!--[\s\S]*?(-->|$)/g, '');
  s = dropElements(s, mail ? DROPPED_IN_MAIL : DROPPED);
  if (mail) {
    s = dropHidden(s.replace(/[\uE000\uE001]/g, ''))
      .replace(/<blockquote\b[^>]*>/gi, `\n${QUOTE_OPEN}\n`)
      .replace(/<\/blockquote\s*>/gi, `\n${QUOTE_CLOSE}\n`);
  }
  s = s
    .replace(/<(br|hr)\b[^>]*>/gi, '\n')
    .replace(/<\/(p|div|tr|li|h[1-6]|table|blockquote|pre|section|article|ul|ol)\s*>/gi, '\n')
    .replace(/<(td|th)\b[^>]*>/gi, ' ')
    .replace(/<[^>]*>/g, '');
  // Quote marks go on before entities are decoded: an entity cannot forge a marker.
  s = decodeEntities(mail ? quoteLines(s) : s);
  return s
    .split('\n')
    .map((l) => l.replace(/[ \t\u00a0\u3000]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

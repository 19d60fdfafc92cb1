/**
 * Text from outside (mail subjects and senders, reply text, site pages, registry names) on its way to a person:
 * the one place that makes it inert.
 *
 * - `safeTerm`: for a terminal. Removes ESC sequences (CSI, OSC, DCS…, with their payload), every other C0
 *   control but tab and newline, DEL, C1 controls and the bidirectional overrides (text that reorders itself).
 *   One-line by default (a field in a row: newlines and tabs become spaces, so a value cannot forge a row).
 * - `safeJson`: JSON for a terminal (JSON.stringify escapes C0 but leaves DEL, C1 and bidi controls raw).
 * - `mdText` / `mdCode`: a value inside the markdown the DingTalk/WeCom group robots render. Markdown and HTML
 *   metacharacters become their full-width forms (［］（）！＃＞＜＊…: readable Chinese punctuation, and inert
 *   whichever markdown dialect renders it — robots do not all honour backslash escapes), `://` is broken so a bare
 *   URL is no link, newlines collapse (no new heading or list item), and the length is capped.
 */

/** ESC-introduced sequences: CSI `ESC [ … final`, OSC/DCS/SOS/PM/APC strings up to BEL or ST, other two-byte escapes. */
const ESC_SEQUENCE = /\x1b(?:\[[0-?]*[ -/]*[@-~]?|[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)?|[ -/]*[0-~]?)/g;
/** C1 string introducers (OSC, DCS, SOS, PM, APC as single code points) with their payload up to BEL or ST. */
const C1_STRING = /[\u0090\u0098\u009d\u009e\u009f][^\x07\x1b\u009c]*(?:\x07|\u009c|\x1b\\)?/g;
/** C0 but \t \n, DEL, C1, and the bidi embedding/override/isolate controls. */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

export interface SafeTermOptions {
  /** Keep newlines and tabs (a mail body, a reply text); default false: one line. */
  multiline?: boolean;
}

/** Text for a terminal: no escape sequences, no control characters (see the file header). */
export function safeTerm(text: string, options: SafeTermOptions = {}): string {
  const s = String(text).replace(/\r\n?/g, '\n').replace(ESC_SEQUENCE, '').replace(C1_STRING, '').replace(CONTROL, '');
  return options.multiline ? s : s.replace(/[\n\t]+/g, ' ');
}

/** JSON.stringify for a terminal: DEL, C1 and bidi controls as \u escapes too (the same value once parsed). */
export function safeJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(/[\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const MD_FULL_WIDTH: Readonly<Record<string, string>> = {
  '\\': '＼',
  '`': '｀',
  '*': '＊',
  _: '＿',
  '[': '［',
  ']': '］',
  '(': '（',
  ')': '）',
  '!': '！',
  '#': '＃',
  '>': '＞',
  '<': '＜',
  '|': '｜',
  '~': '～',
};

/** Cut to at most `max` characters (code points), marking the cut. */
function cap(s: string, max: number): string {
  const chars = [...s];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : s;
}

/** An outside value inside robot markdown: one line, no markup, no link, at most `max` characters. */
export function mdText(text: string | null | undefined, max = 200): string {
  const one = safeTerm(text ?? '').replace(/\s+/g, ' ').trim();
  return cap(one.replace(/:\/\//g, ':／/').replace(/[\\`*_[\]()!#><|~]/g, (c) => MD_FULL_WIDTH[c] ?? c), max);
}

/** A URL (or another literal) inside robot markdown: inline code, never a link; one line, capped. */
export function mdCode(text: string | null | undefined, max = 300): string {
  const one = cap(safeTerm(text ?? '').replace(/\s+/g, ' ').trim().replace(/`/g, '｀'), max);
  return one ? `\`${one}\`` : '-';
}

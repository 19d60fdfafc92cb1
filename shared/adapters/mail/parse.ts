/**
 * Raw RFC 5322 bytes → a ParsedMail, with `mailparser`. Limits are checked on the raw bytes BEFORE the
 * parser sees them (size, number of MIME parts, nesting depth); decoded sizes are checked afterwards.
 * HTML is never returned for rendering: it is kept as `html.unsafe` and turned to text without scripts/styles.
 */
import { createHash } from 'node:crypto';
import { simpleParser, type AddressObject, type ParsedMail as MpParsedMail } from 'mailparser';
import { MailRejectedError } from '../../domain/mail/errors.ts';
import { htmlToText } from '../../domain/mail/html-text.ts';

export interface MailLimits {
  /** Raw size limit in bytes (default 25 MB). */
  maxBytes: number;
  /** Maximum number of MIME parts (default 200). */
  maxParts: number;
  /** Maximum multipart nesting depth (default 10). */
  maxDepth: number;
  /** Maximum total decoded size of text + html + attachments (default 2 × maxBytes). */
  maxDecodedBytes: number;
}

export const DEFAULT_MAIL_LIMITS: MailLimits = {
  maxBytes: 25 * 1024 * 1024,
  maxParts: 200,
  maxDepth: 10,
  maxDecodedBytes: 50 * 1024 * 1024,
};

export interface MailAddress {
  address: string;
  name: string;
}

export interface MailAttachment {
  filename: string | null;
  contentType: string;
  size: number;
  sha256: string;
}

/** The headers the classifier and the matcher look at (lower-cased names, raw values). */
export interface MailHeaders {
  autoSubmitted?: string;
  xAutoreply?: string;
  xAutoResponseSuppress?: string;
  precedence?: string;
  /** e.g. `multipart/report` */
  contentType: string;
  /** The `report-type` parameter of a multipart/report (e.g. `delivery-status`). */
  reportType?: string;
  xFailedRecipients?: string;
}

export interface ParsedMail {
  /** sha256 (hex) of the raw bytes. */
  sha256: string;
  size: number;
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  subject: string;
  from: MailAddress | null;
  sender: MailAddress | null;
  returnPath: string | null;
  to: string[];
  cc: string[];
  deliveredTo: string[];
  originalTo: string[];
  /** ISO-8601 (UTC) from the Date header, or null when absent/invalid. */
  date: string | null;
  /** Readable text: the text part, or the HTML part turned to text (scripts/styles removed). */
  text: string;
  /** The HTML part, kept as evidence; never render it unescaped. */
  html: { unsafe: true; content: string } | null;
  attachments: MailAttachment[];
  headers: MailHeaders;
}

export type MailLog = (message: string) => void;

const HEADER_LINE = /^[\x21-\x39\x3b-\x7e]+:/;
const KNOWN_HEADERS = /^(from|to|subject|message-id|date|received|return-path|mime-version|delivered-to|sender|content-type):/im;

/** Cheap structural scan of the raw bytes: refuses non-mail and MIME bombs before the parser runs. */
export function precheckRaw(raw: Uint8Array, limits: MailLimits = DEFAULT_MAIL_LIMITS): void {
  if (raw.byteLength > limits.maxBytes) {
    throw new MailRejectedError('too-large', `mail is ${raw.byteLength} bytes, over the limit of ${limits.maxBytes}`);
  }
  const buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  // Header block: up to the first empty line (or the first 64 KiB).
  const headEnd = Math.min(buf.length, 64 * 1024);
  const head = buf.subarray(0, headEnd).toString('latin1');
  const blank = head.search(/\r?\n\r?\n/);
  const headerBlock = blank >= 0 ? head.slice(0, blank) : head;
  const firstLine = headerBlock.split(/\r?\n/, 1)[0] ?? '';
  if (!HEADER_LINE.test(firstLine) && !/^From /.test(firstLine)) {
    throw new MailRejectedError('not-mail', 'not an RFC 5322 message: the first line is not a header field');
  }
  if (!KNOWN_HEADERS.test(headerBlock)) {
    throw new MailRejectedError('not-mail', 'not an RFC 5322 message: no From/To/Subject/Date/Message-ID header');
  }
  // MIME structure: count boundary delimiter lines and nesting of declared boundaries.
  const text = buf.toString('latin1');
  const boundaryRe = /boundary\s*=\s*(?:"([^"]{1,200})"|([^\s;"]{1,200}))/gi;
  const boundaries = new Set<string>();
  for (let m = boundaryRe.exec(text); m; m = boundaryRe.exec(text)) {
    boundaries.add((m[1] ?? m[2])!);
    if (boundaries.size > limits.maxParts) {
      throw new MailRejectedError('mime-bomb', `mail declares more than ${limits.maxParts} multipart boundaries`);
    }
  }
  if (boundaries.size === 0) return;
  let parts = 0;
  const open: string[] = [];
  // Jump from one line that starts with "--" to the next: base64 bodies are skipped in one indexOf.
  let pos = text.startsWith('--') ? 0 : text.indexOf('\n--') + 1;
  while (pos > 0 || (pos === 0 && text.startsWith('--'))) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    {
      const line = text.slice(pos + 2, nl).replace(/\r$/, '').trimEnd();
      const closing = line.endsWith('--') && boundaries.has(line.slice(0, -2));
      const b = closing ? line.slice(0, -2) : line;
      if (boundaries.has(b)) {
        const idx = open.lastIndexOf(b);
        if (closing) {
          if (idx >= 0) open.length = idx;
        } else {
          parts++;
          if (idx < 0) open.push(b);
          else open.length = idx + 1;
          if (parts > limits.maxParts) {
            throw new MailRejectedError('mime-bomb', `mail has more than ${limits.maxParts} MIME parts`);
          }
          if (open.length > limits.maxDepth) {
            throw new MailRejectedError('mime-bomb', `mail nests MIME parts deeper than ${limits.maxDepth}`);
          }
        }
      }
    }
    const nextDash = text.indexOf('\n--', nl);
    if (nextDash < 0) break;
    pos = nextDash + 1;
  }
}

function addresses(v: AddressObject | AddressObject[] | undefined): string[] {
  if (!v) return [];
  const list = Array.isArray(v) ? v : [v];
  const out: string[] = [];
  const walk = (vals: AddressObject['value']) => {
    for (const a of vals) {
      if (a.address) out.push(a.address.toLowerCase());
      if (a.group) walk(a.group);
    }
  };
  for (const o of list) walk(o.value);
  return out;
}

function firstAddress(v: AddressObject | AddressObject[] | undefined): MailAddress | null {
  const o = Array.isArray(v) ? v[0] : v;
  const a = o?.value[0];
  return a?.address ? { address: a.address.toLowerCase(), name: a.name ?? '' } : null;
}

function headerString(parsed: MpParsedMail, name: string): string | undefined {
  const v = parsed.headers.get(name);
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(String).join(', ');
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object' && 'value' in v) {
    const o = v as { value: unknown; text?: string };
    return typeof o.text === 'string' ? o.text : String(o.value);
  }
  return String(v);
}

function rawHeaderValues(parsed: MpParsedMail, name: string): string[] {
  return parsed.headerLines
    .filter((l) => l.key === name)
    .map((l) => l.line.slice(l.line.indexOf(':') + 1).trim());
}

function extractAddresses(values: string[]): string[] {
  const out: string[] = [];
  for (const v of values) for (const m of v.matchAll(/[^\s<>,;"]+@[^\s<>,;"]+/g)) out.push(m[0].toLowerCase());
  return out;
}

/** Parse raw mail bytes. Throws MailRejectedError (logged through `log`) for anything over the limits. */
export async function parseMail(
  raw: Uint8Array,
  options: { limits?: Partial<MailLimits>; log?: MailLog } = {},
): Promise<ParsedMail> {
  const limits = { ...DEFAULT_MAIL_LIMITS, ...options.limits };
  const log = options.log ?? ((m: string) => console.warn(m));
  try {
    precheckRaw(raw, limits);
  } catch (err) {
    if (err instanceof MailRejectedError) log(`mail refused (${err.reason}): ${err.message}`);
    throw err;
  }
  const buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const parsed = await simpleParser(buf, {
    checksumAlgo: 'sha256',
    skipHtmlToText: true,
    skipTextToHtml: true,
    skipImageLinks: true,
    skipTextLinks: true,
    maxHtmlLengthToParse: limits.maxBytes,
  });
  const htmlContent = typeof parsed.html === 'string' ? parsed.html : '';
  let decoded = (parsed.text?.length ?? 0) + htmlContent.length;
  const attachments: MailAttachment[] = parsed.attachments.map((a) => {
    decoded += a.size;
    return {
      filename: a.filename ?? null,
      contentType: a.contentType,
      size: a.size,
      sha256: a.checksum || createHash('sha256').update(a.content).digest('hex'),
    };
  });
  if (decoded > limits.maxDecodedBytes) {
    const err = new MailRejectedError('mime-bomb', `mail decodes to ${decoded} bytes, over ${limits.maxDecodedBytes}`);
    log(`mail refused (${err.reason}): ${err.message}`);
    throw err;
  }
  const text = parsed.text?.trim() ? parsed.text.trim() : htmlContent ? htmlToText(htmlContent) : '';
  const ct = parsed.headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  const refs = parsed.references;
  const date = parsed.date && !Number.isNaN(parsed.date.getTime()) && parsed.headers.has('date') ? parsed.date.toISOString() : null;
  const returnPath = extractAddresses(rawHeaderValues(parsed, 'return-path'))[0] ?? null;
  const headers: MailHeaders = { contentType: (ct?.value ?? 'text/plain').toLowerCase() };
  const set = (k: keyof Omit<MailHeaders, 'contentType'>, name: string) => {
    const v = headerString(parsed, name);
    if (v !== undefined) headers[k] = v;
  };
  set('autoSubmitted', 'auto-submitted');
  set('xAutoreply', 'x-autoreply');
  set('xAutoResponseSuppress', 'x-auto-response-suppress');
  set('precedence', 'precedence');
  set('xFailedRecipients', 'x-failed-recipients');
  if (ct?.params?.['report-type']) headers.reportType = ct.params['report-type'].toLowerCase();
  return {
    sha256: createHash('sha256').update(buf).digest('hex'),
    size: buf.length,
    messageId: parsed.messageId ?? null,
    inReplyTo: parsed.inReplyTo ?? null,
    references: refs === undefined ? [] : Array.isArray(refs) ? refs : refs.split(/\s+/).filter(Boolean),
    subject: parsed.subject ?? '',
    from: firstAddress(parsed.from),
    sender: firstAddress(parsed.headers.get('sender') as AddressObject | undefined),
    returnPath,
    to: addresses(parsed.to),
    cc: addresses(parsed.cc),
    deliveredTo: extractAddresses(rawHeaderValues(parsed, 'delivered-to')),
    originalTo: extractAddresses(rawHeaderValues(parsed, 'x-original-to')),
    date,
    text,
    html: htmlContent ? { unsafe: true, content: htmlContent } : null,
    attachments,
    headers,
  };
}

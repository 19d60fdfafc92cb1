/** Small helpers of the sandbox: Beijing time, a seeded RNG, HTML escaping and form decoding (UTF-8 or GBK). */
import iconv from 'iconv-lite';

const BJ_OFFSET_MS = 8 * 3600_000;

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** Beijing wall-clock parts of an instant (UTC+8, no DST). */
export function bjParts(d: Date): { y: number; mo: number; d: number; h: number; mi: number; s: number } {
  const t = new Date(d.getTime() + BJ_OFFSET_MS);
  return { y: t.getUTCFullYear(), mo: t.getUTCMonth() + 1, d: t.getUTCDate(), h: t.getUTCHours(), mi: t.getUTCMinutes(), s: t.getUTCSeconds() };
}

/** 2026-03-02 */
export function bjDate(d: Date): string {
  const p = bjParts(d);
  return `${p.y}-${pad(p.mo)}-${pad(p.d)}`;
}

/** 2026-03-02 10:15:00 */
export function bjDateTime(d: Date): string {
  const p = bjParts(d);
  return `${bjDate(d)} ${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}`;
}

/** 2026-03-02T10:15:00+08:00 */
export function bjIso(d: Date): string {
  return `${bjDateTime(d).replace(' ', 'T')}+08:00`;
}

/** The instant of a Beijing wall-clock time on a date (YYYY-MM-DD). */
export function atBeijing(date: string, h: number, mi = 0, s = 0): Date {
  return new Date(`${date}T${pad(h)}:${pad(mi)}:${pad(s)}+08:00`);
}

/** 20260302 */
export function compactDate(d: Date): string {
  return bjDate(d).replaceAll('-', '');
}


export function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length) % xs.length] as T;
}

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export function randomCode(r: () => number, length: number, alphabet = CODE_ALPHABET): string {
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[Math.floor(r() * alphabet.length) % alphabet.length];
  return s;
}

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** Percent-decode to raw bytes ('+' is a space), then decode the bytes with the page's charset. */
function decodeComponent(s: string, charset: 'utf-8' | 'gbk'): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '+') bytes.push(0x20);
    else if (c === '%' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(c.charCodeAt(0) & 0xff); // the body was read as latin1: one char per byte
  }
  return iconv.decode(Buffer.from(bytes), charset);
}

/** Parse an application/x-www-form-urlencoded body (read as latin1); repeated names keep the last value. */
export function parseUrlEncoded(body: string, charset: 'utf-8' | 'gbk' = 'utf-8'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of body.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const k = decodeComponent(eq < 0 ? part : part.slice(0, eq), charset);
    const v = eq < 0 ? '' : decodeComponent(part.slice(eq + 1), charset);
    out[k] = v;
  }
  return out;
}

/** Decode a POST body of any of the three encodings browsers send. Files become `<filename> (<size> bytes)`. */
export async function parseBody(
  body: Buffer,
  contentType: string | undefined,
  charset: 'utf-8' | 'gbk' = 'utf-8',
): Promise<Record<string, string>> {
  const ct = (contentType ?? '').toLowerCase();
  if (ct.startsWith('multipart/form-data')) {
    const fd = await new Response(new Uint8Array(body), { headers: { 'content-type': contentType as string } }).formData();
    const out: Record<string, string> = {};
    for (const [k, v] of fd.entries()) {
      out[k] = typeof v === 'string' ? v : `${v.name} (${v.size} bytes)`;
    }
    return out;
  }
  if (ct.startsWith('application/json')) {
    const parsed: unknown = JSON.parse(body.toString('utf8') || '{}');
    const out: Record<string, string> = {};
    if (parsed && typeof parsed === 'object') for (const [k, v] of Object.entries(parsed)) out[k] = String(v ?? '');
    return out;
  }
  return parseUrlEncoded(body.toString('latin1'), charset);
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = decodeURIComponent(part.slice(eq + 1).trim());
  }
  return out;
}

/** Count characters the way a Chinese form's maxlength does (code points). */
export function charCount(s: string): number {
  return [...s].length;
}

/** mulberry32: deterministic for a seed. */
export { seededRng as rng } from '../shared/domain/random.ts';

/**
 * Decode a fetched page: charset from the Content-Type header (unless it is a server's ISO-8859-1 default and the page's
 * <meta> names one), else a <meta> in the first bytes, else UTF-8. Pure.
 */
import iconv from 'iconv-lite';

export function charsetOf(contentType: string | null | undefined, head: Uint8Array): string {
  const fromHeader = /charset\s*=\s*["']?([\w-]+)/i.exec(contentType ?? '')?.[1];
  const ascii = Buffer.from(head.buffer, head.byteOffset, Math.min(head.byteLength, 4096)).toString('latin1');
  const meta = /<meta[^>]{0,500}?charset\s*=\s*["']?([\w-]+)/i.exec(ascii)?.[1];
  // Tomcat and IIS defaults (ISO-8859-1) name no charset the author chose: a GBK page's <meta> says what it is
  if (fromHeader && !(meta && /^(iso-?8859-1|latin-?1|us-ascii|ascii)$/i.test(fromHeader))) return normalizeCharset(fromHeader);
  return normalizeCharset(meta ?? 'utf-8');
}

function normalizeCharset(cs: string): string {
  const c = cs.toLowerCase();
  if (c === 'gb2312' || c === 'gbk' || c === 'x-gbk' || c === 'cp936') return 'gb18030'; // superset: never loses a character
  return iconv.encodingExists(c) ? c : 'utf-8';
}

export function decodePage(body: Uint8Array, contentType?: string | null): string {
  return iconv.decode(Buffer.from(body.buffer, body.byteOffset, body.byteLength), charsetOf(contentType, body));
}

/**
 * Form fields as a browser sends them from a page in `charset` (application/x-www-form-urlencoded with the page's
 * encoding: a GBK page's form goes in GBK bytes), for a look-up form read from a site's page.
 */
export function encodeForm(fields: ReadonlyArray<readonly [string, string]>, charset: string): string {
  const enc = (v: string) => {
    let out = '';
    for (const byte of iconv.encode(v, charset)) {
      const c = String.fromCharCode(byte);
      out += /[A-Za-z0-9*\-._]/.test(c) ? c : byte === 0x20 ? '+' : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
    return out;
  };
  return fields.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
}

/** Decode a fetched page: charset from the Content-Type header, else a <meta> in the first bytes, else UTF-8. Pure. */
import iconv from 'iconv-lite';

export function charsetOf(contentType: string | null | undefined, head: Uint8Array): string {
  const fromHeader = /charset\s*=\s*["']?([\w-]+)/i.exec(contentType ?? '')?.[1];
  if (fromHeader) return normalizeCharset(fromHeader);
  const ascii = Buffer.from(head.buffer, head.byteOffset, Math.min(head.byteLength, 4096)).toString('latin1');
  const meta = /<meta[^>]+charset\s*=\s*["']?([\w-]+)/i.exec(ascii)?.[1];
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

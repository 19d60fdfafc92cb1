/**
 * Text files as staff save them on Chinese Windows (registries, calendar notices, report sheets): one way to decode
 * them. A BOM decides (UTF-8, UTF-16LE — Notepad's and Excel's "Unicode" —, UTF-16BE); else UTF-16 if NUL bytes
 * say so (a BOM lost); else UTF-8 if every byte is valid UTF-8; else the first line with non-ASCII bytes decides between UTF-8 and GB18030 (a superset of GBK/GB2312).
 */
import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';

export type TextEncoding = 'UTF-8' | 'UTF-16LE' | 'UTF-16BE' | 'GB18030';

/**
 * Decodes a text file: a BOM decides (UTF-8, UTF-16LE, UTF-16BE); else UTF-8 if all bytes are valid UTF-8; else
 * the first line with non-ASCII bytes decides between UTF-8 and GB18030. Bytes not valid in the chosen encoding
 * become U+FFFD (the registry reader reports them per cell).
 */
export function decodeTextFile(bytes: Uint8Array): { text: string; encoding: TextEncoding } {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return { text: decode(b.subarray(3), 'utf8'), encoding: 'UTF-8' };
  if (b[0] === 0xff && b[1] === 0xfe) return { text: decode(b.subarray(2), 'utf16le'), encoding: 'UTF-16LE' };
  if (b[0] === 0xfe && b[1] === 0xff) return { text: decode(b.subarray(2), 'utf16be'), encoding: 'UTF-16BE' };
  const utf16 = utf16WithoutBom(b);
  if (utf16) return { text: decode(b, utf16 === 'UTF-16LE' ? 'utf16le' : 'utf16be'), encoding: utf16 };
  if (isUtf8(b)) return { text: decode(b, 'utf8'), encoding: 'UTF-8' };
  const deciding = firstNonAsciiLine(b);
  return isUtf8(deciding) ? { text: decode(b, 'utf8'), encoding: 'UTF-8' } : { text: decode(b, 'gb18030'), encoding: 'GB18030' };
}

function decode(b: Buffer, encoding: string): string {
  return iconv.decode(b, encoding, { stripBOM: false });
}

function firstNonAsciiLine(b: Buffer): Buffer {
  const at = b.findIndex((x) => x >= 0x80);
  const start = b.lastIndexOf(0x0a, at) + 1;
  const end = b.indexOf(0x0a, at);
  return b.subarray(start, end < 0 ? b.length : end);
}

/**
 * UTF-16 saved without a BOM (some tools, a BOM lost in copying): text in UTF-8 or GB18030 has no NUL bytes, UTF-16
 * has one in every ASCII character (the high byte) — on odd offsets for little-endian, even ones for big-endian.
 */
function utf16WithoutBom(b: Buffer): 'UTF-16LE' | 'UTF-16BE' | undefined {
  const n = Math.min(b.length, 4096) & ~1;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < n; i++) {
    if (b[i] !== 0) continue;
    if (i % 2 === 0) even++;
    else odd++;
  }
  if (even + odd < n / 8) return undefined;
  return odd > even ? 'UTF-16LE' : 'UTF-16BE';
}

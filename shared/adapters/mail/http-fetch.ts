/** Plain HTTP GET for reply-list pages (no browser): a timeout, a size cap, redirects followed (to allowed hosts only). */
import type { Fetcher } from '../../app/reply-lists.ts';
import { guardedFetch, guardedFetchAllowingPrivate } from '../http/guarded-fetch.ts';

export function httpFetcher(options: { timeoutMs?: number; maxBytes?: number; userAgent?: string; allowPrivateHosts?: boolean } = {}): Fetcher {
  const maxBytes = options.maxBytes ?? 2 * 1024 * 1024;
  const get = options.allowPrivateHosts ? guardedFetchAllowingPrivate : guardedFetch;
  return async (url) => {
    const res = await get(url, {
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
      headers: { 'user-agent': options.userAgent ?? 'Mozilla/5.0 (compatible; huixin reply-list reader)', accept: 'text/html,*/*' },
    });
    const reader = res.body?.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    if (reader) {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > maxBytes) {
          await reader.cancel();
          throw new Error(`page over ${maxBytes} bytes: ${url}`);
        }
        chunks.push(value);
      }
    }
    return { status: res.status, contentType: res.headers.get('content-type'), body: Buffer.concat(chunks), url: res.url || url };
  };
}

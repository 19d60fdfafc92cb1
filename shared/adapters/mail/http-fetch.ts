/**
 * Plain HTTP for reply-list pages (no browser): GET, or a look-up form's POST; a timeout, a size cap, redirects followed
 * (to allowed hosts only); the cookies a page sets are handed back for the form sent after it.
 */
import type { Fetcher } from '../../app/reply-lists.ts';
import { guardedFetch, guardedFetchAllowingPrivate } from '../http/guarded-fetch.ts';

export function httpFetcher(options: { timeoutMs?: number; maxBytes?: number; userAgent?: string; allowPrivateHosts?: boolean } = {}): Fetcher {
  const maxBytes = options.maxBytes ?? 2 * 1024 * 1024;
  const get = options.allowPrivateHosts ? guardedFetchAllowingPrivate : guardedFetch;
  return async (url, request) => {
    const headers: Record<string, string> = { 'user-agent': options.userAgent ?? 'Mozilla/5.0 (compatible; huixin reply-list reader)', accept: 'text/html,*/*' };
    if (request) {
      headers['content-type'] = request.contentType;
      if (request.cookie) headers.cookie = request.cookie;
    }
    const res = await get(url, {
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
      headers,
      ...(request ? { method: request.method, body: request.body } : {}),
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
    const cookies = res.headers.getSetCookie().map((c) => c.split(';', 1)[0]!.trim()).filter((c) => c.includes('='));
    return { status: res.status, contentType: res.headers.get('content-type'), body: Buffer.concat(chunks), url: res.url || url, cookies };
  };
}

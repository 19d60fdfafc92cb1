/**
 * The front end's API files (evidence screenshots, exports) in AWS: the API sits behind a JWT authorizer, and an
 * `<img src>` or `<a href>` sends no bearer token, so these are fetched by script with it (web/src/api.ts).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, fileUrl, needsFetchForFiles, useBearer } from '../../web/src/api.ts';

afterEach(() => {
  useBearer(null);
  vi.unstubAllGlobals();
});

describe('dashboard front end: API files', () => {
  it('with a bearer token, fetches a file with it and hands back a blob: URL; with the cookie, a plain link does', async () => {
    const sent: Array<{ url: string; headers: Record<string, string> }> = [];
    vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
      sent.push({ url, headers: (init.headers ?? {}) as Record<string, string> });
      return new Response(new Uint8Array([0x89, 0x50, 0x4e, 0x47]), { status: 200, headers: { 'content-type': 'image/png' } });
    });
    expect(needsFetchForFiles()).toBe(false);
    useBearer('token-1');
    expect(needsFetchForFiles()).toBe(true);
    const url = await fileUrl('/api/objects?key=evidence%2Fa.png');
    expect(url).toMatch(/^blob:/);
    expect(sent).toEqual([{ url: '/api/objects?key=evidence%2Fa.png', headers: { authorization: 'Bearer token-1' } }]);
    URL.revokeObjectURL(url);
  });

  it('turns a refusal into an ApiError with the server’s message, not a blob of the error page', async () => {
    vi.stubGlobal('fetch', async () => new Response(JSON.stringify({ error: 'unauthenticated', message: '请先登录 / log in first' }), { status: 401 }));
    useBearer('expired');
    const err = await fileUrl('/api/campaigns/c1/sites/export?format=csv').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(401);
    expect((err as ApiError).message).toMatch(/请先登录/);
  });
});

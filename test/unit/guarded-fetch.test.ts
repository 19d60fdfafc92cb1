/**
 * guardedFetch: a government page (hostile input) cannot steer the plain-HTTP readers (the reply-list poller, the
 * channel pre-check) to addresses no site may have — neither by a redirect nor by the address itself.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlockedAddressError, guardedFetch, guardedFetchAllowingPrivate, guardedFetchWith } from '../../shared/adapters/http/guarded-fetch.ts';

let server: Server;
let origin: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    const to = new URL(req.url ?? '/', 'http://x').searchParams.get('to');
    if (to) {
      res.writeHead(302, { location: to });
      return res.end();
    }
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('guardedFetch', () => {
  it('never fetches link-local or cloud-metadata addresses, nor redirects to them', async () => {
    await expect(guardedFetch('http://169.254.169.254/latest/meta-data/')).rejects.toBeInstanceOf(BlockedAddressError);
    await expect(guardedFetchAllowingPrivate(`${origin}/r?to=${encodeURIComponent('http://169.254.169.254/latest/meta-data/')}`)).rejects.toBeInstanceOf(BlockedAddressError);
    await expect(guardedFetchAllowingPrivate(`${origin}/r?to=${encodeURIComponent('http://[::ffff:100.100.100.200]/')}`)).rejects.toBeInstanceOf(BlockedAddressError);
  });

  it('a private address is reached only where private hosts are allowed (never because a page links to one)', async () => {
    await expect(guardedFetch(`${origin}/final`)).rejects.toBeInstanceOf(BlockedAddressError);
  });

  it('follows redirects and reports where the page really came from', async () => {
    const res = await guardedFetchAllowingPrivate(`${origin}/r?to=${encodeURIComponent('/final')}`);
    expect(await res.text()).toBe('ok');
    expect(res.url).toBe(`${origin}/final`);
  });

  it('a public address may not redirect into a private network', async () => {
    // a government site (public) that answers with a redirect to this machine: the target is never requested
    const asked: string[] = [];
    const site = guardedFetchWith(async (url) => {
      asked.push(url);
      return new Response(null, { status: 302, headers: { location: 'http://127.0.0.1:8080/admin' } });
    });
    await expect(site('http://www.example.gov.cn/hdjl/')).rejects.toBeInstanceOf(BlockedAddressError);
    expect(asked).toEqual(['http://www.example.gov.cn/hdjl/']);
    await expect(guardedFetch('file:///etc/passwd')).rejects.toBeInstanceOf(BlockedAddressError);
  });
});

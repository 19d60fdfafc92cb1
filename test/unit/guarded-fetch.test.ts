/**
 * guardedFetch: a government page (hostile input) cannot steer the plain-HTTP readers (the reply-list poller, the
 * channel pre-check) to addresses no site may have — neither by a redirect nor by the address itself.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlockedAddressError, checkedResolverFetch, guardedFetch, guardedFetchAllowingPrivate, guardedFetchWith, guardedLookup, type Resolve } from '../../shared/adapters/http/guarded-fetch.ts';

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

  it('a public name that resolves to a private or metadata address is refused when connecting (DNS rebinding)', async () => {
    // the port of the local server, under a public-looking name that the resolver points at this machine
    const port = new URL(origin).port;
    const toLoopback: Resolve = (_name, _options, callback) => callback(null, [{ address: '127.0.0.1', family: 4 }]);
    const site = guardedFetchWith(checkedResolverFetch(false, toLoopback));
    await expect(site(`http://rebind.example.gov.cn:${port}/final`)).rejects.toBeInstanceOf(BlockedAddressError);
    // the same connection where private hosts are allowed (the sandbox): the page is fetched
    const sandbox = guardedFetchWith(checkedResolverFetch(true, toLoopback), { allowPrivateHosts: true });
    expect(await (await sandbox(`http://rebind.example.gov.cn:${port}/final`)).text()).toBe('ok');
    // metadata is never reached, private hosts allowed or not
    const toMetadata: Resolve = (_name, _options, callback) => callback(null, [{ address: '169.254.169.254', family: 4 }]);
    await expect(guardedFetchWith(checkedResolverFetch(true, toMetadata), { allowPrivateHosts: true })(`http://meta.example.gov.cn:${port}/`)).rejects.toBeInstanceOf(BlockedAddressError);
  });

  it('the resolver refuses a name when any of its addresses is not allowed, and answers as dns.lookup otherwise', async () => {
    const lookupWith = (addresses: string[], privateAllowed = false, all = false) =>
      new Promise<{ err: Error | null; address: unknown }>((resolve) => {
        const resolver: Resolve = (_n, _o, cb) => cb(null, addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
        guardedLookup(privateAllowed, resolver)('www.example.gov.cn', { all }, (err, address) => resolve({ err, address }));
      });
    expect((await lookupWith(['203.0.113.7', '10.1.2.3'])).err).toBeInstanceOf(BlockedAddressError);
    expect((await lookupWith(['::ffff:127.0.0.1'])).err).toBeInstanceOf(BlockedAddressError);
    expect((await lookupWith(['fe80::1'], true)).err).toBeInstanceOf(BlockedAddressError);
    expect(await lookupWith(['203.0.113.7', '2001:db8::7'])).toEqual({ err: null, address: '203.0.113.7' });
    expect(await lookupWith(['203.0.113.7', '2001:db8::7'], false, true)).toEqual({
      err: null,
      address: [
        { address: '203.0.113.7', family: 4 },
        { address: '2001:db8::7', family: 6 },
      ],
    });
    expect(await lookupWith(['10.1.2.3'], true)).toEqual({ err: null, address: '10.1.2.3' });
  });

  it('a POST answered by a redirect is followed as a GET without its body; cookies never follow to another origin', async () => {
    const asked: Array<{ url: string; method: string; body: unknown; cookie: string | null; type: string | null }> = [];
    const site = guardedFetchWith(async (url, init) => {
      const h = new Headers(init.headers);
      asked.push({ url, method: init.method ?? 'GET', body: init.body ?? null, cookie: h.get('cookie'), type: h.get('content-type') });
      if (url.endsWith('/query')) return new Response(null, { status: 302, headers: { location: '/result?id=1' } });
      if (url.endsWith('/result?id=1')) return new Response(null, { status: 307, headers: { location: 'http://other.example.gov.cn/r' } });
      return new Response('answer');
    });
    const res = await site('http://www.example.gov.cn/query', { method: 'POST', body: 'cxm=AB12', headers: { cookie: 'JSESSIONID=1', 'content-type': 'application/x-www-form-urlencoded' } });
    expect(await res.text()).toBe('answer');
    expect(asked).toEqual([
      { url: 'http://www.example.gov.cn/query', method: 'POST', body: 'cxm=AB12', cookie: 'JSESSIONID=1', type: 'application/x-www-form-urlencoded' },
      { url: 'http://www.example.gov.cn/result?id=1', method: 'GET', body: null, cookie: 'JSESSIONID=1', type: null },
      { url: 'http://other.example.gov.cn/r', method: 'GET', body: null, cookie: null, type: null },
    ]);
  });
});

/**
 * The browser's address guard with real Chromium: a government page (hostile input) cannot make the browser reach an
 * address no site may have — not by navigation, redirect, script (fetch), image or frame — because every request,
 * loopback included, goes through the guard, which checks the address it actually connects to. A browser launched
 * the default way may not reach this machine's loopback at all; with `allowPrivateHosts` (the sandbox) it may.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import chromium from '@sparticuz/chromium';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proxyArgs, startAddressGuard, type AddressGuard } from '../../shared/adapters/browser/address-guard.ts';
import { launchBrowser } from '../../shared/adapters/browser/launch.ts';

const hits: Record<'site' | 'inside', string[]> = { site: [], inside: [] };
let site: Server;
let inside: Server;
let siteUrl: string;
let insideUrl: string;

function listen(server: Server, host: string): Promise<string> {
  return new Promise((resolve) => server.listen(0, host, () => resolve(`http://${host}:${(server.address() as AddressInfo).port}`)));
}

beforeAll(async () => {
  // "inside": a service on this machine's loopback (as the embedded database, the Lambda runtime API) at 127.0.0.2
  inside = createServer((req, res) => {
    hits.inside.push(req.url ?? '');
    res.setHeader('access-control-allow-origin', '*');
    res.end('SECRET');
  });
  insideUrl = await listen(inside, '127.0.0.2');
  // "site": the government page, which tries every way there is to reach the inside service
  site = createServer((req, res) => {
    hits.site.push(req.url ?? '');
    if (req.url === '/go') {
      res.writeHead(302, { location: `${insideUrl}/redirected` }).end();
      return;
    }
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(`<!doctype html><html><body><p>在线咨询</p>
<img src="${insideUrl}/img.png"><iframe src="${insideUrl}/frame"></iframe>
<script>window.result = fetch('${insideUrl}/fetch').then((r) => r.text()).catch((e) => 'blocked: ' + e.message);</script>
</body></html>`);
  });
  siteUrl = await listen(site, '127.0.0.1');
}, 30_000);

afterAll(async () => {
  await new Promise((r) => site?.close(r));
  await new Promise((r) => inside?.close(r));
});

describe('the address guard (every request of the browser goes through it)', () => {
  let guard: AddressGuard;
  let browser: Browser;
  beforeAll(async () => {
    // Here 127.0.0.1 stands for the public web and 127.0.0.2 for what must stay out of reach.
    guard = await startAddressGuard({ allowed: (address) => address === '127.0.0.1' });
    browser = await puppeteer.launch({ executablePath: process.env.HUIXIN_CHROMIUM_PATH ?? (await chromium.executablePath()), headless: 'shell', args: ['--no-sandbox', ...proxyArgs(guard)] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await guard?.close();
  });

  it('lets the page load, and refuses its script, image, frame and redirect to an address no site may have', async () => {
    hits.inside.length = 0;
    const page = await browser.newPage();
    const res = await page.goto(`${siteUrl}/`, { waitUntil: 'load' });
    expect(res?.status()).toBe(200);
    expect(await page.evaluate('window.result')).toMatch(/^blocked/);
    const redirected = await page.goto(`${siteUrl}/go`, { waitUntil: 'load' }).catch((err: Error) => err);
    expect(redirected instanceof Error ? redirected.message : redirected?.status()).not.toBe(200);
    expect(hits.inside).toEqual([]);
    expect(guard.refused.some((r) => r.includes('127.0.0.2'))).toBe(true);
    await page.close();
  });
});

describe('launchBrowser', () => {
  it('by default cannot reach this machine (loopback is refused, the page never asked for)', async () => {
    const browser = await launchBrowser();
    try {
      hits.site.length = 0;
      const page = await browser.newPage();
      const res = await page.goto(`${siteUrl}/`, { waitUntil: 'load' }).catch((err: Error) => err);
      expect(res instanceof Error ? 'error' : res?.status()).not.toBe(200);
      expect(hits.site).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('with allowPrivateHosts (the sandbox) reaches it', async () => {
    const browser = await launchBrowser({ allowPrivateHosts: true });
    try {
      hits.site.length = 0;
      const page = await browser.newPage();
      expect((await page.goto(`${siteUrl}/`, { waitUntil: 'load' }))?.status()).toBe(200);
      expect(hits.site).toContain('/');
    } finally {
      await browser.close();
    }
  }, 60_000);
});

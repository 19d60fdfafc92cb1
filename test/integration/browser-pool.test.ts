/**
 * The page pool with real Chromium: pages are reused between letters WITHOUT a detour through about:blank, yet
 * nothing one letter's pages left (cookies, storage, what an idle page did later, an alert) reaches or blocks
 * the next letter, and a consultation URL with a #fragment always opens a new document. Also: the launch
 * arguments carry one merged --disable-features switch.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'puppeteer-core';
import { launchBrowser, PagePool } from '../../shared/adapters/browser/launch.ts';
import { openFresh } from '../../shared/adapters/browser/submit-form.ts';

let browser: Browser;
let server: Server;
let base: string;
const cookiesSeen: Array<{ path: string; cookie: string }> = [];
let lateDone: () => void = () => undefined;

const html = (body: string) => `<!doctype html><html><head><meta charset="utf-8"></head><body>${body}</body></html>`;

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    cookiesSeen.push({ path, cookie: req.headers.cookie ?? '' });
    res.setHeader('content-type', 'text/html; charset=utf-8');
    if (path === '/set') {
      res.setHeader('set-cookie', 'JSESSIONID=letter1; Path=/');
      return res.end(html(`<p>留言</p><script>localStorage.setItem('k', 'v'); sessionStorage.setItem('s', '1'); document.cookie = 'js=1; path=/';</script>`));
    }
    if (path === '/late') {
      // after the letter is over: a timer sets a cookie, tells the test, then opens an alert that stays open
      return res.end(html(`<p>提交成功</p><script>setTimeout(function () { document.cookie = 'late=1; path=/'; fetch('/late-done').then(function () { alert('3秒后返回首页'); }); }, 50);</script>`));
    }
    if (path === '/late-done') {
      lateDone();
      return res.end('ok');
    }
    return res.end(html(`<p>probe</p>`));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchBrowser({ allowPrivateHosts: true }); // test servers on 127.0.0.1
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
});

describe('PagePool between letters', () => {
  it('reuses the page without going through about:blank, and the next letter sees none of the cookies or storage of the previous one', async () => {
    const pool = new PagePool(browser, 1);
    const first = await pool.use(async (page) => {
      await page.goto(`${base}/set`, { waitUntil: 'load' });
      expect(await page.evaluate(`localStorage.getItem('k')`)).toBe('v');
      return page;
    });
    cookiesSeen.length = 0;
    const seen = await pool.use(async (page) => {
      expect(page).toBe(first);
      const leftOn = page.url();
      await page.goto(`${base}/probe`, { waitUntil: 'load' });
      return { leftOn, local: await page.evaluate(`localStorage.getItem('k')`), session: await page.evaluate(`sessionStorage.getItem('s')`) };
    });
    expect(seen.leftOn).toBe(`${base}/set`);
    expect(seen.local).toBeNull();
    expect(seen.session).toBeNull();
    expect(cookiesSeen.find((c) => c.path === '/probe')?.cookie).toBe('');
    await pool.drain();
  });

  it('what an idle page does after its letter (a timer setting a cookie, then an alert) neither leaks into nor blocks the next letter', async () => {
    const pool = new PagePool(browser, 1);
    const late = new Promise<void>((r) => (lateDone = r));
    const idlePage = await pool.use(async (page) => {
      await page.goto(`${base}/late`, { waitUntil: 'load' });
      return page;
    });
    const alerted = new Promise<string>((r) => idlePage.once('dialog', (d) => r(d.message())));
    await late; // the cookie is set while the page sits idle in the pool…
    expect(await alerted).toBe('3秒后返回首页'); // …and then the alert opens
    cookiesSeen.length = 0;
    const text = await pool.use(async (page) => {
      await page.goto(`${base}/probe`, { waitUntil: 'load', timeout: 10_000 });
      return page.evaluate(`document.body.innerText`);
    });
    expect(text).toContain('probe');
    expect(cookiesSeen.find((c) => c.path === '/probe')?.cookie).toBe('');
    await pool.drain();
  });

  it('a consultation URL with a #fragment opens a new document even when the pooled page already shows that URL', async () => {
    const pool = new PagePool(browser, 1);
    const url = `${base}/probe#xjd`;
    await pool.use(async (page) => {
      await openFresh(page, url, { waitUntil: 'load' });
      await page.evaluate(`window.__previousLetter = 1`);
    });
    const stale = await pool.use(async (page) => {
      expect(page.url()).toBe(url);
      await openFresh(page, url, { waitUntil: 'load' });
      return page.evaluate(`window.__previousLetter === 1`);
    });
    expect(stale).toBe(false);
    await pool.drain();
  });
});

describe('launch arguments', () => {
  it('one --disable-features switch carrying both @sparticuz features and ours, site isolation left on', () => {
    const args = browser.process()?.spawnargs ?? [];
    const switches = args.filter((a) => a.startsWith('--disable-features='));
    expect(switches).toHaveLength(1);
    const features = switches[0]!.slice('--disable-features='.length).split(',');
    expect(features).toEqual(expect.arrayContaining(['AudioServiceOutOfProcess', 'RenderDocument', 'BackForwardCache']));
    expect(features).not.toContain('site-per-process');
    expect(features).not.toContain('IsolateOrigins');
    for (const unsafe of ['--disable-web-security', '--allow-running-insecure-content', '--disable-site-isolation-trials']) expect(args).not.toContain(unsafe);
  });

  it("a site's page cannot read another origin that does not allow it (a loopback service, the metadata endpoint)", async () => {
    // another origin on this machine, no CORS headers: what dynalite's or any local service's answer would be
    const other = createServer((_req, res) => res.end('secret'));
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}/`;
    const page = await browser.newPage();
    try {
      await page.goto(`${base}/probe`);
      const read = await page.evaluate(
        (url: string) => fetch(url).then((r) => r.text()).catch((e: unknown) => `blocked: ${String(e)}`),
        otherUrl,
      );
      expect(read).toMatch(/^blocked/);
    } finally {
      await page.close();
      await new Promise<void>((r) => other.close(() => r()));
    }
  });
});

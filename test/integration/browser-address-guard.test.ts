/**
 * The browser's address guard with real Chromium: a government page (hostile input) cannot make the browser reach an
 * address no site may have — not by navigation, redirect, script (fetch), image, frame, WebSocket or WebRTC — because
 * every connection, loopback included, goes through the guard, which checks the address it actually connects to. A
 * browser launched the default way may not reach this machine's loopback at all; with `allowPrivateHosts` (the
 * sandbox) it may. And what real sites need passes as it would directly: form posts, WebSockets, IPv6, servers whose
 * HTTP only browsers forgive; a failure is a failed connection, at once, and nothing is left open.
 */
import { createHash } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import chromium from '@sparticuz/chromium';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proxyArgs, startAddressGuard, type AddressGuard } from '../../shared/adapters/browser/address-guard.ts';
import { launchBrowser } from '../../shared/adapters/browser/launch.ts';
import { navigationReason } from '../../shared/adapters/browser/submit-form.ts';

const hits: Record<'site' | 'inside', string[]> = { site: [], inside: [] };
let site: Server;
let inside: Server;
let siteUrl: string;
let insideUrl: string;

/** Every socket of a test server, upgraded ones included (closeAllConnections does not know those). */
const socketsOf = new WeakMap<Server, Set<Socket>>();
function cutAll(server: Server): void {
  server.closeAllConnections();
  for (const s of socketsOf.get(server) ?? []) s.destroy();
}

function listen(server: Server, host: string): Promise<string> {
  const sockets = new Set<Socket>();
  socketsOf.set(server, sockets);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
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

/** A minimal WebSocket endpoint (RFC 6455 handshake, one text frame 'hello <path>'), kept open as real servers do. */
function acceptWebSockets(server: Server): void {
  server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => undefined);
    const accept = createHash('sha1').update(`${String(req.headers['sec-websocket-key'])}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    const text = Buffer.from(`hello ${req.url}`);
    socket.write(Buffer.concat([Buffer.from([0x81, text.length]), text]));
  });
}

/** A server that answers every request with these bytes, as written (a site whose HTTP is not quite HTTP). */
function rawSite(answer: (path: string) => string | Buffer): Server {
  const server = createServer();
  server.removeAllListeners('connection');
  server.on('connection', (socket: Socket) => {
    socket.on('error', () => undefined);
    let head = '';
    socket.on('data', (d) => {
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      const path = /^\w+ (\S+)/.exec(head)?.[1] ?? '/';
      head = '';
      socket.end(answer(path));
    });
  });
  return server;
}

describe('real sites through the guard (a byte tunnel: Chromium sees what it would see directly)', () => {
  let guard: AddressGuard;
  let browser: Browser;
  const servers: Server[] = [];
  let siteUrl2: string;
  let insideUrl2: string;
  let quirkyUrl: string;
  let v6Url: string | undefined;
  const posts: Array<{ body: string; type: string }> = [];
  let endless = '';

  beforeAll(async () => {
    const site2 = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.method === 'POST') posts.push({ body: Buffer.concat(chunks).toString('utf8'), type: String(req.headers['content-type']) });
        if (req.url === '/dies') {
          res.writeHead(200, { 'content-type': 'text/html', 'content-length': '100000' });
          res.write('<p>half');
          setTimeout(() => res.destroy(), 50);
          return;
        }
        if (req.url === '/endless') {
          endless = 'sending';
          res.writeHead(200, { 'content-type': 'application/octet-stream' });
          const tick = setInterval(() => res.write(Buffer.alloc(16_384)), 5);
          res.on('close', () => {
            clearInterval(tick);
            endless = 'closed';
          });
          return;
        }
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'set-cookie': [`big=${'c'.repeat(3_000)}`] });
        res.end(`<!doctype html><form method="post" action="/submit"><textarea name="body"></textarea></form><p>${req.method} ${req.url}</p>`);
      });
    });
    acceptWebSockets(site2);
    const inside2 = createServer((_req, res) => res.end('SECRET'));
    acceptWebSockets(inside2);
    // what old government servers send and browsers take: a bare LF, a repeated Content-Length, chunked with a length
    const quirky = rawSite((path) =>
      path === '/lf'
        ? 'HTTP/1.1 200 OK\nContent-Type: text/html\nContent-Length: 9\n\n<p>lf</p>'
        : path === '/twice'
          ? 'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 12\r\nContent-Length: 12\r\n\r\n<p>twice</p>'
          : 'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\nc\r\n<p>chunk</p>\r\n0\r\n\r\n',
    );
    servers.push(site2, inside2, quirky);
    siteUrl2 = await listen(site2, '127.0.0.1');
    insideUrl2 = await listen(inside2, '127.0.0.2');
    quirkyUrl = await listen(quirky, '127.0.0.1');
    const six = createServer((req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(`<p>six ${req.url}</p>`));
    servers.push(six);
    const sixPort = await new Promise<number>((resolve) => {
      six.once('error', () => resolve(0)); // no IPv6 loopback here
      six.listen(0, '::1', () => resolve((six.address() as AddressInfo).port));
    });
    if (sixPort) v6Url = `http://[::1]:${sixPort}`;
    guard = await startAddressGuard({ allowed: (address) => address === '127.0.0.1' || address === '::1' });
    browser = await puppeteer.launch({ executablePath: process.env.HUIXIN_CHROMIUM_PATH ?? (await chromium.executablePath()), headless: 'shell', args: ['--no-sandbox', ...proxyArgs(guard)] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await guard?.close();
    for (const s of servers) {
      cutAll(s);
      await new Promise((r) => s.close(r));
    }
  });

  const openWebSocket = (page: Page, url: string) =>
    page.evaluate(
      (u) =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(u);
          ws.onmessage = (e) => resolve(`message: ${String(e.data)}`);
          ws.onerror = () => resolve('error');
          setTimeout(() => resolve('timeout'), 5_000);
        }),
      url,
    );

  it('a page may open a WebSocket to an allowed address, never to one no site may have', async () => {
    const page = await browser.newPage();
    await page.goto(`${siteUrl2}/`, { waitUntil: 'load' });
    expect(await openWebSocket(page, `${siteUrl2.replace('http:', 'ws:')}/live`)).toBe('message: hello /live');
    expect(await openWebSocket(page, `${insideUrl2.replace('http:', 'ws:')}/secret`)).toBe('error');
    expect(guard.refused.some((r) => r.startsWith(new URL(insideUrl2).host))).toBe(true);
    await page.close();
  }, 30_000);

  it('a form POST reaches the site intact (a long Chinese letter, urlencoded and multipart)', async () => {
    const page = await browser.newPage();
    const letter = Array.from({ length: 3_000 }, (_, i) => `第${i}段：关于办理居住证的咨询 & = + % "引号"`).join('\n');
    const sent = letter.replace(/\n/g, '\r\n'); // a textarea's line breaks are submitted as CRLF
    for (const enctype of ['application/x-www-form-urlencoded', 'multipart/form-data']) {
      posts.length = 0;
      await page.goto(`${siteUrl2}/form`, { waitUntil: 'load' });
      await page.evaluate(
        (body, type) => {
          const form = document.forms[0]!;
          form.enctype = type;
          form.querySelector('textarea')!.value = body;
        },
        letter,
        enctype,
      );
      const [res] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.evaluate(() => document.forms[0]!.submit())]);
      expect(res?.status()).toBe(200);
      expect(posts).toHaveLength(1);
      expect(posts[0]!.type).toContain(enctype);
      const body = posts[0]!.body;
      expect(enctype === 'multipart/form-data' ? body.includes(`\r\n\r\n${sent}\r\n--`) : new URLSearchParams(body).get('body') === sent).toBe(true);
    }
    await page.close();
  }, 30_000);

  it('loads pages of servers whose HTTP browsers forgive (bare LF, a repeated Content-Length, chunked with a length)', async () => {
    const page = await browser.newPage();
    for (const [path, text] of [
      ['/lf', 'lf'],
      ['/twice', 'twice'],
      ['/chunk', 'chunk'],
    ] as const) {
      const res = await page.goto(`${quirkyUrl}${path}`, { waitUntil: 'load' });
      expect([path, res?.status(), await page.evaluate(() => document.body.innerText)]).toEqual([path, 200, text]);
    }
    await page.close();
  }, 30_000);

  it('reaches an allowed IPv6 literal', async () => {
    if (!v6Url) return;
    const page = await browser.newPage();
    expect((await page.goto(`${v6Url}/x`, { waitUntil: 'load' }))?.status()).toBe(200);
    expect(await page.evaluate(() => document.body.innerText)).toBe('six /x');
    await page.close();
  }, 30_000);

  it('a connection refused or failed is a failed connection for the page, at once (reason: connection), never an answer made up for the site', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const { port } = s.address() as AddressInfo;
        s.close(() => resolve(port));
      });
    });
    for (const url of [`${insideUrl2}/`, insideUrl2.replace('http:', 'https:'), 'http://localhost/', 'https://no-such-host.invalid/', `http://127.0.0.1:${closedPort}/`, 'http://[::2]/']) {
      // (a page of its own each: Chromium's page.close() waits ~60 s after two failed navigations, guard or not)
      const page = await browser.newPage();
      const t = Date.now();
      const err = await page.goto(url, { timeout: 10_000 }).then(
        (res) => new Error(`status ${res?.status()}`),
        (e: Error) => e,
      );
      expect([url, navigationReason(err)]).toEqual([url, 'connection']);
      expect(Date.now() - t).toBeLessThan(3_000);
      await page.close();
    }
  }, 60_000);

  it('a site that dies mid-page fails the page at once; a page that leaves mid-download frees the site connection', async () => {
    const page = await browser.newPage();
    const t = Date.now();
    await page.goto(`${siteUrl2}/dies`, { timeout: 10_000 }).catch(() => undefined);
    expect(Date.now() - t).toBeLessThan(3_000);
    await page.goto(`${siteUrl2}/`, { waitUntil: 'load' });
    await page.evaluate((u) => {
      const c = new AbortController();
      void fetch(u, { signal: c.signal })
        .then((r) => r.body!.getReader().read())
        .then(() => c.abort())
        .catch(() => undefined);
    }, `${siteUrl2}/endless`);
    await expect.poll(() => endless, { timeout: 3_000 }).toBe('closed');
    expect((await page.goto(`${siteUrl2}/after`, { waitUntil: 'load' }))?.status()).toBe(200);
    await page.close();
  }, 30_000);

  it('WebRTC reaches nothing around the guard: no UDP to an address no site may have, TURN over TCP through the guard', async () => {
    const udp = createSocket('udp4');
    const packets: string[] = [];
    udp.on('message', (_m, from) => packets.push(from.address));
    await new Promise<void>((r) => udp.bind(0, '127.0.0.2', () => r()));
    const tcpPort = Number(new URL(insideUrl2).port);
    const page = await browser.newPage();
    try {
      await page.goto(`${siteUrl2}/`, { waitUntil: 'load' });
      await page.evaluate(
        async (udpPort, tcp) => {
          const urls = [`stun:127.0.0.2:${udpPort}`, `turn:127.0.0.2:${udpPort}?transport=udp`, `turn:127.0.0.2:${tcp}?transport=tcp`];
          const pc = new RTCPeerConnection({ iceServers: [{ urls, username: 'u', credential: 'p' }] });
          pc.createDataChannel('letter');
          await pc.setLocalDescription(await pc.createOffer());
          await new Promise((r) => setTimeout(r, 2_000));
          pc.close();
        },
        udp.address().port,
        tcpPort,
      );
      expect(packets).toEqual([]);
      expect(guard.refused.some((r) => r.startsWith(`127.0.0.2:${tcpPort}`))).toBe(true);
    } finally {
      await page.close();
      udp.close();
    }
  }, 30_000);

  it('close() cuts the connections still open (a WebSocket, idle keep-alive ones) and resolves', async () => {
    const own = await startAddressGuard({ allowed: (address) => address === '127.0.0.1' });
    const b = await puppeteer.launch({ executablePath: process.env.HUIXIN_CHROMIUM_PATH ?? (await chromium.executablePath()), headless: 'shell', args: ['--no-sandbox', ...proxyArgs(own)] });
    try {
      const page = await b.newPage();
      await page.goto(`${siteUrl2}/`, { waitUntil: 'load' });
      expect(await openWebSocket(page, `${siteUrl2.replace('http:', 'ws:')}/stays`)).toBe('message: hello /stays');
      const result = await Promise.race([own.close().then(() => 'closed'), new Promise((r) => setTimeout(() => r('still open'), 2_000))]);
      expect(result).toBe('closed');
    } finally {
      await b.close();
    }
  }, 30_000);
});

/** The guard's side of SOCKS5 (RFC 1928), spoken by hand: what Chromium never sends must not hurt either. */
describe('the guard as a SOCKS5 proxy', () => {
  let guard: AddressGuard;
  let port: number;
  let echo: Server;
  let echoPort: number;
  beforeAll(async () => {
    echo = createServer((req, res) => res.end(`echo ${req.url}`));
    echoPort = Number(new URL(await listen(echo, '127.0.0.1')).port);
    guard = await startAddressGuard({ allowed: (address) => address === '127.0.0.1' });
    port = Number(new URL(guard.url).port);
  });
  afterAll(async () => {
    await guard?.close();
    if (echo) cutAll(echo);
    await new Promise((r) => echo?.close(r));
  });

  /** Everything the guard sends back (until it closes, or 2 s), after `bytes`. */
  function exchange(...bytes: Buffer[]): Promise<Buffer> {
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      const socket = connect(port, '127.0.0.1', () => {
        for (const b of bytes) socket.write(b);
      });
      socket.on('data', (d) => chunks.push(d));
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(Buffer.concat(chunks)));
      setTimeout(() => {
        socket.destroy();
        resolve(Buffer.concat([...chunks, Buffer.from('[open]')]));
      }, 2_000);
    });
  }
  const hello = Buffer.from([5, 1, 0]);
  const byName = (name: string, p: number) => Buffer.concat([Buffer.from([5, 1, 0, 3, Buffer.byteLength(name)]), Buffer.from(name), Buffer.from([p >> 8, p & 255])]);
  const byIpv6 = (words: number[], p: number) => Buffer.concat([Buffer.from([5, 1, 0, 4]), Buffer.from(words.flatMap((w) => [w >> 8, w & 255])), Buffer.from([p >> 8, p & 255])]);
  const replyCode = (out: Buffer) => (out[0] === 5 && out[1] === 0 ? out[3] : undefined);

  it('tunnels to an allowed address, the request sent with the handshake included', async () => {
    const out = await exchange(hello, byName('127.0.0.1', echoPort), Buffer.from('GET /tunnelled HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
    expect(out.subarray(0, 12)).toEqual(Buffer.from([5, 0, 5, 0, 0, 1, 0, 0, 0, 0, 0, 0]));
    expect(out.toString('latin1')).toMatch(/echo \/tunnelled$/);
  });

  it('refuses an IPv6 literal in any spelling of a refused address (::1 written long, IPv4-mapped), and zone ids', async () => {
    for (const request of [byIpv6([0, 0, 0, 0, 0, 0, 0, 1], 443), byName('0:0:0:0:0:0:0:1', 443), byName('::ffff:127.0.0.2', 443), byName('::ffff:7f00:2', 80), byName('fe80::1%eth0', 80)]) {
      expect(replyCode(await exchange(hello, request))).toBe(2);
    }
    expect(guard.refused.some((r) => r.startsWith('[::1]:443') || r.startsWith('[0:0:0:0:0:0:0:1]:443'))).toBe(true);
  });

  it('answers what it does not do, and a client speaking something else, with a refusal and a close', async () => {
    expect([...(await exchange(Buffer.from('GET http://127.0.0.1/ HTTP/1.1\r\n\r\n')))]).toEqual([]);
    expect([...(await exchange(Buffer.from([5, 1, 2])))]).toEqual([5, 0xff]); // username/password only
    expect((await exchange(hello, Buffer.from([5, 2, 0, 1, 127, 0, 0, 1, 0, 80])))[3]).toBe(7); // BIND
    expect((await exchange(hello, Buffer.from([5, 1, 0, 9, 0, 0])))[3]).toBe(8); // an address type there is not
    expect((await exchange(Buffer.from([5, 1, 0, 5, 1, 0, 3, 9]))).subarray(0, 2)).toEqual(Buffer.from([5, 0])); // cut short: waits
    expect(replyCode(await exchange(hello, byName('127.0.0.2', echoPort)))).toBe(2);
    expect(replyCode(await exchange(hello, byName('no-such-host.invalid', 80)))).toBe(4);
  });
});

describe('launchBrowser and its guard', () => {
  it('closes the guard with the browser', async () => {
    const browser = await launchBrowser();
    const arg = browser.process()!.spawnargs.find((a) => a.startsWith('--proxy-server='))!;
    const port = Number(new URL(arg.slice('--proxy-server='.length)).port);
    await browser.close();
    const state = () =>
      new Promise<string>((resolve) => {
        const s = connect(port, '127.0.0.1');
        s.on('connect', () => {
          s.destroy();
          resolve('open');
        });
        s.on('error', () => resolve('closed'));
      });
    await expect.poll(state, { timeout: 2_000 }).toBe('closed');
  }, 60_000);
});

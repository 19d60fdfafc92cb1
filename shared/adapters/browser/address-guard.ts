/**
 * The browser's way out, guarded as the HTTP fetcher's is (shared/adapters/http/guarded-fetch.ts). A government page
 * is hostile input: its scripts, redirects, frames and forms could send the browser to an address no site may have —
 * this machine's loopback services (the embedded DynamoDB and SQS servers, the dashboard API), the Lambda runtime API
 * on 127.0.0.1:9001, private networks, the cloud metadata endpoint. So the browser reaches the web only through a
 * small proxy in this process (`--proxy-server`, with `<-loopback>` so that loopback goes through it too), which
 * resolves every name itself with `guardedLookup` at the moment it connects — the address actually used is the one
 * checked, so DNS rebinding gains nothing — and refuses the rest with 403. Plain HTTP is forwarded; HTTPS and
 * WebSockets are CONNECT tunnels (TLS stays end to end between the browser and the site).
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { addressAllowed, blocked, guardedLookupWith } from '../http/guarded-fetch.ts';

type Lookup = net.LookupFunction;

export interface AddressGuard {
  /** `http://127.0.0.1:<port>`, for `--proxy-server`. */
  url: string;
  /** Requests and tunnels refused so far (for the logs and the tests). */
  refused: string[];
  close(): Promise<void>;
}

/** The Chromium switches that send every request (loopback included) through the guard. */
export function proxyArgs(guard: Pick<AddressGuard, 'url'>): string[] {
  return [`--proxy-server=${guard.url}`, '--proxy-bypass-list=<-loopback>'];
}

/**
 * Start the guard on 127.0.0.1 (a free port): public addresses only, as for a public government site. `allowed`
 * replaces that rule (tests).
 */
export async function startAddressGuard(options: { allowed?: (address: string) => boolean } = {}): Promise<AddressGuard> {
  const allowed = options.allowed ?? ((address: string) => addressAllowed(address, false));
  // A name is resolved (and its every address checked) as the connection is made; an address written as such is never
  // resolved (Node connects to an IP literal directly), so it is checked before connecting.
  const lookup = guardedLookupWith(allowed) as Lookup;
  const literalRefused = (host: string) => (net.isIP(host) && !allowed(host) ? blocked(`${host} is an address not allowed for a site page`) : undefined);
  const refused: string[] = [];
  const refuse = (what: string, err: Error) => {
    refused.push(what);
    if (refused.length > 1_000) refused.splice(0, refused.length - 1_000);
    return `huixin: ${what} refused: ${err.message}`;
  };
  const server = http.createServer((req, res) => {
    let target: URL;
    try {
      target = new URL(req.url ?? '');
      if (target.protocol !== 'http:') throw new Error('not an http: address');
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('huixin: not a proxy request');
      return;
    }
    const host = target.hostname.replace(/^\[|\]$/g, '');
    const literal = literalRefused(host);
    if (literal) {
      res.writeHead(403, { 'content-type': 'text/plain' }).end(refuse(target.origin, literal));
      return;
    }
    const headers = { ...req.headers };
    delete headers['proxy-connection'];
    delete headers['proxy-authorization'];
    const upstream = http.request(
      { host, port: target.port || 80, method: req.method, path: `${target.pathname}${target.search}`, headers, lookup, setHost: false },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.rawHeaders);
        up.pipe(res);
      },
    );
    upstream.on('error', (err) => {
      const body = refuse(target.origin, err);
      if (!res.headersSent) res.writeHead(isBlocked(err) ? 403 : 502, { 'content-type': 'text/plain' }).end(body);
      else res.destroy();
    });
    req.on('error', () => upstream.destroy());
    req.pipe(upstream);
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(req.url ?? '');
    if (!m) {
      client.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    const [, host, port] = m as unknown as [string, string, string];
    client.on('error', () => undefined);
    const literal = literalRefused(host);
    if (literal) {
      refuse(`${host}:${port}`, literal);
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = net.connect({ host, port: Number(port), lookup });
    upstream.once('connect', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', (err) => {
      refuse(`${host}:${port}`, err);
      if (client.writable && upstream.connecting) client.end(`HTTP/1.1 ${isBlocked(err) ? '403 Forbidden' : '502 Bad Gateway'}\r\n\r\n`);
      else client.destroy();
    });
    client.on('close', () => upstream.destroy());
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  server.unref(); // never what keeps a process alive
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    refused,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function isBlocked(err: unknown): boolean {
  return (err as { code?: string }).code === 'EHUIXINBLOCKED';
}

/**
 * The browser's way out, guarded as the HTTP fetcher's is (shared/adapters/http/guarded-fetch.ts). A government page
 * is hostile input: its scripts, redirects, frames and forms could send the browser to an address no site may have —
 * this machine's loopback services (the embedded DynamoDB and SQS servers, the dashboard API), the Lambda runtime API
 * on 127.0.0.1:9001, private networks, the cloud metadata endpoint. So the browser reaches the web only through a
 * small SOCKS5 proxy in this process (`--proxy-server=socks5://…`, with `<-loopback>` so that loopback goes through
 * it too). Chromium hands every connection (http, https, ws, wss) to it by name, never resolving one itself; the
 * guard resolves the name with `guardedLookup` at the moment it connects — the address actually used is the one
 * checked, so DNS rebinding gains nothing — and refuses the rest (Chromium: net::ERR_SOCKS_CONNECTION_FAILED).
 *
 * Why SOCKS and not an HTTP proxy: the guard only opens TCP connections and copies bytes. It never parses HTTP, so
 * whatever a site sends reaches Chromium as it would directly — responses Node's strict parser refuses but browsers
 * take (a bare LF, a repeated Content-Length: old government servers send them), request bodies, keep-alive and
 * its retries, WebSocket upgrades, a site dying mid-answer — with nothing in between to get wrong.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { addressAllowed, guardedLookupWith } from '../http/guarded-fetch.ts';

type Lookup = net.LookupFunction;

export interface AddressGuard {
  /** `socks5://127.0.0.1:<port>`, for `--proxy-server`. */
  url: string;
  /** Connections refused or failed so far, as `host:port reason` (for the logs and the tests; the last 1,000). */
  refused: string[];
  /** Stops listening and cuts every connection still open (idle keep-alive ones, WebSockets). */
  close(): Promise<void>;
}

/**
 * The Chromium switches that send every connection (loopback included) through the guard. WebRTC would otherwise send
 * UDP (STUN, TURN) to any address a page names, around any proxy: it may use the proxy only (TURN over TCP, refused
 * or allowed here like the rest) — no letter needs WebRTC.
 */
export function proxyArgs(guard: Pick<AddressGuard, 'url'>): string[] {
  return [`--proxy-server=${guard.url}`, '--proxy-bypass-list=<-loopback>', '--force-webrtc-ip-handling-policy=disable_non_proxied_udp'];
}

/** SOCKS5 reply codes (RFC 1928 §6). */
const REPLY = { succeeded: 0, generalFailure: 1, notAllowed: 2, hostUnreachable: 4, commandNotSupported: 7, addressTypeNotSupported: 8 } as const;
/** A reply; the bound address, which a browser never uses, is always 0.0.0.0:0. */
const reply = (code: number) => Buffer.from([5, code, 0, 1, 0, 0, 0, 0, 0, 0]);
/** A client that connected says where to within this time, or is cut off. */
const HANDSHAKE_MS = 10_000;

/**
 * Start the guard on 127.0.0.1 (a free port): public addresses only, as for a public government site. `allowed`
 * replaces that rule (tests).
 */
export async function startAddressGuard(options: { allowed?: (address: string) => boolean } = {}): Promise<AddressGuard> {
  const allowed = options.allowed ?? ((address: string) => addressAllowed(address, false));
  // A name is resolved (and its every address checked) as the connection is made; an address given as such is never
  // resolved (Node connects to an IP literal directly), so it is checked here, in its canonical form.
  const lookup = guardedLookupWith(allowed) as Lookup;
  const refused: string[] = [];
  const refuse = (what: string) => {
    refused.push(what);
    if (refused.length > 1_000) refused.splice(0, refused.length - 1_000);
  };
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => undefined);
    client.setTimeout(HANDSHAKE_MS, () => client.destroy());
    let buffered = Buffer.alloc(0);
    let greeted = false;
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (!greeted) {
        // VER 5, NMETHODS, METHODS…: "no authentication" (0) is the only method there is
        if (buffered[0] !== 5) {
          client.destroy(); // not SOCKS5
          return;
        }
        if (buffered.length < 2 || buffered.length < 2 + buffered[1]!) return;
        if (!buffered.subarray(2, 2 + buffered[1]!).includes(0)) {
          client.off('data', onData);
          client.end(Buffer.from([5, 0xff]));
          return;
        }
        buffered = buffered.subarray(2 + buffered[1]!);
        greeted = true;
        client.write(Buffer.from([5, 0]));
      }
      const request = parseRequest(buffered);
      if (!request) return; // not all of it yet
      client.off('data', onData);
      client.pause(); // until the tunnel is open (pipe resumes it): nothing the client sends meanwhile is lost
      client.setTimeout(0);
      if ('error' in request) {
        client.end(reply(request.error));
        return;
      }
      tunnel(client, request.host, request.port, request.rest);
    };
    client.on('data', onData);
  });

  function tunnel(client: net.Socket, name: string, port: number, rest: Buffer): void {
    const where = `${net.isIPv6(name) ? `[${name}]` : name}:${port}`;
    let host = name;
    if (net.isIP(name)) {
      const canonical = canonicalIp(name);
      if (!canonical || !allowed(canonical)) {
        refuse(`${where} is an address not allowed for a site page`);
        client.end(reply(REPLY.notAllowed));
        return;
      }
      host = canonical;
    }
    let connected = false;
    const upstream = net.connect({ host, port, lookup });
    open.add(upstream);
    upstream.on('close', () => open.delete(upstream));
    upstream.once('connect', () => {
      connected = true;
      client.write(reply(REPLY.succeeded));
      if (rest.length > 0) upstream.write(rest);
      // bytes both ways; either side closing or failing ends the other (no half-open tunnel is left behind)
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      refuse(`${where} ${err.message}`);
      if (connected) client.destroy();
      else client.end(reply(err.code === 'EHUIXINBLOCKED' ? REPLY.notAllowed : REPLY.hostUnreachable));
    });
    client.on('close', () => upstream.destroy());
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  server.unref(); // never what keeps a process alive
  const { port } = server.address() as AddressInfo;
  return {
    url: `socks5://127.0.0.1:${port}`,
    refused,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of open) s.destroy();
      }),
  };
}

/**
 * A CONNECT request (RFC 1928 §4: VER 5, CMD, RSV, ATYP, DST.ADDR, DST.PORT, then the first bytes of the tunnel if
 * the client did not wait), an error reply code, or undefined while it is incomplete. Chromium sends every address as
 * a name (ATYP 3), IP literals too; the other types are read all the same.
 */
function parseRequest(b: Buffer): { host: string; port: number; rest: Buffer } | { error: number } | undefined {
  if (b.length < 5) return undefined;
  if (b[0] !== 5) return { error: REPLY.generalFailure };
  if (b[1] !== 1) return { error: REPLY.commandNotSupported }; // CONNECT only: no BIND, no UDP
  const type = b[3];
  const length = type === 1 ? 4 : type === 4 ? 16 : type === 3 ? 1 + b[4]! : 0;
  if (length === 0) return { error: REPLY.addressTypeNotSupported };
  if (b.length < 4 + length + 2) return undefined;
  const a = b.subarray(4, 4 + length);
  const host =
    type === 1 ? a.join('.') : type === 3 ? a.subarray(1).toString('latin1') : Array.from({ length: 8 }, (_, i) => a.readUInt16BE(2 * i).toString(16)).join(':');
  return { host, port: b.readUInt16BE(4 + length), rest: b.subarray(4 + length + 2) };
}

/** An IP literal as the URL parser writes it (`0:0:0:0:0:0:0:1` → `::1`), which is what the rule knows; undefined if it has none (a zone id). */
function canonicalIp(ip: string): string | undefined {
  try {
    return net.isIPv6(ip) ? new URL(`http://[${ip}]/`).hostname.slice(1, -1) : new URL(`http://${ip}/`).hostname;
  } catch {
    return undefined;
  }
}

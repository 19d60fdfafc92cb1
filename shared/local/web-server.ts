/**
 * The dashboard on one machine (node:http): the built front end (web/dist) and the API, behind a login.
 *
 * - Login: POST /auth/login {user, password} → an HttpOnly, SameSite=Strict session cookie (random id, stored
 *   server-side as a hash with an expiry) and the session's CSRF token; GET /auth/session; POST /auth/logout.
 *   Failed logins are throttled per (user, client address) with a per-user cap (./login-throttle.ts).
 * - The cookie is Secure unless the dashboard is served on loopback without an HTTPS proxy in front
 *   (`cookieSecurity`); serving on another address over plain HTTP is warned about at start.
 * - /api/*: the session's principal goes to the same router the Lambda uses. Every state-changing request must
 *   carry the session's CSRF token in `X-CSRF-Token`, be JSON, and (when the browser says) come from this origin.
 * - Security headers on every response: CSP without inline scripts, frame-ancestors 'none' + X-Frame-Options,
 *   nosniff, Referrer-Policy no-referrer, COOP.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { csrfMatches, login, logout, resolveSession, SESSION_TTL_MS, type AuthStore, type SessionRecord } from '../app/auth.ts';
import type { Api } from '../app/api/router.ts';
import type { ApiResponse } from '../app/api/types.ts';
import type { Clock } from '../app/ports.ts';
import { LoginThrottle } from './login-throttle.ts';
import { hostKind } from '../domain/registry.ts';

export const SESSION_COOKIE = 'hx_session';
export const CSRF_HEADER = 'x-csrf-token';

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
};

export interface WebServerOptions {
  api: Pick<Api, 'handle'>;
  auth: AuthStore;
  clock: Clock;
  /** The built front end (web/dist). */
  staticDir: string;
  port?: number;
  host?: string;
  /** Mark cookies Secure. Default: `cookieSecurity(host, behindHttps)`. */
  secureCookies?: boolean;
  /** An HTTPS reverse proxy is in front (browsers reach the dashboard over https://): cookies are Secure. */
  behindHttps?: boolean;
  sessionTtlMs?: number;
  /** Failed logins per (user name, client address) within 15 minutes before refusing (429). Default 10. */
  maxFailedLogins?: number;
  /** Failed logins per user name from all addresses within 15 minutes before refusing (429). Default 100. */
  maxFailedLoginsPerUser?: number;
  /** Where the start-up warning goes (default: standard error). */
  log?: (line: string) => void;
}

/** 127.0.0.0/8, ::1 and `localhost`: only this machine can connect. */
function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || /^::ffff:127\./.test(h);
}

/**
 * Whether the session cookie is Secure, and the warning to print: Secure whenever the dashboard is not on
 * loopback or an HTTPS proxy is in front. On another address over plain HTTP the passwords and cookies cross
 * the network in clear — and browsers keep no Secure cookie from http://, so logging in fails there.
 */
export function cookieSecurity(host: string, behindHttps = false): { secure: boolean; warning?: string } {
  if (behindHttps) return { secure: true };
  if (isLoopbackHost(host)) return { secure: false };
  return {
    secure: true,
    warning:
      `警告：看板在非本机地址 ${host} 上以明文 HTTP 提供，密码和会话会以明文经过网络；会话 cookie 已设为 Secure，浏览器通过 http:// 无法登录。` +
      `请在前面放置 HTTPS 反向代理并加 --behind-https，或只监听 127.0.0.1。 / ` +
      `WARNING: the dashboard is served over plain HTTP on the non-loopback address ${host}: passwords and sessions cross the network in clear; ` +
      `the session cookie is Secure, so logging in over http:// will not work. Put an HTTPS reverse proxy in front and pass --behind-https, or listen on 127.0.0.1 only.`,
  };
}

export interface WebServer {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, 'body too large');
    chunks.push(c as Buffer);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'body: not JSON');
  }
}

/**
 * The request's cookies. A value that is not valid percent-encoding is kept as it came: browsers share cookies across
 * the ports of one host, so another program on this machine may have set one, and it must not break the dashboard.
 */
function cookies(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const raw = part.slice(i + 1).trim();
    let value = raw;
    try {
      value = decodeURIComponent(raw);
    } catch {
      // not ours, or not percent-encoded: the raw text
    }
    out[part.slice(0, i).trim()] = value;
  }
  return out;
}

function send(res: ServerResponse, r: ApiResponse): void {
  const headers: Record<string, string> = { ...SECURITY_HEADERS, 'cache-control': 'no-store', ...(r.headers ?? {}) };
  if (r.json !== undefined) {
    headers['content-type'] = 'application/json; charset=utf-8';
    res.writeHead(r.status, headers).end(JSON.stringify(r.json));
  } else {
    res.writeHead(r.status, headers).end(r.body ?? '');
  }
}

/**
 * What the office's reverse proxy in front (`behindHttps`) says in a forwarding header — its last entry, the one the
 * proxy itself appended — only when the request did come from a proxy on this machine or the office network: a client
 * on the internet cannot pose as another by sending the header itself (the entries before the last are its own words).
 */
function forwarded(req: IncomingMessage, header: 'x-forwarded-for' | 'x-forwarded-host', behindProxy: boolean): string | undefined {
  if (!behindProxy || hostKind(req.socket.remoteAddress ?? '?') !== 'private') return undefined;
  return String(req.headers[header] ?? '').split(',').map((s) => s.trim()).filter(Boolean).at(-1);
}

/** Who is asking, for the login throttle: behind the proxy, the address the proxy saw (every request comes from the proxy). */
export function clientAddress(req: IncomingMessage, behindProxy: boolean): string {
  return forwarded(req, 'x-forwarded-for', behindProxy) ?? req.socket.remoteAddress ?? '?';
}

/**
 * The host the browser asked for, as the proxy says (Apache sets X-Forwarded-Host, nginx when told): proxies that
 * rewrite Host to the upstream's (nginx's and Apache's default) would otherwise make every login "cross-origin".
 */
function forwardedHost(req: IncomingMessage, behindProxy: boolean): string | undefined {
  return forwarded(req, 'x-forwarded-host', behindProxy);
}

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const ttl = options.sessionTtlMs ?? SESSION_TTL_MS;
  const throttle = new LoginThrottle({ perClient: options.maxFailedLogins ?? 10, perUser: options.maxFailedLoginsPerUser ?? 100 });
  const staticRoot = path.resolve(options.staticDir);
  const security = cookieSecurity(options.host ?? '127.0.0.1', options.behindHttps);
  const secure = options.secureCookies ?? security.secure;
  if (security.warning && !options.behindHttps) (options.log ?? ((l: string) => process.stderr.write(`huixin: ${l}\n`)))(security.warning);

  const cookie = (value: string, maxAgeS: number) =>
    `${SESSION_COOKIE}=${value}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAgeS}${secure ? '; Secure' : ''}`;

  function checkStateChange(req: IncomingMessage): void {
    const type = req.headers['content-type'] ?? '';
    if (!type.startsWith('application/json')) throw new HttpError(415, 'state-changing requests must be application/json');
    const origin = req.headers.origin;
    if (!origin) return;
    const hosts = [req.headers.host, forwardedHost(req, options.behindHttps ?? false)].filter((h): h is string => !!h);
    if (!hosts.some((h) => origin === `http://${h}` || origin === `https://${h}`)) {
      throw new HttpError(403, options.behindHttps ? 'cross-origin request refused (the proxy must pass the Host header or X-Forwarded-Host)' : 'cross-origin request refused');
    }
  }

  async function session(req: IncomingMessage): Promise<SessionRecord | undefined> {
    return resolveSession(options.auth, cookies(req)[SESSION_COOKIE], options.clock);
  }

  async function handleAuth(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    if (pathname === '/auth/login' && req.method === 'POST') {
      checkStateChange(req);
      const body = (await readJson(req)) as { user?: unknown; password?: unknown } | undefined;
      const user = typeof body?.user === 'string' ? body.user.trim() : '';
      const client = clientAddress(req, options.behindHttps ?? false);
      const now = options.clock.now().getTime();
      if (!throttle.allowed(user, client, now)) return send(res, { status: 429, json: { error: 'too many attempts', message: '尝试次数过多，请稍后再试 / too many attempts, try later' } });
      const r = await login(options.auth, user, typeof body?.password === 'string' ? body.password : '', options.clock, ttl);
      if (!r) {
        throttle.failed(user, client, now);
        return send(res, { status: 401, json: { error: 'bad credentials', message: '用户名或密码错误 / wrong user or password' } });
      }
      throttle.succeeded(user, client);
      return send(res, {
        status: 200,
        json: { user: r.session.user, role: r.session.role, csrf: r.session.csrf, expiresAt: r.session.expiresAt },
        headers: { 'set-cookie': cookie(r.sessionId, Math.floor(ttl / 1000)) },
      });
    }
    if (pathname === '/auth/session' && req.method === 'GET') {
      const s = await session(req);
      if (!s) return send(res, { status: 401, json: { error: 'unauthenticated' } });
      return send(res, { status: 200, json: { user: s.user, role: s.role, csrf: s.csrf, expiresAt: s.expiresAt } });
    }
    if (pathname === '/auth/logout' && req.method === 'POST') {
      checkStateChange(req);
      const s = await session(req);
      if (!s) return send(res, { status: 401, json: { error: 'unauthenticated' } });
      if (!csrfMatches(s, header(req, CSRF_HEADER))) return send(res, { status: 403, json: { error: 'csrf', message: 'CSRF token missing or wrong' } });
      await logout(options.auth, cookies(req)[SESSION_COOKIE]!);
      return send(res, { status: 200, json: { ok: true }, headers: { 'set-cookie': cookie('', 0) } });
    }
    return send(res, { status: 404, json: { error: 'not found' } });
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const s = await session(req);
    const method = (req.method ?? 'GET').toUpperCase();
    let body: unknown;
    if (method !== 'GET' && method !== 'HEAD') {
      if (!s) return send(res, { status: 401, json: { error: 'unauthenticated', message: '请先登录 / log in first' } });
      checkStateChange(req);
      if (!csrfMatches(s, header(req, CSRF_HEADER))) return send(res, { status: 403, json: { error: 'csrf', message: 'CSRF token missing or wrong' } });
      body = await readJson(req);
    }
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = v;
    const r = await options.api.handle({
      method,
      path: url.pathname,
      query,
      ...(body !== undefined ? { body } : {}),
      ...(s ? { principal: { user: s.user, role: s.role } } : {}),
    });
    send(res, r);
  }

  async function handleStatic(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, { status: 405, json: { error: 'method not allowed' } });
    let rel: string;
    try {
      rel = decodeURIComponent(pathname);
    } catch {
      return send(res, { status: 400, json: { error: 'bad path' } });
    }
    if (rel.includes('\0')) return send(res, { status: 400, json: { error: 'bad path' } });
    let file = path.resolve(staticRoot, `.${rel}`);
    if (file !== staticRoot && !file.startsWith(staticRoot + path.sep)) return send(res, { status: 404, json: { error: 'not found' } });
    const isFile = await stat(file).then((s) => s.isFile(), () => false);
    if (!isFile) {
      if (path.extname(rel)) return send(res, { status: 404, body: 'not found', headers: { 'content-type': 'text/plain; charset=utf-8' } });
      rel = '/index.html'; // the single-page app's routes
      file = path.join(staticRoot, 'index.html');
    }
    let content: Buffer;
    try {
      content = await readFile(file);
    } catch {
      return send(res, { status: 503, body: '前端未构建 / the front end is not built: npm run build:web', headers: { 'content-type': 'text/plain; charset=utf-8' } });
    }
    const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
    const immutable = rel.startsWith('/assets/');
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': type, 'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache' });
    res.end(req.method === 'HEAD' ? undefined : content);
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const p = url.pathname;
    const work = p.startsWith('/api/') ? handleApi(req, res, url) : p.startsWith('/auth/') ? handleAuth(req, res, p) : handleStatic(req, res, p);
    work.catch((err: unknown) => {
      if (res.headersSent) return res.destroy();
      if (err instanceof HttpError) return send(res, { status: err.status, json: { error: err.message } });
      process.stderr.write(`huixin web: ${err instanceof Error ? err.message : String(err)}\n`);
      send(res, { status: 500, json: { error: 'internal' } });
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host ?? '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

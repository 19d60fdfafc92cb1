/**
 * startSandbox(): many simulated government sites on one plain node:http server (path-prefixed /s/<siteKey>/…),
 * plus a second listener — another origin — for the provincial 12345 platform some sites redirect to.
 * Fully scriptable: an injected clock stamps every letter, `tick(now)` delivers every reply that is due
 * (by mail through the given SMTP server and/or on the site's public list), channels break and recover on demand.
 * No timers of its own except the `slow` variant's response delay.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import iconv from 'iconv-lite';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import type { Clock } from '../shared/app/ports.ts';
import { homeBody, page, type Chrome } from './page.ts';
import { composeMail, scheduleFor, replyText, type ScheduledItem } from './replies.ts';
import type {
  BrokenReason,
  Delivery,
  LetterFields,
  RecordedPost,
  SandboxRequest,
  SandboxResponse,
  SiteSpec,
  VariantName,
  WorkingDayAdder,
} from './types.ts';
import { VARIANTS } from './variants/index.ts';
import { platformHandler } from './variants/platform-12345.ts';
import type { Session, SiteCtx, StoredLetter, Variant } from './variant.ts';
import { bjIso, esc, parseCookies, rng } from './util.ts';
import { defaultWorkingDays } from './calendar.ts';

export interface SandboxOptions {
  sites: readonly SiteSpec[];
  host?: string;
  /** 0 = a random free port. */
  port?: number;
  /** Port of the 12345 platform's listener (0 = random). */
  platformPort?: number;
  /** Where reply mails go (an SMTP server without auth/TLS, e.g. huixin's local gateway or a test's smtp-server). */
  smtp?: { host: string; port: number };
  /** Official working days (Engineer A's WorkingDayCalendar fits); default: chinese-days data. */
  calendar?: WorkingDayAdder;
  /** Stamps receivedAt of every letter; default: the system clock. */
  clock?: Clock;
  /** Response delay of `slow` sites (ms), default 10 000. */
  slowMs?: number;
  /** Seed of 查询码 / 信件编号 generation. */
  seed?: number;
  /** Told every captcha text / SMS code a gated site hands out (the CLI prints SMS codes, as a phone would show them). */
  onSecret?: (siteKey: string, kind: 'captcha' | 'sms', value: string) => void;
}

export interface SentMail {
  siteKey: string;
  letterNo: string;
  kind: 'ack' | 'reply';
  to: string;
  at: string;
  message: SendMailOptions;
}

export interface Sandbox {
  origin: string;
  /** Origin of the off-domain provincial 12345 platform. */
  platformOrigin: string;
  sites: readonly SiteSpec[];
  /** Home page of a site. */
  urlOf(siteKey: string): string;
  /** The consultation page the home page's nav link points to. */
  consultUrlOf(siteKey: string): string;
  listUrlOf(siteKey: string): string;
  queryUrlOf(siteKey: string, queryCode: string): string;
  variantOf(siteKey: string): Variant;
  /** Every POST received, in order (filter by site with `siteKey`). */
  posts(siteKey?: string): RecordedPost[];
  /** Accepted letters (the ones that arrived), in order. */
  letters(siteKey?: string): StoredLetter[];
  /** Mails handed to SMTP so far. */
  mails(): SentMail[];
  /** Deliver every ack/reply due at or before `now`; returns what was delivered, by due time. */
  tick(now: Date): Promise<Delivery[]>;
  /** When the earliest ack/reply not yet delivered falls due (undefined: nothing left to deliver). */
  nextDueAt(): Date | undefined;
  setBroken(siteKey: string, reason: BrokenReason): void;
  /** Undo setBroken (and a variant's built-in breakage). */
  recover(siteKey: string): void;
  /** Put a site's column under maintenance (503 page with the message), or lift it with undefined. */
  setMaintenance(siteKey: string, message: string | undefined): void;
  /** The last captcha text / SMS code a gated site handed out: lets a test act as the person. */
  lastSecret(siteKey: string, kind: 'captcha' | 'sms'): string | undefined;
  close(): Promise<void>;
}

/** How portals name the public list of letters and replies. */
const LIST_NAV_TEXTS = ['信件公开', '留言选登', '回复选登', '答复公开', '来信选登'];

const DEFAULT_NAMES = ['市人民政府门户网站', '市教育局网站', '区人民政府网站', '县人民政府网站', '市人力资源和社会保障局网站'];

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

class SiteState implements SiteCtx {
  readonly base: string;
  readonly name: string;
  readonly office: string;
  readonly siteCode: string | undefined;
  readonly variant: Variant;
  readonly stored: StoredLetter[] = [];
  readonly schedule = new Map<StoredLetter, ScheduledItem[]>();
  brokenOverride: BrokenReason | null | undefined;
  maintenanceMessage: string | undefined;
  readonly sessions = new Map<string, Record<string, string>>();
  readonly secrets: { captcha?: string; sms?: string } = {};
  private seq = 0;
  private readonly r: () => number;

  constructor(
    readonly spec: SiteSpec,
    private readonly sb: SandboxCore,
  ) {
    this.base = `/s/${spec.key}`;
    const v = VARIANTS[spec.variant];
    if (!v) throw new Error(`unknown sandbox variant: ${spec.variant}`);
    this.variant = v;
    this.name = spec.name ?? `${spec.key}${DEFAULT_NAMES[hash(spec.key) % DEFAULT_NAMES.length]}`;
    this.office = spec.office ?? this.name.replace(/(门户)?网站$/, '').replace(/人民政府$/, '人民政府办公室');
    this.siteCode = spec.siteCode;
    this.r = rng((sb.seed ^ hash(spec.key)) >>> 0);
  }
  get key(): string {
    return this.spec.key;
  }
  origin(): string {
    return this.sb.origin;
  }
  platformOrigin(): string {
    return this.sb.platformOrigin;
  }
  chrome(charset?: 'utf-8' | 'gbk'): Chrome {
    return {
      siteName: this.name,
      office: this.office,
      base: this.base,
      ...(this.siteCode ? { siteCode: this.siteCode } : {}),
      consultNav: [this.variant.navText, this.variant.consultHref(this)],
      listNav: [LIST_NAV_TEXTS[hash(this.base) % LIST_NAV_TEXTS.length] as string, this.variant.listHref(this)],
      charset: charset ?? this.variant.charset,
    };
  }
  now(): Date {
    return this.sb.clock.now();
  }
  rand(): number {
    return this.r();
  }
  nextSeq(): number {
    return ++this.seq;
  }
  broken(): BrokenReason | undefined {
    if (this.brokenOverride === null) return undefined;
    return this.brokenOverride ?? this.variant.defaultBroken;
  }
  maintenance(): string | undefined {
    return this.maintenanceMessage;
  }
  session(req: SandboxRequest): Session {
    const existing = req.cookies['JSESSIONID'];
    if (existing && this.sessions.has(existing)) return { id: existing, data: this.sessions.get(existing) as Record<string, string> };
    const id = `${Math.floor(this.r() * 2 ** 32).toString(16).toUpperCase().padStart(8, '0')}${Math.floor(this.r() * 2 ** 32)
      .toString(16)
      .toUpperCase()
      .padStart(8, '0')}`;
    const data: Record<string, string> = {};
    if (this.sessions.size >= 5000) this.sessions.delete(this.sessions.keys().next().value as string); // bounded, oldest first
    this.sessions.set(id, data);
    return { id, data, setCookie: `JSESSIONID=${id}; Path=${this.base}/; HttpOnly` };
  }
  private record(
    req: SandboxRequest,
    fields: Record<string, string>,
    letter: LetterFields,
    outcome: RecordedPost['outcome'],
    extra: Partial<RecordedPost>,
    variant: RecordedPost['variant'],
  ): RecordedPost {
    const post: RecordedPost = {
      siteKey: this.key,
      variant,
      receivedAt: bjIso(this.now()),
      path: req.path,
      fields,
      letter,
      outcome,
      ...extra,
    };
    this.sb.postLog.push(post);
    return post;
  }
  accept(
    req: SandboxRequest,
    fields: Record<string, string>,
    letter: LetterFields,
    codes: { queryCode: string; letterNo: string },
    variant: RecordedPost['variant'] = this.variant.name,
  ): StoredLetter {
    const receivedAt = this.now();
    // first, so that a calendar that cannot answer (year without official data) stores nothing
    const items = scheduleFor(receivedAt, this.spec.reply, this.sb.calendar);
    const stored: StoredLetter = { siteKey: this.key, variant, receivedAt, ...codes, letter, fields };
    this.stored.push(stored);
    this.sb.letterLog.push(stored);
    this.schedule.set(stored, items);
    this.record(req, fields, letter, 'accepted', codes, variant);
    return stored;
  }
  reject(
    req: SandboxRequest,
    fields: Record<string, string>,
    letter: LetterFields,
    message: string,
    outcome: 'rejected' | 'error' = 'rejected',
    variant: RecordedPost['variant'] = this.variant.name,
  ): RecordedPost {
    return this.record(req, fields, letter, outcome, { message }, variant);
  }
  letters(): StoredLetter[] {
    return this.stored;
  }
  byQueryCode(code: string): StoredLetter | undefined {
    return this.stored.find((l) => l.queryCode.toUpperCase() === code.toUpperCase());
  }
  recordSecret(kind: 'captcha' | 'sms', value: string): void {
    this.secrets[kind] = value;
    this.sb.onSecret?.(this.key, kind, value);
  }
}

/** The state shared by the sites and the platform. */
export interface SandboxCore {
  origin: string;
  platformOrigin: string;
  clock: Clock;
  calendar: WorkingDayAdder;
  seed: number;
  postLog: RecordedPost[];
  letterLog: StoredLetter[];
  onSecret: SandboxOptions['onSecret'];
  site(key: string): SiteState | undefined;
  allSites(): SiteState[];
}
export type { SiteState };

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 5 * 1024 * 1024) throw new Error('request body too large');
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, r: SandboxResponse): void {
  const charset = r.charset ?? 'utf-8';
  const body = r.body === undefined ? Buffer.alloc(0) : typeof r.body === 'string' ? (charset === 'gbk' ? iconv.encode(r.body, 'gbk') : Buffer.from(r.body, 'utf8')) : r.body;
  const headers: Record<string, string | string[]> = {
    'content-type': r.contentType ?? `text/html; charset=${charset}`,
    'content-length': String(body.length),
    server: 'Apache-Coyote/1.1',
    ...r.headers,
  };
  res.writeHead(r.status, headers);
  res.end(body);
}

function toRequest(req: IncomingMessage, body: Buffer, stripPrefix: string): SandboxRequest {
  const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    path: url.pathname.slice(stripPrefix.length) || '/',
    query: url.searchParams,
    headers: req.headers,
    body,
    cookies: parseCookies(req.headers.cookie),
  };
}

async function listen(server: Server, host: string, port: number): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const a = server.address() as AddressInfo;
  return `http://${host}:${a.port}`;
}

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const host = options.host ?? '127.0.0.1';
  const slowMs = options.slowMs ?? 10_000;
  const abort = new AbortController();
  const states = new Map<string, SiteState>();
  const core: SandboxCore = {
    origin: '',
    platformOrigin: '',
    clock: options.clock ?? { now: () => new Date() },
    calendar: options.calendar ?? defaultWorkingDays(),
    seed: options.seed ?? 20260302,
    postLog: [],
    letterLog: [],
    onSecret: options.onSecret,
    site: (k) => states.get(k),
    allSites: () => [...states.values()],
  };
  for (const spec of options.sites) {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(spec.key)) throw new Error(`sandbox site key must be lowercase [a-z0-9-]: ${spec.key}`);
    if (states.has(spec.key)) throw new Error(`duplicate sandbox site key: ${spec.key}`);
    states.set(spec.key, new SiteState(spec, core));
  }
  const platform = platformHandler(core);

  async function handleSite(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    if (url.pathname === '/' || url.pathname === '/index.html') {
      const items = [...states.values()]
        .map((s) => `<li><a href="${s.base}/">${esc(s.name)}</a> <span class="tip">${s.variant.name}</span></li>`)
        .join('\n');
      return send(res, { status: 200, body: `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>huixin sandbox</title></head><body><h1>模拟政府网站（huixin sandbox）</h1><ul>${items}</ul></body></html>` });
    }
    const m = /^\/s\/([a-z0-9-]+)(\/.*)?$/.exec(url.pathname);
    const state = m ? states.get(m[1] as string) : undefined;
    if (!m || !state) return send(res, { status: 404, body: '<h1>404 Not Found</h1>' });
    if (!m[2]) return send(res, { status: 301, headers: { location: `${state.base}/` } });
    const body = await readBody(req);
    const sreq = toRequest(req, body, state.base);
    if (state.variant.name === 'slow') await sleep(state.spec.slowMs ?? slowMs, undefined, { signal: abort.signal });
    if (sreq.path === '/' || sreq.path === '/index.html') {
      return send(res, { status: 200, charset: state.variant.charset, body: page(state.chrome(), '首页', homeBody(state.chrome())) });
    }
    const out = await state.variant.handle(state, sreq);
    if (out) return send(res, out);
    if (/^\/(zwgk|zwfw|zjwm)\//.test(sreq.path) && sreq.method === 'GET') {
      return send(res, { status: 200, charset: state.variant.charset, body: page(state.chrome(), '政务公开', '<p>栏目内容更新中。</p>') });
    }
    return send(res, { status: 404, body: '<h1>404 Not Found</h1><p>您访问的页面不存在。</p>' });
  }

  const wrap = (h: (req: IncomingMessage, res: ServerResponse) => Promise<void>) => (req: IncomingMessage, res: ServerResponse) => {
    h(req, res).catch((err: unknown) => {
      if (abort.signal.aborted) {
        res.destroy();
        return;
      }
      if (!res.headersSent) send(res, { status: 500, body: `<h1>500</h1><p>系统繁忙，请稍后再试。</p><!-- ${esc(String(err))} -->` });
      else res.destroy();
    });
  };
  const siteServer = createServer(wrap(handleSite));
  const platformServer = createServer(
    wrap(async (req, res) => {
      const body = await readBody(req);
      send(res, await platform(toRequest(req, body, '')));
    }),
  );
  core.origin = await listen(siteServer, host, options.port ?? 0);
  core.platformOrigin = await listen(platformServer, host, options.platformPort ?? 0);

  const transport = options.smtp
    ? nodemailer.createTransport({ host: options.smtp.host, port: options.smtp.port, secure: false, ignoreTLS: true, name: 'mail.sandbox.gov.cn', pool: true, maxConnections: 1 })
    : undefined;
  const sent: SentMail[] = [];

  const get = (key: string): SiteState => {
    const s = states.get(key);
    if (!s) throw new Error(`no sandbox site ${key}`);
    return s;
  };

  async function tick(now: Date): Promise<Delivery[]> {
    const due: Array<{ s: SiteState; l: StoredLetter; item: ScheduledItem }> = [];
    for (const s of states.values())
      for (const [l, items] of s.schedule) for (const item of items) if (!item.done && item.dueAt.getTime() <= now.getTime()) due.push({ s, l, item });
    due.sort((a, b) => a.item.dueAt.getTime() - b.item.dueAt.getTime());
    const out: Delivery[] = [];
    let firstError: unknown;
    for (const { s, l, item } of due) {
      const at = bjIso(item.dueAt);
      try {
        if (item.mail && l.letter.email) {
          const msg = composeMail(item.kind, l, { siteKey: s.key, siteName: s.name, office: s.office, style: s.spec.mailStyle ?? 'utf8-qp', noInReplyTo: s.spec.noInReplyTo ?? false }, item.dueAt);
          if (transport) await transport.sendMail(msg);
          sent.push({ siteKey: s.key, letterNo: l.letterNo, kind: item.kind, to: l.letter.email, at, message: msg });
          out.push({ siteKey: s.key, letterNo: l.letterNo, queryCode: l.queryCode, kind: item.kind, channel: 'mail', at, to: l.letter.email, subject: msg.subject ?? '', messageId: msg.messageId });
        }
        if (item.list) {
          if (item.kind === 'ack') l.listAck = { at: item.dueAt };
          else l.listReply = { at: item.dueAt, text: replyText(l, s.office, item.dueAt) };
          out.push({ siteKey: s.key, letterNo: l.letterNo, queryCode: l.queryCode, kind: item.kind, channel: 'list', at });
        }
        item.done = true;
      } catch (err) {
        firstError ??= err; // stays due: the next tick retries
      }
    }
    if (firstError) throw firstError;
    return out;
  }

  function nextDueAt(): Date | undefined {
    let min: Date | undefined;
    for (const s of states.values())
      for (const items of s.schedule.values()) for (const item of items) if (!item.done && (!min || item.dueAt < min)) min = item.dueAt;
    return min;
  }

  return {
    origin: core.origin,
    platformOrigin: core.platformOrigin,
    sites: options.sites,
    urlOf: (k) => `${core.origin}${get(k).base}/`,
    consultUrlOf: (k) => `${core.origin}${get(k).variant.consultHref(get(k))}`,
    listUrlOf: (k) => `${core.origin}${get(k).variant.listHref(get(k))}`,
    queryUrlOf: (k, code) => `${core.origin}${get(k).variant.queryHref(get(k), code)}`,
    variantOf: (k) => get(k).variant,
    posts: (k) => core.postLog.filter((p) => !k || p.siteKey === k),
    letters: (k) => core.letterLog.filter((l) => !k || l.siteKey === k),
    mails: () => [...sent],
    tick,
    nextDueAt,
    setBroken: (k, reason) => {
      get(k).brokenOverride = reason;
    },
    recover: (k) => {
      get(k).brokenOverride = null;
    },
    setMaintenance: (k, message) => {
      get(k).maintenanceMessage = message;
    },
    lastSecret: (k, kind) => get(k).secrets[kind],
    async close() {
      abort.abort();
      transport?.close();
      await Promise.all(
        [siteServer, platformServer].map(
          (s) =>
            new Promise<void>((resolve) => {
              s.close(() => resolve());
              s.closeAllConnections();
            }),
        ),
      );
    },
  };
}

export type { VariantName };

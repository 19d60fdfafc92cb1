/**
 * The daily channel health check.
 *
 * 1. A cheap HTTP-only pre-check (`precheckChannel`): fetch the page, decode it (GBK too), and look for a <form>
 *    with a <textarea> and no gate hints. That is enough to call most of ~14,000 channels `ready` without a browser.
 * 2. Whatever the pre-check cannot vouch for (no textarea, iframes, scripts building the form, captcha/login hints,
 *    HTTP errors) goes to the browser dry-run: open, find, fill, never submit — ready/gated/unavailable/script-broken
 *    with a screenshot.
 * The result is appended to the site's stream as `channel.checked` with the evidence hashes.
 */
import { decodePage } from '../domain/reply-lists/charset.ts';
import { streamOf, type DomainEvent } from '../domain/events.ts';
import type { SiteProfile } from '../domain/forms/profile.ts';
import type { FormSubmitter, SubmitResult } from '../domain/forms/submission.ts';
import type { Persona } from '../domain/model.ts';
import { ids } from './ids.ts';
import type { Clock, EventStore, ObjectStore, Queue, SiteStore } from './ports.ts';
import { mapLimit } from './map-limit.ts';
import { createHash } from 'node:crypto';
import { pageStructure } from '../domain/forms/fingerprint.ts';

export type PrecheckStatus = 'form' | 'needs-browser' | 'unreachable' | 'http-error';

export interface PrecheckResult {
  status: PrecheckStatus;
  reason: string;
  httpStatus?: number;
  finalUrl?: string;
  /** The fetched HTML (decoded), for the evidence. */
  html?: string;
  ms: number;
}

/** What the pre-check fetches with: `fetch`, or (in production) one that refuses addresses no site may have. */
export type HttpGet = (url: string, init?: RequestInit) => Promise<Response>;

/** HTTP-only look at a consultation page. Never throws. */
export async function precheckChannel(url: string, options: { timeoutMs?: number; fetchImpl?: HttpGet } = {}): Promise<PrecheckResult> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  const f = options.fetchImpl ?? fetch;
  let res: Response;
  try {
    res = await f(url, {
      redirect: 'follow',
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/153.0 Safari/537.36', accept: 'text/html,*/*' },
    });
  } catch (err) {
    const m = err instanceof Error ? `${err.name} ${err.message} ${String((err as { cause?: unknown }).cause ?? '')}` : String(err);
    return { status: 'unreachable', reason: /Timeout|abort/i.test(m) ? 'timeout' : /ENOTFOUND|EAI_AGAIN/.test(m) ? 'dns' : 'connection', ms: ms() };
  }
  const bytes = Buffer.from(await res.arrayBuffer().catch(() => new ArrayBuffer(0)));
  const html = decodePage(bytes, res.headers.get('content-type'));
  const base = { httpStatus: res.status, finalUrl: res.url || url, html };
  if (res.status >= 400) return { ...base, status: 'http-error', reason: `http-${res.status}`, ms: ms() };
  const lower = html.toLowerCase();
  const hasTextarea = /<textarea[\s>]/i.test(html);
  const hasForm = /<form[\s>]/i.test(html);
  const gateHint = /验证码|校验码|统一身份认证|请先登录|type=["']?password/i.test(html);
  if (hasForm && hasTextarea && !gateHint && !/<iframe[\s>]/i.test(lower)) return { ...base, status: 'form', reason: 'form-with-textarea', ms: ms() };
  return { ...base, status: 'needs-browser', reason: !hasTextarea ? 'no-textarea-in-html' : gateHint ? 'gate-hint' : 'iframe', ms: ms() };
}

export type ChannelStatus = 'ready' | 'gated' | 'unavailable' | 'script-broken';

export interface CheckChannelDeps {
  submitter: FormSubmitter;
  objects: ObjectStore;
  clock: Clock;
  events?: EventStore;
  fetchImpl?: HttpGet;
}

export interface CheckChannelInput {
  siteId: string;
  url: string;
  /**
   * `auto` (default): the HTTP pre-check, and the browser only when it cannot vouch for the form (a broken channel
   * is always confirmed by the browser, which also takes the screenshot for the alert); `browser`: always the dry-run.
   */
  mode?: 'auto' | 'browser';
  profile?: SiteProfile;
  persona?: Persona;
}

export interface ChannelCheck {
  siteId: string;
  url: string;
  status: ChannelStatus;
  reason: string;
  via: 'http' | 'browser';
  checkedAt: string;
  finalUrl: string;
  evidence: Record<string, { key: string; sha256: string }>;
  timings: Record<string, number>;
  /** sha256 of the page's structure (see pageStructure), when the HTTP look fetched it. */
  structure?: string;
  /** When the browser last vouched for this unchanged page (a check that reused its verdict). */
  browserCheckedAt?: string;
}

const PROBE = { title: '办理居住证需要哪些材料？', body: '您好，我刚来本地工作不久，想办理居住证。请问需要准备哪些材料？' };

/** A page the HTTP look cannot vouch for is opened in the browser again only when its structure changed, or after this. */
export const BROWSER_RECHECK_MS = 7 * 24 * 3_600_000;

export async function checkChannel(deps: CheckChannelDeps, input: CheckChannelInput): Promise<ChannelCheck> {
  const checkedAt = deps.clock.now();
  const prefix = `channel-checks/${input.siteId}/${checkedAt.toISOString().replace(/[:.]/g, '-')}`;
  const mode = input.mode ?? (input.profile ? 'browser' : 'auto');
  const previous = (await deps.events?.latest(streamOf.site(input.siteId), 'channel.checked'))?.data as ChannelCheck | undefined;
  let check: ChannelCheck | undefined;
  let structure: string | undefined;
  if (mode === 'auto') {
    const pre = await precheckChannel(input.url, { fetchImpl: deps.fetchImpl });
    const evidence: ChannelCheck['evidence'] = {};
    if (pre.html !== undefined) {
      // Content-addressed: a page that did not change is not stored again (the event still names its hash).
      const sha256 = createHash('sha256').update(pre.html).digest('hex');
      const key = `channel-checks/${input.siteId}/pages/${sha256}.html`;
      if (previous?.evidence?.html?.sha256 !== sha256) await deps.objects.put(key, pre.html, 'text/html; charset=utf-8');
      evidence.html = { key, sha256 };
      structure = createHash('sha256').update(pageStructure(pre.html)).digest('hex');
    }
    const base = { siteId: input.siteId, url: input.url, via: 'http' as const, checkedAt: checkedAt.toISOString(), finalUrl: pre.finalUrl ?? input.url, evidence, timings: { httpMs: pre.ms }, ...(structure ? { structure } : {}) };
    if (pre.status === 'form') check = { ...base, status: 'ready', reason: pre.reason };
    else if (pre.status === 'needs-browser' && previous && structure) {
      // Same structure as when the browser last vouched for it (within a week): the browser would see what it saw then.
      const vouchedAt = previous.via === 'browser' ? previous.checkedAt : previous.browserCheckedAt;
      const fresh = vouchedAt !== undefined && checkedAt.getTime() - Date.parse(vouchedAt) < BROWSER_RECHECK_MS;
      if (fresh && previous.structure === structure && (previous.status === 'ready' || previous.status === 'gated')) {
        const reason = previous.reason.replace(/^unchanged-since-browser-check:/, '');
        check = { ...base, status: previous.status, reason: `unchanged-since-browser-check:${reason}`, browserCheckedAt: vouchedAt };
      }
    }
  }
  if (!check) {
    const persona = input.persona ?? { name: '王伟', phone: '13800000000', email: 'check@example.invalid' };
    const r: SubmitResult = await deps.submitter.submit({
      url: input.url,
      content: { name: persona.name, phone: persona.phone, email: persona.email, ...PROBE },
      dryRun: true,
      profile: input.profile,
      evidencePrefix: prefix,
    });
    const evidence: ChannelCheck['evidence'] = {};
    if (r.evidence.screenshot) evidence.screenshot = { key: r.evidence.screenshot.key, sha256: r.evidence.screenshot.sha256 };
    if (r.evidence.html) evidence.html = { key: r.evidence.html.key, sha256: r.evidence.html.sha256 };
    const status: ChannelStatus = r.outcome === 'ready' ? 'ready' : r.outcome === 'gated' ? 'gated' : r.outcome === 'script-broken' ? 'script-broken' : 'unavailable';
    check = { siteId: input.siteId, url: input.url, status, reason: r.reason, via: 'browser', checkedAt: checkedAt.toISOString(), finalUrl: r.evidence.finalUrl, evidence, timings: r.evidence.timings, ...(structure ? { structure } : {}) };
  }
  if (deps.events) {
    const event: DomainEvent = {
      id: ids.event(checkedAt),
      stream: streamOf.site(input.siteId),
      type: 'channel.checked',
      at: check.checkedAt,
      recordedAt: deps.clock.now().toISOString(),
      actor: 'function:check-channel',
      data: { ...check },
    };
    await deps.events.append(event);
  }
  return check;
}

/** Sites per check message: a message's checks (mostly plain HTTP, a browser for some) fit well inside one run. */
export const CHECK_BATCH = 20;

/** One message of the daily check: the sites one check-channel run looks at. */
export interface CheckBatch {
  sites: Array<{ siteId: string }>;
}

/**
 * The daily check of every channel, fanned out: the registry's sites (or the ones named) in messages of `batch`
 * sites on the check queue, each message one check-channel run — so a national registry is checked by many short
 * runs, a few at a time, instead of one run that cannot finish. Returns how many sites and messages.
 */
export async function fanOutChannelChecks(
  deps: { sites: Pick<SiteStore, 'listSites'>; queue: Queue<CheckBatch> },
  options: { batch?: number; siteIds?: readonly string[] } = {},
): Promise<{ sites: number; messages: number }> {
  const batch = options.batch ?? CHECK_BATCH;
  const siteIds = options.siteIds?.length ? [...new Set(options.siteIds)] : (await deps.sites.listSites()).map((s) => s.id);
  const messages: CheckBatch[] = [];
  for (let i = 0; i < siteIds.length; i += batch) messages.push({ sites: siteIds.slice(i, i + batch).map((siteId) => ({ siteId })) });
  await mapLimit(messages, 10, (m) => deps.queue.send(m));
  return { sites: siteIds.length, messages: messages.length };
}

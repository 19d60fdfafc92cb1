/**
 * Poll a site's public reply list for one letter: fetch the query page for its 查询码 (or the list page and find
 * the row), follow the row's detail link if needed, and record what the site states — `reply.seen` with source
 * `reply-list`, the stated reply time (`day` precision for a bare date) and when we first saw it (`recordedAt`).
 * Re-polling records nothing new: the event id is derived from the letter and the stated time.
 * A list is followed by its 下一页 links or postbacks (MAX_LIST_PAGES). A stated time before the submission or after the fetch is
 * not trustworthy evidence: the first-seen time is recorded, the stated one kept (`statedRejected`).
 */
import { beijingDate, beijingDay, startOfBeijingDayMs } from '../domain/beijing-time.ts';
import { streamOf, type DomainEvent } from '../domain/events.ts';
import type { Letter } from '../domain/model.ts';
import { charsetOf, decodePage, encodeForm } from '../domain/reply-lists/charset.ts';
import { framesOf, linksOf, nextPageOf, nextPostbackOf, queryFormOf, queryTemplateOf } from '../domain/reply-lists/discover.ts';
import { findLetterReply, type ReplyListEntry } from '../domain/reply-lists/parse.ts';
import { guessReplyListProfile } from '../domain/reply-lists/profile.ts';
import { deterministicId } from './ids.ts';
import type { Clock, EventStore, LetterFinder, SiteStore } from './ports.ts';

/** A form sent the way a browser sends it (a POST look-up form), with the cookies its page set. */
export interface FetchRequest {
  method: 'POST';
  body: string;
  contentType: string;
  cookie?: string;
}

/** What a fetch brings back; `cookies` are the `name=value` pairs the page set (for a form sent after it). */
export interface FetchedPage {
  status: number;
  contentType: string | null;
  body: Uint8Array;
  url: string;
  cookies?: string[];
}

export type Fetcher = (url: string, request?: FetchRequest) => Promise<FetchedPage>;

/**
 * Where a site's list lives. `{code}` (and `{password}`) in a template are replaced by the URL-encoded 查询码 (and
 * 查询密码). `queryPage` is a page whose look-up form is sent by POST: it is read again at every poll, as its hidden
 * fields (ASP.NET's __VIEWSTATE, a token bound to the session cookie) are only good for that visit.
 */
export interface ReplyListProfile {
  queryUrl?: string;
  queryPage?: string;
  listUrl?: string;
}

export interface ReplyListDeps {
  events: EventStore;
  finder: Pick<LetterFinder, 'recordFirstReply'>;
  clock: Clock;
  fetch: Fetcher;
}

export interface PollResult {
  letterId: string;
  found: boolean;
  entry: ReplyListEntry | null;
  url: string | null;
  recorded: boolean;
  eventId: string | null;
  firstReplyChanged: boolean;
}

/** The daily poll runs at 08:00 Beijing time (the DailyReplyListPoll schedule in AWS; the demo and `serve` alike). */
export const DAILY_POLL_HOUR = 8;

/** Whether the daily poll is due at `nowMs`, the last one having run on Beijing date `lastPollDate`: once a day, from 08:00. */
export function dailyPollDue(lastPollDate: string | undefined, nowMs: number): boolean {
  return beijingDate(nowMs) !== lastPollDate && nowMs - startOfBeijingDayMs(beijingDay(nowMs)) >= DAILY_POLL_HOUR * 3_600_000;
}

/** A page is untrusted input: only its first bytes are read. */
const MAX_PAGE_BYTES = 4_000_000;
/** List pages followed by their 下一页 link when the letter is not on the first. */
const MAX_LIST_PAGES = 5;
/** Frames of a query result read after it, when it has no answer of its own (a list page's count among its pages). */
const MAX_FRAMES = 2;

/** A fetched page, decoded, with its charset (for a form sent from it) and the cookies it set. */
interface Page {
  html: string;
  url: string;
  charset: string;
  cookies: string[];
}

async function page(deps: ReplyListDeps, url: string, request?: FetchRequest): Promise<Page | null> {
  const r = await deps.fetch(url, request);
  if (r.status === 404) return null;
  if (r.status >= 400) throw new Error(`HTTP ${r.status} for ${url}`);
  const body = r.body.subarray(0, MAX_PAGE_BYTES);
  return { html: decodePage(body, r.contentType), url: r.url, charset: charsetOf(r.contentType, body), cookies: r.cookies ?? [] };
}

/** The list's next page: its 下一页 link, or the postback its 下一页 script sends (with the session's cookies). */
function nextOf(p: Page, cookieBefore?: string): { url: string; key: string; request?: FetchRequest } | null {
  const url = nextPageOf(p.html, p.url);
  if (url) return { url, key: url };
  const postback = nextPostbackOf(p.html, p.url);
  if (!postback) return null;
  return { url: postback.action, key: `${postback.action} ${postback.key}`, request: formPost(p, postback.action, postback.fields, cookieBefore) };
}

/**
 * A form sent from page `p` to `action` by POST, as a browser sends it: in the page's charset, with the session's
 * cookies (those sent before, updated by the ones the page set) — never to another origin.
 */
function formPost(p: Page, action: string, fields: ReadonlyArray<readonly [string, string]>, cookieBefore?: string): FetchRequest {
  const jar = new Map<string, string>();
  for (const c of [...(cookieBefore ? cookieBefore.split('; ') : []), ...p.cookies]) jar.set(c.slice(0, c.indexOf('=')), c);
  const cookie = jar.size > 0 && new URL(action).origin === new URL(p.url).origin ? [...jar.values()].join('; ') : undefined;
  return { method: 'POST', body: encodeForm(fields, p.charset), contentType: 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) };
}

/**
 * The answer of a look-up form, filled in as a person would: the page is read, its form found again, the code (and
 * the 查询密码, when the form asks for one) typed in, the form sent with the page's hidden fields and cookies. Null
 * when the page has no look-up form any more, or it asks for a password the letter has none of.
 */
async function lookUp(deps: ReplyListDeps, queryPage: string, letter: Letter): Promise<Page | null> {
  const p = await page(deps, queryPage);
  const form = p && queryFormOf(p.html, p.url);
  if (!p || !form || !letter.queryCode || (form.passwordField && !letter.queryPassword)) return null;
  const fields = form.fields.map(([k, v]): [string, string] => [k, k === form.codeField ? letter.queryCode! : k === form.passwordField ? letter.queryPassword! : v]);
  if (form.method === 'get') {
    const u = new URL(form.action);
    u.search = encodeForm(fields, p.charset);
    return page(deps, u.toString());
  }
  return page(deps, form.action, formPost(p, form.action, fields));
}

/**
 * The stated time, when it can be the reply's: not before the letter was submitted (a site whose clock or data is
 * wrong — 答复时间 before its own 来信时间 — states nothing trustworthy) and not after we saw it. Compared at the
 * stated precision: a date-only time on the submission day is fine.
 */
function statedProblem(statedAt: string, precision: 'instant' | 'day', submittedAt: string | undefined, now: Date): 'before-submission' | 'in-the-future' | null {
  const ms = Date.parse(precision === 'day' ? `${statedAt}T00:00:00+08:00` : statedAt);
  if (!Number.isFinite(ms)) return 'in-the-future';
  const day = (t: number) => new Date(t + 8 * 3_600_000).toISOString().slice(0, 10);
  const sub = submittedAt ? Date.parse(submittedAt) : NaN;
  if (Number.isFinite(sub) && (precision === 'day' ? statedAt < day(sub) : ms < sub)) return 'before-submission';
  if (precision === 'day' ? statedAt > day(now.getTime()) : ms > now.getTime() + 10 * 60_000) return 'in-the-future';
  return null;
}

export async function pollReplyList(deps: ReplyListDeps, letter: Letter, profile: ReplyListProfile): Promise<PollResult> {
  const key = { ...(letter.queryCode ? { queryCode: letter.queryCode } : {}), title: letter.title, ...(letter.submittedAt ? { submittedAt: letter.submittedAt } : {}) };
  const now = deps.clock.now();
  const targets: Array<{ url: string; ours: boolean; form?: boolean }> = [];
  const needsPassword = profile.queryUrl?.includes('{password}') ?? false;
  if (profile.queryUrl && letter.queryCode && (!needsPassword || letter.queryPassword)) {
    const url = profile.queryUrl.replaceAll('{code}', encodeURIComponent(letter.queryCode)).replaceAll('{password}', encodeURIComponent(letter.queryPassword ?? ''));
    targets.push({ url, ours: true });
  }
  if (profile.queryPage && letter.queryCode) targets.push({ url: profile.queryPage, ours: true, form: true });
  if (profile.listUrl) targets.push({ url: profile.listUrl, ours: false });
  let entry: ReplyListEntry | null = null;
  let where: string | null = null;
  for (const target of targets) {
    let next: { url: string; key: string; request?: FetchRequest } | null = { url: target.url, key: target.url };
    const seen = new Set<string>();
    // a list is read page by page (下一页: a link, or an ASP.NET postback) until the letter's row shows up; a query
    // result is one page. A page that shows its list (or its answer) in a frame on its own origin and has no 下一页 of
    // its own: the frame's page is read next (and paged in turn).
    const frames: string[] = [];
    for (let n = 0; next && !seen.has(next.key) && n < (target.ours ? 1 + MAX_FRAMES : MAX_LIST_PAGES); n++) {
      seen.add(next.key);
      const p: Page | null = target.form && n === 0 ? await lookUp(deps, next.url, letter) : await page(deps, next.url, next.request);
      if (!p) break;
      entry = findLetterReply(p.html, key, { now, ours: target.ours });
      where = p.url;
      if (entry) break;
      frames.push(...framesOf(p.html, p.url).filter((f) => !seen.has(f) && !frames.includes(f)));
      const turn: ReturnType<typeof nextOf> = target.ours ? null : nextOf(p, next.request?.cookie);
      const frame: string | undefined = turn ? undefined : frames.shift();
      next = turn ?? (frame ? { url: frame, key: frame } : null);
    }
    if (entry && !entry.content && entry.detailHref && where) {
      const detailUrl = new URL(entry.detailHref, where).toString();
      const d = await page(deps, detailUrl);
      const detail = d ? findLetterReply(d.html, key, { now, ours: true }) : null;
      if (detail) {
        // the detail page says more than the row: its answer (an acknowledgement is none) decides, when it has one
        const says = detail.status !== null || detail.content !== null || detail.repliedAt !== null;
        entry = { ...entry, ...Object.fromEntries(Object.entries(detail).filter(([, v]) => v !== null)), replied: says ? detail.replied : entry.replied };
        where = d!.url;
      }
    }
    if (entry) break;
  }
  const result: PollResult = { letterId: letter.id, found: !!entry, entry, url: where, recorded: false, eventId: null, firstReplyChanged: false };
  if (!entry || !entry.replied) return result;

  const statedAt = entry.repliedAt;
  const known = (await deps.events.stream(streamOf.letter(letter.id))).find(
    (e) => e.type === 'reply.seen' && e.data.source === 'reply-list' && (e.data.statedAt ?? null) === (statedAt ?? null),
  );
  if (known) return { ...result, eventId: known.id };
  const problem = statedAt ? statedProblem(statedAt, entry.precision ?? 'day', letter.submittedAt, now) : null;
  const trusted = statedAt && !problem ? statedAt : null;
  const at = trusted ? (entry.precision === 'day' ? `${trusted}T00:00:00+08:00` : trusted) : now.toISOString();
  const precision = trusted ? entry.precision! : 'instant';
  const event: DomainEvent = {
    id: deterministicId('e', new Date(at), `${letter.id}:reply-list:${statedAt ?? 'unstated'}`),
    stream: streamOf.letter(letter.id),
    type: 'reply.seen',
    at,
    recordedAt: now.toISOString(),
    actor: 'function:poll-reply-lists',
    data: {
      source: 'reply-list',
      precision,
      kind: 'reply',
      statedAt: statedAt ?? null,
      ...(statedAt ? { statedPrecision: entry.precision } : {}),
      timeSource: trusted ? 'stated' : 'first-seen',
      ...(problem ? { statedRejected: problem } : {}),
      status: entry.status,
      excerpt: (entry.content ?? '').replace(/\s+/g, ' ').slice(0, 500),
      url: where,
      ...(entry.queryCode ? { queryCode: entry.queryCode } : {}),
      ...(entry.replier ? { replier: entry.replier } : {}),
      ...(entry.askedAt ? { siteAskedAt: entry.askedAt } : {}),
    },
  };
  await deps.events.append(event);
  const r = await deps.finder.recordFirstReply(letter.id, { at, source: 'reply-list', precision, eventId: event.id });
  return { ...result, recorded: true, eventId: event.id, firstReplyChanged: r.changed };
}

/**
 * Where a letter's reply will be published, when no profile says: a known platform guessed from the URL the letter
 * was finally submitted to (a 12345 redirect included — the channel, not the site), else the query/list pages that
 * the submission page or its origin's home page link to (see shared/domain/reply-lists/discover.ts).
 */
export async function discoverReplyListProfile(fetch: Fetcher, submittedTo: string, alsoLookAt: readonly string[] = []): Promise<ReplyListProfile | null> {
  const known = guessReplyListProfile(submittedTo);
  if (known) return { queryUrl: known.queryUrl, listUrl: known.listUrl };
  const profile: ReplyListProfile = {};
  const load = async (url: string) => {
    try {
      const r = await fetch(url);
      return r.status < 400 ? { html: decodePage(r.body, r.contentType), url: r.url } : null;
    } catch {
      return null;
    }
  };
  /** A GET look-up becomes a URL template; a POST one makes its page the one to fill in at every poll. */
  const lookUpOf = (page: { html: string; url: string }) => {
    const template = queryTemplateOf(page.html, page.url);
    if (template) profile.queryUrl ??= template;
    else if (queryFormOf(page.html, page.url)?.method === 'post') profile.queryPage ??= page.url;
  };
  const found = () => !!(profile.queryUrl || profile.queryPage);
  const origin = new URL(submittedTo).origin;
  const visited = new Set<string>();
  const examine = async (start: string) => {
    visited.add(start);
    const page = await load(start);
    if (!page) return;
    lookUpOf(page);
    const links = linksOf(page.html, page.url);
    profile.listUrl ??= links.listPages[0];
    for (const q of links.queryPages) {
      if (found()) break;
      const qp = await load(q);
      if (qp) lookUpOf(qp);
    }
  };
  for (const start of new Set([submittedTo, ...alsoLookAt, `${origin}/`])) {
    await examine(start);
    if (found() && profile.listUrl) break;
  }
  // the list page, as a citizen would look there next: its look-up form or 信件查询 link
  if (!found() && profile.listUrl && !visited.has(profile.listUrl)) await examine(profile.listUrl);
  if (!profile.queryUrl) delete profile.queryUrl;
  if (!profile.queryPage) delete profile.queryPage;
  if (!profile.listUrl) delete profile.listUrl;
  return found() || profile.listUrl ? profile : null;
}

/** Each letter's reply-list profile, found once: see `replyListProfiles`. */
export interface ReplyListProfiles {
  of(letter: Letter): Promise<ReplyListProfile | null>;
  /** Drop a letter's entry (it has its reply: no more polls). */
  forget(letterId: string): void;
}

/**
 * Where each letter's reply will be listed, discovered from the URL it was finally submitted to (its submission
 * evidence: a 12345 redirect counts) and its site's pages, once per letter and once per site + origin. The daily
 * poll and the deadline poll share it, in AWS and on the embedded default alike.
 */
export function replyListProfiles(deps: { events: Pick<EventStore, 'stream'>; sites: Pick<SiteStore, 'getSite'>; fetch: Fetcher }): ReplyListProfiles {
  const bySite = new Map<string, Promise<ReplyListProfile | null>>();
  const byLetter = new Map<string, Promise<ReplyListProfile | null>>();
  async function find(letter: Letter): Promise<ReplyListProfile | null> {
    const events = await deps.events.stream(streamOf.letter(letter.id));
    const submitted = events.filter((e) => e.type === 'letter.submitted' || e.type === 'letter.submission-recorded').at(-1);
    const evidence = submitted?.data.evidence as { finalUrl?: string; formUrl?: string } | undefined;
    const site = await deps.sites.getSite(letter.siteId);
    const url = evidence?.formUrl || evidence?.finalUrl || site?.consultUrl;
    if (!url) return null;
    const key = `${letter.siteId} ${new URL(url).origin}`;
    let p = bySite.get(key);
    if (!p) {
      p = discoverReplyListProfile(deps.fetch, url, site ? [site.consultUrl, site.homeUrl].filter(Boolean) : []);
      bySite.set(key, p);
      p.catch(() => bySite.delete(key));
    }
    return p;
  }
  return {
    of(letter) {
      let p = byLetter.get(letter.id);
      if (!p) {
        p = find(letter);
        byLetter.set(letter.id, p);
        p.catch(() => byLetter.delete(letter.id));
      }
      return p;
    },
    forget: (letterId) => void byLetter.delete(letterId),
  };
}

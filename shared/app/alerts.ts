/**
 * Alerts on broken comment channels, and the staff's daily digest.
 *
 * - `runAlerts`: read the alert feed (the channel observations — `channel.checked`, letters' final submission
 *   outcomes — and maintenance announcements recorded since the run cursor, with a look-back), group it by site and
 *   visit only those sites plus the sites with time-driven work (open/suspected incidents, unqueued notifications):
 *   re-check a suspected channel (confirmation by a retry) when a `recheck` is wired, apply the new observations to
 *   the incident state machine (shared/domain/alerts/incidents.ts), add the reminders that are due, and put the
 *   resulting messages in the outbox — one per incident, or ONE digest when more than K break (recover, are
 *   reminded) in the same run. A run's cost follows what changed, not sites × history. The very first run (no
 *   cursor yet), a run for given `siteIds`, or an event store without the feed read each site's streams instead.
 * - `processChannelObservation(s)`: the same for observations a caller already has (e.g. a batch of checks).
 * - `sendPending`: deliver the outbox; a failed send is retried with exponential backoff (delays go through the
 *   injected `sleep`, so tests move a fake clock) and every attempt is recorded: `alert.sent` / `alert.failed` on
 *   the site's stream and on each letter's stream involved, so alerts appear on both timelines.
 * - `runDailyDigest`: overdue letters, gated letters waiting for a person, held mail, open incidents — one message a day.
 * - `announceMaintenance`: a `channel.maintenance` event; failures inside the window are neither alerted nor counted.
 */
import { streamOf, type DomainEvent } from '../domain/events.ts';
import { InputError, ConflictError } from '../domain/errors.ts';
import {
  currentWindows,
  DEFAULT_POLICY,
  isActive,
  maintenanceWindows,
  observationOf,
  observe,
  reminderDue,
  type AlertPolicy,
  type ChannelObservation,
  type Incident,
  type MaintenanceWindow,
  type Notification,
} from '../domain/alerts/incidents.ts';
import { composeMessages, dailyDigest, type AlertMessage, type RenderContext, type SiteInfo } from '../domain/alerts/messages.ts';
import { afterFailure, afterSuccess, DEFAULT_RETRY, deliveriesFor, redactTarget, sendableTarget, type AlertTarget, type Delivery, type RetryPolicy } from '../domain/alerts/outbox.ts';
import type { Letter, Site } from '../domain/model.ts';
import type { AlertRunCursor, AlertStore, SiteAlertState } from './alerts-ports.ts';
import { ids } from './ids.ts';
import type { Clock, EventStore, LetterStore, MailRecord, ObjectStore, SiteStore } from './ports.ts';
import type { AlertSender } from '../adapters/alerts/senders.ts';

export interface AlertDeps {
  alerts: AlertStore;
  events: EventStore;
  sites: Pick<SiteStore, 'listSites' | 'getSite'>;
  letters: Pick<LetterStore, 'lettersOfSite' | 'getLetter'>;
  sender: AlertSender;
  clock: Clock;
  targets: readonly AlertTarget[];
  objects?: Pick<ObjectStore, 'locate'>;
  notifySupervisors?: boolean;
  /** The dashboard's address (no trailing slash): alerts link to a site's page there. */
  dashboardUrl?: string;
  policy?: AlertPolicy;
  retry?: RetryPolicy;
  /** Backoff waits go through here (tests advance their clock instead of sleeping). Default: setTimeout. */
  sleep?: (ms: number) => Promise<void>;
  /** Re-check a suspected channel now (it appends a `channel.checked`); absent → the next scheduled check confirms. */
  recheck?: (site: Site) => Promise<void>;
  /** Sites checked concurrently by `runAlerts` (default 8). */
  concurrency?: number;
  actor?: string;
  log?: (message: string) => void;
}

export interface RunResult {
  notifications: Notification[];
  messages: AlertMessage[];
  /** Deliveries newly put in the outbox. */
  queued: number;
  /** Failures not alerted because the site was under announced maintenance. */
  suppressed: { siteId: string; eventId: string }[];
  /** Sites with a suspected incident still waiting for its confirming re-check (within RECHECK_WINDOW_MS of its last failure). */
  suspected: string[];
}

const policyOf = (d: AlertDeps) => d.policy ?? DEFAULT_POLICY;
const SEEN_MAX = 200;

/**
 * A suspected channel is sent for its confirming re-check by the runs of this long after its last failure; after
 * that the next daily check decides. A re-check that says nothing (our script broke, the site is in announced
 * maintenance) is therefore not asked for again by every run — 48 browser visits a day to one government site.
 */
const RECHECK_WINDOW_MS = 2 * 3_600_000;
const awaitsRecheck = (i: Incident | undefined, now: Date) => i?.state === 'suspected' && now.getTime() - Date.parse(i.lastObservedAt) < RECHECK_WINDOW_MS;

// ---------------------------------------------------------------------------------------------------------------
// observations → incidents

async function windowsOf(deps: Pick<AlertDeps, 'events'>, siteId: string, siteEvents?: DomainEvent[]): Promise<MaintenanceWindow[]> {
  return maintenanceWindows(siteEvents ?? (await deps.events.stream(streamOf.site(siteId))));
}

/** New observations of one site since its cursor: its `channel.checked` events and its letters' final outcomes. */
async function newObservations(deps: AlertDeps, siteId: string, state: SiteAlertState | undefined, siteEvents: DomainEvent[]): Promise<{ obs: ChannelObservation[]; events: DomainEvent[] }> {
  const since = state ? Date.parse(state.cursor.at) : -Infinity;
  const seen = new Set(state?.cursor.seen ?? []);
  const fresh = (e: DomainEvent) => Date.parse(e.recordedAt) >= since && !seen.has(e.id);
  const events: DomainEvent[] = siteEvents.filter((e) => e.type === 'channel.checked' && fresh(e));
  const letters = (await deps.letters.lettersOfSite(siteId)).filter(
    (l: Letter) => (l.state === 'unavailable' || l.state === 'submitted' || l.state === 'unconfirmed') && Date.parse(l.updatedAt) >= since - 60_000,
  );
  for (const l of letters) {
    for (const e of await deps.events.stream(streamOf.letter(l.id))) {
      if ((e.type === 'letter.unavailable' || e.type === 'letter.submitted' || e.type === 'letter.unconfirmed') && fresh(e)) events.push(e);
    }
  }
  const obs = events.map((e) => observationOf(e, siteId)).filter((o): o is ChannelObservation => !!o);
  obs.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.eventId.localeCompare(b.eventId));
  return { obs, events };
}

/** Events recorded up to this long before the newest one read are read again (and skipped by id): late writers are not lost. */
const LOOKBACK_MS = 10 * 60_000;

function advanceCursor(state: SiteAlertState | undefined, events: readonly DomainEvent[]): SiteAlertState['cursor'] {
  const cur = state?.cursor ?? { at: new Date(0).toISOString(), seen: [] };
  if (events.length === 0) return cur;
  const newest = Math.max(...events.map((e) => Date.parse(e.recordedAt)));
  const at = new Date(Math.max(Date.parse(cur.at), newest - LOOKBACK_MS)).toISOString();
  return { at, seen: [...cur.seen, ...events.map((e) => e.id)].slice(-SEEN_MAX) };
}

const sameWindows = (a: readonly MaintenanceWindow[], b: readonly MaintenanceWindow[]) =>
  a.length === b.length && a.every((w) => b.some((x) => x.eventId === w.eventId));

interface SiteOutcome {
  notifications: Notification[];
  suppressed: { siteId: string; eventId: string }[];
  suspected: boolean;
}

/** Apply observations to one site's state (conditional write; re-read and re-apply on a lost race). */
async function applyToSite(deps: AlertDeps, siteId: string, read: (state: SiteAlertState | undefined) => Promise<{ obs: ChannelObservation[]; events: DomainEvent[]; windows: MaintenanceWindow[] }>, withReminder: boolean): Promise<SiteOutcome> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const state = await deps.alerts.getSiteState(siteId);
    const read1 = await read(state);
    const { obs, events } = read1;
    // windows known from earlier runs (kept on the state) and any just read
    const windows = [...(state?.maintenance ?? []), ...read1.windows.filter((w) => !state?.maintenance?.some((k) => k.eventId === w.eventId))];
    const keptWindows = currentWindows(windows, deps.clock.now());
    const windowsChanged = !sameWindows(state?.maintenance ?? [], keptWindows);
    let incident = state?.incident;
    const carried = state?.unqueued ?? [];
    const notifications: Notification[] = [...carried];
    const suppressed: { siteId: string; eventId: string }[] = [];
    let recheck = false;
    const changed: Incident[] = [];
    for (const o of obs) {
      const r = observe(incident, o, windows, policyOf(deps));
      if (r.ignored === 'maintenance') suppressed.push({ siteId, eventId: o.eventId });
      if (r.incident !== incident && r.incident) changed.push(r.incident);
      incident = r.incident;
      notifications.push(...r.notifications);
      recheck = r.recheck;
    }
    if (withReminder && incident && isActive(incident)) {
      const due = reminderDue(incident, deps.clock.now(), windows, policyOf(deps));
      if (due) {
        incident = due.incident;
        changed.push(incident);
        notifications.push(due);
      }
    }
    // Nothing changed (no new events, or only no-ops: a working channel without an incident, a duplicate, a stale
    // replay): no write. Reading those events again later is harmless — they are no-ops then too (an incident opened
    // since makes them stale) — and it saves the day's ~14,000 cursor-only writes.
    if (changed.length === 0 && suppressed.length === 0 && !windowsChanged) return { notifications, suppressed, suspected: recheck || awaitsRecheck(incident, deps.clock.now()) };
    const next: SiteAlertState = {
      siteId,
      ...(incident ? { incident } : {}),
      ...(notifications.length ? { unqueued: notifications } : {}),
      ...(keptWindows.length ? { maintenance: keptWindows } : {}),
      cursor: advanceCursor(state, events),
      version: (state?.version ?? 0) + 1,
    };
    try {
      await deps.alerts.putSiteState(next, state?.version ?? 0);
    } catch (err) {
      if (err instanceof ConflictError) continue;
      throw err;
    }
    // every incident touched (an old one may have recovered and a new one opened in the same batch), last state of each
    for (const i of new Map(changed.map((c) => [c.id, c])).values()) await deps.alerts.recordIncident(i);
    return { notifications, suppressed, suspected: recheck || awaitsRecheck(incident, deps.clock.now()) };
  }
  throw new ConflictError(`alert state of site ${siteId}: too much contention`);
}

/** Site names for rendering: the given sites one by one (a run's few), or the whole registry (the daily digest). */
async function renderContext(deps: AlertDeps, siteIds?: readonly string[]): Promise<RenderContext> {
  const list = siteIds
    ? (await Promise.all([...new Set(siteIds)].map((id) => deps.sites.getSite(id)))).filter((x): x is Site => !!x)
    : await deps.sites.listSites();
  const sites = new Map<string, SiteInfo>(list.map((s) => [s.id, s]));
  const dashboard = deps.dashboardUrl;
  return {
    site: (id) => sites.get(id),
    locate: (key) => deps.objects?.locate(key) ?? key,
    ...(dashboard ? { sitePage: (id: string) => `${dashboard}/#/site/${encodeURIComponent(id)}` } : {}),
    now: deps.clock.now(),
  };
}

/** Put messages in the outbox (idempotent by message id). Returns how many deliveries were new. */
export async function enqueue(deps: AlertDeps, messages: readonly AlertMessage[]): Promise<number> {
  let n = 0;
  for (const m of messages) {
    for (const d of deliveriesFor(m, deps.targets, { notifySupervisors: deps.notifySupervisors ?? false, now: deps.clock.now() })) {
      if (await deps.alerts.createDelivery(d)) n++;
    }
  }
  if (messages.length > 0 && deps.targets.length === 0) deps.log?.('alerts: no alert targets configured (HUIXIN_ALERT_EMAILS / HUIXIN_ALERT_WEBHOOKS): messages are kept in the incident history only');
  return n;
}

const notificationKey = (n: Notification) => `${n.kind}|${n.incident.id}|${n.at}`;

/** Once queued, drop the notifications from the sites' `unqueued` (conditional; re-read on a lost race). */
async function markQueued(deps: AlertDeps, notifications: readonly Notification[]): Promise<void> {
  const bySite = new Map<string, Set<string>>();
  for (const n of notifications) bySite.set(n.incident.siteId, (bySite.get(n.incident.siteId) ?? new Set()).add(notificationKey(n)));
  for (const [siteId, keys] of bySite) {
    for (let attempt = 0; attempt < 5; attempt++) {
      const state = await deps.alerts.getSiteState(siteId);
      if (!state?.unqueued?.length) break;
      const rest = state.unqueued.filter((n) => !keys.has(notificationKey(n)));
      const { unqueued: _drop, ...base } = state;
      try {
        await deps.alerts.putSiteState({ ...base, ...(rest.length ? { unqueued: rest } : {}), version: state.version + 1 }, state.version);
        break;
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
      }
    }
  }
}

async function finish(deps: AlertDeps, outcomes: SiteOutcome[], suspectedIds: string[]): Promise<RunResult> {
  const notifications = [...new Map(outcomes.flatMap((o) => o.notifications).map((n) => [notificationKey(n), n])).values()];
  const messages = notifications.length ? composeMessages(notifications, policyOf(deps), await renderContext(deps, notifications.map((n) => n.incident.siteId))) : [];
  const queued = await enqueue(deps, messages);
  await markQueued(deps, notifications);
  return { notifications, messages, queued, suppressed: outcomes.flatMap((o) => o.suppressed), suspected: suspectedIds };
}

/** Apply observations a caller already has (one run: a digest when many break at once). */
export async function processChannelObservations(deps: AlertDeps, observations: readonly ChannelObservation[]): Promise<RunResult> {
  const bySite = new Map<string, ChannelObservation[]>();
  for (const o of observations) bySite.set(o.siteId, [...(bySite.get(o.siteId) ?? []), o]);
  const outcomes: SiteOutcome[] = [];
  const suspected: string[] = [];
  for (const [siteId, obs] of bySite) {
    const sorted = [...obs].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    const o = await applyToSite(deps, siteId, async () => ({ obs: sorted, events: [], windows: await windowsOf(deps, siteId) }), false);
    outcomes.push(o);
    if (o.suspected) suspected.push(siteId);
  }
  return finish(deps, outcomes, suspected);
}

export async function processChannelObservation(deps: AlertDeps, observation: ChannelObservation): Promise<RunResult> {
  return processChannelObservations(deps, [observation]);
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i] as T);
      }
    }),
  );
  return out;
}

/**
 * The scheduled run. Reads the alert feed since the run cursor when the event store has one (see the file header);
 * otherwise — and for the first run ever, and for a run limited to `siteIds` — each site's own streams.
 */
export async function runAlerts(deps: AlertDeps, options: { siteIds?: readonly string[] } = {}): Promise<RunResult> {
  const runStart = deps.clock.now();
  if (options.siteIds || !deps.events.recordedBetween) return runOverStreams(deps, options.siteIds);
  const cursor = await deps.alerts.getRunCursor();
  // First run on the feed: read every site's streams once (events recorded before the feed existed), then the feed.
  const result = cursor ? await runOverFeed(deps, cursor, runStart) : await runOverStreams(deps);
  await advanceRunCursor(deps, cursor, new Date(runStart.getTime() - LOOKBACK_MS).toISOString());
  return result;
}

/** Move the run cursor forward to `at` (never back: two overlapping runs keep the later cursor). */
async function advanceRunCursor(deps: AlertDeps, known: AlertRunCursor | undefined, at: string): Promise<void> {
  let cur = known;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (cur && Date.parse(cur.at) >= Date.parse(at)) return;
    try {
      await deps.alerts.putRunCursor({ at, version: (cur?.version ?? 0) + 1 }, cur?.version ?? 0);
      return;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      cur = await deps.alerts.getRunCursor();
    }
  }
}

/** Visit the sites through the alert feed: those with new events and those with time-driven work, nothing else. */
async function runOverFeed(deps: AlertDeps, cursor: AlertRunCursor, runStart: Date): Promise<RunResult> {
  const feed = await deps.events.recordedBetween!(cursor.at, runStart.toISOString());
  // A letter's events are on the letter's stream: its site is on the letter (one read per letter, this run only).
  const letterIds = [...new Set(feed.filter((e) => e.stream.startsWith('letter:')).map((e) => e.stream.slice('letter:'.length)))];
  const siteOfLetter = new Map<string, string | undefined>();
  await mapLimit(letterIds, deps.concurrency ?? 8, async (id) => void siteOfLetter.set(id, (await deps.letters.getLetter(id))?.siteId));
  const bySite = new Map<string, DomainEvent[]>();
  for (const e of feed) {
    const [kind, id = ''] = [e.stream.slice(0, e.stream.indexOf(':')), e.stream.slice(e.stream.indexOf(':') + 1)];
    const siteId = kind === 'site' ? id : kind === 'letter' ? siteOfLetter.get(id) : undefined;
    if (siteId) bySite.set(siteId, [...(bySite.get(siteId) ?? []), e]);
  }
  for (const st of await deps.alerts.listPendingWork()) if (!bySite.has(st.siteId)) bySite.set(st.siteId, []);

  const suspected: string[] = [];
  const readFeed = (siteId: string, siteEvents: readonly DomainEvent[]) => async (state: SiteAlertState | undefined) => {
    const since = state ? Date.parse(state.cursor.at) : -Infinity;
    const seen = new Set(state?.cursor.seen ?? []);
    const events = [...new Map(siteEvents.map((e) => [e.id, e])).values()].filter((e) => Date.parse(e.recordedAt) >= since && !seen.has(e.id));
    const obs = events.map((e) => observationOf(e, siteId)).filter((o): o is ChannelObservation => !!o);
    obs.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.eventId.localeCompare(b.eventId));
    return { obs, events, windows: maintenanceWindows(events) };
  };
  const outcomes = await mapLimit([...bySite], deps.concurrency ?? 8, async ([siteId, siteEvents]) => {
    let o = await applyToSite(deps, siteId, readFeed(siteId, siteEvents), true);
    if (o.suspected && deps.recheck) {
      const site = await deps.sites.getSite(siteId);
      if (site) {
        await deps.recheck(site);
        // the re-check appended a `channel.checked`: its newest one, not the site's history
        const latest = await deps.events.latest(streamOf.site(siteId), 'channel.checked');
        const again = await applyToSite(deps, siteId, readFeed(siteId, [...siteEvents, ...(latest ? [latest] : [])]), false);
        o = { notifications: again.notifications, suppressed: [...o.suppressed, ...again.suppressed], suspected: again.suspected };
      }
    }
    if (o.suspected) suspected.push(siteId);
    return o;
  });
  return finish(deps, outcomes, suspected);
}

/** Visit every registry site (or the given ones) reading its whole streams: the first run, targeted runs, no feed. */
async function runOverStreams(deps: AlertDeps, siteIds?: readonly string[]): Promise<RunResult> {
  const sites = await deps.sites.listSites();
  const wanted = siteIds ? new Set(siteIds) : undefined;
  const list = wanted ? sites.filter((s) => wanted.has(s.id)) : sites;
  const suspected: string[] = [];
  const readSite = (siteId: string) => async (state: SiteAlertState | undefined) => {
    const siteEvents = await deps.events.stream(streamOf.site(siteId));
    const { obs, events } = await newObservations(deps, siteId, state, siteEvents);
    return { obs, events, windows: await windowsOf(deps, siteId, siteEvents) };
  };
  const outcomes = await mapLimit(list, deps.concurrency ?? 8, async (site) => {
    let o = await applyToSite(deps, site.id, readSite(site.id), true);
    if (o.suspected && deps.recheck) {
      await deps.recheck(site);
      const again = await applyToSite(deps, site.id, readSite(site.id), false);
      // `again` carries the first pass's notifications (they were saved as unqueued with the state)
      o = { notifications: again.notifications, suppressed: [...o.suppressed, ...again.suppressed], suspected: again.suspected };
    }
    if (o.suspected) suspected.push(site.id);
    return o;
  });
  return finish(deps, outcomes, suspected);
}

// ---------------------------------------------------------------------------------------------------------------
// delivery

export interface SendResult {
  sent: number;
  /** Failed attempts (retried later). */
  failedAttempts: number;
  /** Deliveries given up after the last attempt. */
  gaveUp: number;
}

async function record(deps: AlertDeps, d: Delivery, type: 'alert.sent' | 'alert.failed', extra: Record<string, unknown>): Promise<void> {
  const now = deps.clock.now();
  const data = {
    deliveryId: d.id,
    messageId: d.messageId,
    kind: d.message.kind,
    ...(d.message.of ? { of: d.message.of } : {}),
    subject: d.message.subject,
    target: d.target.id,
    targetKind: d.target.kind,
    attempt: d.attempts,
    incidentIds: d.message.incidentIds,
    ...extra,
  };
  const streams = [...d.message.siteIds.map(streamOf.site), ...d.message.letterIds.map(streamOf.letter)];
  for (const stream of streams) {
    await deps.events.append({ id: ids.event(now), stream, type, at: now.toISOString(), recordedAt: now.toISOString(), actor: deps.actor ?? 'function:send-alerts', data });
  }
}

/** A delivery being sent is leased for this long: a concurrent pass skips it; a crashed sender's lease runs out. */
const LEASE_MS = 10 * 60_000;

/** One pass over the due deliveries. */
async function sendPass(deps: AlertDeps): Promise<SendResult> {
  const out: SendResult = { sent: 0, failedAttempts: 0, gaveUp: 0 };
  const now = deps.clock.now();
  for (const d of await deps.alerts.listPending()) {
    if (Date.parse(d.nextAttemptAt) > now.getTime()) continue;
    // claim it (conditional write): two senders never both send the same delivery. The target is (re)written
    // redacted: a record from before redaction loses its URL and secret here.
    const claimed: Delivery = { ...d, target: redactTarget(d.target), nextAttemptAt: new Date(deps.clock.now().getTime() + LEASE_MS).toISOString(), version: d.version + 1 };
    try {
      await deps.alerts.updateDelivery(claimed, d.version);
    } catch (err) {
      if (err instanceof ConflictError) continue;
      throw err;
    }
    let error: string | undefined;
    try {
      const target = sendableTarget(d.target, deps.targets);
      if (!target) throw new Error(`目标 ${d.target.id} 已不在配置中 / target ${d.target.id} (${d.target.kind}) is no longer configured`);
      await deps.sender.send(target, d.message);
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    const after = error === undefined ? afterSuccess(claimed, deps.clock.now()) : afterFailure(claimed, deps.clock.now(), error, deps.retry ?? DEFAULT_RETRY);
    await deps.alerts.updateDelivery(after, claimed.version);
    if (error === undefined) {
      out.sent++;
      await record(deps, after, 'alert.sent', {});
    } else {
      out.failedAttempts++;
      if (after.status === 'failed') out.gaveUp++;
      await record(deps, after, 'alert.failed', { error: after.lastError, final: after.status === 'failed', ...(after.status === 'pending' ? { nextAttemptAt: after.nextAttemptAt } : {}) });
      deps.log?.(`alerts: ${d.id} attempt ${after.attempts} failed: ${error}`);
    }
  }
  return out;
}

/**
 * Deliver what is due. With `untilSettled`, wait (through `deps.sleep`) for each retry's backoff until every
 * delivery is sent or given up — the CLI and tests; the scheduled function makes one pass per invocation.
 */
export async function sendPending(deps: AlertDeps, options: { untilSettled?: boolean } = {}): Promise<SendResult> {
  const total: SendResult = { sent: 0, failedAttempts: 0, gaveUp: 0 };
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let pass = 0; pass < 100; pass++) {
    const r = await sendPass(deps);
    total.sent += r.sent;
    total.failedAttempts += r.failedAttempts;
    total.gaveUp += r.gaveUp;
    if (!options.untilSettled) break;
    const pending = await deps.alerts.listPending();
    if (pending.length === 0) break;
    const next = Math.min(...pending.map((d) => Date.parse(d.nextAttemptAt)));
    const wait = next - deps.clock.now().getTime();
    if (wait > 0) await sleep(wait);
  }
  return total;
}

// ---------------------------------------------------------------------------------------------------------------
// daily digest, maintenance, listing

export interface DigestSources {
  overdue(asOf: string): Promise<Letter[]>;
  gated(): Promise<{ letter: Letter; reason: string; campaignName: string; gatedAt?: string }[]>;
  held(): Promise<MailRecord[]>;
}

/** The day's digest message (not queued: a preview). */
export async function buildDailyDigest(deps: AlertDeps, sources: DigestSources, asOf: Date = deps.clock.now()): Promise<AlertMessage> {
  const [overdue, gated, held, active] = await Promise.all([sources.overdue(asOf.toISOString()), sources.gated(), sources.held(), deps.alerts.listActive()]);
  return dailyDigest(
    {
      asOf,
      overdue: overdue.map((l) => ({ letterId: l.id, siteId: l.siteId, title: l.title, ...(l.submittedAt ? { submittedAt: l.submittedAt } : {}), ...(l.deadlineAt ? { deadlineAt: l.deadlineAt } : {}) })),
      gated: gated.map((g) => ({ letterId: g.letter.id, siteId: g.letter.siteId, reason: g.reason, campaignName: g.campaignName, ...(g.gatedAt ? { gatedAt: g.gatedAt } : {}) })),
      held: held.map((h) => ({ mailId: h.id, subject: h.subject, from: h.from, receivedAt: h.receivedAt, ...(h.heldReason ? { reason: h.heldReason } : {}) })),
      openIncidents: active.map((s) => s.incident).filter((i): i is Incident => i?.state === 'open'),
    },
    { ...(await renderContext(deps)), now: asOf },
  );
}

/** Build the day's digest and put it in the outbox (once a day: its id is the Beijing date). */
export async function runDailyDigest(deps: AlertDeps, sources: DigestSources, asOf: Date = deps.clock.now()): Promise<{ message: AlertMessage; queued: number }> {
  const message = await buildDailyDigest(deps, sources, asOf);
  return { message, queued: await enqueue(deps, [message]) };
}

export interface MaintenanceInput {
  siteId: string;
  from: string;
  to: string;
  reason: string;
  by: string;
}

/** Announce a maintenance window: a `channel.maintenance` event on the site's stream. */
export async function announceMaintenance(deps: Pick<AlertDeps, 'events' | 'clock' | 'sites'>, input: MaintenanceInput): Promise<DomainEvent> {
  const from = Date.parse(input.from);
  const to = Date.parse(input.to);
  if (Number.isNaN(from) || Number.isNaN(to)) throw new InputError('--from/--to: ISO-8601 times with an offset, e.g. 2026-03-02T08:00:00+08:00');
  if (to <= from) throw new InputError('--to must be after --from');
  if (!input.reason.trim()) throw new InputError('--reason is required');
  if (!(await deps.sites.getSite(input.siteId))) throw new InputError(`no site ${input.siteId} in the registry`);
  const now = deps.clock.now();
  const event: DomainEvent = {
    id: ids.event(now),
    stream: streamOf.site(input.siteId),
    type: 'channel.maintenance',
    at: now.toISOString(),
    recordedAt: now.toISOString(),
    actor: `staff:${input.by}`,
    data: { from: input.from, to: input.to, reason: input.reason.trim() },
  };
  await deps.events.append(event);
  return event;
}

/** Maintenance windows of the given sites (for the report: F's `maintenance` input). */
export async function maintenanceOf(deps: Pick<AlertDeps, 'events'>, siteIds: readonly string[]): Promise<MaintenanceWindow[]> {
  const out: MaintenanceWindow[] = [];
  for (const id of siteIds) out.push(...(await windowsOf(deps, id)));
  return out;
}

/**
 * Broken-channel incidents: a pure state machine. No I/O, no clock: every function takes the instant it reasons about.
 *
 * Observations of a site's consultation channel (the daily health check's `channel.checked`, a submission's
 * `letter.unavailable` / `letter.submitted`…) move the site's current incident:
 *
 *   (none) ──failed check──▶ suspected ──failed re-check──▶ open (→ one `broken` alert)
 *   (none) ──letter.unavailable (already retried)──────────▶ open (→ one `broken` alert)
 *   suspected ──ok──▶ dismissed (no alert: a blip)          open ──ok──▶ recovered (→ one `recovered` notice)
 *   open ──every N days──▶ `reminder`
 *
 * Inside an announced maintenance window (`channel.maintenance` from/to) a failure is neither alerted nor counted.
 */
import type { DomainEvent } from '../events.ts';

export type ObservationSource = 'check' | 'submission';

/** One look at a channel. `ok: null` = says nothing about the channel (gated form works; script-broken is ours). */
export interface ChannelObservation {
  siteId: string;
  url: string;
  at: string;
  ok: boolean | null;
  /** ready | gated | unavailable | script-broken | submitted … */
  status: string;
  reason: string;
  source: ObservationSource;
  /** A failure already confirmed by a retry (a letter becomes `unavailable` only after its retry). */
  confirmed: boolean;
  eventId: string;
  letterId?: string;
  screenshot?: { key: string; sha256: string };
  html?: { key: string; sha256: string };
}

export interface MaintenanceWindow {
  siteId: string;
  from: string;
  to: string;
  reason: string;
  eventId: string;
}

export type IncidentState = 'suspected' | 'open' | 'recovered' | 'dismissed';

export interface Incident {
  /** `inc-<siteId>-<event id of the first failed observation>`: deterministic, so replays do not duplicate. */
  id: string;
  siteId: string;
  url: string;
  state: IncidentState;
  reason: string;
  /** First failed observation. */
  startedAt: string;
  confirmedAt?: string;
  recoveredAt?: string;
  lastObservedAt: string;
  lastRemindedAt?: string;
  reminders: number;
  failures: number;
  screenshot?: { key: string; sha256: string };
  html?: { key: string; sha256: string };
  letterIds: string[];
  eventIds: string[];
}

export type NotificationKind = 'broken' | 'recovered' | 'reminder';

export interface Notification {
  kind: NotificationKind;
  incident: Incident;
  at: string;
}

export interface AlertPolicy {
  /** Failed health checks in a row before an incident is confirmed (the first + its re-check). */
  confirmChecks: number;
  /** Reminder every N days while an incident stays open. */
  reminderDays: number;
  /** More than K notifications of one kind in one run become one digest message. */
  digestThreshold: number;
}

export const DEFAULT_POLICY: AlertPolicy = { confirmChecks: 2, reminderDays: 3, digestThreshold: 5 };

const DAY_MS = 86_400_000;
const ms = (iso: string) => Date.parse(iso);

export function isActive(i: Incident | undefined): i is Incident {
  return !!i && (i.state === 'suspected' || i.state === 'open');
}

/** The window covering `at` for this site, if any. */
export function maintenanceAt(windows: readonly MaintenanceWindow[], siteId: string, at: string): MaintenanceWindow | undefined {
  const t = ms(at);
  return windows.find((w) => w.siteId === siteId && ms(w.from) <= t && t < ms(w.to));
}

export interface ObserveResult {
  /** The site's current incident after the observation (undefined: none ever, or unchanged absence). */
  incident: Incident | undefined;
  notifications: Notification[];
  /** The observation changed nothing (duplicate, neutral, or suppressed by maintenance). */
  ignored?: 'duplicate' | 'neutral' | 'maintenance' | 'stale';
  /** A suspected incident wants a re-check to confirm it. */
  recheck: boolean;
}

/** Apply one observation to the site's current incident. */
export function observe(
  current: Incident | undefined,
  obs: ChannelObservation,
  windows: readonly MaintenanceWindow[],
  policy: AlertPolicy = DEFAULT_POLICY,
): ObserveResult {
  const active = isActive(current) ? current : undefined;
  if (current?.eventIds.includes(obs.eventId)) return { incident: current, notifications: [], ignored: 'duplicate', recheck: false };
  if (obs.ok === null) return { incident: current, notifications: [], ignored: 'neutral', recheck: false };
  // older than what the incident (even a closed one) already knows: a late replay, not news
  if (current && ms(obs.at) < ms(current.lastObservedAt)) return { incident: current, notifications: [], ignored: 'stale', recheck: false };

  if (obs.ok) {
    if (!active) return { incident: current, notifications: [], recheck: false };
    if (active.state === 'suspected') {
      return { incident: { ...active, state: 'dismissed', lastObservedAt: obs.at, recoveredAt: obs.at, eventIds: [...active.eventIds, obs.eventId] }, notifications: [], recheck: false };
    }
    const recovered: Incident = { ...active, state: 'recovered', recoveredAt: obs.at, lastObservedAt: obs.at, eventIds: [...active.eventIds, obs.eventId] };
    return { incident: recovered, notifications: [{ kind: 'recovered', incident: recovered, at: obs.at }], recheck: false };
  }

  // a failure
  if (maintenanceAt(windows, obs.siteId, obs.at)) return { incident: current, notifications: [], ignored: 'maintenance', recheck: false };
  const base: Incident = active ?? {
    id: `inc-${obs.siteId}-${obs.eventId}`,
    siteId: obs.siteId,
    url: obs.url,
    state: 'suspected',
    reason: obs.reason,
    startedAt: obs.at,
    lastObservedAt: obs.at,
    reminders: 0,
    failures: 0,
    letterIds: [],
    eventIds: [],
  };
  const next: Incident = {
    ...base,
    reason: obs.reason || base.reason,
    lastObservedAt: obs.at,
    failures: base.failures + 1,
    eventIds: [...base.eventIds, obs.eventId].slice(-50),
    letterIds: obs.letterId && !base.letterIds.includes(obs.letterId) ? [...base.letterIds, obs.letterId] : base.letterIds,
    ...(obs.screenshot ? { screenshot: obs.screenshot } : {}),
    ...(obs.html ? { html: obs.html } : {}),
  };
  if (next.state === 'open') return { incident: next, notifications: [], recheck: false };
  if (obs.confirmed || next.failures >= policy.confirmChecks) {
    const opened: Incident = { ...next, state: 'open', confirmedAt: obs.at };
    return { incident: opened, notifications: [{ kind: 'broken', incident: opened, at: obs.at }], recheck: false };
  }
  return { incident: next, notifications: [], recheck: true };
}

/**
 * A reminder is due for an open incident every `reminderDays` after its confirmation — counted from the confirmation,
 * not from the last reminder, so a run that decides a little later than the one before does not push every following
 * reminder later in the day (towards the night); one per period however many runs were missed; none in maintenance.
 */
export function reminderDue(incident: Incident, now: Date, windows: readonly MaintenanceWindow[], policy: AlertPolicy = DEFAULT_POLICY): Notification | undefined {
  if (incident.state !== 'open' || !incident.confirmedAt) return undefined;
  const confirmed = ms(incident.confirmedAt);
  const period = (t: number) => Math.floor((t - confirmed) / (policy.reminderDays * DAY_MS));
  if (period(now.getTime()) <= (incident.lastRemindedAt ? period(ms(incident.lastRemindedAt)) : 0)) return undefined;
  const at = now.toISOString();
  if (maintenanceAt(windows, incident.siteId, at)) return undefined;
  const reminded: Incident = { ...incident, lastRemindedAt: at, reminders: incident.reminders + 1 };
  return { kind: 'reminder', incident: reminded, at };
}

/** Maintenance windows announced on a site's stream (`channel.maintenance` with data {from, to, reason}). */
export function maintenanceWindows(events: readonly DomainEvent[]): MaintenanceWindow[] {
  const out: MaintenanceWindow[] = [];
  for (const e of events) {
    if (e.type !== 'channel.maintenance') continue;
    const { from, to, reason } = e.data as { from?: unknown; to?: unknown; reason?: unknown };
    if (typeof from !== 'string' || typeof to !== 'string' || Number.isNaN(ms(from)) || Number.isNaN(ms(to))) continue;
    out.push({ siteId: e.stream.slice(e.stream.indexOf(':') + 1), from, to, reason: typeof reason === 'string' ? reason : '', eventId: e.id });
  }
  return out;
}

/**
 * The event types alerting reads: channel observations (a site's `channel.checked`, a letter's final submission
 * outcome) and maintenance announcements. The event store indexes exactly these by the time they were recorded
 * (the alert feed), so a scheduled run reads what changed, not every site's history.
 */
export const ALERT_FEED_TYPES = ['channel.checked', 'channel.maintenance', 'letter.unavailable', 'letter.submitted', 'letter.unconfirmed'] as const;

export function isAlertFeedEvent(event: Pick<DomainEvent, 'type'>): boolean {
  return (ALERT_FEED_TYPES as readonly string[]).includes(event.type);
}

/** Keep the windows still worth knowing at `now` (ended less than `keepMs` ago), one per event id, in start order. */
export function currentWindows(windows: readonly MaintenanceWindow[], now: Date, keepMs = 30 * DAY_MS): MaintenanceWindow[] {
  const byId = new Map<string, MaintenanceWindow>();
  for (const w of windows) if (ms(w.to) >= now.getTime() - keepMs) byId.set(w.eventId, w);
  return [...byId.values()].sort((a, b) => ms(a.from) - ms(b.from) || a.eventId.localeCompare(b.eventId));
}

type Evidence = { key: string; sha256: string };
const evidenceOf = (v: unknown): Evidence | undefined => {
  const o = v as { key?: unknown; sha256?: unknown } | undefined;
  return o && typeof o.key === 'string' && typeof o.sha256 === 'string' ? { key: o.key, sha256: o.sha256 } : undefined;
};

/**
 * The observation an event carries, if it is one: `channel.checked` (site stream) or a letter's final submission
 * outcome (`letter.unavailable` is a confirmed failure; `letter.submitted`/`letter.unconfirmed` show the channel works).
 */
export function observationOf(event: DomainEvent, siteId: string): ChannelObservation | undefined {
  const d = event.data as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  if (event.type === 'channel.checked') {
    const status = str(d.status);
    const ev = (d.evidence ?? {}) as Record<string, unknown>;
    const screenshot = evidenceOf(ev.screenshot);
    const html = evidenceOf(ev.html);
    return {
      siteId,
      url: str(d.url),
      at: event.at,
      ok: status === 'ready' || status === 'gated' ? true : status === 'unavailable' ? false : null,
      status,
      reason: str(d.reason),
      source: 'check',
      confirmed: false,
      eventId: event.id,
      ...(screenshot ? { screenshot } : {}),
      ...(html ? { html } : {}),
    };
  }
  if (event.type === 'letter.unavailable' || event.type === 'letter.submitted' || event.type === 'letter.unconfirmed') {
    const ev = (d.evidence ?? {}) as Record<string, unknown>;
    const channel = (d.channel ?? {}) as Record<string, unknown>;
    const screenshot = evidenceOf(ev.screenshot);
    const html = evidenceOf(ev.html);
    const failed = event.type === 'letter.unavailable';
    return {
      siteId,
      url: str(channel.url) || str(ev.formUrl) || str(ev.finalUrl),
      at: failed ? event.recordedAt : event.at,
      ok: !failed,
      status: event.type.slice('letter.'.length),
      reason: str(d.reason),
      source: 'submission',
      confirmed: failed,
      eventId: event.id,
      letterId: event.stream.slice(event.stream.indexOf(':') + 1),
      ...(screenshot ? { screenshot } : {}),
      ...(html ? { html } : {}),
    };
  }
  return undefined;
}

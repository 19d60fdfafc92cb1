/**
 * A stored campaign (campaign, sites, letters and their events) → the normalised report input. Pure.
 *
 * - cancelled letters, and letters never submitted for our own reasons (planned, queued, script-broken) are left
 *   out: they say nothing about the site (they are counted in `omitted`); so is an `unconfirmed` letter (sent, no
 *   confirmation seen) unless a real reply proves it arrived — then it is judged like any other;
 * - letters in one of the method's unavailable states → channel unavailable;
 * - gated letters: submitted by staff (letter.submission-recorded) → judged like any other; else `gated`;
 * - the reply is the earliest `reply.seen` event (by its `at`), else the letter's denormalised firstReply;
 * - `channel.maintenance` events on a site's stream ({from, to, note|reason}) are attached to the letters planned
 *   inside the window; an unavailable letter inside one is not counted against the site (verdict `maintenance`).
 */
import type { DomainEvent } from '../events.ts';
import type { Campaign, Letter, ReplySource, Site, TimePrecision } from '../model.ts';
import { parseInstant } from '../beijing-time.ts';
import type { MaintenanceWindow, ReportInput, ReportInputLetter, ReportInputSite, TrendPoint } from './types.ts';

export interface StoredCampaign {
  campaign: Campaign;
  sites: readonly Site[];
  letters: readonly Letter[];
  /** Events by stream (`letter:<id>`, `site:<id>`), each in time order. */
  events: ReadonlyMap<string, readonly DomainEvent[]>;
  /** Verdicts as of this instant (default: the campaign's window close). */
  closedAt?: string;
  trend?: TrendPoint[];
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function reportInputFromStore(data: StoredCampaign): { input: ReportInput; omitted: number } {
  const { campaign } = data;
  const siteById = new Map(data.sites.map((s) => [s.id, s]));
  const bySite = new Map<string, Letter[]>();
  for (const l of data.letters) {
    if (l.campaignId !== campaign.id) continue;
    let list = bySite.get(l.siteId);
    if (!list) bySite.set(l.siteId, (list = []));
    list.push(l);
  }
  const planned = new Set(campaign.siteIds);
  const order = [...campaign.siteIds, ...[...bySite.keys()].filter((id) => !planned.has(id))];
  let omitted = 0;
  const sites: ReportInputSite[] = [];
  for (const siteId of order) {
    const letters = (bySite.get(siteId) ?? []).sort((a, b) => a.ordinal - b.ordinal);
    const site = siteById.get(siteId);
    if (!site || letters.length === 0) continue;
    const maintenance: MaintenanceWindow[] = [];
    for (const ev of data.events.get(`site:${siteId}`) ?? []) {
      if (ev.type !== 'channel.maintenance') continue;
      const from = str(ev.data.from);
      const to = str(ev.data.to);
      const note = str(ev.data.note) ?? str(ev.data.reason);
      if (from && to) maintenance.push({ from, to, ...(note ? { note } : {}) });
    }
    const out: ReportInputLetter[] = [];
    for (const l of letters) {
      const events = data.events.get(`letter:${l.id}`) ?? [];
      const evidence: string[] = [];
      const gated = l.state === 'gated' || events.some((e) => e.type === 'letter.gated');
      const unavailable = campaign.method.unavailableStates.includes(l.state);
      let submittedAt = l.submittedAt ?? null;
      for (const e of events) {
        if (e.type === 'letter.submitted' || e.type === 'letter.submission-recorded') {
          submittedAt ??= e.at;
          evidence.push(e.id);
          break;
        }
      }
      if (unavailable) {
        const ev = events.find((e) => e.type === 'letter.unavailable');
        if (ev) evidence.push(ev.id);
        const when = parseInstant(ev?.at ?? l.plannedAt);
        const m = maintenance.find((w) => parseInstant(w.from) <= when && when <= parseInstant(w.to));
        out.push({ ordinal: l.ordinal, submittedAt: null, repliedAt: null, channel: 'unavailable', ...(m ? { maintenance: m } : {}), ...(evidence.length ? { evidence } : {}) });
        continue;
      }
      if (submittedAt === null && !gated) {
        omitted++;
        continue;
      }
      let reply: { at: string; source?: ReplySource; precision?: TimePrecision; id: string } | undefined;
      let replyMs = Infinity;
      for (const e of events) {
        if (e.type !== 'reply.seen') continue;
        const ms = parseInstant(e.at);
        if (ms < replyMs) {
          replyMs = ms;
          const source = str(e.data.source) as ReplySource | undefined;
          const precision = str(e.data.precision) as TimePrecision | undefined;
          reply = { at: e.at, id: e.id, ...(source ? { source } : {}), ...(precision ? { precision } : {}) };
        }
      }
      if (!reply && l.firstReply) reply = { at: l.firstReply.at, source: l.firstReply.source, precision: l.firstReply.precision, id: l.firstReply.eventId };
      if (l.state === 'unconfirmed' && !reply) {
        omitted++;
        continue;
      }
      if (reply) evidence.push(reply.id);
      const letter: ReportInputLetter = { ordinal: l.ordinal, submittedAt: submittedAt, repliedAt: submittedAt ? (reply?.at ?? null) : null, channel: 'available' };
      if (submittedAt && reply?.source) letter.replySource = reply.source;
      if (submittedAt && reply?.precision) letter.replyPrecision = reply.precision;
      if (gated) letter.gated = true;
      const planned = parseInstant(l.plannedAt);
      const m = maintenance.find((w) => parseInstant(w.from) <= planned && planned <= parseInstant(w.to));
      if (m) letter.maintenance = m;
      if (evidence.length) letter.evidence = evidence;
      out.push(letter);
    }
    if (out.length) sites.push({ id: site.id, name: site.name, category: site.category, region: site.region, letters: out });
  }
  const input: ReportInput = {
    campaign: {
      id: campaign.id,
      name: campaign.name,
      workingDays: campaign.method.workingDays,
      closedAt: data.closedAt ?? campaign.windowClosesAt,
      windowClosesAt: campaign.windowClosesAt,
    },
    sites,
  };
  if (data.trend?.length) input.trend = data.trend;
  return { input, omitted };
}

/**
 * One pass over a campaign's letters → the dashboard's overview and its per-site rows. Verdicts come from A's
 * `judgeLetter`, site results and the honour list from A's method (`letterOutcome` / `siteResult` / `isHonour`),
 * state counts from E's `countLetterStates`: nothing here decides timeliness itself.
 */
import { beijingDate, beijingDay, formatBeijing, parseDate, parseInstant } from '../../domain/beijing-time.ts';
import type { WorkingDayCalendar } from '../../domain/calendar.ts';
import { countLetterStates, type LetterStateCounts } from '../../domain/campaign.ts';
import { NotFoundError } from '../../domain/errors.ts';
import { isHonour, letterOutcome, siteResult, type LetterOutcome } from '../../domain/method.ts';
import { SITE_CATEGORIES, type Campaign, type Letter, type Site, type SiteCategory, type SiteResult } from '../../domain/model.ts';
import { judgeLetter, type Verdict } from '../../domain/timeliness.ts';
import type { CampaignStore, LetterStore, SiteStore } from '../ports.ts';
import { judgementInstant } from '../../domain/campaign.ts';

export type SiteOutcome = SiteResult | 'pending';
/** Channel health as the letters show it (the site page has the full channel event history). */
export type ChannelHealth = 'ok' | 'gated' | 'script-broken' | 'unavailable' | 'unknown';

export interface SiteRow {
  siteId: string;
  name: string;
  region: string;
  category: SiteCategory;
  result: SiteOutcome | 'none-yet';
  honour: boolean;
  health: ChannelHealth;
  letters: number;
  replied: number;
  /** Per-letter outcome in ordinal order, e.g. ['same-day', 'late']. */
  outcomes: (LetterOutcome | 'cancelled')[];
  lastSubmittedAt?: string;
}

type Counts = Record<SiteOutcome, number>;

export interface CampaignOverview {
  campaign: { id: string; name: string; state: Campaign['state']; windowClosesAt: string; workingDays: number; createdAt: string };
  asOf: string;
  letters: number;
  /** Stored states, and the dashboard's buckets: planned, sent, gated, awaiting reply, replied by verdict, none, unavailable. */
  states: LetterStateCounts;
  buckets: {
    planned: number;
    sent: number;
    gated: number;
    awaitingReply: number;
    sameDay: number;
    onTime: number;
    late: number;
    none: number;
    unavailable: number;
  };
  verdicts: Record<Verdict, number>;
  /** The 通报's four categories so far (sites whose letters are all decided), plus pending sites. */
  sites: Counts & { total: number; honour: number };
  byCategory: Record<SiteCategory, Counts>;
  byRegion: Array<{ region: string } & Counts>;
  dueToday: number;
  dueTomorrow: number;
  overdue: number;
  /** Per Beijing day: letters submitted and first replies that day, and cumulative totals. */
  progress: Array<{ date: string; submitted: number; replied: number; submittedTotal: number; repliedTotal: number }>;
  /** Working days from submission to first reply: "0" (same day), "1", … "5+", plus "none" (no reply yet / none). */
  replyTimes: Array<{ bucket: string; letters: number }>;
}

export interface CampaignView {
  overview: CampaignOverview;
  rows: SiteRow[];
}

const emptyCounts = (): Counts => ({ unavailable: 0, none: 0, late: 0, 'on-time': 0, pending: 0 });

export async function computeCampaignView(
  deps: { campaigns: Pick<CampaignStore, 'getCampaign'>; letters: Pick<LetterStore, 'lettersOfCampaign'>; sites: Pick<SiteStore, 'listSites'>; calendar: WorkingDayCalendar },
  campaignId: string,
  asOf: string,
): Promise<CampaignView> {
  const c = await deps.campaigns.getCampaign(campaignId);
  if (!c) throw new NotFoundError(`没有这个活动 / no campaign ${campaignId}`);
  const [letters, registry] = await Promise.all([deps.letters.lettersOfCampaign(campaignId), deps.sites.listSites()]);
  return buildCampaignView(c, letters, registry, deps.calendar, asOf);
}

/** Pure: the view from a campaign, its letters and the registry. */
export function buildCampaignView(c: Campaign, letters: readonly Letter[], registry: readonly Site[], calendar: WorkingDayCalendar, asOf: string): CampaignView {
  const asOfMs = judgementInstant(c, parseInstant(asOf));
  const asOfText = formatBeijing(asOfMs);
  const today = beijingDay(asOfMs);
  const verdicts: Record<Verdict, number> = { 'same-day': 0, 'on-time': 0, late: 0, none: 0, pending: 0 };
  let dueToday = 0;
  let dueTomorrow = 0;
  let overdue = 0;
  const perSite = new Map<string, Letter[]>();
  const outcomeOf = new Map<string, LetterOutcome | null>();
  const submittedPerDay = new Map<string, number>();
  const repliedPerDay = new Map<string, number>();
  const replyTimes = new Map<string, number>();
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);

  for (const l of letters) {
    const list = perSite.get(l.siteId) ?? [];
    list.push(l);
    perSite.set(l.siteId, list);
    let verdict: Verdict | undefined;
    if (l.submittedAt) bump(submittedPerDay, beijingDate(l.submittedAt));
    if (l.state === 'submitted' && l.submittedAt) {
      try {
        const j = judgeLetter(
          {
            submittedAt: l.submittedAt,
            repliedAt: l.firstReply?.at ?? null,
            ...(l.firstReply ? { replyPrecision: l.firstReply.precision } : {}),
            workingDays: c.method.workingDays,
            asOf: asOfText,
            windowClosesAt: c.windowClosesAt,
          },
          calendar,
        );
        verdict = j.verdict;
        verdicts[verdict]++;
        if (l.firstReply) {
          bump(repliedPerDay, j.replyDate ?? beijingDate(l.firstReply.at));
          const wd = j.replyWorkingDays;
          bump(replyTimes, wd === undefined ? '?' : wd >= 5 ? '5+' : String(wd));
        } else {
          bump(replyTimes, 'none');
          const d = parseDate(j.deadlineDate!); // a letter without a reply is judged only with its deadline
          if (d === today) dueToday++;
          else if (d === today + 1) dueTomorrow++;
          else if (d < today) overdue++;
        }
      } catch {
        verdict = undefined; // a year the calendar does not cover: stays pending
      }
    }
    outcomeOf.set(l.id, letterOutcome(l.state, verdict, c.method));
  }

  const states = countLetterStates(letters);
  const registryById = new Map(registry.map((s) => [s.id, s]));
  const sites = { ...emptyCounts(), total: 0, honour: 0 };
  const byCategory = Object.fromEntries(SITE_CATEGORIES.map((k) => [k, emptyCounts()])) as Record<SiteCategory, Counts>;
  const byRegion = new Map<string, Counts>();
  const rows: SiteRow[] = [];
  for (const [siteId, ls] of perSite) {
    ls.sort((a, b) => a.ordinal - b.ordinal);
    const outcomes = ls.map((l) => outcomeOf.get(l.id)).filter((o): o is LetterOutcome => o !== null && o !== undefined);
    const r = siteResult(outcomes, c.method);
    const honour = r !== null && r !== 'pending' && isHonour(outcomes, c.method);
    const site = registryById.get(siteId);
    const category = site?.category ?? SITE_CATEGORIES[3];
    const region = site?.region ?? '';
    if (r !== null) {
      sites[r]++;
      sites.total++;
      if (honour) sites.honour++;
      byCategory[category][r]++;
      const reg = regionKey(region);
      const rc = byRegion.get(reg) ?? emptyCounts();
      rc[r]++;
      byRegion.set(reg, rc);
    }
    const submitted = ls.map((l) => l.submittedAt).filter((s): s is string => !!s).sort();
    rows.push({
      siteId,
      name: site?.name ?? siteId,
      region,
      category,
      result: r ?? 'none-yet',
      honour,
      health: healthOf(ls),
      letters: ls.length,
      replied: ls.filter((l) => l.firstReply).length,
      outcomes: ls.map((l) => outcomeOf.get(l.id) ?? 'cancelled'),
      ...(submitted.length ? { lastSubmittedAt: submitted.at(-1)! } : {}),
    });
  }

  const days = [...new Set([...submittedPerDay.keys(), ...repliedPerDay.keys()])].sort();
  let st = 0;
  let rt = 0;
  const progress = days.map((date) => {
    const s = submittedPerDay.get(date) ?? 0;
    const r = repliedPerDay.get(date) ?? 0;
    st += s;
    rt += r;
    return { date, submitted: s, replied: r, submittedTotal: st, repliedTotal: rt };
  });
  const order = ['0', '1', '2', '3', '4', '5+', '?', 'none'];
  const sent = letters.filter((l) => l.submittedAt).length;
  return {
    overview: {
      campaign: { id: c.id, name: c.name, state: c.state, windowClosesAt: c.windowClosesAt, workingDays: c.method.workingDays, createdAt: c.createdAt },
      asOf: asOfText,
      letters: letters.length,
      states,
      buckets: {
        planned: states.planned + states.queued + states.submitting,
        sent,
        gated: states.gated,
        awaitingReply: verdicts.pending,
        sameDay: verdicts['same-day'],
        onTime: verdicts['on-time'],
        late: verdicts.late,
        none: verdicts.none,
        unavailable: states.unavailable,
      },
      verdicts,
      sites,
      byCategory,
      byRegion: [...byRegion.entries()].map(([region, counts]) => ({ region, ...counts })).sort((a, b) => (a.region < b.region ? -1 : 1)),
      dueToday,
      dueTomorrow,
      overdue,
      progress,
      replyTimes: order.filter((b) => replyTimes.has(b)).map((bucket) => ({ bucket, letters: replyTimes.get(bucket)! })),
    },
    rows,
  };
}

/** The province part of a region like "广东省/广州市" or "广东省广州市". */
export function regionKey(region: string): string {
  const head = region.split(/[/\s·-]/)[0] ?? region;
  const m = /^(.+?(?:省|自治区|市|特别行政区))/.exec(head);
  return m ? m[1]! : head || '—';
}

function healthOf(ls: readonly Letter[]): ChannelHealth {
  const states = new Set(ls.map((l) => l.state));
  if (states.has('unavailable')) return 'unavailable';
  if (states.has('script-broken')) return 'script-broken';
  if (states.has('gated')) return 'gated';
  if (states.has('submitted') || states.has('unconfirmed')) return 'ok';
  return 'unknown';
}

// ---------------------------------------------------------------------------------------------------------------
// The overview as flat counters: what the counters item stores and what a letter change adds to it.

const RESULT_KEYS = ['unavailable', 'none', 'late', 'on-time', 'pending'] as const;
const SEP = '|';

/** Every number of an overview as `name → count` (zeros left out): sums and differences are per key. */
export function countsOf(o: Omit<CampaignOverview, 'campaign' | 'asOf'>): Record<string, number> {
  const out: Record<string, number> = {};
  const put = (k: string, v: number) => {
    if (v) out[k] = (out[k] ?? 0) + v;
  };
  put('letters', o.letters);
  for (const [k, v] of Object.entries(o.states)) put(`states${SEP}${k}`, v);
  for (const [k, v] of Object.entries(o.buckets)) put(`buckets${SEP}${k}`, v);
  for (const [k, v] of Object.entries(o.verdicts)) put(`verdicts${SEP}${k}`, v);
  for (const [k, v] of Object.entries(o.sites)) put(`sites${SEP}${k}`, v);
  for (const [cat, counts] of Object.entries(o.byCategory)) for (const k of RESULT_KEYS) put(`cat${SEP}${cat}${SEP}${k}`, counts[k]);
  for (const r of o.byRegion) for (const k of RESULT_KEYS) put(`region${SEP}${r.region}${SEP}${k}`, r[k]);
  put('dueToday', o.dueToday);
  put('dueTomorrow', o.dueTomorrow);
  put('overdue', o.overdue);
  for (const p of o.progress) {
    put(`day${SEP}${p.date}${SEP}submitted`, p.submitted);
    put(`day${SEP}${p.date}${SEP}replied`, p.replied);
  }
  for (const r of o.replyTimes) put(`reply${SEP}${r.bucket}`, r.letters);
  return out;
}

/** after − before, zeros left out. */
export function diffCounts(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of new Set([...Object.keys(after), ...Object.keys(before)])) {
    const d = (after[k] ?? 0) - (before[k] ?? 0);
    if (d) out[k] = d;
  }
  return out;
}

/** The overview back from its counters. */
export function overviewFromCounts(campaign: Campaign, counts: Readonly<Record<string, number>>, asOf: string): CampaignOverview {
  const n = (k: string) => counts[k] ?? 0;
  const group = <K extends string>(prefix: string, keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, n(`${prefix}${SEP}${k}`)])) as Record<K, number>;
  const regions = new Set<string>();
  const days = new Set<string>();
  const replyBuckets = new Set<string>();
  for (const k of Object.keys(counts)) {
    const parts = k.split(SEP);
    if (parts[0] === 'region') regions.add(parts[1]!);
    if (parts[0] === 'day') days.add(parts[1]!);
    if (parts[0] === 'reply') replyBuckets.add(parts[1]!);
  }
  let st = 0;
  let rt = 0;
  const order = ['0', '1', '2', '3', '4', '5+', '?', 'none'];
  const emptyStates = countLetterStates([]);
  return {
    campaign: { id: campaign.id, name: campaign.name, state: campaign.state, windowClosesAt: campaign.windowClosesAt, workingDays: campaign.method.workingDays, createdAt: campaign.createdAt },
    asOf: formatBeijing(parseInstant(asOf)),
    letters: n('letters'),
    states: group('states', Object.keys(emptyStates) as (keyof LetterStateCounts)[]),
    buckets: group('buckets', ['planned', 'sent', 'gated', 'awaitingReply', 'sameDay', 'onTime', 'late', 'none', 'unavailable'] as const),
    verdicts: group('verdicts', ['same-day', 'on-time', 'late', 'none', 'pending'] as const),
    sites: group('sites', [...RESULT_KEYS, 'total', 'honour'] as const),
    byCategory: Object.fromEntries(SITE_CATEGORIES.map((c) => [c, group(`cat${SEP}${c}`, RESULT_KEYS)])) as Record<SiteCategory, Counts>,
    byRegion: [...regions]
      .sort()
      .map((region) => ({ region, ...group(`region${SEP}${region}`, RESULT_KEYS) }))
      .filter((r) => RESULT_KEYS.some((k) => r[k] > 0)),
    dueToday: n('dueToday'),
    dueTomorrow: n('dueTomorrow'),
    overdue: n('overdue'),
    progress: [...days]
      .sort()
      .map((date) => {
        const submitted = n(`day${SEP}${date}${SEP}submitted`);
        const replied = n(`day${SEP}${date}${SEP}replied`);
        st += submitted;
        rt += replied;
        return { date, submitted, replied, submittedTotal: st, repliedTotal: rt };
      })
      .filter((p) => p.submitted || p.replied),
    replyTimes: order.filter((b) => replyBuckets.has(b) && n(`reply${SEP}${b}`) > 0).map((bucket) => ({ bucket, letters: n(`reply${SEP}${bucket}`) })),
  };
}

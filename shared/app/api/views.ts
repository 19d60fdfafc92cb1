/**
 * Precomputed overview counters. The overview of a 14,000-site campaign must not scan 28,000 letters per request,
 * so a per-campaign counters item holds every number of the overview (`countsOf`), stamped with the Beijing day
 * it was computed for (deadline pressure and verdicts move with the day). When a letter changes state or gets its
 * first reply through `countingLetterStore` / `countingFinder`, `OverviewCounters.letterChanged` recomputes the
 * contribution of that letter's site (its 1–2 letters) before and after, and adds the difference to the item in
 * one atomic ADD. A read whose day matches serves the item (one GetItem); otherwise — a new day, a change the
 * counters could not follow (new letters planned, a write by a process that does not count) — it recounts from
 * the letters. `recount` (admin) repairs the item whenever in doubt.
 */
import { beijingDate, formatBeijing } from '../../domain/beijing-time.ts';
import type { WorkingDayCalendar } from '../../domain/calendar.ts';
import type { Campaign, Letter, LetterState, ReplyEvidence } from '../../domain/model.ts';
import type { CampaignStore, Clock, LetterFinder, LetterPatch, LetterStore, SiteStore } from '../ports.ts';
import { buildCampaignView, countsOf, diffCounts, type SiteRow } from './campaign-view.ts';

export interface StoredCounters {
  campaignId: string;
  /** The Beijing date the counts are valid for; '' = must be recounted. */
  day: string;
  computedAt: string;
  /** Bumped by every `add`: a recount saves only if nothing was added while it read the letters. */
  gen: number;
  counts: Record<string, number>;
}

export interface ViewStore {
  load(campaignId: string): Promise<StoredCounters | undefined>;
  /** Replace the counters iff their `gen` is still `expectedGen` (0 = absent). False when someone added meanwhile. */
  save(counters: Omit<StoredCounters, 'gen'>, expectedGen: number): Promise<boolean>;
  /** Atomic ADD of each delta iff the counters are for `day`; false (nothing changed) otherwise. */
  add(campaignId: string, day: string, delta: Readonly<Record<string, number>>): Promise<boolean>;
  /** Mark for recount (day = ''). */
  invalidate(campaignId: string): Promise<void>;
}

export class MemoryViewStore implements ViewStore {
  private readonly items = new Map<string, StoredCounters>();
  async load(id: string) {
    const i = this.items.get(id);
    return i ? structuredClone(i) : undefined;
  }
  async save(c: Omit<StoredCounters, 'gen'>, expectedGen: number) {
    const cur = this.items.get(c.campaignId);
    if ((cur?.gen ?? 0) !== expectedGen) return false;
    this.items.set(c.campaignId, { ...structuredClone(c), gen: expectedGen });
    return true;
  }
  async add(id: string, day: string, delta: Readonly<Record<string, number>>) {
    const cur = this.items.get(id);
    if (!cur || cur.day !== day) return false;
    for (const [k, v] of Object.entries(delta)) cur.counts[k] = (cur.counts[k] ?? 0) + v;
    cur.gen++;
    return true;
  }
  async invalidate(id: string) {
    const cur = this.items.get(id);
    if (cur) {
      cur.day = '';
      cur.gen++;
    }
  }
}

export interface CountersDeps {
  campaigns: Pick<CampaignStore, 'getCampaign'>;
  sites: Pick<SiteStore, 'getSite'>;
  /** The store underneath (not the counting one). */
  letters: Pick<LetterStore, 'lettersOfSite'>;
  calendar: WorkingDayCalendar;
  clock: Clock;
  views: ViewStore;
}

/** Keeps the counters item in step with letter changes, and tells listeners (the sites table cache) the site's new rows. */
export class OverviewCounters {
  private readonly campaigns = new Map<string, Campaign>();
  private readonly listeners: Array<(campaignId: string, rows: SiteRow[], siteId: string) => void> = [];
  constructor(private readonly deps: CountersDeps) {}

  onSiteChanged(fn: (campaignId: string, rows: SiteRow[], siteId: string) => void): void {
    this.listeners.push(fn);
  }

  private async campaign(id: string): Promise<Campaign | undefined> {
    let c = this.campaigns.get(id);
    if (!c) {
      c = await this.deps.campaigns.getCampaign(id);
      if (c) this.campaigns.set(id, c);
    }
    return c;
  }

  async letterChanged(before: Letter | undefined, after: Letter): Promise<void> {
    const c = await this.campaign(after.campaignId);
    if (!c) return;
    const now = this.deps.clock.now().getTime();
    const asOf = formatBeijing(now);
    const [site, all] = await Promise.all([this.deps.sites.getSite(after.siteId), this.deps.letters.lettersOfSite(after.siteId)]);
    // the index may lag behind the write just made: put `after` in by hand
    const others = all.filter((l) => l.campaignId === c.id && l.id !== after.id);
    const registry = site ? [site] : [];
    const afterView = buildCampaignView(c, [...others, after], registry, this.deps.calendar, asOf);
    const beforeView = buildCampaignView(c, before ? [...others, before] : others, registry, this.deps.calendar, asOf);
    const delta = diffCounts(countsOf(afterView.overview), countsOf(beforeView.overview));
    if (Object.keys(delta).length > 0) await this.deps.views.add(c.id, beijingDate(now), delta);
    for (const fn of this.listeners) fn(c.id, afterView.rows, after.siteId);
  }

  async lettersAdded(campaignIds: Iterable<string>): Promise<void> {
    for (const id of new Set(campaignIds)) await this.deps.views.invalidate(id);
  }
}

/** A LetterStore whose every write updates the overview counters. */
export function countingLetterStore(inner: LetterStore, counters: OverviewCounters): LetterStore {
  return {
    putLetters: async (letters: readonly Letter[]) => {
      await inner.putLetters(letters);
      await counters.lettersAdded(letters.map((l) => l.campaignId));
    },
    getLetter: (id: string) => inner.getLetter(id),
    updateLetter: async (id: string, from: readonly LetterState[], patch: LetterPatch) => {
      const before = await inner.getLetter(id);
      const after = await inner.updateLetter(id, from, patch, before); // read once, here
      await counters.letterChanged(before, after);
      return after;
    },
    lettersOfCampaign: (c: string, s?: LetterState) => inner.lettersOfCampaign(c, s),
    lettersOfSite: (s: string) => inner.lettersOfSite(s),
    overdueLetters: (asOf: string) => inner.overdueLetters(asOf),
  };
}

/** A LetterFinder whose reply recording updates the overview counters when it changed the letter. */
export function countingFinder(inner: LetterFinder, letters: Pick<LetterStore, 'getLetter'>, counters: OverviewCounters): LetterFinder {
  return {
    byQueryCode: (c) => inner.byQueryCode(c),
    byMessageId: (m) => inner.byMessageId(m),
    openLettersOfSiteDomain: (d) => inner.openLettersOfSiteDomain(d),
    recordFirstReply: async (letterId: string, evidence: ReplyEvidence) => {
      const before = await letters.getLetter(letterId);
      const r = await inner.recordFirstReply(letterId, evidence);
      if (r.changed) await counters.letterChanged(before, r.letter);
      return r;
    },
  };
}

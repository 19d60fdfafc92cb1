/**
 * Trend across campaigns: the province's headline numbers per campaign (`input.trend`) and each site's result in
 * every earlier campaign (`site.history`). Earlier campaigns are computed with the same pure code as the current
 * one (`computeReport`); this module only folds their results into the current input, and compares. Pure.
 */
import { SITE_RESULTS } from '../model.ts';
import type { Report, ReportInput, ReportSiteResult, SiteHistoryEntry, Summary, TrendPoint } from './types.ts';

/** What an earlier campaign contributes: its headline numbers and each site's result. */
export interface EarlierCampaign {
  point: TrendPoint;
  results: ReadonlyMap<string, ReportSiteResult>;
}

/** An earlier campaign's computed report → its contribution to the trend. */
export function earlierCampaignOf(report: Report): EarlierCampaign {
  const s = report.summary;
  const results = new Map<string, ReportSiteResult>();
  for (const site of report.sites) results.set(site.id, site.result);
  return {
    point: { name: s.campaign.name, sitesTested: s.sitesTested, onTime: s.onTime, late: s.late, noReply: s.noReply, unavailable: s.unavailable },
    results,
  };
}

/**
 * Fold earlier campaigns (oldest first) into `input`: their points go after any trend points already there
 * (e.g. from --previous folders), and every site gets its result in each earlier campaign it was part of.
 * Returns a new input; `input` is not modified.
 */
export function withHistory(input: ReportInput, earlier: readonly EarlierCampaign[]): ReportInput {
  if (earlier.length === 0) return input;
  const known = new Set((input.trend ?? []).map((t) => t.name));
  const trend = [...(input.trend ?? []), ...earlier.map((e) => e.point).filter((p) => !known.has(p.name))];
  const sites = input.sites.map((site) => {
    const history: SiteHistoryEntry[] = [...(site.history ?? [])];
    for (const e of earlier) {
      const result = e.results.get(site.id);
      if (result !== undefined) history.push({ campaign: e.point.name, result });
    }
    return history.length ? { ...site, history } : site;
  });
  return { ...input, sites, trend };
}

/** Worse is larger: on-time 0 … unavailable 3; pending/untested are not comparable. */
function rank(r: ReportSiteResult): number | undefined {
  const i = (SITE_RESULTS as readonly string[]).indexOf(r);
  return i < 0 ? undefined : SITE_RESULTS.length - 1 - i;
}

/**
 * The per-site trend in numbers: which earlier campaigns appear, how many sites have a history, and against each
 * site's most recent earlier result, how many improved, worsened or stayed the same (four 通报 categories only).
 */
export function historySummary(
  rows: ReadonlyArray<{ result: ReportSiteResult; history?: readonly SiteHistoryEntry[] }>,
  trend: readonly TrendPoint[],
): Summary['history'] {
  const seen = new Set<string>();
  let sites = 0;
  let improved = 0;
  let worsened = 0;
  let unchanged = 0;
  for (const row of rows) {
    const h = row.history;
    if (!h || h.length === 0) continue;
    sites++;
    for (const e of h) seen.add(e.campaign);
    const now = rank(row.result);
    const before = rank(h[h.length - 1]!.result);
    if (now === undefined || before === undefined) continue;
    if (now < before) improved++;
    else if (now > before) worsened++;
    else unchanged++;
  }
  // In trend order (oldest first); a name only in site histories (hand-made input) goes after.
  const campaigns = trend.map((t) => t.name).filter((n) => seen.delete(n));
  campaigns.push(...seen);
  return { campaigns, sites, improved, worsened, unchanged };
}

/**
 * Every number of the 通报, computed from the normalised input, the campaign's method and the working-day
 * calendar. Pure: the generation time and the input's hash are arguments.
 *
 * Letter verdicts come from A's `judgeLetter` (as of the campaign's close); site results and the honour list
 * from the method (`siteResult`, `isHonour`), so the rules stay data of the method.
 */
import type { WorkingDayCalendar } from '../calendar.ts';
import type { Method, SiteCategory } from '../model.ts';
import { SITE_CATEGORIES } from '../model.ts';
import { InputError } from '../errors.ts';
import { parseInstant } from '../beijing-time.ts';
import { judgeLetter } from '../timeliness.ts';
import { describeMethod, isHonour, siteResult, type LetterOutcome } from '../method.ts';
import { historySummary } from './history.ts';
import type {
  Counts,
  Report,
  ReportInput,
  ReportLetterRow,
  ReportSiteResult,
  ReportSiteRow,
  ReportVerdict,
  Summary,
} from './types.ts';

export const VERDICTS: readonly ReportVerdict[] = ['same-day', 'on-time', 'late', 'none', 'pending', 'unavailable', 'gated', 'maintenance'];

export interface ComputeOptions {
  method: Method;
  calendar: WorkingDayCalendar;
  generatedAt: string;
  inputSha256: string;
}

function zeroCounts(): Counts {
  return { sitesTested: 0, onTime: 0, late: 0, noReply: 0, unavailable: 0 };
}

function tally(c: Counts, result: ReportSiteResult): void {
  if (result === 'pending' || result === 'untested') return;
  c.sitesTested++;
  if (result === 'on-time') c.onTime++;
  else if (result === 'late') c.late++;
  else if (result === 'none') c.noReply++;
  else c.unavailable++;
}

/** Percentage with one decimal; 0 when nothing was tested. */
export function share(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part * 1000) / whole) / 10;
}

/** Judge one letter as the method says. */
export function letterVerdict(
  letter: ReportInput['sites'][number]['letters'][number],
  campaign: ReportInput['campaign'],
  method: Method,
  calendar: WorkingDayCalendar,
): Pick<ReportLetterRow, 'verdict' | 'deadline' | 'replyWorkingDays' | 'repliedAt'> {
  if (letter.channel === 'unavailable') {
    // Announced maintenance: the channel being down then is not held against the site (and the report says so).
    return { verdict: letter.maintenance ? 'maintenance' : 'unavailable', deadline: null, replyWorkingDays: null, repliedAt: null };
  }
  if (letter.submittedAt === null) {
    if (letter.gated) return { verdict: 'gated', deadline: null, replyWorkingDays: null, repliedAt: null };
    throw new InputError(`letter ${letter.ordinal} has no submission time but its channel is available (mark it unavailable or gated)`);
  }
  // Evidence after the instant of judgement does not exist yet for this report.
  const repliedAt = letter.repliedAt !== null && parseInstant(letter.repliedAt) <= parseInstant(campaign.closedAt) ? letter.repliedAt : null;
  const j = judgeLetter(
    {
      submittedAt: letter.submittedAt,
      repliedAt,
      replyPrecision: letter.replyPrecision ?? 'instant',
      workingDays: method.workingDays,
      asOf: campaign.closedAt,
      windowClosesAt: campaign.windowClosesAt ?? campaign.closedAt,
    },
    calendar,
  );
  return { verdict: j.verdict, deadline: j.deadline ?? null, replyWorkingDays: j.replyWorkingDays ?? null, repliedAt };
}

export function computeReport(input: ReportInput, options: ComputeOptions): Report {
  const { method, calendar } = options;
  const campaign = input.campaign;
  const letters: ReportLetterRow[] = [];
  const sites: ReportSiteRow[] = [];
  const byVerdict = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<ReportVerdict, number>;
  const totals = zeroCounts();
  const byCategory: Record<string, Counts> = {};
  for (const c of SITE_CATEGORIES) byCategory[c] = zeroCounts();
  const byRegion: Record<string, Counts> = {};
  const problems: Summary['problems'] = {};
  for (const c of SITE_CATEGORIES) problems[c] = { late: [], noReply: [], unavailable: [] };
  const replyWorkingDays: Record<string, number> = {};
  const allSameDay: string[] = [];
  const gated = { letters: 0, submittedByStaff: 0, notSubmitted: 0 };
  const maintenance: Summary['maintenance'] = [];
  let pending = 0;
  let untested = 0;
  const perSite = new Set<number>();

  for (const site of input.sites) {
    const verdicts: ReportVerdict[] = [];
    for (const l of site.letters) {
      let v: ReturnType<typeof letterVerdict>;
      try {
        v = letterVerdict(l, campaign, method, calendar);
      } catch (err) {
        if (err instanceof InputError) throw new InputError(`site ${site.id} (${site.name}) letter ${l.ordinal}: ${err.message}`);
        throw err;
      }
      verdicts.push(v.verdict);
      byVerdict[v.verdict]++;
      if (l.gated) {
        gated.letters++;
        if (l.submittedAt === null) gated.notSubmitted++;
        else gated.submittedByStaff++;
      }
      if (l.maintenance) maintenance.push({ siteId: site.id, siteName: site.name, ordinal: l.ordinal, ...l.maintenance });
      if (v.replyWorkingDays !== null && (v.verdict === 'same-day' || v.verdict === 'on-time' || v.verdict === 'late')) {
        const k = String(v.replyWorkingDays);
        replyWorkingDays[k] = (replyWorkingDays[k] ?? 0) + 1;
      }
      letters.push({
        siteId: site.id,
        siteName: site.name,
        category: site.category,
        region: site.region,
        ordinal: l.ordinal,
        submittedAt: l.submittedAt,
        repliedAt: v.repliedAt,
        replySource: v.repliedAt ? (l.replySource ?? null) : null,
        replyPrecision: v.repliedAt ? (l.replyPrecision ?? 'instant') : null,
        deadline: v.deadline,
        replyWorkingDays: v.replyWorkingDays,
        gated: l.gated ?? false,
        verdict: v.verdict,
      });
    }
    // Gated letters nobody submitted, and channels down during announced maintenance, are neither a failure nor an
    // answer: the site is judged on the rest.
    const judged = verdicts.filter((v): v is LetterOutcome => v !== 'gated' && v !== 'maintenance');
    const result: ReportSiteResult = siteResult(judged, method) ?? 'untested';
    const honour = judged.length > 0 && judged.length === verdicts.length && isHonour(judged, method);
    if (result !== 'untested' && result !== 'pending') perSite.add(site.letters.length);
    if (honour) allSameDay.push(site.name);
    if (result === 'pending') pending++;
    if (result === 'untested') untested++;
    tally(totals, result);
    tally((byCategory[site.category] ??= zeroCounts()), result);
    tally((byRegion[site.region || '未知'] ??= zeroCounts()), result);
    const p = problems[site.category]!;
    if (result === 'late') p.late.push(site.name);
    else if (result === 'none') p.noReply.push(site.name);
    else if (result === 'unavailable') p.unavailable.push(site.name);
    sites.push({
      id: site.id,
      name: site.name,
      category: site.category as SiteCategory,
      region: site.region,
      letters: site.letters.length,
      result,
      allSameDay: honour,
      history: site.history ?? [],
    });
  }

  const trend = [...(input.trend ?? []), { name: campaign.name, ...totals }];
  const summary: Summary = {
    schema: 'huixin.report/1',
    campaign: {
      id: campaign.id ?? null,
      name: campaign.name,
      closedAt: campaign.closedAt,
      windowClosesAt: campaign.windowClosesAt ?? campaign.closedAt,
    },
    ...totals,
    sitesInInput: input.sites.length,
    pending,
    untested,
    lettersPerSite: perSite.size === 1 ? [...perSite][0]! : null,
    letters: letters.length,
    lettersByVerdict: byVerdict,
    shares: {
      onTime: share(totals.onTime, totals.sitesTested),
      late: share(totals.late, totals.sitesTested),
      noReply: share(totals.noReply, totals.sitesTested),
      unavailable: share(totals.unavailable, totals.sitesTested),
    },
    allSameDay,
    problems,
    byCategory,
    byRegion,
    replyWorkingDays,
    gated,
    maintenance,
    trend,
    history: historySummary(sites, trend),
    method,
    methodText: describeMethod(method, { windowClosesAt: campaign.windowClosesAt ?? campaign.closedAt }),
    generatedAt: options.generatedAt,
    inputSha256: options.inputSha256,
  };
  return { summary, sites, letters };
}

/**
 * A national-scale report: 14,000 sites × 2 letters, the input read from ~100,000 events (store shape), built
 * into HTML + XLSX + CSV + JSON. Targets: whole build < 10 s, peak RSS < 1 GB. Prints the time by format.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BenchResult } from './run.ts';
import { loadCalendar } from '../shared/adapters/calendar-source.ts';
import { buildReport } from '../shared/app/report.ts';
import { methodFor } from '../shared/domain/method.ts';
import { reportInputFromStore } from '../shared/domain/report/from-store.ts';
import { computeReport } from '../shared/domain/report/compute.ts';
import { earlierCampaignOf, withHistory } from '../shared/domain/report/history.ts';
import { formatBeijing } from '../shared/domain/beijing-time.ts';
import type { DomainEvent, EventType } from '../shared/domain/events.ts';
import { SITE_CATEGORIES, type Campaign, type Letter, type Site } from '../shared/domain/model.ts';
import { seededRng as rng } from '../shared/domain/random.ts';

const SITES = 14_000;
const PROVINCES = ['北京', '天津', '河北', '山西', '内蒙古', '辽宁', '吉林', '黑龙江', '上海', '江苏', '浙江', '安徽', '福建', '江西', '山东', '河南', '湖北', '湖南', '广东', '广西', '海南', '重庆', '四川', '贵州', '云南', '西藏', '陕西', '甘肃', '青海', '宁夏', '新疆'];


export interface Quarter {
  seed: number;
  id: string;
  name: string;
  base: string;
  createdAt: string;
  windowClosesAt: string;
}
export const Q1: Quarter = {
  seed: 42,
  id: 'cnational',
  name: '2026年第一季度（全国）',
  base: '2026-03-02T02:00:00Z', // Monday 10:00 Beijing
  createdAt: '2026-03-01T00:00:00+08:00',
  windowClosesAt: '2026-03-31T23:59:59+08:00',
};
/** The quarter before, for the trend (other random outcomes). */
export const Q4: Quarter = {
  seed: 7,
  id: 'cnational-2025q4',
  name: '2025年第四季度（全国）',
  base: '2025-11-03T02:00:00Z', // Monday 10:00 Beijing
  createdAt: '2025-11-01T00:00:00+08:00',
  windowClosesAt: '2025-12-31T23:59:59+08:00',
};

/** The national campaign (default: 2026 Q1). */
export function nationalCampaign(quarter: Quarter = Q1) {
  const rand = rng(quarter.seed);
  const calendar = loadCalendar({ env: {} });
  const method = methodFor({ workingDays: 1, calendar: calendar.ref });
  const sites: Site[] = [];
  const letters: Letter[] = [];
  const events = new Map<string, DomainEvent[]>();
  let eventCount = 0;
  const base = Date.parse(quarter.base);
  const ev = (stream: string, type: EventType, ms: number, data: Record<string, unknown> = {}) => {
    const at = formatBeijing(ms);
    const e: DomainEvent = { id: `e${(eventCount++).toString(36).padStart(8, '0')}`, stream, type, at, recordedAt: at, actor: 'system', data };
    let list = events.get(stream);
    if (!list) events.set(stream, (list = []));
    list.push(e);
  };
  for (let i = 0; i < SITES; i++) {
    const id = String(1_100_000_000 + i);
    const province = PROVINCES[i % PROVINCES.length]!;
    sites.push({ id, name: `${province}第${i}号政府网站`, category: SITE_CATEGORIES[i % 4]!, region: province, homeUrl: 'http://x', consultUrl: 'http://x/c' });
    for (let k = 1; k <= 2; k++) {
      const letterId = `l${i}-${k}`;
      const stream = `letter:${letterId}`;
      const submitted = base + (k - 1) * 7 * 86_400_000 + Math.floor(rand() * 6) * 3_600_000;
      const r = rand();
      const state: Letter['state'] = r < 0.03 ? 'unavailable' : 'submitted';
      ev(stream, 'letter.planned', submitted - 86_400_000);
      ev(stream, 'letter.queued', submitted - 60_000);
      if (state === 'unavailable') ev(stream, 'letter.unavailable', submitted);
      else {
        ev(stream, 'letter.submitted', submitted);
        if (r < 0.85) ev(stream, 'reply.seen', submitted + Math.floor(rand() * 5 * 86_400_000), { source: 'mail', precision: 'instant' });
      }
      letters.push({
        id: letterId,
        campaignId: quarter.id,
        siteId: id,
        channelId: 'ch',
        ordinal: k,
        state,
        plannedAt: formatBeijing(submitted - 86_400_000),
        ...(state === 'submitted' ? { submittedAt: formatBeijing(submitted) } : {}),
        replyAddress: 'r@x',
        title: 't',
        body: 'b',
        questionId: 'q',
        persona: { name: 'n', phone: 'p', email: 'e' },
        version: 1,
        updatedAt: formatBeijing(submitted),
      });
    }
  }
  const campaign: Campaign = {
    id: quarter.id,
    name: quarter.name,
    state: 'closed',
    method,
    createdAt: quarter.createdAt,
    windowClosesAt: quarter.windowClosesAt,
    siteIds: sites.map((s) => s.id),
    lettersPerSite: 2,
  };
  return { calendar, method, campaign, sites, letters, events, eventCount };
}

export async function run(): Promise<BenchResult> {
  const data = nationalCampaign();
  const before = nationalCampaign(Q4);
  const dir = await mkdtemp(path.join(tmpdir(), 'huixin-bench-report-'));
  try {
    const t0 = performance.now();
    const { input: current } = reportInputFromStore({ campaign: data.campaign, sites: data.sites, letters: data.letters, events: data.events });
    const t1 = performance.now();
    // The trend: the quarter before, computed with the same pure code, folded in as province trend + per-site history.
    const earlierInput = reportInputFromStore({ campaign: before.campaign, sites: before.sites, letters: before.letters, events: before.events }).input;
    const earlier = earlierCampaignOf(computeReport(earlierInput, { method: before.method, calendar: data.calendar, generatedAt: '', inputSha256: '' }));
    const input = withHistory(current, [earlier]);
    const tTrend = performance.now();
    const { report, timings } = await buildReport(dir, { input, method: data.method, calendar: data.calendar, clock: { now: () => new Date() } });
    const total = performance.now() - t0;
    const peakMb = process.resourceUsage().maxRSS / 1024;
    const xlsxMb = (await stat(path.join(dir, 'report.xlsx'))).size / 1e6;
    const htmlMb = (await stat(path.join(dir, 'report.html'))).size / 1e6;
    const r1 = (n: number) => Math.round(n);
    return {
      name: 'report',
      figures: [
        { name: `whole build (${SITES.toLocaleString('en-US')} sites × 2 letters, from ${data.eventCount.toLocaleString('en-US')} events)`, value: r1(total), unit: 'ms', target: { max: 10_000 } },
        { name: 'events → input', value: r1(t1 - t0), unit: 'ms' },
        { name: `trend: earlier quarter (${before.eventCount.toLocaleString('en-US')} events) → input + verdicts + history`, value: r1(tTrend - t1), unit: 'ms' },
        { name: 'verdicts + numbers', value: r1(timings.computeMs), unit: 'ms' },
        { name: 'summary.json + input.json', value: r1(timings.jsonMs), unit: 'ms' },
        { name: 'report.html (charts SSR)', value: r1(timings.htmlMs), unit: 'ms' },
        { name: 'report.xlsx (streaming)', value: r1(timings.xlsxMs), unit: 'ms' },
        { name: 'report.csv + letters.csv', value: r1(timings.csvMs), unit: 'ms' },
        { name: 'peak RSS (process)', value: r1(peakMb), unit: 'MB', target: { max: 1024 } },
      ],
      notes: [
        `trend ${report.summary.trend.map((t) => `${t.name} ${t.onTime}/${t.sitesTested}`).join(' → ')}; vs. last quarter ${report.summary.history.improved} sites improved, ${report.summary.history.worsened} worsened`,
        `sites tested ${report.summary.sitesTested}, on time ${report.summary.onTime}, late ${report.summary.late}, no reply ${report.summary.noReply}, unavailable ${report.summary.unavailable}`,
        `report.xlsx ${xlsxMb.toFixed(1)} MB, report.html ${htmlMb.toFixed(1)} MB`,
      ],
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { printResult } = await import('./run.ts');
  printResult(await run());
}

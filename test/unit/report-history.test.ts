import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { loadCalendar } from '../../shared/adapters/calendar-source.ts';
import { reportInputFromJson } from '../../shared/adapters/report/input.ts';
import { buildReport, earlierCampaigns, inputJson, verifyReport } from '../../shared/app/report.ts';
import { methodFor } from '../../shared/domain/method.ts';
import type { Campaign } from '../../shared/domain/model.ts';
import { computeReport } from '../../shared/domain/report/compute.ts';
import { earlierCampaignOf, historySummary, withHistory, type EarlierCampaign } from '../../shared/domain/report/history.ts';
import { historyText, sitesTable } from '../../shared/domain/report/tables.ts';
import type { ReportInput, ReportSiteResult } from '../../shared/domain/report/types.ts';
import { handMadeCampaign } from './report-fixture.ts';

const calendar = loadCalendar({ env: {} });
const method = methodFor({ workingDays: 1, calendar: calendar.ref });
const clock = { now: () => new Date('2026-04-01T01:00:00Z') };

const earlier = (name: string, results: Record<string, ReportSiteResult>): EarlierCampaign => ({
  point: { name, sitesTested: 3, onTime: 1, late: 1, noReply: 1, unavailable: 0 },
  results: new Map(Object.entries(results)),
});

/** The hand-made campaign with two earlier quarters folded in. Current results: 6100000001 on-time, 6100000002 late… */
function current(): ReportInput {
  const input = handMadeCampaign();
  delete input.trend;
  return input;
}

function withTwoQuarters(): ReportInput {
  return withHistory(current(), [
    earlier('2025年第三季度', { '6100000001': 'none', '6100000002': 'on-time' }),
    earlier('2025年第四季度', { '6100000001': 'late', '6100000002': 'on-time', '6100000099': 'none' }),
  ]);
}

describe('report trend across campaigns (pure)', () => {
  it('folds earlier campaigns oldest first into the province trend (after hand-given points) and each site history', () => {
    const base = current();
    const input = withTwoQuarters();
    expect(input.trend!.map((t) => t.name)).toEqual(['2025年第三季度', '2025年第四季度']);
    // a hand-given point (the fixture's 2025年第四季度 from an earlier folder) is kept first, and not duplicated
    const handGiven = withHistory(handMadeCampaign(), [earlier('2025年第三季度', {}), earlier('2025年第四季度', {})]);
    expect(handGiven.trend!.map((t) => t.name)).toEqual(['2025年第四季度', '2025年第三季度']);
    const s1 = input.sites.find((s) => s.id === '6100000001')!;
    expect(s1.history).toEqual([
      { campaign: '2025年第三季度', result: 'none' },
      { campaign: '2025年第四季度', result: 'late' },
    ]);
    // a site in no earlier campaign has no history; the input given is left untouched
    expect(input.sites.find((s) => s.id === '6100000003')!.history).toBeUndefined();
    expect(base.sites[0]!.history).toBeUndefined();
  });

  it('carries site history into the report rows, counts improved / worsened / unchanged against the latest earlier result', () => {
    const r = computeReport(withTwoQuarters(), { method, calendar, generatedAt: 'g', inputSha256: 'h' });
    const row = (id: string) => r.sites.find((s) => s.id === id)!;
    expect(row('6100000001').history.map((h) => h.result)).toEqual(['none', 'late']);
    expect(row('6100000003').history).toEqual([]);
    const now1 = row('6100000001').result;
    const now2 = row('6100000002').result;
    const rank = { 'on-time': 0, late: 1, none: 2, unavailable: 3 } as Record<string, number>;
    const cmp = (now: string, before: string) => Math.sign(rank[now]! - rank[before]!);
    const deltas = [cmp(now1, 'late'), cmp(now2, 'on-time')];
    expect(r.summary.history).toEqual({
      campaigns: ['2025年第三季度', '2025年第四季度'],
      sites: 2,
      improved: deltas.filter((d) => d < 0).length,
      worsened: deltas.filter((d) => d > 0).length,
      unchanged: deltas.filter((d) => d === 0).length,
    });
    expect(r.summary.trend.at(-1)!.name).toBe('2026年第一季度');
  });

  it('historySummary: pending / untested results are not compared; campaigns follow the trend order', () => {
    const h = historySummary(
      [
        { result: 'on-time', history: [{ campaign: 'B', result: 'none' }] },
        { result: 'pending', history: [{ campaign: 'A', result: 'none' }] },
        { result: 'unavailable', history: [{ campaign: 'A', result: 'on-time' }, { campaign: 'B', result: 'untested' }] },
        { result: 'late', history: [] },
      ],
      [
        { name: 'A', sitesTested: 0, onTime: 0, late: 0, noReply: 0, unavailable: 0 },
        { name: 'B', sitesTested: 0, onTime: 0, late: 0, noReply: 0, unavailable: 0 },
      ],
    );
    expect(h).toEqual({ campaigns: ['A', 'B'], sites: 3, improved: 1, worsened: 0, unchanged: 0 });
  });

  it('earlierCampaignOf takes the headline numbers and per-site results of a computed report', () => {
    const r = computeReport(handMadeCampaign(), { method, calendar, generatedAt: 'g', inputSha256: 'h' });
    const e = earlierCampaignOf(r);
    expect(e.point).toEqual({ name: '2026年第一季度', sitesTested: r.summary.sitesTested, onTime: r.summary.onTime, late: r.summary.late, noReply: r.summary.noReply, unavailable: r.summary.unavailable });
    expect(e.results.get('6100000001')).toBe(r.sites.find((s) => s.id === '6100000001')!.result);
  });

  it('earlierCampaigns picks closed campaigns created before this one, oldest first, at most `limit`', () => {
    const c = (id: string, createdAt: string, state: Campaign['state'] = 'closed'): Campaign => ({
      id,
      name: id,
      state,
      method,
      createdAt,
      windowClosesAt: createdAt,
      siteIds: [],
      lettersPerSite: 1,
    });
    const now = c('c5', '2026-04-01T00:00:00+08:00');
    const all = [
      c('c4', '2026-01-01T00:00:00+08:00'),
      c('c2', '2025-07-01T00:00:00+08:00'),
      c('c3', '2025-10-01T00:00:00+08:00', 'cancelled'),
      c('c1', '2025-04-01T00:00:00+08:00'),
      c('c6', '2026-07-01T00:00:00+08:00'),
      c('c0', '2025-03-01T00:00:00+08:00', 'running'),
      now,
    ];
    expect(earlierCampaigns(all, now).map((x) => x.id)).toEqual(['c1', 'c2', 'c4']);
    expect(earlierCampaigns(all, now, 2).map((x) => x.id)).toEqual(['c2', 'c4']);
    expect(earlierCampaigns(all, now, 0)).toEqual([]);
  });

  it('shows a compact 往期结果 column (oldest → newest) only when some site has a history', () => {
    expect(historyText([{ campaign: '2026Q2', result: 'none' }, { campaign: '2026Q3', result: 'unavailable' }])).toBe('2026Q2 未回复 → 2026Q3 栏目不可用');
    const plain = sitesTable(computeReport(current(), { method, calendar, generatedAt: 'g', inputSha256: 'h' }), (x) => x ?? '');
    expect(plain.header).not.toContain('往期结果');
    const t = sitesTable(computeReport(withTwoQuarters(), { method, calendar, generatedAt: 'g', inputSha256: 'h' }), (x) => x ?? '');
    expect(t.header.at(-1)).toBe('往期结果');
    const row = t.rows.find((r) => r[2] === '6100000001')!;
    expect(row.at(-1)).toBe('2025年第三季度 未回复 → 2025年第四季度 未及时回复');
    expect(t.rows.find((r) => r[2] === '6100000003')!.at(-1)).toBe('');
  });

  it('site history survives input.json (JSON input schema), and bad history is refused naming the path', () => {
    const input = withTwoQuarters();
    const back = reportInputFromJson(JSON.parse(inputJson(input)));
    expect(back.sites.find((s) => s.id === '6100000001')!.history).toEqual(input.sites.find((s) => s.id === '6100000001')!.history);
    const bad = JSON.parse(inputJson(input));
    bad.sites[0].history = [{ campaign: 'x', result: 'great' }];
    expect(() => reportInputFromJson(bad, 'in.json')).toThrow(/in\.json: \$\.sites\[0\]\.history\[0\]\.result/);
  });

  it('a draft with history verifies; tampering the 往期结果 cell or summary.history fails verify, naming it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'huixin-report-history-'));
    await buildReport(dir, { input: withTwoQuarters(), calendar, clock });
    expect(await verifyReport(dir, calendar)).toEqual({ ok: true, differences: [] });
    const html = await readFile(path.join(dir, 'report.html'), 'utf8');
    expect(html).toContain('<th>往期结果</th>');
    expect(html).toContain('2025年第三季度 未回复 → 2025年第四季度 未及时回复');
    expect(html).toMatch(/2家网站参加过往期检查（2025年第三季度、2025年第四季度）/);

    const csvFile = path.join(dir, 'report.csv');
    const csv = await readFile(csvFile, 'utf8');
    const rows = parseCsv(csv, { bom: true }) as string[][];
    expect(rows[0]!.at(-1)).toBe('往期结果');
    await writeFile(csvFile, csv.replace('2025年第四季度 未及时回复', '2025年第四季度 及时回复'));
    const r1 = await verifyReport(dir, calendar);
    expect(r1.ok).toBe(false);
    expect(r1.differences[0]).toMatch(/^report\.csv: row \d+ column 往期结果: expected "2025年第三季度 未回复 → 2025年第四季度 未及时回复"/);
    await writeFile(csvFile, csv);

    const sumFile = path.join(dir, 'summary.json');
    const summary = JSON.parse(await readFile(sumFile, 'utf8'));
    summary.history.improved += 1;
    await writeFile(sumFile, JSON.stringify(summary, null, 2));
    const r2 = await verifyReport(dir, calendar);
    expect(r2.ok).toBe(false);
    expect(r2.differences).toEqual([expect.stringMatching(/^summary\.json: history\.improved: expected \d+, found \d+$/)]);
  });
});

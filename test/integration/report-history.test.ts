import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCalendar } from '../../shared/adapters/calendar-source.ts';
import { FolderPublisher } from '../../shared/adapters/report/publish-folder.ts';
import { loadCampaignInput, publishCampaignResults, verifyReport } from '../../shared/app/report.ts';
import type { DomainEvent, EventType } from '../../shared/domain/events.ts';
import { methodFor } from '../../shared/domain/method.ts';
import type { Campaign, Letter, Site } from '../../shared/domain/model.ts';
import { openLocalStores, type OpenStores } from '../../shared/local/runtime.ts';

const calendar = loadCalendar({ env: {} });
const clock = { now: () => new Date('2026-07-01T01:00:00Z') };
const method = methodFor({ workingDays: 1, calendar: calendar.ref });
const A = '6100000011';
const B = '6100000012';
const C = '6100000013';

const site = (id: string, name: string): Site => ({
  id,
  name,
  category: '省级部门',
  region: '陕西省',
  homeUrl: 'https://example.gov.cn/',
  consultUrl: 'https://example.gov.cn/zx',
});

const campaign = (id: string, name: string, createdAt: string, windowClosesAt: string, state: Campaign['state'], siteIds: string[]): Campaign => ({
  id,
  name,
  state,
  method,
  createdAt,
  windowClosesAt,
  siteIds,
  lettersPerSite: 1,
});

function letter(id: string, campaignId: string, siteId: string, state: Letter['state'], at: string): Letter {
  return {
    id,
    campaignId,
    siteId,
    channelId: 'ch1',
    ordinal: 1,
    state,
    plannedAt: at,
    ...(state === 'submitted' ? { submittedAt: at } : {}),
    replyAddress: `r+${id}@huixin.test`,
    title: '办理居住证需要哪些材料？',
    body: '您好，请问办理居住证需要哪些材料？',
    questionId: 'q1',
    persona: { name: '张三', phone: '13800000000', email: 'a@b.test' },
    version: 0,
    updatedAt: at,
  };
}

let n = 0;
const event = (stream: string, type: EventType, at: string, data: Record<string, unknown> = {}): DomainEvent => ({
  id: `ehis${String(n++).padStart(4, '0')}`,
  stream,
  type,
  at,
  recordedAt: at,
  actor: 'system',
  data,
});

describe('report trend from earlier campaigns in the real local store (dynalite)', () => {
  let s: OpenStores;
  beforeAll(async () => {
    s = await openLocalStores({ inMemory: true });
    await s.sites.importSites([site(A, '陕西省教育厅'), site(B, '陕西省民政厅'), site(C, '陕西省商务厅')], {
      source: 'test',
      importedAt: '2026-01-01T00:00:00+08:00',
    });
    // Q1 (closed): A answers the same day, B never answers.
    await s.campaigns.createCampaign(campaign('chis1', '2026年第一季度', '2026-03-01T00:00:00+08:00', '2026-03-31T23:59:59+08:00', 'closed', [A, B]));
    // Not part of the trend: a cancelled campaign before, and a closed one created after Q2.
    await s.campaigns.createCampaign(campaign('chis0', '作废的活动', '2026-02-01T00:00:00+08:00', '2026-02-28T23:59:59+08:00', 'cancelled', [A]));
    await s.campaigns.createCampaign(campaign('chis3', '2026年第三季度', '2026-07-01T00:00:00+08:00', '2026-09-30T23:59:59+08:00', 'closed', [A]));
    // Q2 (the one reported): A never answers (worse), B answers the same day (better), C's channel is down (new site).
    await s.campaigns.createCampaign(campaign('chis2', '2026年第二季度', '2026-04-01T00:00:00+08:00', '2026-06-30T23:59:59+08:00', 'closed', [A, B, C]));
    await s.letters.putLetters([
      letter('lhis1', 'chis1', A, 'submitted', '2026-03-02T10:00:00+08:00'),
      letter('lhis2', 'chis1', B, 'submitted', '2026-03-03T10:00:00+08:00'),
      letter('lhis0', 'chis0', A, 'submitted', '2026-02-03T10:00:00+08:00'),
      letter('lhis9', 'chis3', A, 'submitted', '2026-07-07T10:00:00+08:00'),
      letter('lhis3', 'chis2', A, 'submitted', '2026-04-08T10:00:00+08:00'),
      letter('lhis4', 'chis2', B, 'submitted', '2026-04-08T10:00:00+08:00'),
      letter('lhis5', 'chis2', C, 'unavailable', '2026-04-08T10:00:00+08:00'),
    ]);
    for (const e of [
      event('letter:lhis1', 'letter.submitted', '2026-03-02T10:00:00+08:00'),
      event('letter:lhis1', 'reply.seen', '2026-03-02T15:00:00+08:00', { source: 'mail', precision: 'instant' }),
      event('letter:lhis2', 'letter.submitted', '2026-03-03T10:00:00+08:00'),
      event('letter:lhis0', 'letter.submitted', '2026-02-03T10:00:00+08:00'),
      event('letter:lhis9', 'letter.submitted', '2026-07-07T10:00:00+08:00'),
      event('letter:lhis3', 'letter.submitted', '2026-04-08T10:00:00+08:00'),
      event('letter:lhis4', 'letter.submitted', '2026-04-08T10:00:00+08:00'),
      event('letter:lhis4', 'reply.seen', '2026-04-08T16:00:00+08:00', { source: 'mail', precision: 'instant' }),
      event('letter:lhis5', 'letter.unavailable', '2026-04-08T10:00:00+08:00'),
    ]) {
      await s.events.append(e);
    }
  });
  afterAll(async () => {
    await s?.close();
  });

  it('finds the earlier closed campaign automatically: its numbers in input.trend and each site result in site.history', async () => {
    const { input, earlier } = await loadCampaignInput(s, 'chis2', { calendar });
    expect(earlier).toEqual(['2026年第一季度']);
    expect(input.trend).toEqual([{ name: '2026年第一季度', sitesTested: 2, onTime: 1, late: 0, noReply: 1, unavailable: 0 }]);
    const history = Object.fromEntries(input.sites.map((x) => [x.id, x.history]));
    expect(history).toEqual({
      [A]: [{ campaign: '2026年第一季度', result: 'on-time' }],
      [B]: [{ campaign: '2026年第一季度', result: 'none' }],
      [C]: undefined,
    });
    // without a calendar, or with history 0, nothing is looked up
    expect((await loadCampaignInput(s, 'chis2')).input.trend).toBeUndefined();
    expect((await loadCampaignInput(s, 'chis2', { calendar, history: 0 })).earlier).toEqual([]);
    // the first campaign has nothing before it
    expect((await loadCampaignInput(s, 'chis1', { calendar })).input.trend).toBeUndefined();
  });

  it("publishes Q2 with both trends (summary, HTML, CSV, XLSX); it verifies, and tampering the history fails verify", async () => {
    const work = await mkdtemp(path.join(os.tmpdir(), 'huixin-report-history-'));
    const root = await mkdtemp(path.join(os.tmpdir(), 'huixin-report-history-pub-'));
    const r = await publishCampaignResults(s, 'chis2', new FolderPublisher(root), { calendar, clock, workDir: work });
    expect(r.version).toBe(1);
    expect(r.summary.trend).toEqual([
      { name: '2026年第一季度', sitesTested: 2, onTime: 1, late: 0, noReply: 1, unavailable: 0 },
      { name: '2026年第二季度', sitesTested: 3, onTime: 1, late: 0, noReply: 1, unavailable: 1 },
    ]);
    expect(r.summary.history).toEqual({ campaigns: ['2026年第一季度'], sites: 2, improved: 1, worsened: 1, unchanged: 0 });
    expect(await verifyReport(work, calendar)).toEqual({ ok: true, differences: [] });

    const html = await readFile(path.join(work, 'report.html'), 'utf8');
    expect(html).toContain('与2026年第一季度（检查网站2家，及时回复率50.0%）相比');
    expect(html).toContain('2家网站参加过往期检查（2026年第一季度），与其上一次结果相比，1家改善，1家变差，0家持平');
    expect(html).toContain('<td>陕西省教育厅</td>');
    expect(html).toContain('<td>2026年第一季度 及时回复</td>');
    expect(html).toContain('<td>2026年第一季度 未回复</td>');

    const csvFile = path.join(work, 'report.csv');
    const csv = await readFile(csvFile, 'utf8');
    const rows = parseCsv(csv, { bom: true }) as string[][];
    const col = rows[0]!.indexOf('往期结果');
    expect(col).toBe(rows[0]!.length - 1);
    expect(Object.fromEntries(rows.slice(1).map((row) => [row[2], row[col]]))).toEqual({
      [A]: '2026年第一季度 及时回复',
      [B]: '2026年第一季度 未回复',
      [C]: '',
    });

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path.join(work, 'report.xlsx'));
    const ws = wb.getWorksheet('附件-网站')!;
    expect(ws.getRow(1).getCell(col + 1).value).toBe('往期结果');
    expect(ws.getRow(2).getCell(col + 1).value).toBe('2026年第一季度 及时回复');

    await writeFile(csvFile, csv.replace('2026年第一季度 未回复', '2026年第一季度 及时回复'));
    const tampered = await verifyReport(work, calendar);
    expect(tampered.ok).toBe(false);
    expect(tampered.differences).toEqual(['report.csv: row 3 column 往期结果: expected "2026年第一季度 未回复", found "2026年第一季度 及时回复"']);
    await writeFile(csvFile, csv);

    const sumFile = path.join(work, 'summary.json');
    const summary = JSON.parse(await readFile(sumFile, 'utf8'));
    summary.trend[0].onTime = 2;
    await writeFile(sumFile, JSON.stringify(summary, null, 2));
    expect((await verifyReport(work, calendar)).differences).toEqual(['summary.json: trend[0].onTime: expected 1, found 2']);
  });
});

import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCalendar } from '../../shared/adapters/calendar-source.ts';
import { FolderPublisher } from '../../shared/adapters/report/publish-folder.ts';
import { loadCampaignInput, publishCampaignResults, verifyReport } from '../../shared/app/report.ts';
import type { DomainEvent, EventType } from '../../shared/domain/events.ts';
import { methodFor } from '../../shared/domain/method.ts';
import type { Campaign, Letter, Site } from '../../shared/domain/model.ts';
import { openLocalStores, type OpenStores } from '../../shared/local/runtime.ts';

const calendar = loadCalendar({ env: {} });
const clock = { now: () => new Date('2026-04-01T01:00:00Z') };

const site = (id: string, name: string, category: Site['category']): Site => ({
  id,
  name,
  category,
  region: '陕西省',
  homeUrl: 'https://example.gov.cn/',
  consultUrl: 'https://example.gov.cn/zx',
});

function letter(id: string, siteId: string, ordinal: number, state: Letter['state'], submittedAt?: string): Letter {
  return {
    id,
    campaignId: 'crep1',
    siteId,
    channelId: 'ch1',
    ordinal,
    state,
    plannedAt: submittedAt ?? '2026-03-02T09:00:00+08:00',
    ...(submittedAt ? { submittedAt } : {}),
    replyAddress: `r+${id}@huixin.test`,
    title: '办理居住证需要哪些材料？',
    body: '您好，请问办理居住证需要哪些材料？',
    questionId: 'q1',
    persona: { name: '张三', phone: '13800000000', email: 'a@b.test' },
    version: 0,
    updatedAt: '2026-03-02T09:00:00+08:00',
  };
}

let n = 0;
const event = (stream: string, type: EventType, at: string, data: Record<string, unknown> = {}): DomainEvent => ({
  id: `erep${String(n++).padStart(4, '0')}`,
  stream,
  type,
  at,
  recordedAt: at,
  actor: 'system',
  data,
});

describe('report from a campaign in the real local store (dynalite)', () => {
  let s: OpenStores;
  beforeAll(async () => {
    s = await openLocalStores({ inMemory: true });
    await s.sites.importSites([site('6100000001', '陕西省人民政府', '省政府门户'), site('6100000002', '陕西省教育厅', '省级部门')], {
      source: 'test',
      importedAt: '2026-03-01T00:00:00+08:00',
    });
    const campaign: Campaign = {
      id: 'crep1',
      name: '2026年第一季度',
      state: 'closed',
      method: methodFor({ workingDays: 1, calendar: calendar.ref }),
      createdAt: '2026-03-01T00:00:00+08:00',
      windowClosesAt: '2026-03-31T23:59:59+08:00',
      siteIds: ['6100000001', '6100000002'],
      lettersPerSite: 2,
    };
    await s.campaigns.createCampaign(campaign);
    await s.letters.putLetters([
      letter('lrep1', '6100000001', 1, 'submitted', '2026-03-02T10:00:00+08:00'),
      letter('lrep2', '6100000001', 2, 'submitted', '2026-03-09T10:00:00+08:00'),
      letter('lrep3', '6100000002', 1, 'submitted', '2026-03-03T10:00:00+08:00'),
      letter('lrep4', '6100000002', 2, 'unavailable'),
    ]);
    for (const e of [
      event('letter:lrep1', 'letter.submitted', '2026-03-02T10:00:00+08:00'),
      event('letter:lrep1', 'ack.seen', '2026-03-02T10:01:00+08:00'),
      event('letter:lrep1', 'reply.seen', '2026-03-02T15:00:00+08:00', { source: 'mail', precision: 'instant' }),
      event('letter:lrep2', 'letter.submitted', '2026-03-09T10:00:00+08:00'),
      event('letter:lrep2', 'reply.seen', '2026-03-09T16:00:00+08:00', { source: 'reply-list', precision: 'instant' }),
      event('letter:lrep3', 'letter.submitted', '2026-03-03T10:00:00+08:00'),
      event('letter:lrep3', 'reply.seen', '2026-03-05T10:00:00+08:00', { source: 'mail' }),
      event('letter:lrep4', 'letter.unavailable', '2026-03-10T10:00:00+08:00'),
    ]) {
      await s.events.append(e);
    }
  });
  afterAll(async () => {
    await s?.close();
  });

  it('reads letters and their events into the report input (acks are not replies; evidence cites the events)', async () => {
    const { input, method, omitted } = await loadCampaignInput(s, 'crep1');
    expect(omitted).toBe(0);
    expect(method.workingDays).toBe(1);
    expect(input.sites.map((x) => x.letters.map((l) => [l.channel, l.repliedAt]))).toEqual([
      [
        ['available', '2026-03-02T15:00:00+08:00'],
        ['available', '2026-03-09T16:00:00+08:00'],
      ],
      [
        ['available', '2026-03-05T10:00:00+08:00'],
        ['unavailable', null],
      ],
    ]);
    expect(input.sites[0]!.letters[0]!.evidence).toHaveLength(2);
  });

  it('publishes the campaign results: numbers, honour list, a verifying draft, and v1 with the cited evidence', async () => {
    const work = await mkdtemp(path.join(os.tmpdir(), 'huixin-report-store-'));
    const root = await mkdtemp(path.join(os.tmpdir(), 'huixin-report-pub-'));
    const r = await publishCampaignResults(s, 'crep1', new FolderPublisher(root), { calendar, clock, workDir: work });
    expect(r.version).toBe(1);
    expect({ tested: r.summary.sitesTested, onTime: r.summary.onTime, unavailable: r.summary.unavailable }).toEqual({ tested: 2, onTime: 1, unavailable: 1 });
    expect(r.summary.allSameDay).toEqual(['陕西省人民政府']);
    expect(await verifyReport(work, calendar)).toEqual({ ok: true, differences: [] });
    const { readFile } = await import('node:fs/promises');
    const manifest = JSON.parse(await readFile(path.join(root, 'v1', 'manifest.json'), 'utf8'));
    expect(manifest.evidence.length).toBe(7);
    const reply = (await s.events.stream('letter:lrep1')).find((e) => e.type === 'reply.seen')!;
    const { createHash } = await import('node:crypto');
    expect(manifest.evidence).toContainEqual({ ref: `event:${reply.id}`, sha256: createHash('sha256').update(JSON.stringify(reply)).digest('hex') });
  });
});

/**
 * The batched schedule writes the campaign planner uses (`scheduleMany` → DynamoScheduleStore.createMany on dynalite):
 * the same contract as `scheduleAt` one by one — a live schedule is kept as it is, a cancelled one comes back, each
 * fires exactly once — and the question history read per campaign instead of per site.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Queue } from '../../shared/app/ports.ts';
import type { ScheduleItem } from '../../shared/app/scheduler.ts';
import { createCampaign } from '../../shared/app/campaigns.ts';
import { parseInstant } from '../../shared/domain/beijing-time.ts';
import type { Site } from '../../shared/domain/model.ts';
import { campaignRuntime } from '../../shared/local/campaign-runtime.ts';
import { openLocalStores, type OpenStores } from '../../shared/local/runtime.ts';

class RecordingQueue implements Queue<Record<string, unknown>> {
  sent: Record<string, unknown>[] = [];
  async send(body: Record<string, unknown>): Promise<void> {
    this.sent.push(body);
  }
}

const site = (i: number): Site => ({
  id: String(6100000000 + i),
  name: `测试市人民政府${i}`,
  category: '市县政府门户',
  region: '陕西省西安市',
  homeUrl: `http://127.0.0.1:1/s${i}/`,
  consultUrl: `http://127.0.0.1:1/s${i}/zx`,
});

let stores: OpenStores;
beforeAll(async () => {
  stores = await openLocalStores({ inMemory: true });
  await stores.sites.importSites(Array.from({ length: 40 }, (_, i) => site(i)), { source: 'test', importedAt: '2026-03-01T10:00:00+08:00' });
});
afterAll(async () => stores?.close());

describe('batched schedule writes on dynalite', () => {
  it('scheduleMany keeps a live schedule as it is, brings a cancelled one back, and each fires exactly once', async () => {
    let now = new Date('2026-03-02T00:00:00Z');
    const submit = new RecordingQueue();
    const { scheduler } = campaignRuntime(stores, { clock: { now: () => now }, queues: { submit }, env: {} });
    const group = { group: 'huixin-batch' };
    await scheduler.scheduleAt('send-keep', '2026-03-02T09:00:00+08:00', { queue: 'submit', body: { letterId: 'keep', v: 1 } }, group);
    await scheduler.scheduleAt('send-back', '2026-03-02T09:00:00+08:00', { queue: 'submit', body: { letterId: 'back', v: 1 } }, group);
    await scheduler.cancel('send-back', group);

    const items: ScheduleItem[] = Array.from({ length: 130 }, (_, i) => ({ name: `send-n${i}`, at: '2026-03-02T10:00:00+08:00', target: { queue: 'submit', body: { letterId: `n${i}` } } }));
    items.push({ name: 'send-keep', at: '2026-03-03T10:00:00+08:00', target: { queue: 'submit', body: { letterId: 'keep', v: 2 } } });
    items.push({ name: 'send-back', at: '2026-03-02T11:00:00+08:00', target: { queue: 'submit', body: { letterId: 'back', v: 2 } } });
    await scheduler.scheduleMany(items, group);
    await scheduler.scheduleMany(items, group); // a re-run changes nothing

    expect((await scheduler.get('send-keep', group))?.at).toBe('2026-03-02T09:00:00+08:00');
    expect((await scheduler.get('send-back', group))).toMatchObject({ state: 'pending', at: '2026-03-02T11:00:00+08:00' });
    now = new Date('2026-03-04T00:00:00Z');
    const fired = await scheduler.fireDue(now);
    expect(fired.fired).toHaveLength(132);
    expect((await scheduler.fireDue(now)).fired).toHaveLength(0);
    expect(submit.sent.filter((b) => b.letterId === 'keep')).toEqual([{ letterId: 'keep', v: 1 }]);
    expect(submit.sent.filter((b) => b.letterId === 'back')).toEqual([{ letterId: 'back', v: 2 }]);
    expect(new Set(submit.sent.map((b) => b.letterId)).size).toBe(132);
  });

  it('a campaign created twice has one send schedule per letter, and a second campaign avoids the questions of the first', async () => {
    const now = new Date('2026-03-02T00:00:00Z');
    const submit = new RecordingQueue();
    const { deps, scheduler } = campaignRuntime(stores, { clock: { now: () => now }, queues: { submit, close: new RecordingQueue() }, env: {} });
    const input = { id: 'c0000000000batch0001', name: '批量写入', sites: 'all' as const, lettersPerSite: 2, workingDays: 1, window: { workingDays: 20 } };
    const first = await createCampaign(deps, input);
    const again = await createCampaign(deps, input);
    expect(again.created).toBe(false);
    expect(first.letters).toBe(80);
    const letters = await stores.letters.lettersOfCampaign(input.id);
    expect(letters).toHaveLength(80);
    const group = { group: `huixin-${input.id}` };
    for (const l of letters) expect((await scheduler.get(`send-${l.id}`, group))?.at).toBe(l.plannedAt);
    const end = new Date(parseInstant(first.lastSendAt!) + 1000);
    expect((await scheduler.fireDue(end)).fired.filter((s) => s.target.queue === 'submit')).toHaveLength(80);

    const second = await createCampaign(deps, { ...input, id: 'c0000000000batch0002', name: '批量写入 第二次' });
    expect(second.letters).toBe(80);
    const asked = new Map<string, Set<string>>();
    for (const l of letters) asked.set(l.siteId, (asked.get(l.siteId) ?? new Set()).add(l.questionId));
    for (const l of await stores.letters.lettersOfCampaign('c0000000000batch0002')) expect(asked.get(l.siteId)?.has(l.questionId), l.siteId).toBe(false);
  });
});

/**
 * The alert feed on the real local store (dynalite): DynamoEventStore indexes the alert event types by the Beijing day
 * they were recorded (gsi1, sparse), and the scheduled `runAlerts` reads that feed since its cursor (DynamoAlertStore)
 * instead of every site's history. The clock is injected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAlertConfig } from '../../shared/adapters/alerts/config.ts';
import { alertDeps } from '../../shared/adapters/alerts/wiring.ts';
import { DynamoAlertStore } from '../../shared/adapters/alerts/dynamo-alerts.ts';
import { announceMaintenance, runAlerts } from '../../shared/app/alerts.ts';
import type { DomainEvent } from '../../shared/domain/events.ts';
import type { Site } from '../../shared/domain/model.ts';
import { openLocalStores, type OpenStores } from '../../shared/local/runtime.ts';

let stores: OpenStores;
let now = new Date('2026-03-02T01:00:00.000Z');
const clock = { now: () => now };
const advance = (ms: number) => (now = new Date(now.getTime() + ms));
const HOUR = 3_600_000;
const sites: Site[] = ['01', '02', '03'].map((n) => ({
  id: `620000${n}`,
  name: `测试站${n}`,
  category: '市县部门',
  region: '兰州市',
  homeUrl: `http://s${n}.example/`,
  consultUrl: `http://s${n}.example/consult`,
}));

let seq = 0;
const event = (stream: string, type: DomainEvent['type'], recordedAt: string, data: Record<string, unknown> = {}): DomainEvent => ({
  id: `ev${String(++seq).padStart(6, '0')}`,
  stream,
  type,
  at: recordedAt,
  recordedAt,
  actor: 'test',
  data,
});
const check = (siteId: string, status: 'ready' | 'unavailable') =>
  stores.events.append(event(`site:${siteId}`, 'channel.checked', now.toISOString(), { url: `http://x/${siteId}`, status, reason: status === 'ready' ? 'ok' : 'http-404' }));

beforeAll(async () => {
  stores = await openLocalStores({ inMemory: true });
  await stores.sites.importSites(sites, { source: 'test', importedAt: now.toISOString() });
}, 60_000);

afterAll(async () => {
  await stores?.close();
});

describe('the alert feed on DynamoDB (dynalite)', () => {
  it('returns exactly the alert event types recorded in [since, until], across a Beijing midnight, oldest first, as appended', async () => {
    const before = event('site:feed-a', 'channel.checked', '2026-01-10T15:40:00.000Z'); // 23:40 Beijing, 10 Jan
    const afterMidnight = event('letter:feed-l', 'letter.submitted', '2026-01-10T16:10:00+00:00'); // 00:10 Beijing, 11 Jan
    const maintenance = event('site:feed-a', 'channel.maintenance', '2026-01-10T17:00:00.000Z', { from: '2026-01-12T00:00:00Z', to: '2026-01-12T02:00:00Z', reason: 'x' });
    const notFeed = event('site:feed-a', 'alert.sent', '2026-01-10T16:00:00.000Z');
    const tooEarly = event('site:feed-a', 'channel.checked', '2026-01-10T14:59:59.999Z');
    const tooLate = event('site:feed-a', 'channel.checked', '2026-01-10T17:00:00.001Z');
    for (const e of [afterMidnight, maintenance, notFeed, before, tooEarly, tooLate]) await stores.events.append(e);
    const got = await stores.events.recordedBetween('2026-01-10T15:00:00.000Z', '2026-01-10T17:00:00.000Z');
    expect(got).toEqual([before, afterMidnight, maintenance]);
    // the feed keys do not leak into the events the streams return
    expect(await stores.events.stream('site:feed-a')).toContainEqual(before);
    expect(await stores.events.recordedBetween('2026-01-11T00:00:00.000Z', '2026-01-10T00:00:00.000Z')).toEqual([]);
  });

  it('the scheduled run: the first visits every site once, later runs only what the feed says changed; cursor and windows persist', async () => {
    const deps = alertDeps(stores, loadAlertConfig({}), { clock });
    const store = new DynamoAlertStore(stores.client, stores.tableName);
    const [a, b] = [sites[0]!.id, sites[1]!.id];
    await check(a, 'unavailable');
    const first = await runAlerts(deps);
    expect(first.suspected).toEqual([a]);
    expect((await store.getRunCursor())?.at).toBe(new Date(now.getTime() - 10 * 60_000).toISOString());
    expect((await store.listPendingWork()).map((s) => s.siteId)).toEqual([a]);

    await announceMaintenance(deps, { siteId: b, from: '2026-03-04T08:00:00+08:00', to: '2026-03-04T20:00:00+08:00', reason: '机房搬迁', by: 'ops' });
    advance(HOUR);
    await check(a, 'unavailable');
    const second = await runAlerts(deps);
    expect(second.messages.map((m) => [m.kind, m.siteIds])).toEqual([['broken', [a]]]);
    expect((await store.getSiteState(b))?.maintenance?.map((w) => w.reason)).toEqual(['机房搬迁']);

    advance(2 * 24 * HOUR); // 2026-03-04T02:00Z = 10:00 Beijing: inside b's window, announced two days ago
    await check(b, 'unavailable');
    advance(HOUR);
    await check(b, 'unavailable');
    const third = await runAlerts(deps);
    expect(third.messages).toEqual([]);
    expect(third.suppressed.map((s) => s.siteId)).toEqual([b, b]);
    expect((await store.getRunCursor())?.at).toBe(new Date(now.getTime() - 10 * 60_000).toISOString());
  });
});

import { BatchWriteItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DynamoSiteStore } from '../../shared/adapters/dynamo/site-store.ts';
import { batchPutAll } from '../../shared/adapters/dynamo/client.ts';
import { importSites, REGISTRY_STREAM, RegistryValidationError } from '../../shared/app/import-sites.ts';
import type { RawTable } from '../../shared/domain/registry.ts';
import { openLocalStores, type OpenStores } from '../../shared/local/runtime.ts';
import { marshall } from '@aws-sdk/util-dynamodb';

const HEADER = ['网站名称', '网站标识码', '类别', '地区', '首页', '咨询栏目地址'];
const row = (i: number, name = `站点${i}`) => [name, String(6100000000 + i), '省级部门', '陕西省', `https://s${i}.gov.cn/`, `https://s${i}.gov.cn/zx`];
const tableOf = (rows: string[][]): RawTable => ({ headerRow: 1, header: HEADER, rows: rows.map((cells, i) => ({ row: i + 2, cells })) });
const clock = { now: () => new Date('2026-03-02T01:00:00Z') };

/** A client whose `n`-th BatchWriteItem call (1-based) throws, as if the process died mid-import. */
function failingOnBatch(client: DynamoDBClient, n: number): DynamoDBClient {
  let calls = 0;
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === 'send') {
        return (cmd: unknown) => {
          if (cmd instanceof BatchWriteItemCommand && ++calls === n) return Promise.reject(new Error('simulated crash mid-import'));
          return target.send(cmd as BatchWriteItemCommand);
        };
      }
      return Reflect.get(target, prop, receiver);
    },
  });
}

describe('registry import is all or nothing', () => {
  let s: OpenStores;
  beforeEach(async () => {
    s = await openLocalStores({ inMemory: true });
  });
  afterEach(async () => {
    await s.close();
  });

  const deps = (sites = s.sites, table: RawTable) => ({ sites, events: s.events, clock, read: async () => table });

  it('a write that fails halfway leaves the old registry intact and readable', async () => {
    await importSites(deps(s.sites, tableOf([row(1), row(2)])), 'old.csv');
    const before = await s.sites.listSites();
    expect(before.map((x) => x.name)).toEqual(['站点1', '站点2']);

    // 80 sites = 4 batches of 25 (+ the 2 kept ones): die on the 3rd batch.
    const big = tableOf([row(1, '站点1（改）'), ...Array.from({ length: 80 }, (_, i) => row(100 + i))]);
    const crashing = new DynamoSiteStore(failingOnBatch(s.client, 3), s.tableName, { baseDelayMs: 0 });
    await expect(importSites(deps(crashing, big), 'new.csv')).rejects.toThrow('simulated crash mid-import');

    expect(await s.sites.listSites()).toEqual(before);
    expect((await s.sites.getSite('6100000001'))?.name).toBe('站点1');
    expect(await s.sites.getSite('6100000100')).toBeUndefined();
    expect((await s.events.stream(REGISTRY_STREAM)).map((e) => e.data.source)).toEqual(['old.csv']);

    // …and the same file imports fine afterwards.
    const ok = await importSites(deps(s.sites, big), 'new.csv');
    expect(ok).toMatchObject({ total: 81, added: 80, updated: 1, unchanged: 0 });
    expect(await s.sites.listSites()).toHaveLength(82);
  });

  it('an invalid file throws RegistryValidationError listing every problem, and writes nothing', async () => {
    const bad = tableOf([row(1), ['', '61080000', '省级部门', '陕西省', 'x', 'https://a.gov.cn/'], row(1)]);
    const err = await importSites(deps(s.sites, bad), 'bad.csv').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryValidationError);
    expect((err as RegistryValidationError).message.split('\n').slice(1)).toEqual([
      '第3行 网站名称: 不能为空',
      '第3行 网站标识码: "61080000" 不是10位数字或 bm 加8位数字',
      '第3行 首页: "x" 不是 http(s) 绝对地址',
      '第4行 网站标识码: "6100000001" 与第2行重复',
    ]);
    expect(await s.sites.listSites()).toEqual([]);
    expect(await s.events.stream(REGISTRY_STREAM)).toEqual([]);
  });

  it('a dry run counts what would change and writes nothing', async () => {
    await importSites(deps(s.sites, tableOf([row(1), row(2)])), 'a.csv');
    const r = await importSites(deps(s.sites, tableOf([row(1), row(2, '新名'), row(3)])), 'b.csv', { dryRun: true });
    expect(r).toEqual({ source: 'b.csv', total: 3, added: 1, updated: 1, unchanged: 1, dryRun: true });
    expect((await s.sites.listSites()).map((x) => x.name)).toEqual(['站点1', '站点2']);
  });

  it("a site read reuses the registry pointer for a few seconds; its own import is seen at once, another process's within the age", async () => {
    let nowMs = 0;
    let pointerReads = 0;
    const counting = new Proxy(s.client, {
      get(target, prop, receiver) {
        if (prop !== 'send') return Reflect.get(target, prop, receiver);
        return (cmd: { input?: { Key?: { pk?: { S?: string }; sk?: { S?: string } } } }) => {
          if (cmd.input?.Key?.pk?.S === 'REGISTRY' && cmd.input.Key.sk?.S === 'CURRENT') pointerReads++;
          return target.send(cmd as BatchWriteItemCommand);
        };
      },
    });
    const mine = new DynamoSiteStore(counting, s.tableName, {}, { pointerMaxAgeMs: 5_000, nowMs: () => nowMs });
    const other = new DynamoSiteStore(s.client, s.tableName, {}, { pointerMaxAgeMs: 0 });
    await importSites(deps(mine, tableOf([row(1)])), 'a.csv');
    const afterImport = pointerReads;
    expect((await mine.getSite('6100000001'))?.name).toBe('站点1');
    expect((await mine.getSite('6100000001'))?.name).toBe('站点1');
    expect(pointerReads).toBe(afterImport); // the import left the pointer it wrote: no read

    // this store's own import: seen at once
    await importSites(deps(mine, tableOf([row(1, '站点1（改）')])), 'b.csv');
    expect((await mine.getSite('6100000001'))?.name).toBe('站点1（改）');

    // another process's import: the old complete snapshot until the age runs out, then the new one
    await importSites(deps(other, tableOf([row(1, '站点1（再改）')])), 'c.csv');
    nowMs += 4_999;
    expect((await mine.getSite('6100000001'))?.name).toBe('站点1（改）');
    nowMs += 1;
    expect((await mine.getSite('6100000001'))?.name).toBe('站点1（再改）');
    // a list always reads the pointer
    expect((await other.getSite('6100000001'))?.name).toBe('站点1（再改）');
    expect((await mine.listSites()).map((x) => x.name)).toEqual(['站点1（再改）']);
  });

  it('records a registry.imported event with the counts', async () => {
    await importSites(deps(s.sites, tableOf([row(1)])), 'a.csv', { actor: 'staff:wang' });
    const [ev] = await s.events.stream(REGISTRY_STREAM);
    expect(ev).toMatchObject({
      type: 'registry.imported',
      actor: 'staff:wang',
      at: '2026-03-02T01:00:00.000Z',
      data: { source: 'a.csv', total: 1, added: 1, updated: 0, siteIds: ['6100000001'] },
    });
  });

  it('batch writes retry unprocessed items with growing backoff until all are written', async () => {
    const items = Array.from({ length: 30 }, (_, i) => marshall({ pk: `T#${i}`, sk: 'X' }));
    let first = true;
    const flaky = new Proxy(s.client, {
      get(target, prop, receiver) {
        if (prop !== 'send') return Reflect.get(target, prop, receiver);
        return async (cmd: BatchWriteItemCommand) => {
          if (cmd instanceof BatchWriteItemCommand && first) {
            first = false;
            const reqs = cmd.input.RequestItems![s.tableName]!;
            await target.send(new BatchWriteItemCommand({ RequestItems: { [s.tableName]: reqs.slice(0, 10) } }));
            return { UnprocessedItems: { [s.tableName]: reqs.slice(10) } };
          }
          return target.send(cmd);
        };
      },
    });
    const sleeps: number[] = [];
    await batchPutAll(flaky, s.tableName, items, { baseDelayMs: 100, sleep: async (ms) => void sleeps.push(ms) });
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThanOrEqual(50);
    const { ScanCommand } = await import('@aws-sdk/client-dynamodb');
    const all = await s.client.send(new ScanCommand({ TableName: s.tableName }));
    expect(all.Items?.filter((i) => i.pk?.S?.startsWith('T#'))).toHaveLength(30);
  });
});

/**
 * The daily channel check at national scale: the scheduled run fans the registry out onto the check queue in batches
 * of sites, and each batch is one run of the same function (fed by the queue) — no run has to check 14,000 sites.
 */
import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createHandler, type CheckHandlerDeps } from '../../functions/check-channel/handler.ts';
import { CHECK_BATCH, type CheckBatch } from '../../shared/app/check-channel.ts';
import type { Site } from '../../shared/domain/model.ts';

function deps(siteCount: number, withQueue = true): { deps: CheckHandlerDeps; sent: CheckBatch[] } {
  const sent: CheckBatch[] = [];
  const sites = Array.from({ length: siteCount }, (_, i) => ({ id: `s${i}` }) as Site);
  return {
    sent,
    deps: {
      check: {} as CheckHandlerDeps['check'], // the fan-out checks nothing itself
      sites: { getSite: async () => undefined, listSites: async () => sites },
      ...(withQueue ? { checkQueue: { send: async (b: CheckBatch) => void sent.push(b) } } : {}),
      log: () => {},
    },
  };
}

describe('check-channel: the daily fan-out', () => {
  it('puts every registry site on the check queue once, in batches of CHECK_BATCH', async () => {
    const { deps: d, sent } = deps(2 * CHECK_BATCH + 5);
    const r = await createHandler(async () => d)({ task: 'fan-out' });
    expect(r).toEqual({ checks: [], fannedOut: { sites: 2 * CHECK_BATCH + 5, messages: 3 } });
    expect(sent.map((m) => m.sites.length)).toEqual([CHECK_BATCH, CHECK_BATCH, 5]);
    const ids = sent.flatMap((m) => m.sites.map((s) => s.siteId));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain('s0');
    expect(ids).toContain(`s${2 * CHECK_BATCH + 4}`);
  });

  it('checks only the sites named, each once', async () => {
    const { deps: d, sent } = deps(100);
    await createHandler(async () => d)({ task: 'fan-out', siteIds: ['s7', 's9', 's7'] });
    expect(sent).toEqual([{ sites: [{ siteId: 's7' }, { siteId: 's9' }] }]);
  });

  it('fails loudly without a check queue (the run is retried, then dead-lettered), and sends nothing', async () => {
    const { deps: d, sent } = deps(3, false);
    await expect(createHandler(async () => d)({ task: 'fan-out' })).rejects.toThrow(/HUIXIN_CHECK_QUEUE_URL/);
    expect(sent).toEqual([]);
  });

  it('a batch from the queue is checked site by site (a site with no address is reported as such)', async () => {
    const { deps: d } = deps(0);
    const event = { Records: [{ body: JSON.stringify({ sites: [{ siteId: 'gone' }] }) }] } as SQSEvent;
    expect(await createHandler(async () => d)(event)).toEqual({ checks: [{ siteId: 'gone', status: 'script-broken', reason: 'no-consult-url', via: 'http' }] });
  });
});

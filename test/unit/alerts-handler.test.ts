import { describe, expect, it } from 'vitest';
import { MemoryAlertStore } from '../../shared/adapters/alerts/memory.ts';
import { MemoryEventStore, MemoryLetterStore } from '../../shared/adapters/mail/memory.ts';
import type { AlertDeps } from '../../shared/app/alerts.ts';
import type { Site } from '../../shared/domain/model.ts';
import { createHandler } from '../../functions/send-alerts/handler.ts';

function setup() {
  let now = new Date('2026-03-02T01:00:00Z');
  const site: Site = { id: '6100000001', name: '某市网站', category: '市县政府门户', region: '某市', homeUrl: 'http://a/', consultUrl: 'http://a/zx' };
  const events = new MemoryEventStore();
  const sent: string[] = [];
  const queued: unknown[] = [];
  const alerts: AlertDeps = {
    alerts: new MemoryAlertStore(),
    events,
    letters: new MemoryLetterStore(),
    sites: { listSites: async () => [site], getSite: async () => site },
    sender: { send: async (t, m) => void sent.push(`${t.id}:${m.kind}`) },
    clock: { now: () => now },
    targets: [{ id: 'operators', kind: 'email', to: ['ops@x.cn'] }],
  };
  const handler = createHandler(async () => ({
    alerts,
    sources: { overdue: async () => [], gated: async () => [], held: async () => [] },
    checkQueue: { send: async (b) => void queued.push(b) },
    log: () => {},
  }));
  const fail = () =>
    events.append({ id: `e${Math.random()}`, stream: `site:${site.id}`, type: 'channel.checked', at: now.toISOString(), recordedAt: now.toISOString(), actor: 'x', data: { status: 'unavailable', reason: 'http-404', url: site.consultUrl, evidence: {} } });
  const scriptBroken = () =>
    events.append({ id: `e${Math.random()}`, stream: `site:${site.id}`, type: 'channel.checked', at: now.toISOString(), recordedAt: now.toISOString(), actor: 'x', data: { status: 'script-broken', reason: 'fill-failed', url: site.consultUrl, evidence: {} } });
  const advance = (ms: number) => (now = new Date(now.getTime() + ms));
  return { handler, sent, queued, fail, scriptBroken, advance };
}

describe('send-alerts handler', () => {
  it('a run sends a suspected channel to the check queue for its confirming re-check, then alerts once it is confirmed', async () => {
    const w = setup();
    await w.fail();
    const first = await w.handler({});
    expect(first).toMatchObject({ task: 'run', suspected: 1, sent: 0 });
    expect(w.queued).toEqual([{ sites: [{ siteId: '6100000001' }] }]);
    await w.fail();
    const second = await w.handler({ task: 'run' });
    expect(second).toMatchObject({ messages: 1, sent: 1 });
    expect(w.sent).toEqual(['operators:broken']);
  });

  it('a re-check that says nothing (script-broken) is not asked for again by every run: a few re-checks, then the next daily check decides', async () => {
    const w = setup();
    await w.fail();
    await w.handler({});
    expect(w.queued).toHaveLength(1);
    // each re-check comes back script-broken (our script, not the site): the incident stays suspected
    for (let run = 0; run < 48; run++) {
      w.advance(5 * 60_000);
      await w.scriptBroken();
      w.advance(25 * 60_000);
      await w.handler({});
    }
    // not 49 browser visits a day to one government site
    expect(w.queued.length).toBeLessThanOrEqual(5);
    expect(w.sent).toEqual([]);
    // the next daily check still confirms it: one alert
    await w.fail();
    await w.handler({});
    expect(w.sent).toEqual(['operators:broken']);
  });

  it('the digest task queues and sends the daily digest once', async () => {
    const w = setup();
    expect(await w.handler({ task: 'digest' })).toMatchObject({ task: 'digest', queued: 1, sent: 1 });
    expect(await w.handler({ task: 'digest' })).toMatchObject({ queued: 0, sent: 0 });
    expect(w.sent).toEqual(['operators:daily']);
  });
});

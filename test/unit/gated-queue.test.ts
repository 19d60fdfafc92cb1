/** The staff queue of gated letters, as the dashboard reads it on every page view. */
import { describe, expect, it } from 'vitest';
import { gatedQueue } from '../../shared/app/campaigns.ts';
import type { DomainEvent } from '../../shared/domain/events.ts';
import type { Campaign } from '../../shared/domain/model.ts';
import { testLetter } from '../letter-fixture.ts';

const letter = (id: string, plannedAt: string) => testLetter(id, { siteId: `s-${id}`, state: 'gated', plannedAt, updatedAt: plannedAt });

describe('gatedQueue', () => {
  it("gives each gated letter the reason of its latest letter.gated event, oldest planned first, without reading whole streams", async () => {
    const letters = Array.from({ length: 40 }, (_, i) => letter(`l${String(i).padStart(2, '0')}`, `2026-03-${String(2 + (39 - i) % 20).padStart(2, '0')}T10:00:00+08:00`));
    let inFlight = 0;
    let most = 0;
    const latest = async (stream: string, type: DomainEvent['type']): Promise<DomainEvent | undefined> => {
      expect(type).toBe('letter.gated');
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
      const id = stream.replace('letter:', '');
      if (id === 'l07') return undefined; // gated before the event was written (a crash): still listed
      return { id: `e-${id}`, stream, type, at: '2026-03-09T10:00:00+08:00', recordedAt: '2026-03-09T10:00:00+08:00', actor: 'function:submit-letter', data: { reason: id === 'l03' ? 'sms' : 'captcha' } };
    };
    const queue = await gatedQueue({
      campaigns: { listCampaigns: async () => [{ id: 'c1', name: '第一季度', state: 'running' } as Campaign, { id: 'c2', name: '已结束', state: 'closed' } as Campaign] },
      letters: { lettersOfCampaign: async (id: string) => (id === 'c1' ? letters : [letter('old', '2026-01-05T10:00:00+08:00')]) },
      sites: { listSites: async () => [] },
      events: {
        latest,
        stream: () => {
          throw new Error('the queue reads no whole stream');
        },
      },
    } as unknown as Parameters<typeof gatedQueue>[0]);
    expect(queue).toHaveLength(40); // the closed campaign's letter is not listed
    expect(queue.map((q) => q.letter.plannedAt)).toEqual([...queue.map((q) => q.letter.plannedAt)].sort());
    expect(queue.find((q) => q.letter.id === 'l03')?.reason).toBe('sms');
    expect(queue.find((q) => q.letter.id === 'l07')).toMatchObject({ reason: 'unknown', campaignName: '第一季度' });
    expect(queue.find((q) => q.letter.id === 'l07')?.gatedAt).toBeUndefined();
    expect(most).toBeGreaterThan(1); // read several at once
    expect(most).toBeLessThanOrEqual(16);
  });
});

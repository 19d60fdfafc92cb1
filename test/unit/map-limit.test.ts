import { describe, expect, it } from 'vitest';
import { mapLimit } from '../../shared/app/map-limit.ts';

describe('mapLimit', () => {
  it('keeps at most `limit` calls in flight and returns the results in the items\' order', async () => {
    let inFlight = 0;
    let most = 0;
    const out = await mapLimit([5, 1, 4, 2, 3, 0], 3, async (n) => {
      most = Math.max(most, ++inFlight);
      for (let i = 0; i < n; i++) await Promise.resolve();
      inFlight--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30, 0]);
    expect(most).toBe(3);
  });

  it('starts no new item after a failure, waits for those in flight, then throws the first error', async () => {
    const started: number[] = [];
    await expect(
      mapLimit([1, 2, 3, 4, 5], 1, async (n) => {
        started.push(n);
        if (n === 2) throw new Error('boom 2');
      }),
    ).rejects.toThrow('boom 2');
    expect(started).toEqual([1, 2]);
  });

  it('with keepGoing runs every item, then throws the first error', async () => {
    const started: number[] = [];
    await expect(
      mapLimit(
        [1, 2, 3, 4, 5],
        2,
        async (n) => {
          started.push(n);
          if (n === 2 || n === 4) throw new Error(`boom ${n}`);
        },
        { keepGoing: true },
      ),
    ).rejects.toThrow('boom 2');
    expect(started.sort()).toEqual([1, 2, 3, 4, 5]);
  });
});

import { describe, expect, it } from 'vitest';
import { LocalScheduler, MemoryScheduleStore } from '../../shared/adapters/scheduler/local.ts';
import type { ScheduleItem } from '../../shared/app/scheduler.ts';

describe('LocalScheduler.scheduleMany on a store without batched writes', () => {
  it('behaves as scheduleAt one by one: the first of a name wins, a live schedule is kept, bad names are refused', async () => {
    const store = new MemoryScheduleStore();
    const scheduler = new LocalScheduler({ store, now: () => new Date('2026-03-02T00:00:00Z') });
    await scheduler.scheduleAt('send-a', '2026-03-02T09:00:00+08:00', { queue: 'submit', body: { letterId: 'a' } });
    const items: ScheduleItem[] = [
      { name: 'send-a', at: '2026-03-05T09:00:00+08:00', target: { queue: 'submit', body: { letterId: 'a2' } } },
      { name: 'send-b', at: '2026-03-02T10:00:00Z', target: { queue: 'submit', body: { letterId: 'b' } } },
      { name: 'send-b', at: '2026-03-09T10:00:00+08:00', target: { queue: 'submit', body: { letterId: 'b2' } } },
    ];
    await scheduler.scheduleMany(items);
    expect((await scheduler.get('send-a'))?.target.body).toEqual({ letterId: 'a' });
    expect(await scheduler.get('send-b')).toMatchObject({ at: '2026-03-02T18:00:00+08:00', target: { body: { letterId: 'b' } }, state: 'pending' });
    await expect(scheduler.scheduleMany([{ name: 'bad name', at: '2026-03-02T10:00:00Z', target: { queue: 'submit', body: {} } }])).rejects.toThrow(/schedule name/);
  });
});

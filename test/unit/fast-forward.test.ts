import { describe, expect, it } from 'vitest';
import { fastForward } from '../../shared/local/demo.ts';
import { ManualClock } from '../../shared/local/manual-clock.ts';
import { parseInstant } from '../../shared/domain/beijing-time.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;

/** A ManualClock that records every move and what was in flight when it moved. */
class RecordingClock extends ManualClock {
  moves: Array<{ from: number; to: number; inFlightSince: number | undefined }> = [];
  inFlightSince: () => number | undefined = () => undefined;
  override set(to: Date | string): void {
    this.moves.push({ from: this.now().getTime(), to: new Date(to).getTime(), inFlightSince: this.inFlightSince() });
    super.set(to);
  }
}

/**
 * A stand-in for the local stack: letters due at the given instants are "submitted in the background" from the
 * pump that fires them until `settle()`; the campaign closes at `closesAt`.
 */
function fakeStack(clock: RecordingClock, due: string[], closesAt: string) {
  const pending = due.map(parseInstant).sort((a, b) => a - b);
  let inFlight: number[] = []; // the clock's time each unfinished letter was fired
  const since = () => (inFlight.length ? Math.min(...inFlight) : undefined);
  const settled: number[] = [];

  const stack = {
    stores: { campaigns: { getCampaign: async () => ({ state: clock.now().getTime() >= parseInstant(closesAt) ? 'closed' : 'running', windowClosesAt: closesAt }) } },
    scheduler: { nextDueAt: async () => (pending.length ? new Date(pending[0]!).toISOString() : undefined) },
    pump: async () => {
      let fired = 0;
      while (pending.length && pending[0]! <= clock.now().getTime()) {
        pending.shift();
        fired++;
        inFlight.push(clock.now().getTime());
      }
      return { fired, submitted: 0, closed: 0, deadlines: 0 };
    },
    settle: async () => {
      settled.push(clock.now().getTime());
      inFlight = [];
      return 0;
    },
    submittingSince: since,
    pollReplyLists: async () => ({ campaigns: 1, open: 0, polled: 0, noProfile: 0, replies: 0, failed: 0 }),
  };
  clock.inFlightSince = since;
  return { stack: stack as unknown as Parameters<typeof fastForward>[0], settled };
}

const noReplies = { tick: async () => [], nextDueAt: () => undefined };

describe('fastForward (the demo and the campaign bench drive the embedded default with it)', () => {
  it('lets letters run on while the clock moves through the day (the lunch break too), but not into another day', async () => {
    const clock = new RecordingClock('2026-11-23T08:00:00+08:00');
    // a busy morning (every half hour), the lunch gap, an afternoon letter, then the next day
    const due = ['09:05', '09:35', '10:10', '10:40', '11:10', '14:20'].map((t) => `2026-11-23T${t}:00+08:00`).concat('2026-11-24T09:15:00+08:00');
    const { stack, settled } = fakeStack(clock, due, '2026-11-25T17:30:00+08:00');
    expect(await fastForward(stack, noReplies, clock, 'c', { until: parseInstant('2026-12-01T00:00:00+08:00') })).toBe(true);
    const withLetters = clock.moves.filter((m) => m.inFlightSince !== undefined);
    // the clock did move with letters in flight, over the lunch break too
    expect(withLetters.some((m) => m.from <= parseInstant('2026-11-23T11:30:00+08:00') && m.to >= parseInstant('2026-11-23T14:00:00+08:00'))).toBe(true);
    // never into another Beijing day with letters in flight: they were waited for at the end of the day
    for (const m of withLetters) expect(new Date(m.to + 8 * HOUR).getUTCDate()).toBe(new Date(m.from + 8 * HOUR).getUTCDate());
    expect(settled.filter((t) => t < parseInstant('2026-11-23T14:30:00+08:00'))).toEqual([]);
    expect(settled.some((t) => t >= parseInstant('2026-11-23T14:30:00+08:00') && t < parseInstant('2026-11-24T00:00:00+08:00'))).toBe(true);
    // letters due in the same half hour were fired together at its end
    expect(clock.moves.map((m) => m.to)).toContain(parseInstant('2026-11-23T09:30:00+08:00'));
  });

  it('crosses a quiet night in a few moves: the 12-hour cap, the 08:00 reply-list poll, the morning letter', async () => {
    const clock = new RecordingClock('2026-11-23T17:00:00+08:00');
    const { stack } = fakeStack(clock, ['2026-11-24T09:10:00+08:00'], '2026-11-24T12:00:00+08:00');
    await fastForward(stack, noReplies, clock, 'c', { until: parseInstant('2026-12-01T00:00:00+08:00') });
    const stops = clock.moves.map((m) => m.to).filter((t) => t <= parseInstant('2026-11-24T09:30:00+08:00'));
    expect(stops).toEqual(['2026-11-24T05:00:00+08:00', '2026-11-24T08:00:00+08:00', '2026-11-24T09:30:00+08:00'].map(parseInstant));
  });

  it('lets the 08:00 reply-list poll run on (over the night and past the next ones\' start): at most three at once, all done before the window closes', async () => {
    const clock = new RecordingClock('2026-11-23T07:00:00+08:00');
    const due = ['09:05', '14:20'].map((t) => `2026-11-23T${t}:00+08:00`).concat('2026-11-24T09:15:00+08:00', '2026-11-25T10:00:00+08:00', '2026-11-26T10:00:00+08:00');
    const closesAt = '2026-11-26T17:30:00+08:00';
    const { stack } = fakeStack(clock, due, closesAt);
    // A poll that is still running until someone waits for it: its `then` with a callback is the wait.
    const polls: Array<{ startedAt: number; awaitedAt?: number }> = [];
    (stack as { pollReplyLists: () => unknown }).pollReplyLists = () => {
      const poll: (typeof polls)[number] = { startedAt: clock.now().getTime() };
      polls.push(poll);
      const done = Promise.resolve({ campaigns: 1, open: 0, polled: 0, noProfile: 0, replies: 0, failed: 0 });
      return {
        then: (onDone?: (v: unknown) => unknown, onError?: (e: unknown) => unknown) => {
          if (onDone) poll.awaitedAt ??= clock.now().getTime();
          return done.then(onDone, onError);
        },
        catch: (onError: (e: unknown) => unknown) => done.catch(onError),
      };
    };
    expect(await fastForward(stack, noReplies, clock, 'c', { until: parseInstant('2026-11-28T00:00:00+08:00') })).toBe(true);
    expect(polls.slice(0, 4).map((p) => new Date(p.startedAt + 8 * HOUR).getUTCDate())).toEqual([23, 24, 25, 26]);
    // the first ran on through the day, the night and the next two starts: waited for only when the fourth was due
    expect(polls[0]!.awaitedAt).toBe(polls[3]!.startedAt);
    expect(polls[1]!.awaitedAt ?? Infinity).toBeGreaterThan(polls[3]!.startedAt);
    expect(clock.moves.some((m) => m.from >= parseInstant('2026-11-23T17:00:00+08:00') && m.to <= parseInstant('2026-11-24T08:00:00+08:00'))).toBe(true);
    // the others were waited for before the clock reached the window's close
    for (const p of polls.slice(1, 4)) expect(p.awaitedAt).toBeLessThan(parseInstant(closesAt));
  });
});

/**
 * Verdict throughput: 1,000,000 letters (random submissions 2024–2026, random replies) through the fast path,
 * and a national quarter (28,000 letters, ISO strings) through judgeLetter. Targets: ≥ 1,000,000 verdicts/s on
 * one core; the quarter in under 50 ms.
 */
import { loadCalendar } from '../shared/adapters/calendar-source.ts';
import { formatBeijing, formatDate, parseDate, startOfBeijingDayMs } from '../shared/domain/beijing-time.ts';
import { judgeLetter, verdictCode, VERDICTS } from '../shared/domain/timeliness.ts';
import type { BenchResult } from './run.ts';
import { seededRng } from '../shared/domain/random.ts';

const MS_DAY = 86_400_000;


interface Letters {
  n: number;
  submitted: Float64Array;
  replied: Float64Array; // NaN = no reply
  replyIsDay: Uint8Array;
}

function makeLetters(n: number, seed: number): Letters {
  const rand = seededRng(seed);
  const from = startOfBeijingDayMs(parseDate('2024-01-01'));
  const to = startOfBeijingDayMs(parseDate('2026-11-30'));
  const submitted = new Float64Array(n);
  const replied = new Float64Array(n);
  const replyIsDay = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const s = from + Math.floor(rand() * (to - from));
    submitted[i] = s;
    const r = rand();
    if (r < 0.25) replied[i] = NaN; // no reply
    else if (r < 0.5) replied[i] = s + Math.floor(rand() * 8 * 3_600_000); // within hours
    else replied[i] = s + Math.floor(rand() * 20 * MS_DAY); // within 20 days
    replyIsDay[i] = rand() < 0.1 ? 1 : 0;
  }
  return { n, submitted, replied, replyIsDay };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function run(): Promise<BenchResult> {
  const calendar = loadCalendar();
  const asOf = startOfBeijingDayMs(parseDate('2026-11-25'));
  const N = 1_000_000;
  const letters = makeLetters(N, 20_240_101);
  const counts = new Int32Array(VERDICTS.length);

  const judgeAll = (l: Letters) => {
    const { submitted, replied, replyIsDay } = l;
    for (let i = 0; i < l.n; i++) {
      counts[verdictCode(calendar, submitted[i]!, 1, replied[i]!, replyIsDay[i] === 1, asOf, NaN)]!++;
    }
  };
  judgeAll(makeLetters(100_000, 7)); // warm-up
  const runs: number[] = [];
  for (let r = 0; r < 5; r++) {
    counts.fill(0);
    const t0 = performance.now();
    judgeAll(letters);
    runs.push(performance.now() - t0);
  }
  const perSecond = N / (median(runs) / 1000);
  const mix = VERDICTS.map((v, i) => `${v} ${((counts[i]! / N) * 100).toFixed(1)}%`).join(', ');

  // A national quarter: 28,000 letters as stored (ISO strings with offsets), through the full judgeLetter.
  const Q = 28_000;
  const q = makeLetters(Q, 2026);
  const inputs = Array.from({ length: Q }, (_, i) => ({
    submittedAt: formatBeijing(q.submitted[i]!),
    repliedAt: Number.isNaN(q.replied[i]!) ? null : q.replyIsDay[i] ? formatDate(Math.floor((q.replied[i]! + 8 * 3_600_000) / MS_DAY)) : new Date(q.replied[i]!).toISOString(),
    workingDays: 1,
    asOf: '2026-11-25T00:00:00+08:00',
  }));
  const quarter = () => {
    let sameDay = 0;
    for (const input of inputs) if (judgeLetter(input, calendar).verdict === 'same-day') sameDay++;
    return sameDay;
  };
  quarter(); // warm-up
  const qRuns: number[] = [];
  for (let r = 0; r < 7; r++) {
    const t0 = performance.now();
    quarter();
    qRuns.push(performance.now() - t0);
  }
  const qFastRuns: number[] = [];
  for (let r = 0; r < 7; r++) {
    const t0 = performance.now();
    judgeAll(q);
    qFastRuns.push(performance.now() - t0);
  }

  return {
    name: 'verdicts',
    figures: [
      { name: 'verdicts/s, 1,000,000 letters (fast path, one core)', value: Math.round(perSecond), unit: 'verdicts/s', target: { min: 1_000_000 } },
      { name: '1,000,000 letters, median of 5', value: +median(runs).toFixed(1), unit: 'ms' },
      { name: 'national quarter, 28,000 letters (judgeLetter, ISO strings)', value: +median(qRuns).toFixed(2), unit: 'ms', target: { max: 50 } },
      { name: 'national quarter, 28,000 letters (fast path)', value: +median(qFastRuns).toFixed(2), unit: 'ms', target: { max: 50 } },
    ],
    notes: [`verdict mix: ${mix}`, `calendar ${calendar.ref.source}, N = 1 working day, asOf 2026-11-25`],
  };
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadCalendar } from '../../shared/adapters/calendar-source.ts';
import { formatBeijing, formatDate, parseDate, startOfBeijingDayMs } from '../../shared/domain/beijing-time.ts';
import { InputError, UnknownCalendarYearError } from '../../shared/domain/errors.ts';
import { judgeLetter, verdictCode, VERDICTS, type JudgeInput } from '../../shared/domain/timeliness.ts';

const calendar = loadCalendar({ env: {} });
const judge = (input: JudgeInput) => judgeLetter(input, calendar);

describe('judgeLetter', () => {
  it('a submission at 23:30 Beijing given in UTC belongs to that Beijing date; a reply the next (调休) Saturday is on time', () => {
    const j = judge({ submittedAt: '2026-02-13T15:30:00Z', repliedAt: '2026-02-14T09:00:00+08:00', workingDays: 1 });
    expect(j).toEqual({
      verdict: 'on-time',
      deadline: '2026-02-14T23:59:59+08:00',
      deadlineDate: '2026-02-14',
      submittedDate: '2026-02-13',
      replyDate: '2026-02-14',
      replyWorkingDays: 1,
    });
  });

  it('same-day is decided by Beijing dates, not UTC dates', () => {
    // UTC dates differ (03-01 / 03-02), Beijing dates agree (03-02): same-day
    expect(judge({ submittedAt: '2026-03-02T07:00:00+08:00', repliedAt: '2026-03-02T01:00:00Z', workingDays: 1 }).verdict).toBe('same-day');
    // UTC dates agree (03-02), Beijing dates differ (03-02 / 03-03): not same-day
    expect(judge({ submittedAt: '2026-03-02T23:30:00+08:00', repliedAt: '2026-03-02T16:30:00Z', workingDays: 1 }).verdict).toBe('on-time');
    expect(judge({ submittedAt: '2026-03-02T09:00:00+08:00', repliedAt: '2026-03-02T15:59:59Z', workingDays: 1 })).toMatchObject({
      verdict: 'same-day',
      replyWorkingDays: 0,
    });
  });

  it('the deadline date counts until 23:59:59 Beijing; one second later is late', () => {
    const base = { submittedAt: '2026-03-06T10:00:00+08:00', workingDays: 1 }; // Friday → Monday
    expect(judge({ ...base, repliedAt: '2026-03-09T23:59:59+08:00' }).verdict).toBe('on-time');
    expect(judge({ ...base, repliedAt: '2026-03-09T15:59:59.999Z' }).verdict).toBe('on-time');
    expect(judge({ ...base, repliedAt: '2026-03-10T00:00:00+08:00' })).toMatchObject({ verdict: 'late', replyWorkingDays: 2 });
  });

  it('before 春节: the deadline moves past the holiday', () => {
    const j = judge({ submittedAt: '2025-01-27T10:00:00+08:00', repliedAt: '2025-02-05T17:00:00+08:00', workingDays: 1 });
    expect(j).toMatchObject({ verdict: 'on-time', deadline: '2025-02-05T23:59:59+08:00', replyWorkingDays: 1 });
  });

  it('submitted on the 调休 Saturday 2026-02-14: the deadline is the first working day after 春节', () => {
    expect(judge({ submittedAt: '2026-02-14T10:00:00+08:00', repliedAt: '2026-02-24', workingDays: 1 })).toMatchObject({
      verdict: 'on-time',
      deadline: '2026-02-24T23:59:59+08:00',
    });
  });

  it('a day-precise reply from a list is judged by its date', () => {
    const base = { submittedAt: '2026-03-06T10:00:00+08:00', workingDays: 1 };
    expect(judge({ ...base, repliedAt: '2026-03-06' }).verdict).toBe('same-day');
    expect(judge({ ...base, repliedAt: '2026-03-09' }).verdict).toBe('on-time');
    expect(judge({ ...base, repliedAt: '2026-03-10' }).verdict).toBe('late');
    // an instant forced to day precision: only its Beijing date counts
    expect(judge({ ...base, repliedAt: '2026-03-06T01:00:00+08:00', replyPrecision: 'day' }).verdict).toBe('same-day');
  });

  it('no reply: pending until the end of the deadline day, none afterwards', () => {
    const base = { submittedAt: '2026-03-06T10:00:00+08:00', workingDays: 1 };
    expect(judge({ ...base, asOf: '2026-03-09T23:59:59+08:00' })).toMatchObject({ verdict: 'pending', closesAt: '2026-03-10T00:00:00+08:00' });
    expect(judge({ ...base, asOf: '2026-03-10T00:00:00+08:00' }).verdict).toBe('none');
  });

  it('with an observation window: pending until it closes; a reply after it closed is none, before it late', () => {
    const base = { submittedAt: '2026-03-06T10:00:00+08:00', workingDays: 1, windowClosesAt: '2026-03-31T18:00:00+08:00' };
    expect(judge({ ...base, asOf: '2026-03-20T00:00:00+08:00' }).verdict).toBe('pending');
    expect(judge({ ...base, asOf: '2026-03-31T18:00:00+08:00' }).verdict).toBe('none');
    expect(judge({ ...base, repliedAt: '2026-03-31T17:59:59+08:00' }).verdict).toBe('late');
    expect(judge({ ...base, repliedAt: '2026-03-31T18:00:01+08:00' }).verdict).toBe('none');
    expect(judge({ ...base, repliedAt: '2026-03-31' }).verdict).toBe('late'); // day-precise: that date was still open
    expect(judge({ ...base, repliedAt: '2026-04-01' }).verdict).toBe('none');
    // a bare-date window closes at the end of that Beijing day
    const dayWindow = { ...base, windowClosesAt: '2026-03-31' };
    expect(judge({ ...dayWindow, asOf: '2026-03-31T23:59:59+08:00' }).verdict).toBe('pending');
    expect(judge({ ...dayWindow, asOf: '2026-04-01T00:00:00+08:00' }).verdict).toBe('none');
    expect(judge({ ...dayWindow, repliedAt: '2026-03-31T23:00:00+08:00' }).verdict).toBe('late');
  });

  it('N working days: 3 across 国庆中秋 2025', () => {
    const j = judge({ submittedAt: '2025-09-29T10:00:00+08:00', repliedAt: '2025-10-10T10:00:00+08:00', workingDays: 3 });
    expect(j).toMatchObject({ verdict: 'on-time', deadline: '2025-10-10T23:59:59+08:00', replyWorkingDays: 3 });
  });

  it('bad input → InputError: reply before submission, negative or fractional N, unparsable time, no reply and no asOf', () => {
    const ok = { submittedAt: '2026-03-06T10:00:00+08:00', workingDays: 1, asOf: '2026-03-07T00:00:00Z' };
    expect(() => judge({ ...ok, repliedAt: '2026-03-06T09:59:59+08:00' })).toThrow(/before the submission/);
    expect(() => judge({ ...ok, repliedAt: '2026-03-05' })).toThrow(/before the submission/);
    expect(() => judge({ ...ok, workingDays: -1 })).toThrow(InputError);
    expect(() => judge({ ...ok, workingDays: 1.5 })).toThrow(InputError);
    expect(() => judge({ ...ok, submittedAt: '6 March' })).toThrow(/"6 March"/);
    expect(() => judge({ ...ok, asOf: 'now' })).toThrow(InputError);
    expect(() => judge({ submittedAt: ok.submittedAt, workingDays: 1 })).toThrow(/asOf/);
  });

  it('a deadline in an uncovered year → UnknownCalendarYearError; a late reply in an uncovered year keeps its verdict', () => {
    expect(() => judge({ submittedAt: '2026-12-31T10:00:00+08:00', workingDays: 1, asOf: '2026-12-31T12:00:00+08:00' })).toThrow(
      UnknownCalendarYearError,
    );
    expect(() => judge({ submittedAt: '2031-03-03T10:00:00+08:00', workingDays: 1, asOf: '2031-03-03T12:00:00+08:00' })).toThrow(
      /2031/,
    );
    const j = judge({ submittedAt: '2026-11-02T10:00:00+08:00', repliedAt: '2027-01-05T10:00:00+08:00', workingDays: 1 });
    expect(j.verdict).toBe('late');
    expect(j.replyWorkingDays).toBeUndefined();
  });
});

describe('properties', () => {
  const first = parseDate('2024-01-01');
  const last = parseDate('2026-11-30');
  const dayMs = fc.integer({ min: 0, max: 86_400_000 - 1 });

  it('a reply on the submission Beijing date is always same-day; on the deadline date on-time; the next calendar day after it late', () => {
    fc.assert(
      fc.property(fc.integer({ min: first, max: last }), dayMs, dayMs, fc.integer({ min: 0, max: 10 }), (day, t1, t2, n) => {
        const [a, b] = t1 <= t2 ? [t1, t2] : [t2, t1];
        const submittedAt = formatBeijing(startOfBeijingDayMs(day) + a);
        const same = judge({ submittedAt, repliedAt: formatBeijing(startOfBeijingDayMs(day) + b), workingDays: n });
        expect(same.verdict).toBe('same-day');
        const deadlineDay = parseDate(same.deadlineDate);
        if (deadlineDay > day) {
          expect(judge({ submittedAt, repliedAt: `${same.deadlineDate}T23:59:59+08:00`, workingDays: n }).verdict).toBe('on-time');
        }
        expect(judge({ submittedAt, repliedAt: formatDate(deadlineDay + 1), workingDays: n }).verdict).toBe('late');
        expect(calendar.isWorkingDayDay(deadlineDay)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('the fast path (epoch ms) gives the same verdict as judgeLetter', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: startOfBeijingDayMs(first), max: startOfBeijingDayMs(last) }),
        fc.option(fc.integer({ min: 0, max: 30 * 86_400_000 }), { nil: undefined }),
        fc.boolean(),
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 0, max: 40 * 86_400_000 }),
        fc.option(fc.integer({ min: 0, max: 40 * 86_400_000 }), { nil: undefined }),
        (sub, replyAfter, replyIsDay, n, asOfAfter, windowAfter) => {
          const repliedMs = replyAfter === undefined ? NaN : sub + replyAfter;
          const windowEnd = windowAfter === undefined ? NaN : sub + windowAfter;
          const fast = verdictCode(calendar, sub, n, repliedMs, replyIsDay, sub + asOfAfter, windowEnd);
          const slow = judge({
            submittedAt: formatBeijing(sub),
            repliedAt: replyAfter === undefined ? null : formatBeijing(repliedMs),
            replyPrecision: replyIsDay ? 'day' : 'instant',
            workingDays: n,
            asOf: formatBeijing(sub + asOfAfter),
            ...(windowAfter === undefined ? {} : { windowClosesAt: formatBeijing(windowEnd) }),
          });
          expect(VERDICTS[fast]).toBe(slow.verdict);
        },
      ),
      { numRuns: 500 },
    );
  });
});

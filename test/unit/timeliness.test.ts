import fc from 'fast-check';
import { test as fcTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { loadCalendar } from '../../shared/adapters/calendar-source.ts';
import { formatBeijing, formatDate, parseDate, startOfBeijingDayMs } from '../../shared/domain/beijing-time.ts';
import { WorkingDayCalendar } from '../../shared/domain/calendar.ts';
import { InputError, UnknownCalendarYearError } from '../../shared/domain/errors.ts';
import { judgeLetter, verdictCode, VERDICTS, type JudgeInput } from '../../shared/domain/timeliness.ts';
import { campaignDeadlines } from '../../shared/app/after-submission.ts';
import type { Campaign } from '../../shared/domain/model.ts';

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

  it('a deadline in an uncovered year: a reply before any calendar of that year could put the deadline is same-day/on-time, with no deadline given; a later one is refused', () => {
    // Thursday 2026-12-31 is the last covered day (2027 not covered). Same-day needs no calendar at all.
    expect(judge({ submittedAt: '2026-12-31T10:00:00+08:00', repliedAt: '2026-12-31T23:59:59+08:00', workingDays: 1 })).toEqual({
      verdict: 'same-day',
      deadlineYearNotCovered: 2027,
      submittedDate: '2026-12-31',
      replyDate: '2026-12-31',
      replyWorkingDays: 0,
    });
    expect(judge({ submittedAt: '2026-12-31T10:00:00+08:00', repliedAt: '2026-12-31', workingDays: 0 }).verdict).toBe('same-day');
    // N = 1: the deadline is 2027-01-01 at the earliest (it is 元旦, but no calendar is assumed): a reply that day is on time
    expect(judge({ submittedAt: '2026-12-31T10:00:00+08:00', repliedAt: '2027-01-01T15:59:59Z', workingDays: 1 })).toMatchObject({
      verdict: 'on-time',
      deadlineYearNotCovered: 2027,
    });
    // N = 5 from Tuesday 12-29: 12-30 and 12-31 are 2 working days, so 3 more are needed: not before 2027-01-03
    const n5 = { submittedAt: '2026-12-29T10:00:00+08:00', workingDays: 5 };
    expect(judge({ ...n5, repliedAt: '2027-01-03T23:59:59+08:00' })).toMatchObject({ verdict: 'on-time', replyDate: '2027-01-03' });
    expect(judge({ ...n5, repliedAt: '2026-12-31' })).toMatchObject({ verdict: 'on-time', replyWorkingDays: 2 });
    // whatever the 2027 notice says, a reply after the earliest possible deadline may be late: refused, naming 2027
    expect(() => judge({ ...n5, repliedAt: '2027-01-04T00:00:00+08:00' })).toThrow(UnknownCalendarYearError);
    expect(() => judge({ submittedAt: '2026-12-31T10:00:00+08:00', repliedAt: '2027-01-02', workingDays: 1 })).toThrow(/2027/);
    // no reply: pending or none depends on the deadline: refused
    expect(() => judge({ submittedAt: '2026-12-31T10:00:00+08:00', workingDays: 1, asOf: '2026-12-31T12:00:00+08:00' })).toThrow(/2027/);
    // the fast path agrees
    const ms = (iso: string) => Date.parse(iso);
    expect(VERDICTS[verdictCode(calendar, ms('2026-12-31T10:00:00+08:00'), 1, ms('2026-12-31T12:00:00+08:00'), false, NaN, NaN)]).toBe('same-day');
    expect(() => verdictCode(calendar, ms('2026-12-31T10:00:00+08:00'), 1, NaN, false, ms('2026-12-31T12:00:00+08:00'), NaN)).toThrow(UnknownCalendarYearError);
  });

  it('a reply before the submission is named as such even when the deadline lies in an uncovered year', () => {
    expect(() => judge({ submittedAt: '2026-12-31T10:00:00+08:00', repliedAt: '2026-12-31T09:00:00+08:00', workingDays: 1 })).toThrow(/before the submission/);
  });

  it('a letter the site took while the deadline lies in an uncovered year is recorded without a deadline (campaignDeadlines), not lost', async () => {
    const campaigns = { getCampaign: async () => ({ method: { workingDays: 1 } }) as unknown as Campaign };
    const deadlineFor = campaignDeadlines(campaigns, calendar);
    expect(await deadlineFor({ campaignId: 'c1' }, '2026-12-30T10:00:00+08:00')).toBe('2026-12-31T23:59:59+08:00');
    expect(await deadlineFor({ campaignId: 'c1' }, '2026-12-31T10:00:00+08:00')).toBeUndefined();
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
        const deadlineDay = parseDate(same.deadlineDate!);
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

describe('verdicts are monotone in time', () => {
  const from = startOfBeijingDayMs(parseDate('2024-01-01'));
  const to = startOfBeijingDayMs(parseDate('2026-11-01'));
  const day = 86_400_000;
  fcTest.prop(
    [
      fc.integer({ min: from, max: to }),
      fc.integer({ min: 0, max: 40 * day }),
      fc.integer({ min: 0, max: 40 * day }),
      fc.boolean(),
      fc.integer({ min: 0, max: 5 }),
      fc.option(fc.integer({ min: 0, max: 60 * day }), { nil: undefined }),
    ],
    { numRuns: 1000 },
  )('a later reply never gets a better verdict, a day-precise reply never a worse one than the instant, and none never turns back to pending', (sub, a, b, dayPrecise, n, windowAfter) => {
    const [early, later] = a <= b ? [a, b] : [b, a];
    const windowEnd = windowAfter === undefined ? NaN : sub + windowAfter;
    const v = (after: number, isDay: boolean) => verdictCode(calendar, sub, n, sub + after, isDay, NaN, windowEnd);
    expect(v(early, dayPrecise)).toBeLessThanOrEqual(v(later, dayPrecise));
    expect(v(early, true)).toBeLessThanOrEqual(v(early, false));
    const open = (asOf: number) => verdictCode(calendar, sub, n, NaN, false, sub + asOf, windowEnd);
    if (VERDICTS[open(early)] === 'none') expect(VERDICTS[open(later)]).toBe('none');
  });
});

describe('other calendars: holiday shapes the bundled years may not have', () => {
  /** Made up for 2030–2031 (no official data exists for them). */
  const made = WorkingDayCalendar.fromData({
    ref: { source: 'test', years: [] },
    years: [
      {
        year: 2030,
        // 元旦 on a Tuesday; a 9-day 春节 Sat 02-02…Sun 02-10; exactly 3 days Fri 04-05…Sun 04-07; a holiday starting on Monday 06-03…06-05
        offDays: ['2030-01-01', ...dates('2030-02-02', 9), ...dates('2030-04-05', 3), ...dates('2030-06-03', 3)],
        // 调休 on a Sunday (01-27) and a Saturday (02-16); Sunday 06-02 right before the Monday holiday, Saturday 06-08 after it
        workDays: ['2030-01-27', '2030-02-16', '2030-06-02', '2030-06-08'],
      },
      // 元旦 2031 across the turn of the year: Mon 2030-12-30…Wed 2031-01-01 off, Saturday 2030-12-28 worked, listed by 2031
      { year: 2031, offDays: ['2030-12-30', '2030-12-31', '2031-01-01'], workDays: ['2030-12-28'] },
    ],
  });
  function dates(first: string, n: number): string[] {
    return Array.from({ length: n }, (_, i) => formatDate(parseDate(first) + i));
  }
  const j = (submittedAt: string, workingDays: number, repliedAt: string) => judgeLetter({ submittedAt, workingDays, repliedAt }, made);

  it('deadlines skip every shape of holiday and land on make-up days; replies are judged by Beijing date, date-only ones by their date', () => {
    // last working day before the 9-day 春节: the deadline is the first working day after it
    expect(j('2030-02-01T16:30:00+08:00', 1, '2030-02-11')).toMatchObject({ verdict: 'on-time', deadlineDate: '2030-02-11' });
    expect(j('2030-02-01T16:30:00+08:00', 1, '2030-02-12').verdict).toBe('late');
    // submitted on a rest Saturday in the evening: counting starts the next day, a 调休 Sunday
    expect(j('2030-01-26T20:00:00+08:00', 1, '2030-01-27T23:59:59+08:00')).toMatchObject({ verdict: 'on-time', deadlineDate: '2030-01-27' });
    expect(j('2030-01-26T20:00:00+08:00', 1, '2030-01-28T00:00:00+08:00').verdict).toBe('late');
    // on the 调休 Sunday before a Monday holiday: 1 → Thu, 2 → Fri, 3 → the 调休 Saturday after it
    expect(j('2030-06-02T10:00:00+08:00', 1, '2030-06-06').deadlineDate).toBe('2030-06-06');
    expect(j('2030-06-02T10:00:00+08:00', 2, '2030-06-07').deadlineDate).toBe('2030-06-07');
    expect(j('2030-06-02T10:00:00+08:00', 3, '2030-06-08')).toMatchObject({ verdict: 'on-time', deadlineDate: '2030-06-08', replyWorkingDays: 3 });
    // exactly 3 days off (Fri–Sun): Thursday's deadline is Monday
    expect(j('2030-04-04T10:00:00+08:00', 1, '2030-04-08').deadlineDate).toBe('2030-04-08');
    // across the turn of the year: Fri 12-27 → the 调休 Saturday 12-28 (from 2031's list), then Thu 2031-01-02
    expect(j('2030-12-27T10:00:00+08:00', 1, '2030-12-28').deadlineDate).toBe('2030-12-28');
    expect(j('2030-12-27T10:00:00+08:00', 2, '2031-01-01T16:00:00Z')).toMatchObject({ verdict: 'on-time', deadlineDate: '2031-01-02' }); // midnight Beijing
    expect(j('2030-12-27T10:00:00+08:00', 2, '2031-01-02T16:00:00Z').verdict).toBe('late'); // 2031-01-03 00:00 Beijing
    // a date-only reply on the submission date is same-day (domain.md §3: the same Beijing calendar date)
    expect(j('2030-12-27T10:00:00+08:00', 1, '2030-12-27').verdict).toBe('same-day');
  });

  it('a deadline past the last covered year is refused, never counted as Monday–Friday', () => {
    expect(() => j('2031-12-31T10:00:00+08:00', 1, '2032-01-02')).toThrow(UnknownCalendarYearError);
    expect(() => j('2031-12-31T10:00:00+08:00', 1, '2032-01-02')).toThrow(/2032/);
    expect(() => judgeLetter({ submittedAt: '2029-06-03T10:00:00+08:00', workingDays: 1, asOf: '2029-06-04T10:00:00+08:00' }, made)).toThrow(/2029/);
  });
});

import fc from 'fast-check';
import { test as fcTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { loadCalendar } from '../../shared/adapters/calendar-source.ts';
import { beijingDate, daysFromCivil, formatDate, parseDate, parseInstant, weekdayOfDay } from '../../shared/domain/beijing-time.ts';
import { WorkingDayCalendar } from '../../shared/domain/calendar.ts';
import {
  beijingMinuteOfDay,
  isLastBeforeLongRest,
  planCampaign,
  type PlanInput,
  type QuestionPicker,
} from '../../shared/domain/campaign-plan.ts';
import { InputError, UnknownCalendarYearError } from '../../shared/domain/errors.ts';
import type { Site } from '../../shared/domain/model.ts';

const calendar = loadCalendar({ files: [], env: {} });

const site = (i: number): Site => ({
  id: String(6100000000 + i),
  name: `测试网站${i}`,
  category: '市县部门',
  region: '陕西省',
  homeUrl: `https://s${i}.example.gov.cn/`,
  consultUrl: `https://s${i}.example.gov.cn/zx`,
});
const pick: QuestionPicker = (s, used, rng) => {
  for (;;) {
    const n = Math.floor(rng() * 100);
    const id = `q${n}`;
    if (!used.has(id)) return { id, title: `问题${n}标题文字够长了吧`, body: `请问${s.name}问题${n}？` };
  }
};

const base = (over: Partial<PlanInput> = {}): PlanInput => ({
  sites: Array.from({ length: 20 }, (_, i) => site(i)),
  lettersPerSite: 2,
  start: '2026-09-01',
  windowWorkingDays: 20,
  workingDays: 1,
  calendar,
  seed: 42,
  pickQuestion: pick,
  ...over,
});

const wdIndex = (date: string) => {
  // working days from 2024-01-01 up to date: monotone index for gap checks
  return calendar.workingDaysBetween('2023-12-31', date);
};

function groupBy<T>(xs: readonly T[], key: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x);
    const list = m.get(k);
    if (list) list.push(x);
    else m.set(k, [x]);
  }
  return m;
}

const OFFICE = (m: number) => (m >= 9 * 60 && m < 11 * 60 + 30) || (m >= 14 * 60 && m < 17 * 60);

/** Random campaigns: 1–60 sites, 1–3 letters, start any day 2024-01-01 … 2026-10-31, window 15–40 working days. */
const campaignArb = fc.record({
  siteCount: fc.integer({ min: 1, max: 60 }),
  lettersPerSite: fc.integer({ min: 1, max: 3 }),
  startDay: fc.integer({ min: parseDate('2024-01-01'), max: parseDate('2026-10-31') }),
  window: fc.integer({ min: 15, max: 40 }),
  workingDays: fc.integer({ min: 0, max: 3 }),
  seed: fc.integer(),
});

function planFor(c: { siteCount: number; lettersPerSite: number; startDay: number; window: number; workingDays: number; seed: number }) {
  const input = base({
    sites: Array.from({ length: c.siteCount }, (_, i) => site(i)),
    lettersPerSite: c.lettersPerSite,
    start: formatDate(c.startDay),
    windowWorkingDays: c.window,
    workingDays: c.workingDays,
    seed: c.seed,
  });
  return { input, plan: planCampaign(input) };
}

describe('planCampaign rules hold for random campaigns in 2024–2026', () => {
  it('plans exactly lettersPerSite letters per site, ordinals 1..n in time order', () => {
    fc.assert(
      fc.property(campaignArb, (c) => {
        const { plan } = planFor(c);
        expect(plan.letters).toHaveLength(c.siteCount * c.lettersPerSite);
        const bySite = groupBy(plan.letters, (l) => l.siteId);
        expect(bySite.size).toBe(c.siteCount);
        for (const ls of bySite.values()) {
          expect(ls.map((l) => l.ordinal)).toEqual(Array.from({ length: c.lettersPerSite }, (_, i) => i + 1));
          for (let i = 1; i < ls.length; i++) expect(parseInstant(ls[i]!.plannedAt)).toBeGreaterThan(parseInstant(ls[i - 1]!.plannedAt));
        }
      }),
      { numRuns: 150 },
    );
  });

  it('sends only on working days, in office hours, on or after the start', () => {
    fc.assert(
      fc.property(campaignArb, (c) => {
        const { plan } = planFor(c);
        for (const l of plan.letters) {
          expect(l.plannedAt).toMatch(/\+08:00$/);
          const date = beijingDate(l.plannedAt);
          expect(calendar.isWorkingDay(date)).toBe(true);
          expect(OFFICE(beijingMinuteOfDay(l.plannedAt))).toBe(true);
          expect(parseDate(date)).toBeGreaterThanOrEqual(c.startDay);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("keeps a site's letters on different days, at least 3 working days apart", () => {
    fc.assert(
      fc.property(campaignArb, (c) => {
        const { plan } = planFor(c);
        for (const ls of groupBy(plan.letters, (l) => l.siteId).values()) {
          const days = ls.map((l) => beijingDate(l.plannedAt));
          expect(new Set(days).size).toBe(days.length);
          for (let i = 1; i < days.length; i++) expect(wdIndex(days[i]!) - wdIndex(days[i - 1]!)).toBeGreaterThanOrEqual(3);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('never sends on the last working day before a rest of 3+ days, and every deadline falls inside the window', () => {
    fc.assert(
      fc.property(campaignArb, (c) => {
        const { plan } = planFor(c);
        const close = parseInstant(plan.windowClosesAt);
        for (const l of plan.letters) {
          const date = beijingDate(l.plannedAt);
          expect(isLastBeforeLongRest(calendar, parseDate(date))).toBe(false);
          const deadline = calendar.addWorkingDays(date, c.workingDays);
          expect(parseInstant(`${deadline}T23:59:59+08:00`)).toBeLessThanOrEqual(close);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('floods no slot: at most maxPerSlot letters per half hour, and day loads stay even', () => {
    fc.assert(
      fc.property(campaignArb, (c) => {
        const { plan } = planFor(c);
        const perSlot = groupBy(plan.letters, (l) => `${beijingDate(l.plannedAt)} ${Math.floor(beijingMinuteOfDay(l.plannedAt) / 30)}`);
        for (const ls of perSlot.values()) expect(ls.length).toBeLessThanOrEqual(plan.maxPerSlot);
        const perDay = groupBy(plan.letters, (l) => beijingDate(l.plannedAt));
        const even = Math.ceil(plan.letters.length / plan.sendDays.length);
        for (const ls of perDay.values()) expect(ls.length).toBeLessThanOrEqual(even + c.lettersPerSite + 1);
      }),
      { numRuns: 150 },
    );
  });

  it('is deterministic for a seed, and a question never repeats at a site', () => {
    fc.assert(
      fc.property(campaignArb, (c) => {
        const a = planFor(c).plan;
        const b = planFor(c).plan;
        expect(b).toEqual(a);
        for (const ls of groupBy(a.letters, (l) => l.siteId).values()) {
          expect(new Set(ls.map((l) => l.question.id)).size).toBe(ls.length);
        }
      }),
      { numRuns: 50 },
    );
  });
});

describe('planCampaign around the long holidays', () => {
  // Starts in the three weeks before each 春节 and 国庆 of 2024–2026, so every plan spans the holiday.
  const HOLIDAY_STARTS = ['2024-02-10', '2024-10-01', '2025-01-28', '2025-10-01', '2026-02-15', '2026-10-01'].map(parseDate);
  const aroundHolidays = fc.record({
    siteCount: fc.integer({ min: 1, max: 80 }),
    lettersPerSite: fc.integer({ min: 1, max: 2 }),
    startDay: fc.tuple(fc.constantFrom(...HOLIDAY_STARTS), fc.integer({ min: 1, max: 21 })).map(([h, back]) => h - back),
    window: fc.integer({ min: 15, max: 30 }),
    workingDays: fc.integer({ min: 1, max: 3 }),
    seed: fc.integer(),
  });

  it('across 春节 and 国庆: every rule holds and no letter goes out on the last working day before the holiday', () => {
    fc.assert(
      fc.property(aroundHolidays, (c) => {
        const { plan } = planFor(c);
        expect(plan.letters).toHaveLength(c.siteCount * c.lettersPerSite);
        const close = parseInstant(plan.windowClosesAt);
        for (const l of plan.letters) {
          const date = beijingDate(l.plannedAt);
          expect(calendar.isWorkingDay(date)).toBe(true);
          expect(plan.preHolidayDays).not.toContain(date);
          expect(isLastBeforeLongRest(calendar, parseDate(date))).toBe(false);
          expect(OFFICE(beijingMinuteOfDay(l.plannedAt))).toBe(true);
          expect(parseInstant(`${calendar.addWorkingDays(date, c.workingDays)}T23:59:59+08:00`)).toBeLessThanOrEqual(close);
        }
        for (const ls of groupBy(plan.letters, (l) => l.siteId).values()) {
          const days = ls.map((l) => beijingDate(l.plannedAt));
          for (let i = 1; i < days.length; i++) expect(wdIndex(days[i]!) - wdIndex(days[i - 1]!)).toBeGreaterThanOrEqual(3);
        }
      }),
      { numRuns: 120 },
    );
  });

  it('skips the last working day before 国庆 2025 and before 春节 2026', () => {
    const national = planCampaign(base({ start: '2025-09-22', windowWorkingDays: 25, sites: Array.from({ length: 80 }, (_, i) => site(i)) }));
    expect(national.preHolidayDays).toContain('2025-09-30');
    expect(national.letters.some((l) => beijingDate(l.plannedAt) === '2025-09-30')).toBe(false);
    expect(national.letters.some((l) => beijingDate(l.plannedAt) >= '2025-10-01' && beijingDate(l.plannedAt) <= '2025-10-08')).toBe(false);
    // 2025-09-28 (Sunday) and 2025-10-11 (Saturday) are 调休 working days: usable
    expect(national.sendDays).toContain('2025-09-28');
    expect(national.sendDays).toContain('2025-10-11');

    const spring = planCampaign(base({ start: '2026-02-02', windowWorkingDays: 25, sites: Array.from({ length: 80 }, (_, i) => site(i)) }));
    // 2026-02-14 is a working Saturday followed by 春节 (2/15–2/23): the last working day before it is excluded
    expect(spring.preHolidayDays).toContain('2026-02-14');
    expect(spring.letters.some((l) => beijingDate(l.plannedAt) === '2026-02-14')).toBe(false);
    // a plain Friday before a normal weekend is not excluded
    expect(spring.preHolidayDays).not.toContain('2026-02-06');
  });

  it('never plans a letter whose 1-working-day deadline passes the window close', () => {
    const plan = planCampaign(base({ start: '2026-03-02', windowWorkingDays: undefined, windowClosesAt: '2026-03-20T23:59:59+08:00', minGapWorkingDays: 3 }));
    expect(plan.sendDays.at(-1)).toBe('2026-03-19');
    expect(plan.letters.every((l) => beijingDate(l.plannedAt) <= '2026-03-19')).toBe(true);
  });

  it('starts after notBefore on the first day', () => {
    const plan = planCampaign(base({ start: '2026-03-02', notBefore: '2026-03-02T15:00:00+08:00', sites: Array.from({ length: 200 }, (_, i) => site(i)) }));
    for (const l of plan.letters) expect(parseInstant(l.plannedAt)).toBeGreaterThanOrEqual(parseInstant('2026-03-02T15:00:00+08:00'));
  });
});

describe('planCampaign refuses what it cannot do', () => {
  it('throws UnknownCalendarYearError for a window in a year without official data', () => {
    expect(() => planCampaign(base({ start: '2031-03-03' }))).toThrow(UnknownCalendarYearError);
  });

  it('a send day whose following days fall in a year not yet covered is left out, not a failure of the whole plan', () => {
    // 2027's notice is not bundled: 2026-12-31 (Thursday) may be the last working day before 元旦.
    const plan = planCampaign(base({ start: '2026-12-21', windowWorkingDays: undefined, windowClosesAt: '2026-12-31T23:59:59+08:00', workingDays: 0, lettersPerSite: 1 }));
    expect(plan.preHolidayDays).toContain('2026-12-31');
    for (const l of plan.letters) expect(l.plannedAt < '2026-12-31').toBe(true);
  });

  it('throws an InputError when the window is too short for the letters and the gap', () => {
    expect(() => planCampaign(base({ start: '2026-03-02', windowWorkingDays: 3, lettersPerSite: 2 }))).toThrow(/room for only 1 letter/);
  });

  it('throws an InputError for a site listed twice or a bad letter count', () => {
    expect(() => planCampaign(base({ sites: [site(1), site(1)] }))).toThrow(/listed twice/);
    expect(() => planCampaign(base({ lettersPerSite: 0 }))).toThrow(/letters per site/);
  });
});

describe('planCampaign on windows the default cap did not fit, and on other calendars', () => {
  it('a narrow window that forces every site onto the same days is planned (the default per-slot cap is raised), every rule kept', () => {
    // 8 working days from 2026-03-02, 1-day deadline: send days 03-02…03-10 (7); 3 letters 3 working days apart can only
    // go on 03-02, 03-05 and 03-10 — 77 letters on each of those days, 11 slots a day: 7 per slot, not twice the even share (6).
    const plan = planCampaign(base({ sites: Array.from({ length: 77 }, (_, i) => site(i)), lettersPerSite: 3, start: '2026-03-02', windowWorkingDays: 8 }));
    expect(plan.letters).toHaveLength(231);
    expect(plan.maxPerSlot).toBe(7);
    expect(new Set(plan.letters.map((l) => beijingDate(l.plannedAt)))).toEqual(new Set(['2026-03-02', '2026-03-05', '2026-03-10']));
    const perSlot = groupBy(plan.letters, (l) => `${beijingDate(l.plannedAt)} ${Math.floor(beijingMinuteOfDay(l.plannedAt) / 30)}`);
    for (const ls of perSlot.values()) expect(ls.length).toBeLessThanOrEqual(7);
    // a cap the caller gives is kept, and a plan that does not fit under it is refused with what does not fit
    expect(() => planCampaign(base({ sites: Array.from({ length: 77 }, (_, i) => site(i)), lettersPerSite: 3, start: '2026-03-02', windowWorkingDays: 8, maxPerSlot: 6 }))).toThrow(
      /no room left for letter 1 of site \d+: raise maxPerSlot \(6\)/,
    );
  });

  it('a bare-date window closes at the end of that Beijing day (as the verdicts read it), not at its start', () => {
    const plan = planCampaign(base({ start: '2026-03-02', windowWorkingDays: undefined, windowClosesAt: '2026-03-20' }));
    expect(plan.windowClosesAt).toBe('2026-03-20T23:59:59+08:00');
    expect(plan.sendDays.at(-1)).toBe('2026-03-19'); // its 1-working-day deadline is 03-20, the window's last day
  });

  it('refuses a negative or fractional late observation and a bad per-slot cap; the window error names the late observation', () => {
    // -1 would let the last send day's deadline (the next working day) fall after the window close
    expect(() => planCampaign(base({ lateObservationWorkingDays: -1 }))).toThrow(/late-observation working days must be a whole number ≥ 0, got -1/);
    expect(() => planCampaign(base({ lateObservationWorkingDays: 1.5 }))).toThrow(InputError);
    expect(() => planCampaign(base({ maxPerSlot: 0 }))).toThrow(/letters per slot/);
    expect(() => planCampaign(base({ start: '2026-03-02', windowWorkingDays: 8, lateObservationWorkingDays: 5 }))).toThrow(
      /room for only 1 letter\(s\) per site \(3 working days apart, each with a 1-working-day deadline and 5 working day\(s\) of late observation inside the window\)/,
    );
  });

  /**
   * Made-up calendars for 2030–2031 (no official data exists, so nothing here can be mistaken for it): Monday–Friday
   * with holidays of 1–9 days starting on any weekday (a 3-day one, one starting on a Monday, an 8–9-day 春节, one
   * across the turn of the year) and 0–2 调休 weekend working days right before each (a Saturday and a Sunday, next to
   * the holiday).
   */
  const FIRST = daysFromCivil(2030, 1, 1);
  const calendarArb = fc
    .array(fc.record({ at: fc.integer({ min: 0, max: 725 }), len: fc.integer({ min: 1, max: 9 }), makeUp: fc.integer({ min: 0, max: 2 }) }), { maxLength: 12 })
    .map((holidays) => {
      const years = new Map([2030, 2031].map((y) => [y, { year: y, offDays: [] as string[], workDays: [] as string[] }]));
      const yearOf = (d: number) => years.get(+formatDate(d).slice(0, 4));
      const off = new Set<number>();
      for (const h of holidays) for (let d = FIRST + h.at; d < FIRST + h.at + h.len; d++) (off.add(d), yearOf(d)?.offDays.push(formatDate(d)));
      for (const h of holidays) {
        let left = h.makeUp;
        for (let d = FIRST + h.at - 1; left > 0 && (weekdayOfDay(d) === 0 || weekdayOfDay(d) === 6) && !off.has(d); d--, left--) yearOf(d)?.workDays.push(formatDate(d));
      }
      return WorkingDayCalendar.fromData({ ref: { source: 'test', years: [] }, years: [...years.values()] });
    });

  fcTest.prop(
    [
      calendarArb,
      fc.record({
        siteCount: fc.integer({ min: 1, max: 120 }),
        lettersPerSite: fc.integer({ min: 1, max: 3 }),
        startDay: fc.integer({ min: FIRST, max: daysFromCivil(2031, 9, 1) }),
        window: fc.integer({ min: 3, max: 40 }),
        workingDays: fc.integer({ min: 0, max: 3 }),
        late: fc.integer({ min: 0, max: 5 }),
        seed: fc.integer(),
      }),
    ],
    { numRuns: 150 },
  )('every plan keeps every rule, and a plan is refused only when a site\'s letters cannot fit the window', (cal, c) => {
    let plan;
    try {
      plan = planCampaign(base({
        calendar: cal,
        sites: Array.from({ length: c.siteCount }, (_, i) => site(i)),
        lettersPerSite: c.lettersPerSite,
        start: formatDate(c.startDay),
        windowWorkingDays: c.window,
        workingDays: c.workingDays,
        lateObservationWorkingDays: c.late,
        seed: c.seed,
      }));
    } catch (err) {
      expect(err).toBeInstanceOf(InputError);
      const m = /leaves room for only (\d+) letter/.exec((err as Error).message);
      expect(m, (err as Error).message).not.toBeNull();
      expect(+m![1]!).toBeLessThan(c.lettersPerSite);
      return;
    }
    expect(plan.letters).toHaveLength(c.siteCount * c.lettersPerSite);
    const close = parseInstant(plan.windowClosesAt);
    for (const l of plan.letters) {
      const date = beijingDate(l.plannedAt);
      expect(cal.isWorkingDay(date)).toBe(true);
      expect(isLastBeforeLongRest(cal, parseDate(date))).toBe(false);
      expect(OFFICE(beijingMinuteOfDay(l.plannedAt))).toBe(true);
      expect(parseDate(date)).toBeGreaterThanOrEqual(c.startDay);
      expect(parseInstant(`${cal.addWorkingDays(date, c.workingDays + c.late)}T23:59:59+08:00`)).toBeLessThanOrEqual(close);
    }
    const perSlot = groupBy(plan.letters, (l) => `${beijingDate(l.plannedAt)} ${Math.floor(beijingMinuteOfDay(l.plannedAt) / 30)}`);
    for (const ls of perSlot.values()) expect(ls.length).toBeLessThanOrEqual(plan.maxPerSlot);
    for (const ls of groupBy(plan.letters, (l) => l.siteId).values()) {
      const days = ls.map((l) => beijingDate(l.plannedAt));
      for (let i = 1; i < days.length; i++) expect(cal.workingDaysBetween(days[i - 1]!, days[i]!)).toBeGreaterThanOrEqual(3);
    }
  });
});

describe('planCampaign across the turn of the year', () => {
  it('with an operator file for 2027 a window from December 2026 into January 2027 plans by both years; without it, it is refused', async () => {
    const { buildCalendar } = await import('../../shared/adapters/calendar-source.ts');
    // a plausible 2027 notice: 元旦 Fri 01-01…Sun 01-03, 春节 02-05…02-13 with 调休 on Sunday 01-31 and Saturday 02-20
    const days = (first: string, n: number) => Array.from({ length: n }, (_, i) => formatDate(parseDate(first) + i));
    const with2027 = buildCalendar([{ year: 2027, offDays: [...days('2027-01-01', 3), ...days('2027-02-05', 9)], workDays: ['2027-01-31', '2027-02-20'] }]);
    const input = base({ calendar: with2027, start: '2026-12-14', windowWorkingDays: 50, lettersPerSite: 3, lateObservationWorkingDays: 5, sites: Array.from({ length: 60 }, (_, i) => site(i)) });
    const plan = planCampaign(input);
    expect(plan.letters).toHaveLength(180);
    // Thursday 2026-12-31 is the last working day before 元旦 (3 days), Thursday 2027-02-04 before 春节
    expect(plan.preHolidayDays).toEqual(expect.arrayContaining(['2026-12-31', '2027-02-04']));
    expect(plan.sendDays).toContain('2027-01-31'); // the 调休 Sunday
    const close = parseInstant(plan.windowClosesAt);
    for (const l of plan.letters) {
      const date = beijingDate(l.plannedAt);
      expect(with2027.isWorkingDay(date)).toBe(true);
      expect(plan.preHolidayDays).not.toContain(date);
      expect(parseInstant(`${with2027.addWorkingDays(date, 1 + 5)}T23:59:59+08:00`)).toBeLessThanOrEqual(close);
    }
    expect(plan.letters.some((l) => l.plannedAt < '2027')).toBe(true);
    expect(plan.letters.some((l) => l.plannedAt > '2027')).toBe(true);
    expect(() => planCampaign({ ...input, calendar })).toThrow(UnknownCalendarYearError);
  });
});

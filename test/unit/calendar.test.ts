import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chineseDaysData, loadCalendar, parseCalendarFile } from '../../shared/adapters/calendar-source.ts';
import {
  beijingDate,
  civilFromDays,
  daysFromCivil,
  endOfBeijingDay,
  formatBeijing,
  formatDate,
  parseDate,
  parseTime,
  weekdayOfDay,
} from '../../shared/domain/beijing-time.ts';
import { WorkingDayCalendar } from '../../shared/domain/calendar.ts';
import { noticeProblems } from '../../shared/domain/calendar-notice.ts';
import { InputError, UnknownCalendarYearError } from '../../shared/domain/errors.ts';

const calendar = loadCalendar({ env: {} });

/** Expand 'YYYY-MM-DD..YYYY-MM-DD' (inclusive) or a single date. */
function dates(spec: string): string[] {
  const [a, b = a] = spec.split('..') as [string, string?];
  const out: string[] = [];
  for (let d = parseDate(a); d <= parseDate(b!); d++) out.push(formatDate(d));
  return out;
}

/**
 * From the State Council notices (国办发明电〔2023〕7号 for 2024, 〔2024〕12号 for 2025, 〔2025〕7号 for 2026),
 * written here by hand so the data package is checked, not trusted.
 */
const OFFICIAL: Record<number, { off: string[]; work: string[] }> = {
  2024: {
    off: ['2024-01-01', '2024-02-10..2024-02-17', '2024-04-04..2024-04-06', '2024-05-01..2024-05-05', '2024-06-10',
      '2024-09-15..2024-09-17', '2024-10-01..2024-10-07'],
    work: ['2024-02-04', '2024-02-18', '2024-04-07', '2024-04-28', '2024-05-11', '2024-09-14', '2024-09-29', '2024-10-12'],
  },
  2025: {
    off: ['2025-01-01', '2025-01-28..2025-02-04', '2025-04-04..2025-04-06', '2025-05-01..2025-05-05',
      '2025-05-31..2025-06-02', '2025-10-01..2025-10-08'],
    work: ['2025-01-26', '2025-02-08', '2025-04-27', '2025-09-28', '2025-10-11'],
  },
  2026: {
    off: ['2026-01-01..2026-01-03', '2026-02-15..2026-02-23', '2026-04-04..2026-04-06', '2026-05-01..2026-05-05',
      '2026-06-19..2026-06-21', '2026-09-25..2026-09-27', '2026-10-01..2026-10-07'],
    work: ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'],
  },
};

describe('beijing time', () => {
  it('reads an instant with any offset in Beijing time, a time without offset as Beijing local, a bare date as that Beijing date', () => {
    expect(beijingDate('2026-02-13T15:30:00Z')).toBe('2026-02-13');
    expect(beijingDate('2026-02-13T16:00:00Z')).toBe('2026-02-14');
    expect(beijingDate('2026-02-13T10:59:59-05:00')).toBe('2026-02-13');
    expect(beijingDate('2026-02-13T11:00:00-05:00')).toBe('2026-02-14');
    expect(formatBeijing(parseTime('2026-02-13T23:30').ms)).toBe('2026-02-13T23:30:00+08:00');
    expect(formatBeijing(parseTime('2026-02-13T15:30:00.250Z').ms)).toBe('2026-02-13T23:30:00.250+08:00');
    expect(parseTime('2026-02-13')).toEqual({ ms: Date.UTC(2026, 1, 12, 16), precision: 'day' });
    expect(endOfBeijingDay('2026-02-14')).toBe('2026-02-14T23:59:59+08:00');
  });

  it('accepts the ISO-8601 variants stores and sites produce (+08, +0800, fractions, lower-case t and z as RFC 3339 allows, a space separator)', () => {
    const at = Date.UTC(2026, 1, 13, 2, 0, 0);
    for (const v of ['2026-02-13T10:00:00+08', '2026-02-13T10:00:00+0800', '2026-02-13T10:00+08:00', '2026-02-13 10:00:00',
      '2026-02-13T02:00:00z', '2026-02-13t02:00:00z', '2026-02-13t10:00+08:00', ' 2026-02-13T02:00:00Z ', '2026-02-12T21:00:00-05:00']) {
      expect(parseTime(v), v).toEqual({ ms: at, precision: 'instant' });
    }
    expect(parseTime('2026-02-13T02:00:00.5Z').ms).toBe(at + 500);
    expect(parseTime('2026-02-13T02:00:00,123456789Z').ms).toBe(at + 123);
  });

  it('parses what Date.parse parses, for any instant and offset', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) }), fc.integer({ min: -12 * 60, max: 14 * 60 }), (ms, offMin) => {
        const local = new Date(ms + offMin * 60_000).toISOString().slice(0, 23);
        const sign = offMin < 0 ? '-' : '+';
        const abs = Math.abs(offMin);
        const iso = `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
        expect(parseTime(iso).ms).toBe(Date.parse(iso));
        expect(parseTime(formatBeijing(ms)).ms).toBe(ms);
      }),
    );
  });

  it('rejects unparsable times and impossible dates with an InputError naming the value', () => {
    for (const bad of ['yesterday', '2026-02-30', '2026-13-01', '2026-02-13T24:00:00Z', '2026-02-13T10:00:00+25:00', '',
      '2026-2-13', '2026-02-13T1:00', '2026-02-13T10:00:00+08:00x', '2026-02-13T10:00:00+08:0', '2026-02-13T10:00:00.Z',
      '2026-02-13T10', '2026-02-13X10:00', '2026-02-13T10:00:0']) {
      expect(() => parseTime(bad)).toThrow(InputError);
      expect(() => parseTime(bad)).toThrow(JSON.stringify(bad));
    }
  });

  it('epoch-day arithmetic round-trips and agrees with Date.UTC over 1900–2200', () => {
    fc.assert(
      fc.property(fc.integer({ min: daysFromCivil(1900, 1, 1), max: daysFromCivil(2200, 12, 31) }), (day) => {
        const { year, month, day: d } = civilFromDays(day);
        expect(daysFromCivil(year, month, d)).toBe(day);
        expect(Date.UTC(year, month - 1, d) / 86_400_000).toBe(day);
        expect(weekdayOfDay(day)).toBe(new Date(day * 86_400_000).getUTCDay());
      }),
    );
  });
});

describe('working-day calendar from chinese-days', () => {
  it('records provenance chinese-days@<installed version> and covers 2004–2026', async () => {
    const pkg = (await import('chinese-days/package.json', { with: { type: 'json' } })).default as { version: string };
    expect(calendar.ref.source).toBe(`chinese-days@${pkg.version}`);
    expect(calendar.years[0]).toBe(2004);
    expect(calendar.years.at(-1)).toBe(2026);
    expect(calendar.years).toHaveLength(23);
  });

  for (const [year, { off, work }] of Object.entries(OFFICIAL)) {
    it(`${year}: every day matches the State Council notice (holidays off, every 调休 weekend day working, else Mon–Fri)`, () => {
      const offSet = new Set(off.flatMap(dates));
      const workSet = new Set(work.flatMap(dates));
      for (const d of workSet) expect([0, 6], `${d} is a weekend day`).toContain(weekdayOfDay(parseDate(d)));
      const mismatches: string[] = [];
      for (const d of dates(`${year}-01-01..${year}-12-31`)) {
        const wd = weekdayOfDay(parseDate(d));
        const expected = workSet.has(d) || (!offSet.has(d) && wd !== 0 && wd !== 6);
        if (calendar.isWorkingDay(d) !== expected) mismatches.push(`${d}: expected ${expected ? 'working' : 'rest'}`);
      }
      expect(mismatches).toEqual([]);
    });
  }

  it('2026-02-14 and 2026-02-28 are working Saturdays; 2025-01-26 (Sun) and 2025-02-08 (Sat) are working days', () => {
    for (const d of ['2026-02-14', '2026-02-28', '2025-01-26', '2025-02-08']) expect(calendar.isWorkingDay(d)).toBe(true);
    expect(calendar.isWorkingDay('2026-02-21')).toBe(false); // a Saturday inside 春节
    expect(calendar.isWorkingDay('2026-02-16')).toBe(false); // Monday inside 春节
  });

  it.each([
    ['Friday → Monday', '2025-03-07', 1, '2025-03-10'],
    ['before 春节 2025 → after the holiday', '2025-01-27', 1, '2025-02-05'],
    ['before 春节 2024 → the 调休 Sunday after it', '2024-02-09', 1, '2024-02-18'],
    ['Friday before 春节 2026 → the 调休 Saturday', '2026-02-13', 1, '2026-02-14'],
    ['on the 调休 Saturday 2026-02-14 → after 春节', '2026-02-14', 1, '2026-02-24'],
    ['deadline on 国庆 moves on', '2024-09-30', 1, '2024-10-08'],
    ['deadline on 清明 moves on', '2026-04-03', 1, '2026-04-07'],
    ['3 working days across 国庆中秋 2025', '2025-09-29', 3, '2025-10-10'],
    ['n = 0 on a working day is that day', '2026-02-14', 0, '2026-02-14'],
    ['n = 0 on a rest day is the next working day', '2026-02-15', 0, '2026-02-24'],
    ['a rest-day submission counts from the next day', '2026-02-22', 1, '2026-02-24'],
  ])('addWorkingDays: %s', (_name, date, n, expected) => {
    expect(calendar.addWorkingDays(date, n)).toBe(expected);
  });

  it('workingDaysBetween counts the working days after a up to and including b', () => {
    expect(calendar.workingDaysBetween('2026-02-13', '2026-02-13')).toBe(0);
    expect(calendar.workingDaysBetween('2026-02-13', '2026-02-14')).toBe(1);
    expect(calendar.workingDaysBetween('2026-02-13', '2026-02-24')).toBe(2);
    expect(calendar.workingDaysBetween('2026-02-13', '2026-02-23')).toBe(1);
    expect(calendar.workingDaysBetween('2026-02-24', '2026-02-13')).toBe(-2);
  });

  it('a year that is not covered throws UnknownCalendarYearError naming it — never a Mon–Fri guess', () => {
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e;
      }
      return undefined;
    };
    const e2031 = err(() => calendar.isWorkingDay('2031-03-03'));
    expect(e2031).toBeInstanceOf(UnknownCalendarYearError);
    expect((e2031 as UnknownCalendarYearError).year).toBe(2031);
    expect((err(() => calendar.addWorkingDays('2026-12-31', 1)) as UnknownCalendarYearError).year).toBe(2027);
    expect((err(() => calendar.workingDaysBetween('2026-12-30', '2027-01-04')) as UnknownCalendarYearError).year).toBe(2027);
    expect((err(() => calendar.isWorkingDay('2003-06-02')) as UnknownCalendarYearError).year).toBe(2003);
    expect(calendar.covers(2026)).toBe(true);
    expect(calendar.covers(2027)).toBe(false);
  });

  it('earliestWorkingDayAfterDay: the deadline when it is known; past the covered days, one working day a day (a bound for verdicts, never a deadline)', () => {
    const at = (n: number, from: string) => formatDate(calendar.earliestWorkingDayAfterDay(parseDate(from), n));
    expect(at(1, '2026-02-13')).toBe('2026-02-14'); // known: the 调休 Saturday
    expect(at(0, '2026-02-15')).toBe('2026-02-24');
    expect(at(0, '2026-12-31')).toBe('2026-12-31');
    expect(at(1, '2026-12-31')).toBe('2027-01-01'); // 2027 not covered: the earliest any notice could make it
    expect(at(5, '2026-12-29')).toBe('2027-01-03'); // 12-30, 12-31, then 01-01…01-03
    expect(at(3, '2031-03-03')).toBe('2031-03-06'); // nothing covered
    // a bound stays a bound across a gap to a covered year (2027–2030 missing, 2031 from a file)
    const withGap = WorkingDayCalendar.fromData({ ref: { source: 't', years: [] }, years: [chineseDaysData().years.get(2026)!, { year: 2031, offDays: ['2031-01-01'], workDays: [] }] });
    expect(formatDate(withGap.earliestWorkingDayAfterDay(parseDate('2026-12-31'), 1500))).toBe(formatDate(parseDate('2026-12-31') + 1500));
    expect(() => withGap.addWorkingDaysDay(parseDate('2026-12-31'), 1500)).toThrow(/2027/);
    expect(() => calendar.earliestWorkingDayAfterDay(parseDate('2026-12-31'), -1)).toThrow(InputError);
  });

  it('properties: a deadline is a working day, never before the date, strictly increasing in n ≥ 1, exactly n working days away', () => {
    const first = parseDate('2024-01-01');
    const last = parseDate('2026-10-31');
    fc.assert(
      fc.property(fc.integer({ min: first, max: last }), fc.integer({ min: 0, max: 25 }), (day, n) => {
        const deadline = calendar.addWorkingDaysDay(day, n);
        expect(calendar.isWorkingDayDay(deadline)).toBe(true);
        expect(deadline).toBeGreaterThanOrEqual(day);
        // n = 0 on a rest day is the next working day, the same as n = 1; from there on strictly increasing.
        if (n === 0) expect(deadline === day).toBe(calendar.isWorkingDayDay(day));
        if (n >= 1) {
          expect(calendar.addWorkingDaysDay(day, n + 1)).toBeGreaterThan(deadline);
          expect(deadline).toBeGreaterThan(day);
          expect(calendar.workingDaysBetweenDays(day, deadline)).toBe(n);
          for (let d = day + 1; d < deadline; d++) expect(calendar.workingDaysBetweenDays(day, d)).toBeLessThan(n);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('operator calendar files (holiday-cn schema)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'huixin-cal-'));
  const fixtures = path.resolve(import.meta.dirname, '../fixtures/calendar');
  /** A made-up but plausible 2031 (元旦, 春节 01-22…29 with 01-19 and 02-08 working, 清明, 劳动节, 端午, 国庆). */
  const fixture2031 = path.join(fixtures, '2031-hypothetical.json');
  const text2031 = readFileSync(fixture2031, 'utf8');
  const days2031 = (JSON.parse(text2031) as { days: { name: string; date: string; isOffDay: boolean }[] }).days;
  const file2031 = path.join(dir, '2031.json');
  writeFileSync(file2031, text2031);

  /** Write `json` (an object or text) to dir/name and return the path. */
  const write = (name: string, json: unknown) => {
    const f = path.join(dir, name);
    writeFileSync(f, typeof json === 'string' || Buffer.isBuffer(json) ? json : JSON.stringify(json));
    return f;
  };
  /** The bundled data for `year` as a holiday-cn file. */
  const packageFile = (year: number, extra: Record<string, unknown> = {}) => {
    const y = chineseDaysData().years.get(year)!;
    const days = [...y.offDays.map((date) => ({ name: 'x', date, isOffDay: true })), ...y.workDays.map((date) => ({ name: 'x', date, isOffDay: false }))];
    return { year, days, ...extra };
  };
  const load = (...files: string[]) => loadCalendar({ files, env: {} });
  const errorOf = (f: () => unknown): Error => {
    try {
      f();
    } catch (e) {
      return e as Error;
    }
    throw new Error('expected an error');
  };

  it('a file makes its year covered, its days are exceptions, and its sha256 goes into the CalendarRef', () => {
    const cal = load(file2031);
    expect(cal.covers(2031)).toBe(true);
    expect(cal.covers(2030)).toBe(false);
    expect(cal.isWorkingDay('2031-01-01')).toBe(false); // Wednesday, 元旦
    expect(cal.isWorkingDay('2031-01-19')).toBe(true); // Sunday, 调休
    expect(cal.isWorkingDay('2031-01-02')).toBe(true);
    expect(cal.addWorkingDays('2031-01-17', 1)).toBe('2031-01-19');
    expect(cal.addWorkingDays('2031-01-21', 1)).toBe('2031-01-30'); // over 春节
    expect(() => cal.isWorkingDay('2030-06-03')).toThrow(UnknownCalendarYearError);
    const sha = createHash('sha256').update(text2031).digest('hex');
    expect(cal.ref.overrideSha256).toBe(sha);
    expect(cal.ref.overrides).toEqual([{ file: '2031.json', year: 2031, sha256: sha }]);
    expect(cal.ref.source).toBe(`${calendar.ref.source}+holiday-cn(2031)`);
    expect(cal.years).toContain(2031);
  });

  it('HUIXIN_CALENDAR_FILES (comma-separated) loads files too', () => {
    const cal = loadCalendar({ env: { HUIXIN_CALENDAR_FILES: ` ${file2031} ,` } });
    expect(cal.covers(2031)).toBe(true);
  });

  it('every year of the bundled data passes the notice checks (the floors are conservative)', () => {
    for (const [year, y] of chineseDaysData().years) expect(noticeProblems(y), String(year)).toEqual([]);
  });

  it("holiday-cn's real files load as they are when they agree with the bundled data (2007 lists 2006-12-30/31 调休; 2020 has the 春节 extension)", () => {
    const cal = load(path.join(fixtures, 'holiday-cn-2007.json'), path.join(fixtures, 'holiday-cn-2020.json'));
    expect(cal.ref.overrides?.map((o) => o.year)).toEqual([2007, 2020]);
    for (const d of ['2006-12-30', '2006-12-31', '2007-02-17', '2007-12-29', '2020-01-19']) expect(calendar.isWorkingDay(d), d).toBe(true);
    for (const d of dates('2006-12-01..2008-01-31').concat(dates('2019-12-01..2021-01-31'))) {
      expect(cal.isWorkingDay(d), d).toBe(calendar.isWorkingDay(d));
    }
  });

  describe('a file must look like a State Council notice (M6)', () => {
    const notice2031 = (change: (days: typeof days2031) => typeof days2031) => ({ year: 2031, days: change(structuredClone(days2031)) });

    it.each([
      ['an empty file (holiday-cn before the notice is out), 2026', '{"year":2026,"days":[]}', ['没有任何日期', 'lists no days']],
      ['an empty file, 2028', '{"year":2028,"days":[]}', ['没有任何日期', 'lists no days']],
      ['no 元旦', JSON.stringify(notice2031((d) => d.filter((x) => x.date !== '2031-01-01'))), ['没有元旦放假', 'no 元旦 rest day (2031-01-01']],
      ['no 春节', JSON.stringify(notice2031((d) => d.filter((x) => x.name !== '春节'))), ['没有春节放假', 'no 春节 rest days']],
      ['only 元旦 and one typo (the review’s cal2027-typo.json)',
        JSON.stringify({ year: 2027, days: [{ name: '元旦', date: '2027-01-01', isOffDay: true }, { name: 'typo', date: '2026-03-03', isOffDay: true }] }),
        ['2026-03-03 不在 2027 年内', 'date(s) 2026-03-03 not in 2027']],
      ['too few weekday rest days (6 < 7)', JSON.stringify(notice2031((d) => d.filter((x) => x.date < '2031-04-01' && x.date !== '2031-01-29'))), ['只有 6 个工作日', 'only 6 weekday rest day(s)']],
      ['a 调休 working day on a weekday (isOffDay inverted)', JSON.stringify(notice2031((d) => [...d, { name: '春节', date: '2031-02-07', isOffDay: false }])),
        ['2031-02-07（星期五）', 'make-up working day(s) 2031-02-07 not on a Saturday or Sunday']],
      ['a date far from its year', JSON.stringify(notice2031((d) => [...d, { name: 'a', date: '2035-01-01', isOffDay: true }])), ['2035-01-01']],
      ['a date of the previous year before 12-20', JSON.stringify(notice2031((d) => [...d, { name: '元旦', date: '2030-12-19', isOffDay: true }])),
        ['2030-12-19', '2030-12-20 to 2032-01-10']],
      ['a date of the next year after 01-10', JSON.stringify(notice2031((d) => [...d, { name: '元旦', date: '2032-01-11', isOffDay: false }])), ['2032-01-11']],
    ])('%s → refused, naming the file and the reason in Chinese and English', (_n, text, what) => {
      const f = write('notice.json', text);
      const e = errorOf(() => load(f));
      expect(e).toBeInstanceOf(InputError);
      expect(e.message).toContain(f);
      expect(e.message).toMatch(/^日历文件 .* 不像国务院办公厅的放假通知：.* \/ calendar file .* does not look like a State Council holiday notice: /);
      for (const w of what) expect(e.message).toContain(w);
    });

    it('the floors: 7 weekday rest days are enough; 12-20…12-31 of the previous year and 01-01…01-10 of the next may be listed', () => {
      const seven = load(write('seven.json', notice2031((d) => d.filter((x) => x.date < '2031-04-01')))); // 元旦 + 6 春节 weekdays
      expect(seven.isWorkingDay('2031-01-29')).toBe(false);
      expect(seven.isWorkingDay('2031-05-02')).toBe(true);
      const edges = notice2031((d) => [...d, { name: '元旦', date: '2030-12-20', isOffDay: true }, { name: '元旦', date: '2032-01-10', isOffDay: false }]);
      expect(parseCalendarFile(JSON.stringify(edges), 'edges.json').offDays).toContain('2030-12-20');
    });

    it("with the refused files the verdict data stays the package's: 春节 2026 is not turned into working days", () => {
      expect(() => load(write('cal2026-empty.json', { year: 2026, days: [] }))).toThrow(InputError);
      expect(calendar.addWorkingDays('2026-02-13', 1)).toBe('2026-02-14');
    });
  });

  describe('a file that would change days the bundled package gives needs "replaces": true', () => {
    it('a plausible 2026 file that differs from the package → refused, listing the changed days; with "replaces": true it applies', () => {
      // A supplementary notice: 2026-02-24 added to 春节 (hypothetical).
      const changed = packageFile(2026);
      changed.days.push({ name: '春节', date: '2026-02-24', isOffDay: true });
      const e = errorOf(() => load(write('2026.json', changed)));
      expect(e).toBeInstanceOf(InputError);
      expect(e.message).toContain('2026.json');
      expect(e.message).toContain('会改变 chinese-days@');
      expect(e.message).toContain('2026-02-24 上班日→休息日');
      expect(e.message).toContain('2026-02-24 working→rest');
      expect(e.message).toContain('"replaces": true');
      const cal = load(write('2026.json', { ...changed, replaces: true }));
      expect(cal.isWorkingDay('2026-02-24')).toBe(false);
      expect(cal.addWorkingDays('2026-02-13', 1)).toBe('2026-02-14');
      expect(cal.addWorkingDays('2026-02-14', 1)).toBe('2026-02-25');
      expect(cal.isWorkingDay('2025-01-28')).toBe(false); // other years untouched
      expect(cal.ref.overrides?.map((o) => o.year)).toEqual([2026]);
    });

    it('a file that agrees with the package is accepted without the opt-in, and changes nothing', () => {
      const cal = load(write('2025.json', packageFile(2025)));
      for (const d of dates('2024-12-01..2026-01-31')) expect(cal.isWorkingDay(d), d).toBe(calendar.isWorkingDay(d));
    });

    it("replacing a year keeps the package's late-December days set by the next year's notice (2007-12-29…31 from the 2008 notice)", () => {
      const without = packageFile(2007);
      without.days = without.days.filter((d) => d.date < '2007-12-20');
      const cal = load(write('2007.json', without));
      expect(cal.isWorkingDay('2007-12-29')).toBe(true); // Saturday, 调休 for 元旦 2008
      expect(cal.isWorkingDay('2007-12-31')).toBe(false); // Monday, 元旦 2008
    });

    it("with the opt-in, a file's turn-of-year date wins over the package's entry for it (hypothetical: 2022-12-31 made a working day by a 2023 file)", () => {
      const file = packageFile(2023);
      file.days.unshift({ name: '元旦', date: '2022-12-31', isOffDay: false });
      expect(() => load(write('2023.json', file))).toThrow(/2022-12-31 rest→working/);
      const cal = load(write('2023.json', { ...file, replaces: true }));
      expect(cal.isWorkingDay('2022-12-31')).toBe(true);
      expect(cal.isWorkingDay('2022-12-30')).toBe(true);
      expect(cal.isWorkingDay('2023-01-02')).toBe(false);
    });

    it("an old holiday-cn 2007.json that missed 春节's 调休 Saturday and Sunday (02-17, 02-25) is refused", () => {
      const old = JSON.parse(readFileSync(path.join(fixtures, 'holiday-cn-2007.json'), 'utf8')) as ReturnType<typeof packageFile>;
      old.days = old.days.filter((d) => d.date !== '2007-02-17' && d.date !== '2007-02-25');
      expect(() => load(write('2007-old.json', old))).toThrow(/2007-02-17 working→rest, 2007-02-25 working→rest/);
    });

    it("a next-year file may not change this year's covered December days without the opt-in (2026-12-31 in a 2027 file)", () => {
      const days = [...days2031.map((d) => ({ ...d, date: d.date.replace('2031', '2027') }))].filter((d) => {
        const wd = weekdayOfDay(parseDate(d.date));
        return d.isOffDay || wd === 0 || wd === 6;
      });
      days.push({ name: '元旦', date: '2026-12-31', isOffDay: true });
      expect(() => load(write('2027.json', { year: 2027, days }))).toThrow(/2026-12-31 working→rest/);
      const cal = load(write('2027.json', { year: 2027, days, replaces: true }));
      expect(cal.isWorkingDay('2026-12-31')).toBe(false);
      expect(cal.isWorkingDay('2027-01-01')).toBe(false);
    });
  });

  it('a file saved with a UTF-8 BOM (Notepad) or as UTF-16 with a BOM is read; the sha256 is over the bytes as given (L6)', () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text2031)]);
    const cal = load(write('bom.json', bom));
    expect(cal.isWorkingDay('2031-01-01')).toBe(false);
    expect(cal.ref.overrideSha256).toBe(createHash('sha256').update(bom).digest('hex'));
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text2031, 'utf16le')]);
    expect(load(write('utf16.json', utf16)).isWorkingDay('2031-01-19')).toBe(true);
    expect(parseCalendarFile(`\uFEFF${text2031}`, 'x').year).toBe(2031);
  });

  it.each([
    ['not JSON', '{year:', ['不是有效的 JSON', 'not valid JSON']],
    ['a trailing comma over several lines (hand-edited)', '{"year": 2031, "days": [\n  {"name": "元旦", "date": "2031-01-01", "isOffDay": true},\n]}', ['不是有效的 JSON', 'not valid JSON']],
    ['no year', JSON.stringify({ days: [] }), ['格式不对（year）', 'year']],
    ['isOffDay not boolean', JSON.stringify({ year: 2031, days: [{ name: 'a', date: '2031-01-01', isOffDay: 'yes' }] }), ['days.0.isOffDay']],
    ['replaces not boolean', JSON.stringify({ year: 2031, replaces: 'yes', days: [] }), ['replaces']],
    ['impossible date', JSON.stringify({ year: 2031, days: [{ name: 'a', date: '2031-02-30', isOffDay: true }] }), ['没有 2031-02-30 这一天', 'no such date 2031-02-30']],
    ['contradictory day', JSON.stringify({ year: 2031, days: [{ name: 'a', date: '2031-01-01', isOffDay: true }, { name: 'a', date: '2031-01-01', isOffDay: false }] }),
      ['同时列为休息日和上班日', 'both']],
  ])('a bad file (%s) → InputError naming the file and what is wrong, in Chinese and English', (_n, text, what) => {
    const f = write('bad.json', text);
    const e = errorOf(() => load(f));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toMatch(/^日历文件 .*bad\.json.* \/ calendar file .*bad\.json/);
    expect(e.message, 'one line, as the CLI prints it').not.toMatch(/[\r\n]/);
    for (const w of what) expect(e.message).toContain(w);
  });

  it('a missing file, and two files for one year → InputError naming them', () => {
    expect(() => load(path.join(dir, 'nope.json'))).toThrow(/读不到日历文件 .*nope\.json（文件不存在） \/ calendar file .*nope\.json: cannot read it \(no such file\)/);
    expect(() => load(file2031, write('again.json', text2031))).toThrow(/again\.json：另一个日历文件已给出 2031 年 \/ calendar file .*again\.json: another calendar file already gives 2031/);
  });

  it('parseCalendarFile keeps neighbouring-year dates near the turn of the year (holiday-cn lists 2022-12-31 in 2023)', () => {
    const file = packageFile(2023);
    file.days.unshift({ name: '元旦', date: '2022-12-31', isOffDay: true });
    const y = parseCalendarFile(JSON.stringify(file), 'x');
    expect(y.year).toBe(2023);
    expect(y.offDays).toContain('2022-12-31');
    expect(y.replaces).toBeUndefined();
    expect(parseCalendarFile(JSON.stringify({ ...file, replaces: true }), 'x').replaces).toBe(true);
  });

  it('WorkingDayCalendar.fromData refuses an empty calendar', () => {
    expect(() => WorkingDayCalendar.fromData({ ref: { source: 't', years: [] }, years: [] })).toThrow(InputError);
  });
});

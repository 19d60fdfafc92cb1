/**
 * The official Chinese working-day calendar (State Council 节假日安排, 调休 included), built from data.
 *
 * Rule: Monday–Friday are working days and Saturday/Sunday rest days, unless the year's data says otherwise
 * (法定节假日 and 调休 rest days are `offDays`; 调休 make-up working days on weekends are `workDays`).
 * Only covered years are known: **any lookup that touches a year that is not covered throws
 * `UnknownCalendarYearError(year)`** — never a silent Monday–Friday guess.
 *
 * Dates are `YYYY-MM-DD` strings or epoch days (see beijing-time.ts). All tables are precomputed over the
 * covered span, so every lookup is O(1) and allocation-free on the epoch-day API (`…Day` methods).
 */
import type { CalendarRef } from './model.ts';
import { formatDate, parseDate, weekdayOfDay, yearOfDay, daysFromCivil } from './beijing-time.ts';
import { InputError, UnknownCalendarYearError } from './errors.ts';

/** One covered year: its exceptions to the Monday–Friday rule. Dates may lie in a neighbouring year
 * (holiday-cn lists e.g. 2022-12-31 in 2023's file); they apply only where that year is covered. */
export interface CalendarYear {
  year: number;
  /** 法定节假日 and 调休 rest days (rest even on a weekday). */
  offDays: readonly string[];
  /** 调休 make-up working days (work even on a weekend). */
  workDays: readonly string[];
}

export interface CalendarData {
  ref: CalendarRef;
  years: readonly CalendarYear[];
}

const WORKING = 1;
const COVERED = 2;
/** Covered years must lie in this range (keeps the tables small and rejects typos like 20277). */
export const CALENDAR_YEAR_RANGE = { min: 1949, max: 2199 } as const;

export class WorkingDayCalendar {
  /** Provenance, for the method and every report. */
  readonly ref: CalendarRef;
  /** Covered years, ascending. */
  readonly years: readonly number[];
  /** Epoch day of the first table entry (1 January of the first covered year). */
  private readonly base: number;
  /** Per day: WORKING | COVERED bits. */
  private readonly flags: Uint8Array;
  /** Per day: number of working days in [base, day]. */
  private readonly cum: Int32Array;
  /** Working days (table offsets) in ascending order: working day k is `work[k]`. */
  private readonly work: Int32Array;
  /** Per day: table offset of the first uncovered day at or after it (the end of its covered run). */
  private readonly runEnd: Int32Array;

  private constructor(data: CalendarData) {
    const years = [...new Set(data.years.map((y) => y.year))].sort((a, b) => a - b);
    if (years.length === 0) throw new InputError('a working-day calendar needs at least one covered year');
    if (years.length !== data.years.length) throw new InputError('a working-day calendar lists the same year twice');
    for (const y of years) {
      if (!Number.isInteger(y) || y < CALENDAR_YEAR_RANGE.min || y > CALENDAR_YEAR_RANGE.max) {
        throw new InputError(`calendar year out of range: ${y}`);
      }
    }
    this.years = Object.freeze(years);
    this.ref = Object.freeze({ ...data.ref, years: this.years });
    const first = years[0]!;
    const last = years[years.length - 1]!;
    this.base = daysFromCivil(first, 1, 1);
    const size = daysFromCivil(last + 1, 1, 1) - this.base;
    const flags = new Uint8Array(size);
    const covered = new Set(years);
    for (let i = 0; i < size; i++) {
      const day = this.base + i;
      if (!covered.has(yearOfDay(day))) continue;
      const wd = weekdayOfDay(day);
      flags[i] = COVERED | (wd === 0 || wd === 6 ? 0 : WORKING);
    }
    // Exceptions: dates outside their entry's year first, so a year's own data has the last word on its dates.
    const apply = (date: string, working: boolean, ownYear: number, pass: 0 | 1) => {
      const day = parseDate(date);
      const inOwnYear = yearOfDay(day) === ownYear;
      if (inOwnYear !== (pass === 1)) return;
      const i = day - this.base;
      if (i < 0 || i >= size || !(flags[i]! & COVERED)) return;
      flags[i] = COVERED | (working ? WORKING : 0);
    };
    for (const pass of [0, 1] as const) {
      for (const y of data.years) {
        for (const d of y.offDays) apply(d, false, y.year, pass);
        for (const d of y.workDays) apply(d, true, y.year, pass);
      }
    }
    const cum = new Int32Array(size);
    const runEnd = new Int32Array(size);
    let count = 0;
    for (let i = 0; i < size; i++) {
      if (flags[i]! & WORKING) count++;
      cum[i] = count;
    }
    const work = new Int32Array(count);
    for (let i = 0, k = 0; i < size; i++) if (flags[i]! & WORKING) work[k++] = i;
    let end = size;
    for (let i = size - 1; i >= 0; i--) {
      if (!(flags[i]! & COVERED)) end = i;
      runEnd[i] = end;
    }
    this.flags = flags;
    this.cum = cum;
    this.work = work;
    this.runEnd = runEnd;
  }

  /** Build a calendar from data (validates years; dates must be `YYYY-MM-DD`). */
  static fromData(data: CalendarData): WorkingDayCalendar {
    return new WorkingDayCalendar(data);
  }

  /** Whether the calendar has official data for `year`. */
  covers(year: number): boolean {
    const i = daysFromCivil(year, 7, 1) - this.base;
    return i >= 0 && i < this.flags.length && (this.flags[i]! & COVERED) !== 0;
  }

  /** Table offset of a covered epoch day, or throw UnknownCalendarYearError. */
  private index(day: number): number {
    const i = day - this.base;
    if (i < 0 || i >= this.flags.length || !(this.flags[i]! & COVERED)) throw new UnknownCalendarYearError(yearOfDay(day));
    return i;
  }

  /** Is this epoch day an official working day? */
  isWorkingDayDay(day: number): boolean {
    return (this.flags[this.index(day)]! & WORKING) !== 0;
  }

  /**
   * The n-th working day after `day` (epoch days). `day` itself is day 0 and not counted; n = 0 gives `day`
   * itself when it is a working day, else the next working day. Every day from `day` to the result must be covered.
   */
  addWorkingDaysDay(day: number, n: number): number {
    if (!Number.isInteger(n) || n < 0) throw new InputError(`working days must be a whole number ≥ 0, got ${n}`);
    const i = this.index(day);
    let k: number;
    if (n === 0) k = this.flags[i]! & WORKING ? this.cum[i]! - 1 : this.cum[i]!;
    else k = this.cum[i]! + n - 1;
    const end = this.runEnd[i]!;
    if (k >= this.work.length || this.work[k]! >= end) throw new UnknownCalendarYearError(yearOfDay(this.base + end));
    return this.base + this.work[k]!;
  }

  /**
   * The earliest day any official calendar could make the n-th working day after `day` (epoch days), for a count
   * that runs past the covered days: the working days the covered days give, then one a day from the first day not
   * covered (every day of a missing year taken as a working day: the least it could be, never a guess at the
   * deadline). A bound only — addWorkingDaysDay gives the deadline, or throws when it is not known. A reply on or
   * before this day is on time under every calendar the missing years could have.
   */
  earliestWorkingDayAfterDay(day: number, n: number): number {
    if (!Number.isInteger(n) || n < 0) throw new InputError(`working days must be a whole number ≥ 0, got ${n}`);
    const i = day - this.base;
    if (i < 0 || i >= this.flags.length || !(this.flags[i]! & COVERED)) return day + n;
    const end = this.runEnd[i]!;
    // n = 0 on a working day is the day itself (covered); past here it is the next working day, as for n = 1.
    const wanted = n === 0 ? (this.flags[i]! & WORKING ? 0 : 1) : n;
    const found = this.cum[end - 1]! - this.cum[i]!;
    return wanted <= found ? this.addWorkingDaysDay(day, n) : this.base + end - 1 + (wanted - found);
  }

  /**
   * How many working days lie after `a` up to and including `b` (epoch days); negative when b is before a.
   * Every day between them must be covered.
   */
  workingDaysBetweenDays(a: number, b: number): number {
    const lo = Math.min(a, b);
    const hi = Math.max(a, b);
    const i = this.index(lo);
    const end = this.runEnd[i]!;
    if (hi - this.base >= end) throw new UnknownCalendarYearError(yearOfDay(this.base + end));
    return this.cum[b - this.base]! - this.cum[a - this.base]!;
  }

  /** Is `date` (`YYYY-MM-DD`) an official working day? */
  isWorkingDay(date: string): boolean {
    return this.isWorkingDayDay(parseDate(date));
  }

  /** The n-th working day after `date` (`YYYY-MM-DD`); see addWorkingDaysDay. */
  addWorkingDays(date: string, n: number): string {
    return formatDate(this.addWorkingDaysDay(parseDate(date), n));
  }

  /** Working days after `a` up to and including `b` (`YYYY-MM-DD`): a reply's "time in working days". */
  workingDaysBetween(a: string, b: string): number {
    return this.workingDaysBetweenDays(parseDate(a), parseDate(b));
  }
}

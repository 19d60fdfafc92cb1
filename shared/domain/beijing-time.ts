/**
 * Beijing time (Asia/Shanghai: UTC+8, no daylight saving since 1991) with plain epoch arithmetic.
 *
 * Lambda runs in UTC and a laptop in any zone, so nothing here uses `Date` getters, `Intl` or the local
 * zone: an instant is an epoch-millisecond number, a Beijing calendar date is an *epoch day* (days since
 * 1970-01-01, as a Beijing date), and converting between them is one addition and one division.
 *
 * Accepted inputs (ISO-8601):
 * - an instant with an offset: `2026-02-13T15:30:00Z`, `…+08:00`, `…-05:00`, `…+0800`, fractions allowed, `t` and `z`
 *   in lower case too (RFC 3339 §5.6), a space for the `T`;
 * - a local time without an offset: read as Beijing local time (`2026-02-13T23:30` = 23:30 in Beijing);
 * - a bare date `YYYY-MM-DD`: that Beijing date, with day precision (its instant is the start of the day).
 * Anything else throws InputError naming the value.
 */
import { InputError } from './errors.ts';

export const MS_PER_DAY = 86_400_000;
/** Beijing is UTC+8 all year. */
export const BEIJING_OFFSET_MS = 8 * 3_600_000;

export type Precision = 'instant' | 'day';

/** A parsed time: the instant (epoch ms) and whether the input named an instant or only a date. */
export interface ParsedTime {
  ms: number;
  precision: Precision;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** The proleptic Gregorian date of an epoch day (H. Hinnant's civil_from_days). */
export function civilFromDays(epochDay: number): { year: number; month: number; day: number } {
  const z = epochDay + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** The Gregorian year of an epoch day. */
export function yearOfDay(epochDay: number): number {
  return civilFromDays(epochDay).year;
}

/** Day of the week of an epoch day: 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
export function weekdayOfDay(epochDay: number): number {
  return (((epochDay + 4) % 7) + 7) % 7;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function bad(value: unknown, why = 'expected ISO-8601 like 2026-02-13T15:30:00Z, 2026-02-13T23:30:00+08:00 or 2026-02-13'): never {
  throw new InputError(`不是有效的时间 / not a valid time: ${JSON.stringify(value)} (${why})`);
}

/** The number in s[i, i+len) if all are ASCII digits, else -1. */
function num(s: string, i: number, len: number): number {
  let v = 0;
  for (let k = i; k < i + len; k++) {
    const c = s.charCodeAt(k) - 48;
    if (!(c >= 0 && c <= 9)) return -1; // also NaN: past the end of the string
    v = v * 10 + c;
  }
  return v;
}

/**
 * Parse an ISO-8601 time (see the module comment). Throws InputError naming the value.
 * Hand-written (no regex, no allocation for well-formed input): it is on the path of every verdict.
 */
export function parseTime(value: string): ParsedTime {
  if (typeof value !== 'string') bad(value);
  const s = value.trim();
  const len = s.length;
  const year = num(s, 0, 4);
  const month = num(s, 5, 2);
  const day = num(s, 8, 2);
  if (len < 10 || year < 0 || month < 0 || day < 0 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) bad(value);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) bad(value, 'no such date');
  const epochDay = daysFromCivil(year, month, day);
  if (len === 10) return { ms: epochDay * MS_PER_DAY - BEIJING_OFFSET_MS, precision: 'day' };
  const sep = s.charCodeAt(10);
  const hour = num(s, 11, 2);
  const minute = num(s, 14, 2);
  if ((sep !== 84 && sep !== 116 && sep !== 32) || hour < 0 || minute < 0 || s.charCodeAt(13) !== 58) bad(value);
  let i = 16;
  let second = 0;
  let millis = 0;
  if (s.charCodeAt(i) === 58) {
    second = num(s, i + 1, 2);
    if (second < 0) bad(value);
    i += 3;
    const dot = s.charCodeAt(i);
    if (dot === 46 || dot === 44) {
      let k = i + 1;
      let scale = 100;
      while (k < len && k < i + 10) {
        const c = s.charCodeAt(k) - 48;
        if (c < 0 || c > 9) break;
        millis += c * scale;
        scale /= 10;
        k++;
      }
      if (k === i + 1) bad(value);
      millis = Math.floor(millis);
      i = k;
    }
  }
  if (hour > 23 || minute > 59 || second > 59) bad(value, 'no such time of day');
  let offsetMs = BEIJING_OFFSET_MS; // no offset: Beijing local time
  if (i < len) {
    const c = s.charCodeAt(i);
    if (c === 90 || c === 122) {
      offsetMs = 0;
      i++;
    } else if (c === 43 || c === 45) {
      const oh = num(s, i + 1, 2);
      i += 3;
      let om = 0;
      if (i < len) {
        if (s.charCodeAt(i) === 58) i++;
        om = num(s, i, 2);
        i += 2;
      }
      if (oh < 0 || om < 0) bad(value);
      if (oh > 23 || om > 59) bad(value, 'no such offset');
      offsetMs = (c === 45 ? -1 : 1) * (oh * 3_600_000 + om * 60_000);
    }
    if (i !== len) bad(value);
  }
  const ms = epochDay * MS_PER_DAY + hour * 3_600_000 + minute * 60_000 + second * 1000 + millis - offsetMs;
  return { ms, precision: 'instant' };
}

/** Epoch ms of an ISO-8601 time (a bare date is the start of that Beijing day). */
export function parseInstant(value: string): number {
  return parseTime(value).ms;
}

/** The epoch day of a strict `YYYY-MM-DD` date string. Throws InputError naming the value. */
export function parseDate(value: string): number {
  const m = typeof value === 'string' ? DATE.exec(value) : null;
  if (!m) bad(value, 'expected a date YYYY-MM-DD');
  const year = +m[1]!;
  const month = +m[2]!;
  const day = +m[3]!;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) bad(value, 'no such date');
  return daysFromCivil(year, month, day);
}

/** The Beijing calendar date (epoch day) on which an instant falls. */
export function beijingDay(ms: number): number {
  return Math.floor((ms + BEIJING_OFFSET_MS) / MS_PER_DAY);
}

/** The instant at which a Beijing day starts (00:00:00 +08:00). */
export function startOfBeijingDayMs(epochDay: number): number {
  return epochDay * MS_PER_DAY - BEIJING_OFFSET_MS;
}

/**
 * Where a campaign window given as `windowClosesAt` ends (exclusive): an instant is itself; a bare date closes at the
 * end of that Beijing day. The one reading of a window's close: verdicts, the planner, closing and the demo share it.
 */
export function windowEndMs(windowClosesAt: string): number {
  const t = parseTime(windowClosesAt);
  return t.precision === 'day' ? startOfBeijingDayMs(beijingDay(t.ms) + 1) : t.ms;
}

/** The last millisecond of a Beijing day (23:59:59.999 +08:00). */
export function endOfBeijingDayMs(epochDay: number): number {
  return (epochDay + 1) * MS_PER_DAY - BEIJING_OFFSET_MS - 1;
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);
const pad4 = (n: number) => (n >= 0 && n < 10_000 ? `${n}`.padStart(4, '0') : `${n}`);

/** Formatted dates of epoch days 0 … 109,572 (1970–2269), filled on first use: verdicts format the same few days over and over. */
const DATE_CACHE: string[] = [];
const DATE_CACHE_SIZE = 109_573;

/** `YYYY-MM-DD` of an epoch day. */
export function formatDate(epochDay: number): string {
  const cacheable = epochDay >= 0 && epochDay < DATE_CACHE_SIZE && Number.isInteger(epochDay);
  if (cacheable) {
    const hit = DATE_CACHE[epochDay];
    if (hit !== undefined) return hit;
  }
  const { year, month, day } = civilFromDays(epochDay);
  const text = `${pad4(year)}-${pad2(month)}-${pad2(day)}`;
  if (cacheable) DATE_CACHE[epochDay] = text;
  return text;
}

/** The Beijing calendar date of an instant (epoch ms or ISO string), as `YYYY-MM-DD`. */
export function beijingDate(instant: number | string): string {
  return formatDate(beijingDay(typeof instant === 'number' ? instant : parseInstant(instant)));
}

/** The end of a Beijing day as `YYYY-MM-DDT23:59:59+08:00` (a date string or an epoch day). */
export function endOfBeijingDay(date: string | number): string {
  const day = typeof date === 'number' ? date : parseDate(date);
  return `${formatDate(day)}T23:59:59+08:00`;
}

/** An instant as ISO-8601 in Beijing time: `2026-02-13T23:30:00+08:00` (milliseconds only when not zero). */
export function formatBeijing(ms: number): string {
  if (!Number.isFinite(ms)) bad(ms, 'not a finite instant');
  const local = ms + BEIJING_OFFSET_MS;
  const day = Math.floor(local / MS_PER_DAY);
  let rest = local - day * MS_PER_DAY;
  const hour = Math.floor(rest / 3_600_000);
  rest -= hour * 3_600_000;
  const minute = Math.floor(rest / 60_000);
  rest -= minute * 60_000;
  const second = Math.floor(rest / 1000);
  const millis = rest - second * 1000;
  const frac = millis === 0 ? '' : `.${`${millis}`.padStart(3, '0')}`;
  return `${formatDate(day)}T${pad2(hour)}:${pad2(minute)}:${pad2(second)}${frac}+08:00`;
}

/**
 * Where the working-day calendar comes from: the `chinese-days` package (State Council notices, MIT), plus
 * optional operator-supplied files in holiday-cn's schema for years the package does not have yet:
 *
 *   {"year":2027,"days":[{"name":"元旦","date":"2027-01-01","isOffDay":true}, …]}
 *
 * Listed days are exceptions to Monday–Friday (isOffDay true = rest day, false = 调休 working day). A file makes
 * its year covered and replaces the package's data for that year. The platform setting is the env var
 * `HUIXIN_CALENDAR_FILES` (comma-separated paths), so an office can load next year's notice the day it is
 * published; the CLI's `--calendar FILE` adds to it. The sha256 of every file goes into the CalendarRef.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { WorkingDayCalendar, CALENDAR_YEAR_RANGE, type CalendarYear } from '../domain/calendar.ts';
import { parseDate, yearOfDay } from '../domain/beijing-time.ts';
import { InputError } from '../domain/errors.ts';
import type { CalendarRef } from '../domain/model.ts';
// Static JSON imports, so esbuild bundles the data into a Lambda (no node_modules lookup at run time).
import chineseDaysPackage from 'chinese-days/package.json' with { type: 'json' };
import chineseDaysJson from 'chinese-days/dist/chinese-days.json' with { type: 'json' };

export const CALENDAR_FILES_ENV = 'HUIXIN_CALENDAR_FILES';

interface ChineseDaysJson {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}

let packageData: { source: string; years: Map<number, CalendarYear> } | undefined;

/** The `chinese-days` data grouped by year, with provenance `chinese-days@<version>`. Read once per process. */
export function chineseDaysData(): { source: string; years: ReadonlyMap<number, CalendarYear> } {
  if (packageData) return packageData;
  const pkg = chineseDaysPackage as { version: string };
  const json = chineseDaysJson as ChineseDaysJson;
  const byYear = new Map<number, { offDays: string[]; workDays: string[] }>();
  const entry = (date: string) => {
    const year = yearOfDay(parseDate(date));
    let e = byYear.get(year);
    if (!e) byYear.set(year, (e = { offDays: [], workDays: [] }));
    return e;
  };
  for (const date of Object.keys(json.holidays)) entry(date).offDays.push(date);
  for (const date of Object.keys(json.workdays)) entry(date).workDays.push(date);
  const years = new Map<number, CalendarYear>();
  for (const [year, e] of [...byYear].sort((a, b) => a[0] - b[0])) years.set(year, { year, ...e });
  packageData = { source: `chinese-days@${pkg.version}`, years };
  return packageData;
}

const dateString = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');

/** holiday-cn's schema (extra keys such as `$schema` or `papers` are allowed and ignored). */
export const CalendarFileSchema = z.object({
  year: z.number().int().min(CALENDAR_YEAR_RANGE.min).max(CALENDAR_YEAR_RANGE.max),
  days: z.array(z.object({ name: z.string(), date: dateString, isOffDay: z.boolean() })),
});
export type CalendarFile = z.infer<typeof CalendarFileSchema>;

export interface CalendarOverride {
  /** The file as given (path). */
  file: string;
  year: number;
  sha256: string;
}

/** Parse and check one holiday-cn file's text. `file` names it in errors. */
export function parseCalendarFile(text: string, file: string): CalendarYear {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InputError(`calendar file ${file}: not valid JSON (${(err as Error).message})`);
  }
  const parsed = CalendarFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? issue.path.join('.') : '(top level)';
    throw new InputError(`calendar file ${file}: ${where}: ${issue.message} (expected {"year":2027,"days":[{"name":"元旦","date":"2027-01-01","isOffDay":true}]})`);
  }
  const { year, days } = parsed.data;
  const seen = new Map<string, boolean>();
  const offDays: string[] = [];
  const workDays: string[] = [];
  for (const d of days) {
    let day: number;
    try {
      day = parseDate(d.date);
    } catch {
      throw new InputError(`calendar file ${file}: no such date ${d.date}`);
    }
    const y = yearOfDay(day);
    if (Math.abs(y - year) > 1) throw new InputError(`calendar file ${file}: date ${d.date} is not in or next to ${year}`);
    const before = seen.get(d.date);
    if (before !== undefined && before !== d.isOffDay) {
      throw new InputError(`calendar file ${file}: ${d.date} is listed both as a rest day and as a working day`);
    }
    seen.set(d.date, d.isOffDay);
    (d.isOffDay ? offDays : workDays).push(d.date);
  }
  return { year, offDays, workDays };
}

/** The calendar files named by `HUIXIN_CALENDAR_FILES` (comma-separated; blanks ignored). */
export function calendarFilesFromEnv(env: Record<string, string | undefined> = process.env): string[] {
  return (env[CALENDAR_FILES_ENV] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

let defaultCalendar: WorkingDayCalendar | undefined;

/**
 * The platform calendar: `chinese-days` plus the files of `HUIXIN_CALENDAR_FILES` plus `files`.
 * Bad file → InputError naming the file and what is wrong. Without any file the result is cached.
 */
export function loadCalendar(options: { files?: readonly string[]; env?: Record<string, string | undefined> } = {}): WorkingDayCalendar {
  const files = [...calendarFilesFromEnv(options.env ?? process.env), ...(options.files ?? [])];
  if (files.length === 0 && defaultCalendar) return defaultCalendar;
  const overrides: CalendarOverride[] = [];
  const fileYears: CalendarYear[] = [];
  for (const file of files) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new InputError(`calendar file ${file}: cannot read it (${code === 'ENOENT' ? 'no such file' : code ?? (err as Error).message})`);
    }
    const year = parseCalendarFile(bytes.toString('utf8'), file);
    if (fileYears.some((y) => y.year === year.year)) {
      throw new InputError(`calendar file ${file}: another calendar file already gives ${year.year}`);
    }
    fileYears.push(year);
    overrides.push({ file: path.basename(file), year: year.year, sha256: createHash('sha256').update(bytes).digest('hex') });
  }
  const calendar = buildCalendar(fileYears, overrides);
  if (files.length === 0) defaultCalendar = calendar;
  return calendar;
}

/** The package data with `fileYears` replacing (or adding) their years. */
export function buildCalendar(fileYears: readonly CalendarYear[], overrides: readonly CalendarOverride[] = []): WorkingDayCalendar {
  const pkg = chineseDaysData();
  const years = new Map(pkg.years);
  for (const y of fileYears) years.set(y.year, y);
  overrides = [...overrides].sort((a, b) => a.year - b.year);
  const ref: CalendarRef = {
    source: overrides.length ? `${pkg.source}+holiday-cn(${overrides.map((o) => o.year).join(',')})` : pkg.source,
    years: [...years.keys()].sort((a, b) => a - b),
    ...(overrides.length
      ? { overrideSha256: overrides.map((o) => o.sha256).join(','), overrides: overrides.map((o) => ({ ...o })) }
      : {}),
  };
  return WorkingDayCalendar.fromData({ ref, years: [...years.values()] });
}

/**
 * Where the working-day calendar comes from: the `chinese-days` package (State Council notices, MIT), plus
 * optional operator-supplied files in holiday-cn's schema for years the package does not have yet:
 *
 *   {"year":2027,"days":[{"name":"元旦","date":"2027-01-01","isOffDay":true}, …]}
 *
 * Listed days are exceptions to Monday–Friday (isOffDay true = rest day, false = 调休 working day). A file makes
 * its year covered. The platform setting is the env var `HUIXIN_CALENDAR_FILES` (comma-separated paths), so an
 * office can load next year's notice the day it is published; the CLI's `--calendar FILE` adds to it. The sha256
 * of every file goes into the CalendarRef.
 *
 * Files are checked when loaded (never in the verdict engine), because a wrong file would silently change
 * verdicts:
 * - the year must look like a State Council notice (shared/domain/calendar-notice.ts: 元旦 and 春节 rest days,
 *   ≥ 7 weekday rest days, 调休 working days on weekends, dates in the year or 12-20…12-31 / 01-01…01-10 of the
 *   neighbouring years);
 * - a file may not change any day the package already gives (its own year when the package covers it, or a
 *   turn-of-year date in a covered neighbouring year) unless it says `"replaces": true`. A file that agrees with
 *   the package is accepted as it is. The opt-in sits in the file, so its sha256 in the CalendarRef records it.
 * UTF-8 with or without a BOM and UTF-16 with a BOM are read.
 */
import { decodeTextFile } from './text-file.ts';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { WorkingDayCalendar, CALENDAR_YEAR_RANGE, type CalendarYear } from '../domain/calendar.ts';
import { daysFromCivil, formatDate, parseDate, yearOfDay } from '../domain/beijing-time.ts';
import { noticeProblems } from '../domain/calendar-notice.ts';
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
  /** Opt-in: the file may change days the `chinese-days` package already gives (a newer or supplementary notice). */
  replaces: z.boolean().optional(),
});
export type CalendarFile = z.infer<typeof CalendarFileSchema>;

export interface CalendarOverride {
  /** The file as given (path). */
  file: string;
  year: number;
  sha256: string;
}

/** One year read from a calendar file: its data, and whether the file says it may replace the package's data. */
export interface CalendarFileYear extends CalendarYear {
  /** `"replaces": true` in the file: it may change days the `chinese-days` package already gives. */
  replaces?: true;
}

/**
 * Parse and check one holiday-cn file's text. `file` names it in errors. A UTF-8 byte-order mark (Notepad) is
 * ignored. Besides the schema, the year must look like a State Council notice (calendar-notice.ts): 元旦 and
 * 春节 rest days, enough weekday rest days, 调休 working days on weekends, dates in the year or near its turn.
 */
export function parseCalendarFile(text: string, file: string): CalendarFileYear {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    // V8 quotes the text around the error, line breaks included: one line, as every CLI error is.
    const why = (err as Error).message.replace(/\s+/g, ' ');
    throw new InputError(`日历文件 ${file} 不是有效的 JSON / calendar file ${file}: not valid JSON (${why})`);
  }
  const parsed = CalendarFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? issue.path.join('.') : '(top level)';
    throw new InputError(
      `日历文件 ${file} 格式不对（${where}） / calendar file ${file}: ${where}: ${issue.message} (expected {"year":2027,"days":[{"name":"元旦","date":"2027-01-01","isOffDay":true}]})`,
    );
  }
  const { year, days, replaces } = parsed.data;
  const seen = new Map<string, boolean>();
  const offDays: string[] = [];
  const workDays: string[] = [];
  for (const d of days) {
    try {
      parseDate(d.date);
    } catch {
      throw new InputError(`日历文件 ${file} 里没有 ${d.date} 这一天 / calendar file ${file}: no such date ${d.date}`);
    }
    const before = seen.get(d.date);
    if (before !== undefined && before !== d.isOffDay) {
      throw new InputError(
        `日历文件 ${file} 把 ${d.date} 同时列为休息日和上班日 / calendar file ${file}: ${d.date} is listed both as a rest day and as a working day`,
      );
    }
    seen.set(d.date, d.isOffDay);
    (d.isOffDay ? offDays : workDays).push(d.date);
  }
  const result: CalendarFileYear = { year, offDays, workDays, ...(replaces ? { replaces: true as const } : {}) };
  const problems = noticeProblems(result);
  if (problems.length) {
    throw new InputError(
      `日历文件 ${file} 不像国务院办公厅的放假通知：${problems.map((p) => p.zh).join('；')}` +
        ` / calendar file ${file} does not look like a State Council holiday notice: ${problems.map((p) => p.en).join('; ')}`,
    );
  }
  return result;
}

/**
 * The days of years the `chinese-days` package covers that `fileYear` would change (its own year replaced, its
 * turn-of-year dates applied), with their status in the file's calendar. Load time only: two small calendars
 * over the three years around the file's year.
 */
function packageDaysChangedBy(fileYear: CalendarYear): { date: string; working: boolean }[] {
  const pkg = chineseDaysData();
  const near = [fileYear.year - 1, fileYear.year, fileYear.year + 1].flatMap((y) => pkg.years.get(y) ?? []);
  if (near.length === 0) return [];
  const ref: CalendarRef = { source: pkg.source, years: [] };
  const before = WorkingDayCalendar.fromData({ ref, years: near });
  const after = WorkingDayCalendar.fromData({ ref, years: mergeYears(new Map(near.map((y) => [y.year, y])), [fileYear]) });
  const changed: { date: string; working: boolean }[] = [];
  for (let day = daysFromCivil(fileYear.year - 1, 1, 1), end = daysFromCivil(fileYear.year + 2, 1, 1); day < end; day++) {
    if (!before.covers(yearOfDay(day))) continue;
    const working = after.isWorkingDayDay(day);
    if (working !== before.isWorkingDayDay(day)) changed.push({ date: formatDate(day), working });
  }
  return changed;
}

/** Refuse a file that would change days the package already gives, unless the file says `"replaces": true`. */
function checkAgainstPackage(fileYear: CalendarFileYear, file: string): void {
  if (fileYear.replaces) return;
  const changed = packageDaysChangedBy(fileYear);
  if (changed.length === 0) return;
  const source = chineseDaysData().source;
  const shown = changed.slice(0, 5);
  const more = changed.length - shown.length;
  const zh = shown.map((c) => `${c.date} ${c.working ? '休息日→上班日' : '上班日→休息日'}`).join('、') + (more > 0 ? ` 等 ${changed.length} 天` : '');
  const en = shown.map((c) => `${c.date} ${c.working ? 'rest→working' : 'working→rest'}`).join(', ') + (more > 0 ? ` and ${more} more` : '');
  throw new InputError(
    `日历文件 ${file} 会改变 ${source} 已有的 ${changed.length} 天（${zh}）；若这确是国务院办公厅的新通知或补充通知，请在文件中加上 "replaces": true` +
      ` / calendar file ${file} changes ${changed.length} day(s) that ${source} already gives (${en}); if it is a newer or supplementary State Council notice, add "replaces": true to the file`,
  );
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
      const why = code === 'ENOENT' ? 'no such file' : code ?? (err as Error).message;
      throw new InputError(`读不到日历文件 ${file}${code === 'ENOENT' ? '（文件不存在）' : ''} / calendar file ${file}: cannot read it (${why})`);
    }
    const year = parseCalendarFile(decodeTextFile(bytes).text, file);
    if (fileYears.some((y) => y.year === year.year)) {
      throw new InputError(`日历文件 ${file}：另一个日历文件已给出 ${year.year} 年 / calendar file ${file}: another calendar file already gives ${year.year}`);
    }
    checkAgainstPackage(year, file);
    fileYears.push(year);
    overrides.push({ file: path.basename(file), year: year.year, sha256: createHash('sha256').update(bytes).digest('hex') });
  }
  const calendar = buildCalendar(fileYears, overrides);
  if (files.length === 0) defaultCalendar = calendar;
  return calendar;
}

/**
 * The package's years with the files' years in their place (or added):
 * - The package groups dates by their own year, so its year Y also holds the late-December days (from 12-20) that
 *   the notice for Y+1 set (e.g. 2007-12-29…31 in 2007). A notice for Y never lists them, so a file for Y keeps
 *   them unless it lists the same date.
 * - A file's turn-of-year dates in a neighbouring package year are the file's to decide (the package's entry for
 *   that date is dropped). A neighbouring year given by another file keeps its own dates.
 * loadCalendar's package check (packageDaysChangedBy) compares with exactly this, so what it accepts is what applies.
 */
function mergeYears(pkgYears: ReadonlyMap<number, CalendarYear>, fileYears: readonly CalendarYear[]): CalendarYear[] {
  const years = new Map(pkgYears);
  const fromFile = new Set(fileYears.map((y) => y.year));
  for (const f of fileYears) {
    const p = pkgYears.get(f.year);
    if (!p) {
      years.set(f.year, f);
      continue;
    }
    const from = daysFromCivil(f.year, 12, 20);
    const listed = new Set([...f.offDays, ...f.workDays]);
    const keep = (d: string) => parseDate(d) >= from && !listed.has(d);
    years.set(f.year, { year: f.year, offDays: [...f.offDays, ...p.offDays.filter(keep)], workDays: [...f.workDays, ...p.workDays.filter(keep)] });
  }
  for (const f of fileYears) {
    for (const d of [...f.offDays, ...f.workDays]) {
      const y = yearOfDay(parseDate(d));
      const p = years.get(y);
      if (y === f.year || !p || fromFile.has(y)) continue;
      if (p.offDays.includes(d) || p.workDays.includes(d)) {
        years.set(y, { year: y, offDays: p.offDays.filter((x) => x !== d), workDays: p.workDays.filter((x) => x !== d) });
      }
    }
  }
  return [...years.values()];
}

/** The package data with `fileYears` in place of or added to its years (see mergeYears; files already checked by loadCalendar). */
export function buildCalendar(fileYears: readonly CalendarYear[], overrides: readonly CalendarOverride[] = []): WorkingDayCalendar {
  const pkg = chineseDaysData();
  const years = mergeYears(pkg.years, fileYears);
  overrides = [...overrides].sort((a, b) => a.year - b.year);
  const ref: CalendarRef = {
    source: overrides.length ? `${pkg.source}+holiday-cn(${overrides.map((o) => o.year).join(',')})` : pkg.source,
    years: years.map((y) => y.year).sort((a, b) => a - b),
    ...(overrides.length
      ? { overrideSha256: overrides.map((o) => o.sha256).join(','), overrides: overrides.map((o) => ({ ...o })) }
      : {}),
  };
  return WorkingDayCalendar.fromData({ ref, years });
}

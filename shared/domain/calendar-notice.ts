/**
 * Does one year's calendar data look like a State Council 放假通知 (国务院办公厅关于…部分节假日安排的通知)?
 *
 * Run when an operator-supplied calendar file is loaded (never by the verdict engine): a wrong file — holiday-cn
 * publishes an empty `{"year":2027,"days":[]}` before the notice is out, a half-typed file, a date typed in the
 * wrong year — would otherwise silently turn holidays into plain Monday–Friday working days (domain.md §2).
 *
 * The rules are deliberately conservative floors, met by every official notice 2004–2026 (the `chinese-days`
 * data: 16–23 weekday rest days a year, ≥ 5 of them at 春节, 1 January always a rest day, every 调休 working day
 * a Saturday or Sunday):
 * - 元旦: 1 January of the year is listed as a rest day (holiday-cn lists weekend holiday days too).
 * - 春节: at least 3 rest days on weekdays between 15 January and the end of February (初一 falls between
 *   21 January and 20 February; the holiday is 除夕 or 初一 to 初七/初八).
 * - At least 7 weekday rest days in the year (the statutory holidays alone are 11 days, 13 since 2025).
 * - A 调休 working day (`isOffDay: false`) is a Saturday or a Sunday (on a weekday it would change nothing: a
 *   sign of a typo or of an inverted `isOffDay`).
 * - Dates lie in the year, or near the turn of the year: a notice's 元旦 arrangement may reach back into the
 *   previous December (the 2008 and 2019 notices list 2007-12-29…31 and 2018-12-29…31, the 2007 one 2006-12-30/31,
 *   the 2012 one 2011-12-31, the 2023 one 2022-12-31), so 20–31 December of the previous year are allowed, and
 *   1–10 January of the next year. Anything else (e.g. 2026-03-03 in a 2027 file) is refused: loading next year's
 *   notice must not change this year's verdicts.
 */
import type { CalendarYear } from './calendar.ts';
import { daysFromCivil, parseDate, weekdayOfDay, yearOfDay } from './beijing-time.ts';

const NOTICE_RULES = {
  /** Earliest date of the previous year a notice may list (month, day). */
  previousYearFrom: { month: 12, day: 20 },
  /** Latest date of the next year a notice may list (month, day). */
  nextYearTo: { month: 1, day: 10 },
  /** 春节 rest days are looked for from this date (month, day) to the end of February. */
  springFestivalFrom: { month: 1, day: 15 },
  /** Fewest weekday rest days between springFestivalFrom and the end of February. */
  minSpringFestivalWeekdayRest: 3,
  /** Fewest weekday rest days in the whole year. */
  minWeekdayRest: 7,
} as const;

/** One reason a year's data does not look like an official notice, in Chinese and in English. */
export interface NoticeProblem {
  zh: string;
  en: string;
}

const WEEKDAY_ZH = ['日', '一', '二', '三', '四', '五', '六'] as const;

function listSome(dates: readonly string[], max = 3): { zh: string; en: string } {
  const shown = dates.slice(0, max).join(', ');
  const more = dates.length - max;
  return more > 0 ? { zh: `${shown} 等 ${dates.length} 个`, en: `${shown} and ${more} more` } : { zh: shown, en: shown };
}

/** The range of dates a notice for `year` may list: [first, last] as epoch days. */
function noticeSpan(year: number): { first: number; last: number } {
  const p = NOTICE_RULES.previousYearFrom;
  const n = NOTICE_RULES.nextYearTo;
  return { first: daysFromCivil(year - 1, p.month, p.day), last: daysFromCivil(year + 1, n.month, n.day) };
}

/**
 * Every reason why `y` does not look like a State Council notice for `y.year`; empty when it does.
 * Dates must already be valid `YYYY-MM-DD` (the caller parses them).
 */
export function noticeProblems(y: CalendarYear): NoticeProblem[] {
  const { year } = y;
  if (y.offDays.length === 0 && y.workDays.length === 0) {
    return [{
      zh: `文件里没有任何日期（holiday-cn 在通知发布前给出的就是空文件）`,
      en: `the file lists no days (holiday-cn's file for a year is empty until the notice is out)`,
    }];
  }
  const problems: NoticeProblem[] = [];
  const span = noticeSpan(year);
  const outside = [...y.offDays, ...y.workDays].filter((d) => {
    const day = parseDate(d);
    return day < span.first || day > span.last;
  });
  if (outside.length) {
    const s = listSome(outside);
    const from = `${year - 1}-12-${String(NOTICE_RULES.previousYearFrom.day).padStart(2, '0')}`;
    const to = `${year + 1}-01-${String(NOTICE_RULES.nextYearTo.day).padStart(2, '0')}`;
    problems.push({
      zh: `日期 ${s.zh} 不在 ${year} 年内（相邻年份只允许 ${from} 至 ${to} 的跨年安排）`,
      en: `date(s) ${s.en} not in ${year} (of the neighbouring years only ${from} to ${to} may be listed)`,
    });
  }
  const weekdayWork = y.workDays.filter((d) => {
    const wd = weekdayOfDay(parseDate(d));
    return wd !== 0 && wd !== 6;
  });
  if (weekdayWork.length) {
    const s = listSome(weekdayWork.map((d) => `${d}（星期${WEEKDAY_ZH[weekdayOfDay(parseDate(d))]}）`));
    const e = listSome(weekdayWork);
    problems.push({
      zh: `调休上班日 ${s.zh} 不是周六或周日（isOffDay 写反了？）`,
      en: `make-up working day(s) ${e.en} not on a Saturday or Sunday (isOffDay inverted?)`,
    });
  }
  const off = new Set(y.offDays);
  if (!off.has(`${year}-01-01`)) {
    problems.push({
      zh: `没有元旦放假（${year}-01-01 未列为休息日）`,
      en: `no 元旦 rest day (${year}-01-01 is not listed as a rest day)`,
    });
  }
  const sfFrom = daysFromCivil(year, NOTICE_RULES.springFestivalFrom.month, NOTICE_RULES.springFestivalFrom.day);
  const sfTo = daysFromCivil(year, 3, 1) - 1;
  let sfRest = 0;
  let weekdayRest = 0;
  for (const d of off) {
    const day = parseDate(d);
    const wd = weekdayOfDay(day);
    if (wd === 0 || wd === 6 || yearOfDay(day) !== year) continue;
    weekdayRest++;
    if (day >= sfFrom && day <= sfTo) sfRest++;
  }
  if (sfRest < NOTICE_RULES.minSpringFestivalWeekdayRest) {
    const { month, day } = NOTICE_RULES.springFestivalFrom;
    const from = `${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    problems.push({
      zh: `没有春节放假（${from} 至 2 月底只有 ${sfRest} 个工作日列为休息日，至少应有 ${NOTICE_RULES.minSpringFestivalWeekdayRest} 个）`,
      en: `no 春节 rest days (${sfRest} weekday rest day(s) from ${from} to the end of February, at least ${NOTICE_RULES.minSpringFestivalWeekdayRest} expected)`,
    });
  }
  if (weekdayRest < NOTICE_RULES.minWeekdayRest) {
    problems.push({
      zh: `全年只有 ${weekdayRest} 个工作日列为休息日（官方通知每年有 16 个以上，至少应有 ${NOTICE_RULES.minWeekdayRest} 个）`,
      en: `only ${weekdayRest} weekday rest day(s) in the year (official notices have 16 or more; at least ${NOTICE_RULES.minWeekdayRest} expected)`,
    });
  }
  return problems;
}

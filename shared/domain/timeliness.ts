/**
 * Timeliness verdicts of one letter (domain.md §2–3). Pure: the caller passes the calendar and "as of".
 *
 * - Deadline: the end (23:59:59 +08:00) of the N-th official working day after the submission's Beijing
 *   date (the submission date is day 0, not counted; 民法典 art. 201/203).
 * - Dates, not instants, decide: a reply on the deadline date up to 23:59:59 is on time, and a day-precise
 *   reply (a reply list that shows only a date) is judged by its date.
 * - `same-day`: reply on the submission's Beijing date. `on-time`: reply by the deadline date.
 *   `late`: reply after the deadline — unless a window is given and the reply came after it closed: `none`.
 * - No reply: `pending` while asOf is before the end of (windowClosesAt ?? deadline), else `none`.
 *   A bare date as windowClosesAt closes at the end of that Beijing day. The window only turns a *late*
 *   reply into `none`; a reply by the deadline date is on time whenever it was seen. asOf is not used when
 *   there is a reply (the reply is the evidence).
 * - A deadline in a year the calendar does not cover is never guessed. A reply is still judged when every calendar
 *   that year could have gives the same verdict: on or before the earliest day the deadline could fall on (the
 *   working days the covered days give, then one a day), it is same-day or on-time whatever the notice will say;
 *   the judgement then has no deadline and names the year (`deadlineYearNotCovered`). Anything else (a later
 *   reply, no reply) throws UnknownCalendarYearError naming the year to load.
 *
 * Two entry points, one rule: `judgeLetter` (ISO strings in, a full judgement out) and `verdictCode`
 * (epoch ms in, a small integer out: the allocation-free path for bulk work). Both end in `decide`.
 */
import {
  beijingDay,
  endOfBeijingDay,
  endOfBeijingDayMs,
  formatDate,
  formatBeijing,
  parseTime,
  startOfBeijingDayMs,
  windowEndMs,
} from './beijing-time.ts';
import type { WorkingDayCalendar } from './calendar.ts';
import { InputError, UnknownCalendarYearError } from './errors.ts';

export const VERDICTS = ['same-day', 'on-time', 'late', 'none', 'pending'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** Integer codes of the fast path: `VERDICTS[code]` is the verdict. */
export const SAME_DAY = 0;
export const ON_TIME = 1;
export const LATE = 2;
export const NONE = 3;
export const PENDING = 4;
export type VerdictCode = 0 | 1 | 2 | 3 | 4;

export interface JudgeInput {
  /** When the site accepted the letter (ISO-8601, any offset; no offset = Beijing time). */
  submittedAt: string;
  /** The earliest trustworthy reply, if any. A bare date `YYYY-MM-DD` is day-precise. */
  repliedAt?: string | null;
  /** Override the reply's precision ('day': judge by its Beijing date only). Default: from repliedAt's form. */
  replyPrecision?: 'instant' | 'day';
  /** N: the deadline is the end of the N-th working day after the submission date (whole number ≥ 0). */
  workingDays: number;
  /** The instant of judgement; required when there is no reply. */
  asOf?: string;
  /** When the campaign's observation window closes (a bare date: at the end of that Beijing day). */
  windowClosesAt?: string;
}

export interface Judgement {
  verdict: Verdict;
  /** End of the N-th working day: `YYYY-MM-DDT23:59:59+08:00`. Absent when `deadlineYearNotCovered` is set. */
  deadline?: string;
  deadlineDate?: string;
  /** The deadline lies in this year, which the calendar does not cover: no deadline is given, and the verdict
   * (same-day or on-time) is the one every calendar of that year gives. */
  deadlineYearNotCovered?: number;
  /** The submission's Beijing date. */
  submittedDate: string;
  /** The reply's Beijing date. */
  replyDate?: string;
  /** Working days after the submission date up to and including the reply date (0 = same day).
   * Absent when the reply date lies in a year the calendar does not cover (the verdict is still exact). */
  replyWorkingDays?: number;
  /** No reply yet: when the letter turns from `pending` to `none` (Beijing time). */
  closesAt?: string;
}

/**
 * The single verdict rule. Days are Beijing epoch days, instants epoch ms.
 * `replyMs` NaN = no reply; for a day-precise reply pass the start of its day. `windowEndMs` NaN = no window
 * (the window then ends with the deadline day); it is the first instant at which the window is closed.
 */
export function decide(
  submittedDay: number,
  deadlineDay: number,
  replyMs: number,
  replyDay: number,
  asOfMs: number,
  windowEndMs: number,
): VerdictCode {
  if (replyMs === replyMs) {
    if (replyDay === submittedDay) return SAME_DAY;
    if (replyDay <= deadlineDay) return ON_TIME;
    if (replyMs >= windowEndMs) return NONE; // false when windowEndMs is NaN
    return LATE;
  }
  const end = windowEndMs === windowEndMs ? windowEndMs : endOfBeijingDayMs(deadlineDay) + 1;
  return asOfMs < end ? PENDING : NONE;
}

/**
 * Fast path (epoch ms in, verdict code out, no allocation). `repliedMs` NaN = no reply; `replyIsDay` judges
 * the reply by its Beijing date only; `windowEndMs` NaN = no window. Same checks and rule as judgeLetter.
 */
export function verdictCode(
  calendar: WorkingDayCalendar,
  submittedMs: number,
  workingDays: number,
  repliedMs: number,
  replyIsDay: boolean,
  asOfMs: number,
  windowEndMs: number,
): VerdictCode {
  const submittedDay = beijingDay(submittedMs);
  let replyDay = NaN;
  let replyMs = repliedMs;
  if (repliedMs === repliedMs) {
    replyDay = beijingDay(repliedMs);
    if (replyIsDay) replyMs = startOfBeijingDayMs(replyDay);
    if (replyDay < submittedDay || (!replyIsDay && repliedMs < submittedMs)) replyBeforeSubmission(repliedMs, submittedMs);
  }
  return decide(submittedDay, deadlineDayFor(calendar, submittedDay, workingDays, replyDay), replyMs, replyDay, asOfMs, windowEndMs);
}

/**
 * The deadline day; when it lies in a year the calendar does not cover and the reply (`replyDay`, NaN = none) is
 * on or before the earliest day any calendar could put it on, that day: the verdict is then the same under every
 * calendar (same-day or on-time). Otherwise the calendar's UnknownCalendarYearError, naming the year.
 */
function deadlineDayFor(calendar: WorkingDayCalendar, submittedDay: number, n: number, replyDay: number): number {
  try {
    return calendar.addWorkingDaysDay(submittedDay, n);
  } catch (err) {
    if (!(err instanceof UnknownCalendarYearError)) throw err;
    const earliest = calendar.earliestWorkingDayAfterDay(submittedDay, n);
    if (replyDay <= earliest) return earliest; // false for NaN: no reply
    throw err;
  }
}

function replyBeforeSubmission(repliedMs: number, submittedMs: number): never {
  throw new InputError(`reply (${formatBeijing(repliedMs)}) is before the submission (${formatBeijing(submittedMs)})`);
}

/** Judge one letter. Bad input (unparsable time, reply before submission, N not a whole number ≥ 0,
 * no reply and no asOf) → InputError; a date outside the calendar's years → UnknownCalendarYearError. */
export function judgeLetter(input: JudgeInput, calendar: WorkingDayCalendar): Judgement {
  const n = input.workingDays;
  if (!Number.isInteger(n) || n < 0) throw new InputError(`working days must be a whole number ≥ 0, got ${n}`);
  const submitted = parseTime(input.submittedAt);
  const submittedDay = beijingDay(submitted.ms);
  const windowEnd = input.windowClosesAt != null ? windowEndMs(input.windowClosesAt) : NaN;
  const submittedDate = formatDate(submittedDay);
  if (input.repliedAt != null) {
    const reply = parseTime(input.repliedAt);
    const replyIsDay = (input.replyPrecision ?? reply.precision) === 'day';
    const replyDay = beijingDay(reply.ms);
    const code = verdictCode(calendar, submitted.ms, n, reply.ms, replyIsDay, NaN, windowEnd);
    const judgement: Judgement = { verdict: VERDICTS[code], ...deadlineOf(calendar, submittedDay, n), submittedDate, replyDate: formatDate(replyDay) };
    try {
      judgement.replyWorkingDays = calendar.workingDaysBetweenDays(submittedDay, replyDay);
    } catch (err) {
      if (!(err instanceof UnknownCalendarYearError)) throw err;
    }
    return judgement;
  }
  if (input.asOf == null) throw new InputError('asOf is needed to judge a letter that has no reply');
  const asOfMs = parseTime(input.asOf).ms;
  const deadlineDay = calendar.addWorkingDaysDay(submittedDay, n);
  const deadline = endOfBeijingDay(deadlineDay);
  const deadlineDate = formatDate(deadlineDay);
  const code = decide(submittedDay, deadlineDay, NaN, NaN, asOfMs, windowEnd);
  const judgement: Judgement = { verdict: VERDICTS[code], deadline, deadlineDate, submittedDate };
  if (code === PENDING) judgement.closesAt = formatBeijing(windowEnd === windowEnd ? windowEnd : endOfBeijingDayMs(deadlineDay) + 1);
  return judgement;
}

/**
 * A submission's deadline (`YYYY-MM-DDT23:59:59+08:00`, the end of the N-th working day after it), or undefined when
 * that day lies in a year the calendar does not cover yet: the letter is recorded as submitted all the same and its
 * verdict waits for that year's calendar.
 */
export function deadlineIfCovered(calendar: WorkingDayCalendar, submittedAt: string, workingDays: number): string | undefined {
  try {
    return judgeLetter({ submittedAt, workingDays, asOf: submittedAt }, calendar).deadline;
  } catch (err) {
    if (err instanceof UnknownCalendarYearError) return undefined;
    throw err;
  }
}

/** A judged reply's deadline fields: the deadline, or the year it lies in when the calendar does not cover it. */
function deadlineOf(calendar: WorkingDayCalendar, submittedDay: number, n: number): Pick<Judgement, 'deadline' | 'deadlineDate' | 'deadlineYearNotCovered'> {
  try {
    const day = calendar.addWorkingDaysDay(submittedDay, n);
    return { deadline: endOfBeijingDay(day), deadlineDate: formatDate(day) };
  } catch (err) {
    if (!(err instanceof UnknownCalendarYearError)) throw err;
    return { deadlineYearNotCovered: err.year };
  }
}

/** A judgement's deadline for people: the deadline, or why there is none (its year has no official calendar yet). */
export function deadlineText(j: Pick<Judgement, 'deadline' | 'deadlineYearNotCovered'>): string {
  if (j.deadline !== undefined) return j.deadline;
  return `未知：没有 ${j.deadlineYearNotCovered} 年的官方工作日历 / unknown: no official working-day calendar for ${j.deadlineYearNotCovered}`;
}

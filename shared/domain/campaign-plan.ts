/**
 * Planning a campaign: when each test letter goes to each site. Pure: the calendar, the start and a seed come in,
 * planned letters come out — the same input always gives the same plan.
 *
 * Rules (politeness and fairness of the verdict):
 * - only on official working days (调休 included), only in office hours (default 09:00–11:30 and 14:00–17:00 Beijing);
 * - at most one letter per site per day, and a site's letters at least `minGapWorkingDays` working days apart;
 * - never on the last working day before a rest period of 3+ days (a letter sent then would wait over the holiday
 *   and bias the verdict), nor so late that its deadline (`workingDays` after the send date) falls after the window closes;
 * - spread evenly: each letter goes to the least-loaded feasible day and the least-loaded slot of that day, and no
 *   half-hour slot holds more than `maxPerSlot` letters (default: twice the even share, at least 1, raised as far as a
 *   narrow window needs — a plan that fits the window is never refused for the default cap).
 * A year without official calendar data throws the calendar's UnknownCalendarYearError.
 */
import { seededRng } from './random.ts';
import {
  BEIJING_OFFSET_MS,
  MS_PER_DAY,
  formatBeijing,
  formatDate,
  parseDate,
  parseInstant,
  parseTime,
  beijingDay,
  startOfBeijingDayMs,
  windowEndMs,
} from './beijing-time.ts';
import { InputError, UnknownCalendarYearError } from './errors.ts';
import type { Site } from './model.ts';

/** The part of shared/domain/calendar.ts `WorkingDayCalendar` the planner needs. */
export interface PlanCalendar {
  isWorkingDayDay(day: number): boolean;
}

/** A question as the planner sees it (C2's question bank provides them). */
export interface PlanQuestion {
  id: string;
  title: string;
  body: string;
}

export type Rng = () => number;
/** Choose a question for a site, not one of `used` (ids already asked at the site this year). */
export type QuestionPicker = (site: Site, used: ReadonlySet<string>, rng: Rng) => PlanQuestion;

/** An office-hours interval, minutes after Beijing midnight: [from, to). */
export interface OfficeInterval {
  from: string; // "09:00"
  to: string; // "11:30"
}

export const DEFAULT_OFFICE_HOURS: readonly OfficeInterval[] = [
  { from: '09:00', to: '11:30' },
  { from: '14:00', to: '17:00' },
];
export const DEFAULT_MIN_GAP_WORKING_DAYS = 3;
/** A slot is this many minutes long; a letter is sent at a seeded random minute inside its slot. */
export const SLOT_MINUTES = 30;
/** A rest period this long (calendar days) or longer makes the working day before it unusable. */
export const LONG_REST_DAYS = 3;

export interface PlanInput {
  sites: readonly Site[];
  lettersPerSite: number;
  /** First day letters may go out, `YYYY-MM-DD` (Beijing). */
  start: string;
  /** Either the instant the observation window closes (a bare date: 23:59:59 that Beijing day), or its length in working days from `start` (start counts if working). */
  windowClosesAt?: string;
  windowWorkingDays?: number;
  /** The campaign's deadline in working days (a letter's deadline must fall inside the window). */
  workingDays: number;
  /**
   * Working days kept between a letter's deadline and the window close, so that a reply after the deadline can still be
   * seen and judged `late` rather than `none` (default 0: the deadline itself may end the window).
   */
  lateObservationWorkingDays?: number;
  officeHours?: readonly OfficeInterval[];
  minGapWorkingDays?: number;
  /** No letter before this instant (e.g. "now" when a campaign is created during the day). */
  notBefore?: string;
  maxPerSlot?: number;
  calendar: PlanCalendar;
  seed: number;
  /** Question ids already used per site (e.g. earlier campaigns this year). */
  usedQuestions?: ReadonlyMap<string, ReadonlySet<string>>;
  pickQuestion: QuestionPicker;
}

export interface PlannedLetter {
  siteId: string;
  /** 1-based: 第1次, 第2次… */
  ordinal: number;
  /** ISO-8601 with +08:00. */
  plannedAt: string;
  question: PlanQuestion;
}

export interface CampaignPlan {
  letters: PlannedLetter[];
  /** `YYYY-MM-DDT23:59:59+08:00` or the given instant, as +08:00. */
  windowClosesAt: string;
  /** Days letters may be sent on (after every exclusion), `YYYY-MM-DD`. */
  sendDays: string[];
  /** Working days excluded as the last before a rest of 3+ days. */
  preHolidayDays: string[];
  maxPerSlot: number;
}


function minutesOf(hhmm: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!m || +m[1]! > 23 || +m[2]! > 59) throw new InputError(`not a time of day HH:MM: ${JSON.stringify(hhmm)}`);
  return +m[1]! * 60 + +m[2]!;
}

/** Slot start minutes (after Beijing midnight) for the office hours. */
export function officeSlots(officeHours: readonly OfficeInterval[] = DEFAULT_OFFICE_HOURS): number[] {
  const slots: number[] = [];
  for (const { from, to } of officeHours) {
    const a = minutesOf(from);
    const b = minutesOf(to);
    if (b <= a) throw new InputError(`office hours ${from}–${to}: the end must be after the start`);
    for (let t = a; t + SLOT_MINUTES <= b; t += SLOT_MINUTES) slots.push(t);
  }
  if (slots.length === 0) throw new InputError('office hours leave no 30-minute slot');
  return [...new Set(slots)].sort((x, y) => x - y);
}

/** Is `day` (a working day) the last working day before a rest period of `LONG_REST_DAYS`+ calendar days? */
export function isLastBeforeLongRest(calendar: PlanCalendar, day: number): boolean {
  let rest = 0;
  for (let d = day + 1; !calendar.isWorkingDayDay(d); d++) rest++;
  return rest >= LONG_REST_DAYS;
}

/**
 * `isLastBeforeLongRest`, for a send day at the end of a covered year whose following days fall in a year not yet
 * covered (the next year's notice not published): such a day is taken as possibly before a long rest and not used,
 * rather than failing the whole plan for a look past the window.
 */
function lastBeforeLongRestOrUnknown(calendar: PlanCalendar, day: number): boolean {
  try {
    return isLastBeforeLongRest(calendar, day);
  } catch (err) {
    if (err instanceof UnknownCalendarYearError) return true;
    throw err;
  }
}

/** When the window closes, as epoch ms. */
function windowCloseMs(input: PlanInput, startDay: number): number {
  if (input.windowClosesAt !== undefined && input.windowWorkingDays !== undefined) {
    throw new InputError('give the window either as an instant or as working days, not both');
  }
  if (input.windowClosesAt !== undefined) {
    // An instant as given; a bare date, the last second of that Beijing day (windowEndMs: where verdicts end it).
    return parseTime(input.windowClosesAt).precision === 'day' ? windowEndMs(input.windowClosesAt) - 1000 : parseInstant(input.windowClosesAt);
  }
  const n = input.windowWorkingDays;
  if (n === undefined || !Number.isInteger(n) || n < 1) throw new InputError(`window must be a whole number of working days ≥ 1, got ${n}`);
  let seen = 0;
  let d = startDay;
  for (;; d++) {
    if (input.calendar.isWorkingDayDay(d)) seen++;
    if (seen === n) break;
  }
  return startOfBeijingDayMs(d + 1) - 1000; // 23:59:59 of the n-th working day
}

export function planCampaign(input: PlanInput): CampaignPlan {
  const { sites, lettersPerSite, calendar, workingDays } = input;
  if (!Number.isInteger(lettersPerSite) || lettersPerSite < 1) throw new InputError(`letters per site must be a whole number ≥ 1, got ${lettersPerSite}`);
  if (!Number.isInteger(workingDays) || workingDays < 0) throw new InputError(`working days must be a whole number ≥ 0, got ${workingDays}`);
  const minGap = input.minGapWorkingDays ?? DEFAULT_MIN_GAP_WORKING_DAYS;
  if (!Number.isInteger(minGap) || minGap < 1) throw new InputError(`the gap between a site's letters must be ≥ 1 working day, got ${minGap}`);
  const late = input.lateObservationWorkingDays ?? 0;
  if (!Number.isInteger(late) || late < 0) throw new InputError(`late-observation working days must be a whole number ≥ 0, got ${late}`);
  if (input.maxPerSlot !== undefined && (!Number.isInteger(input.maxPerSlot) || input.maxPerSlot < 1)) {
    throw new InputError(`letters per slot must be a whole number ≥ 1, got ${input.maxPerSlot}`);
  }
  const ids = new Set<string>();
  for (const s of sites) {
    if (ids.has(s.id)) throw new InputError(`site ${s.id} is listed twice`);
    ids.add(s.id);
  }
  const slots = officeSlots(input.officeHours);
  const startDay = parseDate(input.start);
  const closeMs = windowCloseMs(input, startDay);
  const closeDay = beijingDay(closeMs);
  if (closeDay < startDay) throw new InputError(`the window closes (${formatBeijing(closeMs)}) before the start ${input.start}`);
  const notBeforeMs = input.notBefore === undefined ? -Infinity : parseInstant(input.notBefore);

  // Working days from the start to the close date, with their working-day index.
  const working: number[] = [];
  for (let d = startDay; d <= closeDay; d++) if (calendar.isWorkingDayDay(d)) working.push(d);

  // Candidate send days: deadline (workingDays working days later) ends no later than the window close,
  // not the last working day before a long rest, and with at least one slot after notBefore.
  const preHoliday: number[] = [];
  const days: PlanDay[] = [];
  for (let k = 0; k < working.length; k++) {
    const day = working[k]!;
    // Deadline first: a day whose deadline passes the close needs no look past the window (into a year
    // that may not be covered yet); for the others the next working day is inside the window.
    const deadlineIdx = k + workingDays + late;
    const deadlineDay = working[deadlineIdx];
    if (deadlineDay === undefined || startOfBeijingDayMs(deadlineDay + 1) - 1000 > closeMs) continue;
    if (lastBeforeLongRestOrUnknown(calendar, day)) {
      preHoliday.push(day);
      continue;
    }
    const daySlots = slots.filter((m) => startOfBeijingDayMs(day) + m * 60_000 >= notBeforeMs);
    if (daySlots.length === 0) continue;
    days.push({ day, wd: k, slots: daySlots, slotLoad: daySlots.map(() => 0), load: 0 });
  }

  const windowClosesAt = formatBeijing(closeMs);
  const sendDays = days.map((d) => formatDate(d.day));
  const preHolidayDays = preHoliday.map(formatDate);
  const total = sites.length * lettersPerSite;
  const totalSlots = days.reduce((n, d) => n + d.slots.length, 0);
  const evenMaxPerSlot = Math.max(1, Math.ceil((2 * total) / Math.max(1, totalSlots)));
  if (sites.length === 0) return { letters: [], windowClosesAt, sendDays, preHolidayDays, maxPerSlot: input.maxPerSlot ?? evenMaxPerSlot };
  // earliest[k]: the first day position letter k can take (first candidate day, then every `minGap` working days).
  const earliest: number[] = [];
  {
    let lastWd = -Infinity;
    for (let p = 0; p < days.length && earliest.length < lettersPerSite; p++) {
      if (days[p]!.wd - lastWd >= minGap) (earliest.push(p), (lastWd = days[p]!.wd));
    }
    if (earliest.length < lettersPerSite) {
      throw new InputError(
        `the window from ${input.start} to ${formatBeijing(closeMs)} leaves room for only ${earliest.length} letter(s) per site ` +
          `(${minGap} working days apart, each with a ${workingDays}-working-day deadline` +
          `${late > 0 ? ` and ${late} working day(s) of late observation` : ''} inside the window); ${lettersPerSite} asked`,
      );
    }
  }

  // latest[k] = the latest day position for letter k so that letters k+1.. still fit after it.
  const latest: number[] = new Array(lettersPerSite);
  {
    let pos = days.length - 1;
    for (let k = lettersPerSite - 1; k >= 0; k--) {
      if (k < lettersPerSite - 1) {
        const limit = days[latest[k + 1]!]!.wd - minGap;
        while (pos >= 0 && days[pos]!.wd > limit) pos--;
      }
      latest[k] = pos;
      pos--;
    }
  }

  // Place every letter with the cap. A default cap (twice the even share) that turns out too small is raised: first to
  // what a narrow window forces — every site's letter k lies in days earliest[k]…latest[k] (3 letters 3 working days
  // apart in 7 send days all fall on days 1, 4 and 7) — then one by one until the greedy placement fits, as it does at
  // the latest at one letter per site per slot (a site never has two letters on a day). A cap the caller gave is kept.
  let maxPerSlot = input.maxPerSlot ?? evenMaxPerSlot;
  for (let attempt = 0; ; attempt++) {
    for (const d of days) (d.slotLoad.fill(0), (d.load = 0));
    const letters = placeLetters(input, sites, days, latest, minGap, maxPerSlot, total, totalSlots, input.maxPerSlot !== undefined);
    if (letters) {
      letters.sort((a, b) => (a.plannedAt < b.plannedAt ? -1 : a.plannedAt > b.plannedAt ? 1 : a.siteId < b.siteId ? -1 : a.siteId > b.siteId ? 1 : a.ordinal - b.ordinal));
      return { letters, windowClosesAt, sendDays, preHolidayDays, maxPerSlot };
    }
    maxPerSlot++;
    if (attempt === 0) {
      for (let k = 0; k < lettersPerSite; k++) {
        let slotsK = 0;
        for (let p = earliest[k]!; p <= latest[k]!; p++) slotsK += days[p]!.slots.length;
        maxPerSlot = Math.max(maxPerSlot, Math.ceil(sites.length / slotsK));
      }
    }
  }
}

interface PlanDay {
  day: number;
  /** Index among the working days of the window. */
  wd: number;
  slots: number[];
  slotLoad: number[];
  load: number;
}

/**
 * The greedy placement: sites in a seeded order, each letter on the least-loaded feasible day and slot. Null when a
 * letter finds no slot under `maxPerSlot` and the cap may be raised (`fixedCap` false); with a fixed cap, an InputError.
 */
function placeLetters(
  input: PlanInput,
  sites: readonly Site[],
  days: PlanDay[],
  latest: readonly number[],
  minGap: number,
  maxPerSlot: number,
  total: number,
  totalSlots: number,
  fixedCap: boolean,
): PlannedLetter[] | null {
  const { lettersPerSite } = input;
  const rng = seededRng(input.seed);
  const order = sites.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }

  const letters: PlannedLetter[] = [];
  for (const si of order) {
    const site = sites[si]!;
    const used = new Set(input.usedQuestions?.get(site.id) ?? []);
    let prevWd = -Infinity;
    for (let k = 0; k < lettersPerSite; k++) {
      // Least-loaded feasible day; ties broken at random (reservoir over the ties).
      let best = -1;
      let ties = 0;
      for (let p = 0; p <= latest[k]!; p++) {
        const d = days[p]!;
        if (d.wd - prevWd < minGap) continue;
        if (!d.slotLoad.some((l) => l < maxPerSlot)) continue;
        if (best < 0 || d.load < days[best]!.load) {
          best = p;
          ties = 1;
        } else if (d.load === days[best]!.load && rng() * ++ties < 1) best = p;
      }
      if (best < 0) {
        if (!fixedCap) return null;
        throw new InputError(
          `no room left for letter ${k + 1} of site ${site.id}: raise maxPerSlot (${maxPerSlot}) or widen the window (${total} letters, ${totalSlots} slots)`,
        );
      }
      const d = days[best]!;
      let slot = -1;
      ties = 0;
      for (let s = 0; s < d.slots.length; s++) {
        if (d.slotLoad[s]! >= maxPerSlot) continue;
        if (slot < 0 || d.slotLoad[s]! < d.slotLoad[slot]!) {
          slot = s;
          ties = 1;
        } else if (d.slotLoad[s] === d.slotLoad[slot] && rng() * ++ties < 1) slot = s;
      }
      d.slotLoad[slot]!++;
      d.load++;
      prevWd = d.wd;
      const slotStartMs = startOfBeijingDayMs(d.day) + d.slots[slot]! * 60_000;
      const at = slotStartMs + Math.floor(rng() * SLOT_MINUTES) * 60_000;
      const question = input.pickQuestion(site, used, rng);
      used.add(question.id);
      letters.push({ siteId: site.id, ordinal: k + 1, plannedAt: formatBeijing(at), question });
    }
  }
  return letters;
}

/** Minutes after Beijing midnight of an instant (for checks and displays). */
export function beijingMinuteOfDay(iso: string): number {
  const ms = parseInstant(iso);
  return Math.floor((((ms + BEIJING_OFFSET_MS) % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY / 60_000);
}

export { seededRng };

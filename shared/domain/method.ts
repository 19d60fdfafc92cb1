/**
 * A campaign's method: the verdict rules as *data* (domain.md §3), frozen with the campaign so every
 * published result can be re-derived, and printed in every report (describeMethod).
 */
import type { CalendarRef, LetterState, Method, SiteResult } from './model.ts';
import { InputError } from './errors.ts';
import type { Verdict } from './timeliness.ts';

/** Bump when the verdict rules change meaning. */
export const RULES_VERSION = 'huixin-verdicts/1';
/** Simple common questions: 1 working day (e.g. Zhongshan 2020). */
export const DEFAULT_WORKING_DAYS = 1;

/**
 * The calendar the default method names: the installed `chinese-days` package. A unit test checks this
 * against what shared/adapters/calendar-source.ts actually loads, so it cannot drift silently.
 */
export const DEFAULT_CALENDAR_REF: CalendarRef = Object.freeze({
  source: 'chinese-days@1.5.7',
  years: Object.freeze(Array.from({ length: 2026 - 2004 + 1 }, (_, i) => 2004 + i)),
});

/** A letter's outcome for the site result: a timeliness verdict, or the channel was unavailable. */
export type LetterOutcome = Verdict | 'unavailable';

/** Build a method (validated): deadline N working days on the given calendar; everything else default. */
export function methodFor({ workingDays, calendar }: { workingDays: number; calendar: CalendarRef }): Method {
  if (!Number.isInteger(workingDays) || workingDays < 0) {
    throw new InputError(`working days must be a whole number ≥ 0, got ${workingDays}`);
  }
  return Object.freeze({
    rulesVersion: RULES_VERSION,
    workingDays,
    calendar,
    siteResultOrder: Object.freeze(['unavailable', 'none', 'late', 'on-time'] as const),
    honourList: 'every-letter-same-day',
    unavailableStates: Object.freeze(['unavailable'] as const),
    gatedTreatment: 'staff-submits-then-judged',
  });
}

export const DEFAULT_METHOD: Method = methodFor({ workingDays: DEFAULT_WORKING_DAYS, calendar: DEFAULT_CALENDAR_REF });

/**
 * What a letter contributes to its site's result, from its stored state and (once submitted) its verdict.
 * States in `method.unavailableStates` → 'unavailable'; `cancelled` → null (not counted); a letter that is
 * not yet judged (planned, queued, gated waiting for staff, unconfirmed, script-broken…) → 'pending'.
 */
export function letterOutcome(state: LetterState, verdict: Verdict | undefined, method: Method): LetterOutcome | null {
  if (state === 'cancelled') return null;
  if (method.unavailableStates.includes(state)) return 'unavailable';
  if (state === 'submitted' && verdict) return verdict;
  return 'pending';
}

/**
 * A site's result: the worst of its letters per `method.siteResultOrder` (same-day counts as on-time);
 * any still-pending letter → 'pending'; no letters → null.
 */
export function siteResult(outcomes: readonly LetterOutcome[], method: Method): SiteResult | 'pending' | null {
  if (outcomes.length === 0) return null;
  let worst = Infinity;
  for (const o of outcomes) {
    if (o === 'pending') return 'pending';
    const rank = method.siteResultOrder.indexOf(o === 'same-day' ? 'on-time' : o);
    if (rank < 0) throw new InputError(`letter outcome ${o} is not in the method's site result order`);
    if (rank < worst) worst = rank;
  }
  return method.siteResultOrder[worst]!;
}

/** Is the site on the honour list (当日回复名单)? Per the method: every one of its letters same-day. */
export function isHonour(outcomes: readonly LetterOutcome[], method: Method): boolean {
  switch (method.honourList) {
    case 'every-letter-same-day':
      return outcomes.length > 0 && outcomes.every((o) => o === 'same-day');
  }
}

const RESULT_ZH: Record<SiteResult, string> = {
  unavailable: '栏目不可用',
  none: '未回复',
  late: '未及时回复',
  'on-time': '及时回复',
};

function yearsZh(years: readonly number[]): string {
  const runs: string[] = [];
  for (let i = 0; i < years.length; ) {
    let j = i;
    while (j + 1 < years.length && years[j + 1] === years[j]! + 1) j++;
    runs.push(i === j ? `${years[i]}` : `${years[i]}—${years[j]}`);
    i = j + 1;
  }
  return runs.join('、');
}

/** The method in Chinese sentences for reports: 截止时限、观察窗口、日历版本、判定规则. */
export function describeMethod(method: Method, options: { windowClosesAt?: string } = {}): string[] {
  const cal = method.calendar;
  const override = cal.overrides?.length
    ? `；另载入运营方日历文件 ${cal.overrides.map((o) => `${o.file}（${o.year}年，sha256 ${o.sha256}）`).join('、')}`
    : cal.overrideSha256
      ? `；另载入运营方日历文件（sha256 ${cal.overrideSha256}）`
      : '';
  return [
    `截止时限：提交之日不计，自次日起算第${method.workingDays}个工作日北京时间23:59:59前收到有效回复的为及时回复；与提交日为同一北京日期的回复为当日回复；仅有日期的回复按其日期判定。`,
    `观察窗口：${options.windowClosesAt ? `观察窗口于${options.windowClosesAt}关闭；` : ''}截止时限后、观察窗口关闭前回复的为未及时回复，观察窗口关闭时仍无有效回复的为未回复；自动回执、退信和自动外出答复不视为回复。`,
    `日历版本：工作日按国务院办公厅公布的节假日安排认定（含调休上班日），数据来源 ${cal.source}，覆盖${yearsZh(cal.years)}年${override}；未覆盖年份不作推测。`,
    `判定规则：网站结果取其各封信件中最差者，顺序为${method.siteResultOrder.map((r) => RESULT_ZH[r]).join(' > ')}（当日回复计为及时回复）；全部信件均为当日回复的网站列入当日回复名单；需人工处理（图片验证码、短信验证码、实名登录）的信件由工作人员提交后同样判定；规则版本 ${method.rulesVersion}。`,
  ];
}

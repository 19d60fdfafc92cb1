import { describe, expect, it } from 'vitest';
import { loadCalendar } from '../../shared/adapters/calendar-source.ts';
import { InputError } from '../../shared/domain/errors.ts';
import {
  DEFAULT_METHOD,
  describeMethod,
  isHonour,
  letterOutcome,
  methodFor,
  siteResult,
  type LetterOutcome,
} from '../../shared/domain/method.ts';
import type { Method } from '../../shared/domain/model.ts';

describe('the default method', () => {
  it('is 1 working day, order unavailable > none > late > on-time, honour = every letter same-day, gated judged after staff submit', () => {
    expect(DEFAULT_METHOD).toMatchObject({
      workingDays: 1,
      siteResultOrder: ['unavailable', 'none', 'late', 'on-time'],
      honourList: 'every-letter-same-day',
      unavailableStates: ['unavailable'],
      gatedTreatment: 'staff-submits-then-judged',
    });
    expect(DEFAULT_METHOD.rulesVersion).toMatch(/\d/);
  });

  it('names the calendar the platform actually loads (chinese-days version and years), so it cannot drift', () => {
    const ref = loadCalendar({ env: {} }).ref;
    expect(DEFAULT_METHOD.calendar.source).toBe(ref.source);
    expect([...DEFAULT_METHOD.calendar.years]).toEqual([...ref.years]);
  });

  it('methodFor keeps the given deadline and calendar, and refuses a negative or fractional N', () => {
    const cal = loadCalendar({ env: {} }).ref;
    expect(methodFor({ workingDays: 3, calendar: cal })).toMatchObject({ workingDays: 3, calendar: cal });
    expect(() => methodFor({ workingDays: -1, calendar: cal })).toThrow(InputError);
    expect(() => methodFor({ workingDays: 0.5, calendar: cal })).toThrow(InputError);
  });
});

describe('site results', () => {
  const m = DEFAULT_METHOD;
  it.each<[LetterOutcome[], string | null]>([
    [['same-day', 'same-day'], 'on-time'],
    [['same-day', 'on-time'], 'on-time'],
    [['on-time', 'late'], 'late'],
    [['late', 'none'], 'none'],
    [['none', 'unavailable'], 'unavailable'],
    [['unavailable', 'same-day'], 'unavailable'],
    [['on-time', 'pending'], 'pending'],
    [['unavailable', 'pending'], 'pending'],
    [[], null],
  ])('the worst of %j is %s', (outcomes, expected) => {
    expect(siteResult(outcomes, m)).toBe(expected);
  });

  it('the order is data of the method: a method that ranks late above none changes the result', () => {
    const lenient: Method = { ...m, siteResultOrder: ['unavailable', 'late', 'none', 'on-time'] };
    expect(siteResult(['late', 'none'], m)).toBe('none');
    expect(siteResult(['late', 'none'], lenient)).toBe('late');
  });

  it('honour list: every letter same-day, and at least one letter', () => {
    expect(isHonour(['same-day', 'same-day'], m)).toBe(true);
    expect(isHonour(['same-day', 'on-time'], m)).toBe(false);
    expect(isHonour([], m)).toBe(false);
  });

  it('letterOutcome: unavailable state → unavailable; cancelled → not counted; unjudged states → pending', () => {
    expect(letterOutcome('unavailable', undefined, m)).toBe('unavailable');
    expect(letterOutcome('cancelled', undefined, m)).toBeNull();
    expect(letterOutcome('submitted', 'late', m)).toBe('late');
    for (const s of ['planned', 'queued', 'submitting', 'gated', 'unconfirmed', 'script-broken'] as const) {
      expect(letterOutcome(s, undefined, m)).toBe('pending');
    }
  });
});

describe('describeMethod', () => {
  it('prints 截止时限、观察窗口、日历版本、判定规则 in Chinese with N, calendar source and years, and the order', () => {
    const lines = describeMethod(methodFor({ workingDays: 3, calendar: DEFAULT_METHOD.calendar }), { windowClosesAt: '2026-03-31T18:00:00+08:00' });
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^截止时限：.*第3个工作日/);
    expect(lines[1]).toMatch(/^观察窗口：.*2026-03-31T18:00:00\+08:00/);
    expect(lines[2]).toMatch(/^日历版本：.*chinese-days@1\.5\.7.*2004—2026年/);
    expect(lines[3]).toMatch(/^判定规则：.*栏目不可用 > 未回复 > 未及时回复 > 及时回复/);
  });

  it('names operator calendar files and their sha256', () => {
    const calendar = { source: 'chinese-days@1.5.7+holiday-cn(2031)', years: [2004, 2005, 2031], overrides: [{ file: '2031.json', year: 2031, sha256: 'ab'.repeat(32) }] };
    const line = describeMethod(methodFor({ workingDays: 1, calendar }))[2]!;
    expect(line).toContain('2004—2005、2031年');
    expect(line).toContain(`2031.json（2031年，sha256 ${'ab'.repeat(32)}）`);
  });
});

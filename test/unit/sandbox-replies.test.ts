import { describe, expect, it } from 'vitest';
import { scheduleFor } from '../../sandbox/replies.ts';
import { loadCalendar } from '../../shared/adapters/calendar-source.ts';
import { bjIso, parseUrlEncoded } from '../../sandbox/util.ts';
import { UnknownCalendarYearError } from '../../shared/domain/errors.ts';

const calendar = loadCalendar();
const due = (at: string, plan: Parameters<typeof scheduleFor>[1]) => scheduleFor(new Date(at), plan, calendar).map((i) => `${i.kind}@${bjIso(i.dueAt)}`);

describe('sandbox reply schedule', () => {
  it('same-day replies land on the same Beijing date, even for a letter sent late in the evening', () => {
    expect(due('2026-03-02T10:00:00+08:00', { reply: 'same-day', via: 'mail' })).toEqual(['reply@2026-03-02T11:30:00+08:00']);
    expect(due('2026-03-02T23:00:00+08:00', { reply: 'same-day', via: 'mail' })).toEqual(['reply@2026-03-02T23:50:00+08:00']);
    expect(due('2026-03-02T23:55:00+08:00', { reply: 'same-day', via: 'mail' })).toEqual(['reply@2026-03-02T23:55:05+08:00']);
  });

  it('N working days skip weekends and holidays and count 调休 Saturdays, replying at 10:30 office hours', () => {
    // Saturday 2026-03-07 → the 1st working day after is Monday 2026-03-09
    expect(due('2026-03-07T09:00:00+08:00', { reply: { afterWorkingDays: 1 }, via: 'list' })).toEqual(['reply@2026-03-09T10:30:00+08:00']);
    // 2026-02-13 (Fri) + 2 working days: Sat 02-14 is a 调休 working day, then the Spring Festival holiday to 02-23, so 02-24
    expect(due('2026-02-13T09:00:00+08:00', { reply: { afterWorkingDays: 2 }, via: 'both' })).toEqual(['reply@2026-02-24T10:30:00+08:00']);
  });

  it('past the last year with official data a simulated site still replies, counting Monday–Friday', () => {
    const noData = { addWorkingDays: () => { throw new UnknownCalendarYearError(2027); } };
    const items = scheduleFor(new Date('2026-12-31T09:00:00+08:00'), { reply: { afterWorkingDays: 2 }, via: 'mail' }, noData);
    expect(items.map((i) => bjIso(i.dueAt))).toEqual(['2027-01-04T10:30:00+08:00']); // Thu → Fri, (weekend), Mon
  });

  it('auto-acks come two minutes after receipt; never and auto-ack-only have no reply', () => {
    expect(due('2026-03-02T10:00:00+08:00', { reply: { afterWorkingDays: 1 }, via: 'mail', ackFirst: true })).toEqual([
      'ack@2026-03-02T10:02:00+08:00',
      'reply@2026-03-03T10:30:00+08:00',
    ]);
    expect(due('2026-03-02T10:00:00+08:00', { reply: 'auto-ack-only', via: 'mail' })).toEqual(['ack@2026-03-02T10:02:00+08:00']);
    expect(due('2026-03-02T10:00:00+08:00', { reply: 'never', via: 'both' })).toEqual([]);
  });
});

describe('form decoding', () => {
  it('decodes percent-encoded GBK and UTF-8 bodies and + as space', () => {
    expect(parseUrlEncoded('xm=%D5%C5%C8%FD&bt=a+b', 'gbk')).toEqual({ xm: '张三', bt: 'a b' });
    expect(parseUrlEncoded('xm=%E5%BC%A0%E4%B8%89', 'utf-8')).toEqual({ xm: '张三' });
  });
});

import { describe, expect, it } from 'vitest';
import { loadCalendar } from '../../shared/adapters/calendar-source.ts';
import { methodFor } from '../../shared/domain/method.ts';
import { computeReport } from '../../shared/domain/report/compute.ts';
import { reportInputFromStore } from '../../shared/domain/report/from-store.ts';
import type { DomainEvent } from '../../shared/domain/events.ts';
import type { Campaign, Letter, Site } from '../../shared/domain/model.ts';
import { HOSTILE_FORMULA, handMadeCampaign } from './report-fixture.ts';

const calendar = loadCalendar({ env: {} });
const method = methodFor({ workingDays: 1, calendar: calendar.ref });
const compute = (input = handMadeCampaign()) => computeReport(input, { method, calendar, generatedAt: '2026-04-01T09:00:00+08:00', inputSha256: 'x' });

describe('report numbers on a hand-made campaign', () => {
  it('counts the four 通报 categories by the worst-of rule, leaving untested (all-gated) sites out', () => {
    const s = compute().summary;
    expect({ sitesTested: s.sitesTested, onTime: s.onTime, late: s.late, noReply: s.noReply, unavailable: s.unavailable }).toEqual({
      sitesTested: 9,
      onTime: 5,
      late: 1,
      noReply: 2,
      unavailable: 1,
    });
    expect(s.untested).toBe(1);
    expect(s.pending).toBe(0);
    expect(s.sitesInInput).toBe(10);
    expect(s.lettersPerSite).toBe(2);
    expect(s.shares).toEqual({ onTime: 55.6, late: 11.1, noReply: 22.2, unavailable: 11.1 });
  });

  it('gives every site the worst of its letters (unavailable > none > late > on-time, same-day counts as on-time)', () => {
    const r = compute();
    const byId = Object.fromEntries(r.sites.map((x) => [x.id, x.result]));
    expect(byId).toEqual({
      '6100000001': 'on-time',
      '6100000002': 'on-time',
      '6100000003': 'late',
      '6100000004': 'none',
      '6100000005': 'unavailable',
      '6100000006': 'on-time',
      '6100000007': 'untested',
      '6100000008': 'none',
      '6100000009': 'on-time',
      '6100000010': 'on-time',
    });
  });

  it('judges every letter (Friday→Monday on time, day-precise list reply, 23:59 on the deadline day) and counts verdicts', () => {
    const r = compute();
    expect(r.summary.lettersByVerdict).toEqual({ 'same-day': 4, 'on-time': 6, late: 3, none: 3, pending: 0, unavailable: 1, gated: 3, maintenance: 0 });
    expect(r.letters.find((l) => l.siteId === '6100000002' && l.ordinal === 2)).toMatchObject({
      verdict: 'on-time',
      deadline: '2026-03-09T23:59:59+08:00',
      replyWorkingDays: 1,
    });
    expect(r.letters.filter((l) => l.siteId === '6100000009').map((l) => l.verdict)).toEqual(['on-time', 'on-time']);
    expect(r.summary.replyWorkingDays).toEqual({ '0': 4, '1': 6, '2': 2, '4': 1 });
  });

  it('puts on the honour list only sites whose every letter was answered the same day (a gated unsubmitted letter disqualifies)', () => {
    const s = compute().summary;
    expect(s.allSameDay).toEqual(['陕西省人民政府']);
  });

  it('judges staff-submitted gated letters like any other and reports gated letters and maintenance windows', () => {
    const s = compute().summary;
    expect(s.gated).toEqual({ letters: 4, submittedByStaff: 1, notSubmitted: 3 });
    expect(s.maintenance).toHaveLength(1);
    expect(s.maintenance[0]).toMatchObject({ siteId: '6100000010', ordinal: 2, note: '系统升级' });
    expect(s.methodText.join('')).toContain('第1个工作日');
  });

  it('breaks results down by site category and region, lists problem sites by category and extends the trend', () => {
    const s = compute().summary;
    expect(s.byCategory).toEqual({
      省政府门户: { sitesTested: 1, onTime: 1, late: 0, noReply: 0, unavailable: 0 },
      省级部门: { sitesTested: 3, onTime: 2, late: 0, noReply: 1, unavailable: 0 },
      市县政府门户: { sitesTested: 2, onTime: 1, late: 1, noReply: 0, unavailable: 0 },
      市县部门: { sitesTested: 3, onTime: 1, late: 0, noReply: 1, unavailable: 1 },
    });
    expect(s.byRegion).toEqual({
      西安: { sitesTested: 4, onTime: 3, late: 0, noReply: 1, unavailable: 0 },
      宝鸡: { sitesTested: 3, onTime: 0, late: 1, noReply: 1, unavailable: 1 },
      汉中: { sitesTested: 2, onTime: 2, late: 0, noReply: 0, unavailable: 0 },
    });
    expect(s.problems['省级部门']).toEqual({ late: [], noReply: [HOSTILE_FORMULA], unavailable: [] });
    expect(s.problems['市县部门']).toEqual({ late: [], noReply: ['宝鸡市教育局'], unavailable: ['宝鸡市民政局'] });
    expect(s.trend.map((t) => t.name)).toEqual(['2025年第四季度', '2026年第一季度']);
  });

  it('takes a draft before the window closes: open letters are pending (their sites left out), replies after the draft instant ignored', () => {
    const input = handMadeCampaign();
    input.campaign.closedAt = '2026-03-16T12:00:00+08:00';
    input.campaign.windowClosesAt = '2026-03-31T23:59:59+08:00';
    const r = compute(input);
    // D (no reply to #2), E (#2 open), H (#1 open, #2's reply of 03-20 is after the draft instant) are pending
    expect(r.summary.pending).toBe(3);
    expect(r.sites.filter((x) => x.result === 'pending').map((x) => x.id)).toEqual(['6100000004', '6100000005', '6100000008']);
    expect(r.summary.sitesTested).toBe(6);
    expect(r.letters.find((l) => l.siteId === '6100000008' && l.ordinal === 2)!.verdict).toBe('pending');
  });
});

describe('report input from the store', () => {
  const site = (id: string, name: string): Site => ({ id, name, category: '市县部门', region: '宝鸡', homeUrl: 'http://x', consultUrl: 'http://x/c' });
  const letter = (id: string, siteId: string, ordinal: number, state: Letter['state'], extra: Partial<Letter> = {}): Letter => ({
    id,
    campaignId: 'c1',
    siteId,
    channelId: 'ch',
    ordinal,
    state,
    plannedAt: '2026-03-02T09:00:00+08:00',
    replyAddress: 'r@x',
    title: 't',
    body: 'b',
    questionId: 'q',
    persona: { name: 'n', phone: 'p', email: 'e' },
    version: 1,
    updatedAt: '2026-03-02T09:00:00+08:00',
    ...extra,
  });
  const ev = (id: string, stream: string, type: DomainEvent['type'], at: string, data: Record<string, unknown> = {}): DomainEvent => ({
    id,
    stream,
    type,
    at,
    recordedAt: at,
    actor: 'system',
    data,
  });

  it('takes the earliest reply event, treats unavailable states and staff-submitted gated letters per the method, omits cancelled letters', () => {
    const campaign: Campaign = {
      id: 'c1',
      name: '测试',
      state: 'closed',
      method,
      createdAt: '2026-03-01T00:00:00+08:00',
      windowClosesAt: '2026-03-31T23:59:59+08:00',
      siteIds: ['6100000001', '6100000002'],
      lettersPerSite: 2,
    };
    const letters = [
      letter('l1', '6100000001', 1, 'submitted', { submittedAt: '2026-03-02T10:00:00+08:00' }),
      letter('l2', '6100000001', 2, 'unavailable'),
      letter('l3', '6100000002', 1, 'submitted', { submittedAt: '2026-03-03T10:00:00+08:00' }),
      letter('l4', '6100000002', 2, 'cancelled'),
    ];
    const events = new Map<string, DomainEvent[]>([
      ['letter:l1', [ev('e1', 'letter:l1', 'reply.seen', '2026-03-03T12:00:00+08:00', { source: 'mail' }), ev('e0', 'letter:l1', 'reply.seen', '2026-03-02T15:00:00+08:00', { source: 'reply-list', precision: 'instant' })]],
      ['letter:l3', [ev('e2', 'letter:l3', 'letter.gated', '2026-03-03T09:00:00+08:00'), ev('e3', 'letter:l3', 'letter.submission-recorded', '2026-03-03T10:00:00+08:00')]],
    ]);
    const { input, omitted } = reportInputFromStore({ campaign, sites: [site('6100000001', '甲'), site('6100000002', '乙')], letters, events });
    expect(omitted).toBe(1);
    expect(input.sites[0]!.letters[0]).toMatchObject({ repliedAt: '2026-03-02T15:00:00+08:00', replySource: 'reply-list', evidence: ['e0'] });
    expect(input.sites[0]!.letters[1]).toMatchObject({ channel: 'unavailable', submittedAt: null });
    expect(input.sites[1]!.letters).toHaveLength(1);
    expect(input.sites[1]!.letters[0]).toMatchObject({ gated: true, submittedAt: '2026-03-03T10:00:00+08:00', repliedAt: null });
    const s = compute(input).summary;
    expect({ tested: s.sitesTested, onTime: s.onTime, unavailable: s.unavailable, noReply: s.noReply }).toEqual({ tested: 2, onTime: 0, unavailable: 1, noReply: 1 });
  });
});

describe('announced maintenance in the report', () => {
  it('a channel down inside an announced maintenance window is not counted as unavailable, and the report lists it', async () => {
    const { reportInputFromStore } = await import('../../shared/domain/report/from-store.ts');
    const { computeReport } = await import('../../shared/domain/report/compute.ts');
    const { loadCalendar } = await import('../../shared/adapters/calendar-source.ts');
    const { DEFAULT_METHOD } = await import('../../shared/domain/method.ts');
    const calendar = loadCalendar();
    const site = { id: '6100000009', name: '维护中的网站', category: '市县部门' as const, region: '西安市', homeUrl: 'http://a.cn/', consultUrl: 'http://a.cn/zx' };
    const base = { campaignId: 'c1', siteId: site.id, channelId: 'ch', replyAddress: 'r@x', title: 't', body: 'b', questionId: 'q', persona: { name: 'n', phone: '13800000000', email: 'e@x' }, version: 1, updatedAt: '2026-10-01T00:00:00Z' };
    const letters = [
      { ...base, id: 'l1', ordinal: 1, state: 'unavailable' as const, plannedAt: '2026-10-13T10:00:00+08:00' },
      { ...base, id: 'l2', ordinal: 2, state: 'submitted' as const, plannedAt: '2026-10-20T10:00:00+08:00', submittedAt: '2026-10-20T10:00:00+08:00',
        firstReply: { at: '2026-10-20T15:00:00+08:00', source: 'mail' as const, precision: 'instant' as const, eventId: 'e2' } },
    ];
    const maintenance = { id: 'em', stream: `site:${site.id}`, type: 'channel.maintenance' as const, at: '2026-10-10T00:00:00Z', recordedAt: '2026-10-10T00:00:00Z', actor: 'staff:王', data: { from: '2026-10-12T00:00:00+08:00', to: '2026-10-14T00:00:00+08:00', reason: '系统升级' } };
    const campaign = { id: 'c1', name: '测试', state: 'closed' as const, method: DEFAULT_METHOD, createdAt: '2026-10-01T00:00:00Z', windowClosesAt: '2026-12-31T17:30:00+08:00', siteIds: [site.id], lettersPerSite: 2 };
    const { input } = reportInputFromStore({ campaign, sites: [site], letters, events: new Map([[`site:${site.id}`, [maintenance]]]), closedAt: '2026-12-31T17:30:00+08:00' });
    const report = computeReport(input, { method: DEFAULT_METHOD, calendar, generatedAt: '2027-01-04T09:00:00+08:00', inputSha256: 'x' });
    expect(report.summary.unavailable).toBe(0);
    expect(report.summary.onTime).toBe(1);
    expect(report.summary.allSameDay).toEqual([]); // one letter is not judged: no honour
    expect(report.summary.maintenance).toEqual([expect.objectContaining({ siteId: site.id, ordinal: 1, note: '系统升级' })]);
    expect(report.letters.find((l) => l.ordinal === 1)?.verdict).toBe('maintenance');
  });
});

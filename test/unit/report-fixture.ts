/**
 * A hand-made campaign (March 2026, deadline 1 working day) whose every number is worked out by hand.
 * 2026-03-02 is a Monday; no holidays in March 2026.
 */
import type { ReportInput, ReportInputLetter } from '../../shared/domain/report/types.ts';

const t = (d: string, hm: string) => `2026-03-${d}T${hm}:00+08:00`;
const L = (submittedAt: string | null, repliedAt: string | null, extra: Partial<ReportInputLetter> = {}): ReportInputLetter => ({
  ordinal: 0,
  submittedAt,
  repliedAt,
  channel: 'available',
  ...extra,
});
const site = (id: string, name: string, category: ReportInput['sites'][number]['category'], region: string, letters: ReportInputLetter[]) => ({
  id,
  name,
  category,
  region,
  letters: letters.map((l, i) => ({ ...l, ordinal: i + 1 })),
});

export const HOSTILE_FORMULA = '=HYPERLINK("http://evil.example","点我")';
export const HOSTILE_CMD = "+cmd|' /C calc'!A0";
export const HOSTILE_HTML = '<script>alert(1)</script>';

export function handMadeCampaign(): ReportInput {
  return {
    campaign: { name: '2026年第一季度', workingDays: 1, closedAt: '2026-03-31T23:59:59+08:00' },
    sites: [
      // A: both same day → on-time, honour list
      site('6100000001', '陕西省人民政府', '省政府门户', '西安', [L(t('02', '10:00'), t('02', '16:00')), L(t('09', '10:00'), t('09', '11:30'))]),
      // B: same day + Friday→Monday (on time) → on-time, not honour
      site('6100000002', '陕西省发展和改革委员会', '省级部门', '西安', [L(t('02', '09:00'), t('02', '17:00')), L(t('06', '10:00'), t('09', '09:00'))]),
      // C: on time + late (Tue → Thu) → late
      site('6100000003', '宝鸡市人民政府', '市县政府门户', '宝鸡', [L(t('03', '10:00'), t('04', '10:00')), L(t('10', '10:00'), t('12', '09:00'))]),
      // D: late + no reply → none (worst of)
      site('6100000004', '宝鸡市教育局', '市县部门', '宝鸡', [L(t('03', '10:00'), t('05', '10:00')), L(t('10', '10:00'), null)]),
      // E: unavailable + no reply → unavailable (worst of)
      site('6100000005', '宝鸡市民政局', '市县部门', '宝鸡', [L(null, null, { channel: 'unavailable' }), L(t('11', '10:00'), null)]),
      // F: gated, staff submitted, same day; second gated never submitted → judged on the first: on-time; not honour
      site('6100000006', '陕西省公安厅', '省级部门', '西安', [
        L(t('04', '10:00'), t('04', '15:00'), { gated: true, replySource: 'staff' }),
        L(null, null, { gated: true }),
      ]),
      // G: both gated, never submitted → untested (not counted)
      site('6100000007', '宝鸡市公安局', '市县部门', '宝鸡', [L(null, null, { gated: true }), L(null, null, { gated: true })]),
      // H: hostile formula name; no reply + late → none
      site('6100000008', HOSTILE_FORMULA, '省级部门', '西安', [L(t('02', '10:00'), null), L(t('16', '10:00'), t('20', '10:00'))]),
      // I: hostile command name; on time (next day, day-precise from a reply list)
      site('6100000009', HOSTILE_CMD, '市县政府门户', '汉中', [
        L(t('02', '10:00'), '2026-03-03', { replyPrecision: 'day', replySource: 'reply-list' }),
        L(t('09', '10:00'), t('10', '23:59')),
      ]),
      // J: hostile HTML name; on time; maintenance window declared
      site('6100000010', HOSTILE_HTML, '市县部门', '汉中', [
        L(t('02', '10:00'), t('03', '09:00')),
        L(t('09', '10:00'), t('10', '09:00'), { maintenance: { from: t('09', '00:00'), to: t('09', '08:00'), note: '系统升级' } }),
      ]),
    ],
    trend: [{ name: '2025年第四季度', sitesTested: 9, onTime: 4, late: 2, noReply: 2, unavailable: 1 }],
  };
}

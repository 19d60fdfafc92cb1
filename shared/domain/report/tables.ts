/**
 * The report's tables as plain rows (shared by CSV, XLSX and the HTML annex), the Chinese labels, and the
 * neutralisation of hostile text: a cell that starts with = + - @ (or tab / CR) never becomes a live formula.
 */
import type { Report, ReportSiteResult, ReportVerdict, SiteHistoryEntry, Summary } from './types.ts';

export const VERDICT_LABEL: Record<ReportVerdict, string> = {
  'same-day': '当日回复',
  'on-time': '及时回复',
  late: '未及时回复',
  none: '未回复',
  pending: '待定',
  unavailable: '栏目不可用',
  gated: '需人工提交（未提交）',
  maintenance: '维护期间不可用（不计）',
};

export const SITE_RESULT_LABEL: Record<ReportSiteResult, string> = {
  'on-time': '及时回复',
  late: '未及时回复',
  none: '未回复',
  unavailable: '咨询留言栏目功能不可用',
  pending: '待定',
  untested: '未检测',
};

export const SOURCE_LABEL: Record<string, string> = { mail: '邮件', 'reply-list': '网站答复列表', staff: '人工记录' };

/** Short site results for the compact 往期结果 column. */
export const HISTORY_LABEL: Record<ReportSiteResult, string> = {
  'on-time': '及时回复',
  late: '未及时回复',
  none: '未回复',
  unavailable: '栏目不可用',
  pending: '待定',
  untested: '未检测',
};

/** A site's earlier results, oldest first: `2026年第一季度 未回复 → 2026年第二季度 及时回复` ('' when none). */
export function historyText(history: ReadonlyArray<SiteHistoryEntry>): string {
  return history.map((h) => `${h.campaign} ${HISTORY_LABEL[h.result]}`).join(' → ');
}

/**
 * What a spreadsheet may take for the start of a formula: = + - @ (and their full-width forms, which an IME types and
 * some spreadsheets normalise), a tab, a line break — also after leading blanks (a spreadsheet may trim them).
 */
const FORMULA_START = /^[\s\u3000]*[=+\-@＝＋－＠]|^[\t\r\n]/;

/**
 * Text as a spreadsheet must store it: a leading ' defuses a formula (OWASP CSV injection). The one place for every
 * export (the published CSV/XLSX, the dashboard's); CSV writers also quote any cell with a line break, so a hostile
 * value cannot start a row of its own.
 */
export function neutralise(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** Displayed time: the instant in Beijing time `YYYY-MM-DD HH:mm` (from an ISO string already carrying +08:00 or other offset). */
export type Cell = string | number | null;

export interface Table {
  name: string;
  header: string[];
  widths: number[];
  rows: Cell[][];
}

export function maxLetters(report: Report): number {
  let n = 0;
  for (const s of report.sites) if (s.letters > n) n = s.letters;
  return n;
}

/** 附件-网站: one row per site, with each letter's times and verdict (and 往期结果 when earlier campaigns exist). */
export function sitesTable(report: Report, fmt: (iso: string | null) => string): Table {
  const n = maxLetters(report);
  const withHistory = report.sites.some((s) => s.history.length > 0);
  const header = ['序号', '网站名称', '网站标识码', '类别', '地区'];
  const widths = [6, 36, 14, 14, 12];
  for (let i = 1; i <= n; i++) {
    header.push(`第${i}次提交时间`, `第${i}次回复时间`, `第${i}次判定`);
    widths.push(18, 18, 14);
  }
  header.push('网站结果', '当日回复');
  widths.push(22, 10);
  if (withHistory) {
    header.push('往期结果');
    widths.push(40);
  }
  // letters are stored in site order: walk them with a cursor
  const rows: Cell[][] = [];
  let cursor = 0;
  report.sites.forEach((s, i) => {
    const row: Cell[] = [i + 1, s.name, s.id, s.category, s.region];
    for (let k = 0; k < n; k++) {
      const l = k < s.letters ? report.letters[cursor + k] : undefined;
      if (l) row.push(fmt(l.submittedAt), fmt(l.repliedAt), VERDICT_LABEL[l.verdict]);
      else row.push('', '', '');
    }
    cursor += s.letters;
    row.push(SITE_RESULT_LABEL[s.result], s.allSameDay ? '是' : '否');
    if (withHistory) row.push(historyText(s.history));
    rows.push(row);
  });
  return { name: '附件-网站', header, widths, rows };
}

/** 附件-信件: one row per letter. */
export function lettersTable(report: Report, fmt: (iso: string | null) => string): Table {
  return {
    name: '附件-信件',
    header: ['网站名称', '网站标识码', '类别', '地区', '第几次', '提交时间', '回复时间', '回复来源', '截止时间', '回复用时（工作日）', '人工提交', '判定'],
    widths: [36, 14, 14, 12, 8, 18, 18, 14, 18, 12, 10, 16],
    rows: report.letters.map((l) => [
      l.siteName,
      l.siteId,
      l.category,
      l.region,
      l.ordinal,
      fmt(l.submittedAt),
      fmt(l.repliedAt),
      l.replySource ? (SOURCE_LABEL[l.replySource] ?? l.replySource) : '',
      fmt(l.deadline),
      l.replyWorkingDays,
      l.gated ? '是' : '否',
      VERDICT_LABEL[l.verdict],
    ]),
  };
}

/** 总体情况: the headline numbers, by category and by region. */
export function overviewTable(summary: Summary): Table {
  const rows: Cell[][] = [
    ['合计', summary.sitesTested, summary.onTime, summary.late, summary.noReply, summary.unavailable],
  ];
  for (const [k, c] of Object.entries(summary.byCategory)) rows.push([`类别：${k}`, c.sitesTested, c.onTime, c.late, c.noReply, c.unavailable]);
  for (const [k, c] of Object.entries(summary.byRegion)) rows.push([`地区：${k}`, c.sitesTested, c.onTime, c.late, c.noReply, c.unavailable]);
  return {
    name: '总体情况',
    header: ['范围', '检查网站数', '及时回复', '未及时回复', '未回复', '栏目不可用'],
    widths: [30, 12, 12, 12, 12, 12],
    rows,
  };
}

/**
 * report.html: the 通报 section as offices write it, with its annex, printable to A4; charts as inline SVG.
 */
import type { Report, Summary } from '../../domain/report/types.ts';
import { escapeHtml as e, sitesTable, type Cell } from '../../domain/report/tables.ts';
import { SITE_CATEGORIES } from '../../domain/model.ts';
import { groupChart, replyTimeChart, trendChart } from './charts.ts';
import { displayTime, percentText as pct } from '../../domain/report/format.ts';
import { share } from '../../domain/report/compute.ts';

const CSS = `
@page { size: A4; margin: 18mm 15mm; }
@page annex { size: A4 landscape; margin: 12mm 10mm; }
body { font-family: "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", SimSun, sans-serif; font-size: 11pt; line-height: 1.7; color: #111; margin: 0 auto; max-width: 277mm; }
main.bulletin { max-width: 180mm; margin: 0 auto; }
h1 { font-size: 18pt; text-align: center; margin: 0.5em 0 1em; }
h2 { font-size: 13pt; margin: 1.2em 0 0.4em; }
p { text-indent: 2em; margin: 0.3em 0; }
p.plain { text-indent: 0; }
.chart { break-inside: avoid; page-break-inside: avoid; margin: 0.6em 0; }
.chart svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 1px solid #444; padding: 2px 4px; text-align: left; vertical-align: top; white-space: nowrap; }
th:nth-child(2), td:nth-child(2) { white-space: normal; min-width: 12em; }
th { background: #eee; }
table.with-history td:last-child, table.with-history th:last-child { white-space: normal; min-width: 16em; font-size: 8pt; }
.annex { break-before: page; page-break-before: always; page: annex; }
.method li { margin: 0.2em 0; }
.meta { color: #555; font-size: 9pt; }
`;

function cn(n: number): string {
  return String(n);
}

function names(list: string[]): string {
  return list.map((n) => e(n)).join('、');
}

export function overallSentence(s: Summary): string {
  const per = s.lettersPerSite !== null ? `，每家网站发送测试信件${s.lettersPerSite}封` : '';
  const parts = [`本次共检查网站${cn(s.sitesTested)}家${per}。`];
  parts.push(
    `${cn(s.onTime)}家网站及时回复，${cn(s.late)}家网站未及时回复，${cn(s.noReply)}家网站未回复，${cn(s.unavailable)}家网站咨询留言栏目功能不可用。`,
  );
  return parts.join('');
}

function sharesSentence(s: Summary): string {
  return `及时回复率${pct(s.shares.onTime)}，未及时回复${pct(s.shares.late)}，未回复${pct(s.shares.noReply)}，栏目不可用${pct(s.shares.unavailable)}。`;
}

/** 趋势: against the previous campaign (province) and each site's previous result. '' without earlier campaigns. */
export function trendSentence(s: Summary): string {
  const parts: string[] = [];
  if (s.trend.length > 1) {
    const prev = s.trend[s.trend.length - 2]!;
    parts.push(
      `与${prev.name}（检查网站${prev.sitesTested}家，及时回复率${pct(share(prev.onTime, prev.sitesTested))}）相比，本次及时回复率为${pct(s.shares.onTime)}，未回复${prev.noReply}家→${s.noReply}家，栏目不可用${prev.unavailable}家→${s.unavailable}家。`,
    );
  }
  const h = s.history;
  if (h.sites > 0) {
    parts.push(`${h.sites}家网站参加过往期检查（${h.campaigns.join('、')}），与其上一次结果相比，${h.improved}家改善，${h.worsened}家变差，${h.unchanged}家持平（各网站往期结果见附件）。`);
  }
  return parts.join('');
}

function cell(c: Cell): string {
  return c === null ? '' : e(String(c));
}

export function renderHtml(report: Report): string {
  const s = report.summary;
  const out: string[] = [];
  out.push(`<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>${e(s.campaign.name)} 政府网站互动回应专项检查情况通报</title><style>${CSS}</style></head><body>`);
  out.push('<main class="bulletin">');
  out.push(`<h1>${e(s.campaign.name)}<br>政府网站互动回应专项检查情况通报</h1>`);

  out.push('<h2>一、总体情况</h2>');
  out.push(`<p>${e(overallSentence(s))}${e(sharesSentence(s))}</p>`);
  if (s.pending > 0) out.push(`<p>另有${s.pending}家网站尚有信件处于观察期内，未计入上述统计。</p>`);
  if (s.untested > 0) {
    // untested: no letter that could be judged — gated letters nobody submitted, or a channel down inside a declared
    // maintenance window (either, or both)
    out.push(`<p>另有${s.untested}家网站没有可判定的信件（需人工提交的信件未提交，或栏目不可用时处于网站声明的维护期内），未计入上述统计。</p>`);
  }
  out.push(`<div class="chart">${groupChart('各类别网站检查结果', s.byCategory)}</div>`);
  out.push(`<div class="chart">${groupChart('各地区网站检查结果', s.byRegion)}</div>`);
  out.push(`<div class="chart">${replyTimeChart(s)}</div>`);
  const trend = trendSentence(s);
  if (trend) out.push(`<p>${e(trend)}</p>`);
  if (s.trend.length > 1) out.push(`<div class="chart">${trendChart(s)}</div>`);

  out.push('<h2>二、当日回复情况</h2>');
  if (s.allSameDay.length > 0) {
    out.push(`<p>${s.allSameDay.length}家网站对测试信件全部实现当日回复，分别是：${names(s.allSameDay)}。</p>`);
  } else out.push('<p>本次检查中没有网站对全部测试信件实现当日回复。</p>');

  out.push('<h2>三、存在的问题</h2>');
  let n = 0;
  for (const cat of SITE_CATEGORIES) {
    const p = s.problems[cat];
    if (!p || p.late.length + p.noReply.length + p.unavailable.length === 0) continue;
    n++;
    const bits: string[] = [];
    if (p.unavailable.length) bits.push(`咨询留言栏目功能不可用的有${p.unavailable.length}家：${names(p.unavailable)}`);
    if (p.noReply.length) bits.push(`未回复的有${p.noReply.length}家：${names(p.noReply)}`);
    if (p.late.length) bits.push(`未及时回复的有${p.late.length}家：${names(p.late)}`);
    out.push(`<p>（${n}）${e(cat)}网站中，${bits.join('；')}。</p>`);
  }
  if (n === 0) out.push('<p>本次检查未发现问题。</p>');

  out.push('<h2>四、检查方法</h2><ul class="method">');
  for (const line of s.methodText) out.push(`<li>${e(line)}</li>`);
  out.push(`<li>信件判定以检查结束时间 ${e(displayTime(s.campaign.closedAt))} 为准，观察窗口截止 ${e(displayTime(s.campaign.windowClosesAt))}。</li>`);
  out.push(
    `<li>需人工提交（验证码、短信验证、实名登录）的信件${s.gated.letters}封：${s.gated.submittedByStaff}封由工作人员人工提交后按同一规则判定，${s.gated.notSubmitted}封未提交，不计为网站问题，也不计为回复。</li>`,
  );
  if (s.maintenance.length > 0) {
    const ws = s.maintenance.map((m) => `${e(m.siteName)}第${m.ordinal}次信件（${e(displayTime(m.from))}至${e(displayTime(m.to))}${m.note ? `，${e(m.note)}` : ''}）`);
    out.push(`<li>网站声明的栏目维护期：${ws.join('；')}。维护期不改变判定规则，仅作说明。</li>`);
  } else out.push('<li>本次检查期间无网站声明栏目维护期。</li>');
  out.push('</ul>');
  out.push(`<p class="plain meta">生成时间：${e(displayTime(s.generatedAt))}　输入数据SHA-256：${e(s.inputSha256)}</p>`);

  out.push('</main>');
  const t = sitesTable(report, displayTime);
  const tableClass = t.header[t.header.length - 1] === '往期结果' ? ' class="with-history"' : '';
  out.push(`<section class="annex"><h2>附件：各网站检查结果</h2><table${tableClass}><thead><tr>`);
  for (const h of t.header) out.push(`<th>${e(h)}</th>`);
  out.push('</tr></thead><tbody>');
  const rows: string[] = [];
  for (const r of t.rows) rows.push(`<tr><td>${r.map(cell).join('</td><td>')}</td></tr>`);
  out.push(rows.join('\n'));
  out.push('</tbody></table></section></body></html>\n');
  return out.join('\n');
}

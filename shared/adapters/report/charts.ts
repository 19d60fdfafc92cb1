/**
 * Charts as inline SVG strings, rendered server-side by ECharts (no JS needed to view the report).
 */
import * as echarts from 'echarts';
import type { Summary } from '../../domain/report/types.ts';
import { share } from '../../domain/report/compute.ts';

// single quotes: ECharts puts the family inside a double-quoted style attribute
const FONT = "'Noto Sans SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', SimSun, sans-serif";
const COLORS = ['#2e7d32', '#f9a825', '#c62828', '#6d4c41'];
const SERIES = [
  ['onTime', '及时回复'],
  ['late', '未及时回复'],
  ['noReply', '未回复'],
  ['unavailable', '栏目不可用'],
] as const;

function render(option: echarts.EChartsCoreOption, width = 680, height = 300): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: FONT }, color: COLORS, ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/** Letters by reply time in working days (0 = same day). */
export function replyTimeChart(summary: Summary): string {
  const keys = Object.keys(summary.replyWorkingDays)
    .map(Number)
    .sort((a, b) => a - b);
  return render({
    title: { text: '回复用时分布（工作日）', left: 'center', textStyle: { fontSize: 14 } },
    grid: { left: 60, right: 20, top: 56, bottom: 40 },
    xAxis: { type: 'category', data: keys.map((k) => (k === 0 ? '当日' : `${k}个工作日`)) },
    yAxis: { type: 'value', name: '信件数', minInterval: 1 },
    series: [{ type: 'bar', data: keys.map((k) => summary.replyWorkingDays[String(k)] ?? 0), itemStyle: { color: '#1565c0' }, barMaxWidth: 48, label: { show: true, position: 'top' } }],
  });
}

/** The four categories, stacked, by a grouping (site category or region). */
export const MAX_GROUPS = 40;

export function groupChart(title: string, groups: Summary['byCategory']): string {
  let names = Object.keys(groups).filter((k) => groups[k]!.sitesTested > 0);
  if (names.length > MAX_GROUPS) {
    // the largest groups; the full table is in summary.json and report.xlsx (总体情况)
    names = [...names].sort((a, b) => groups[b]!.sitesTested - groups[a]!.sitesTested).slice(0, MAX_GROUPS);
    title = `${title}（检查网站数最多的${MAX_GROUPS}个）`;
  }
  const height = Math.max(220, 60 + names.length * 24);
  return render(
    {
      title: { text: title, left: 'center', textStyle: { fontSize: 14 } },
      legend: { bottom: 0 },
      grid: { left: 110, right: 20, top: 36, bottom: 40 },
      xAxis: { type: 'value', name: '网站数', minInterval: 1 },
      yAxis: { type: 'category', data: names, inverse: true },
      series: SERIES.map(([k, label]) => ({ type: 'bar', stack: 'all', barMaxWidth: 28, name: label, data: names.map((n) => groups[n]![k]) })),
    },
    680,
    height,
  );
}

/** Shares of the four categories across campaigns. */
export function trendChart(summary: Summary): string {
  return render({
    title: { text: '历次检查结果趋势（占检查网站数%）', left: 'center', textStyle: { fontSize: 14 } },
    legend: { bottom: 0 },
    grid: { left: 60, right: 20, top: 56, bottom: 50 },
    xAxis: { type: 'category', data: summary.trend.map((t) => t.name) },
    yAxis: { type: 'value', max: 100, name: '%' },
    series: SERIES.map(([k, label]) => ({
      type: 'line',
      name: label,
      data: summary.trend.map((t) => share(t[k], t.sitesTested)),
    })),
  });
}

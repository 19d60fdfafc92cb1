/** ECharts, only the pieces used (keeps the first load small): line, bar, pie; grid, tooltip, legend; SVG renderer. */
import * as echarts from 'echarts/core';
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent, AriaComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, TooltipComponent, AriaComponent, SVGRenderer]);

export type ChartOption = echarts.EChartsCoreOption;

const live = new Set<echarts.ECharts>();

export function chart(el: HTMLElement, option: ChartOption): void {
  const c = echarts.init(el, undefined, { renderer: 'svg' });
  c.setOption({ aria: { enabled: true }, animation: false, ...option });
  live.add(c);
}

/** Dispose of the charts of the previous page. */
export function disposeCharts(): void {
  for (const c of live) c.dispose();
  live.clear();
}

window.addEventListener('resize', () => {
  for (const c of live) c.resize();
});

export const COLORS = { sameDay: '#1a7f37', onTime: '#4c9a2a', late: '#d4a017', none: '#c0392b', unavailable: '#6b4c9a', pending: '#8a8f98' };

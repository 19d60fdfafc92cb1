/** How times are shown in the report: Beijing time `YYYY-MM-DD HH:mm:ss`; a day-precise date stays a date. */
import { formatBeijing, parseTime } from '../beijing-time.ts';

export function displayTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const t = parseTime(iso);
  const b = formatBeijing(t.ms);
  return t.precision === 'day' ? b.slice(0, 10) : `${b.slice(0, 10)} ${b.slice(11, 19)}`;
}

/** A share (share() in compute.ts: a percentage rounded to one decimal) as printed: always one decimal, 50.0%. */
export function percentText(share: number): string {
  return `${share.toFixed(1)}%`;
}

/**
 * Default official working days for the reply engine when no calendar is injected: Engineer A's platform
 * calendar (chinese-days data + HUIXIN_CALENDAR_FILES, 调休 included; unknown years throw).
 */
import { loadCalendar } from '../shared/adapters/calendar-source.ts';
import type { WorkingDayAdder } from './types.ts';

export function defaultWorkingDays(): WorkingDayAdder {
  return loadCalendar();
}

import { wholeNumber } from '../options.ts';
import type { Command } from 'commander';
import { loadCalendar } from '../../shared/adapters/calendar-source.ts';
import type { Clock } from '../../shared/app/ports.ts';
import { formatBeijing, parseTime } from '../../shared/domain/beijing-time.ts';
import { DEFAULT_WORKING_DAYS } from '../../shared/domain/method.ts';
import { judgeLetter } from '../../shared/domain/timeliness.ts';
import { out, safeJson } from '../output.ts';

const systemClock: Clock = { now: () => new Date() };

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}


/** Normalise an input time for output: instants in Beijing time (+08:00), bare dates as given. */
function normalise(value: string): string {
  const t = parseTime(value);
  return t.precision === 'day' ? value.trim() : formatBeijing(t.ms);
}

export function register(program: Command, clock: Clock = systemClock): void {
  program
    .command('timeliness')
    .description('判定一封信件的回复是否及时（按国务院节假日安排的工作日，含调休）/ judge one letter\'s reply timeliness in official Chinese working days')
    .requiredOption('--submitted <ISO>', '提交时间，ISO-8601，无时区视为北京时间 / submission time (ISO-8601; no offset = Beijing time)')
    .option('--replied <ISO>', '回复时间；仅日期（YYYY-MM-DD）按日期判定 / reply time; a bare date is judged by its date')
    .option('--working-days <N>', '截止时限：提交日次日起第 N 个工作日 / deadline: the N-th working day after submission', String(DEFAULT_WORKING_DAYS))
    .option('--as-of <ISO>', '判定时点，默认当前时间 / judge as of this instant (default: now)')
    .option('--window-closes <ISO>', '观察窗口关闭时间 / when the observation window closes')
    .option('--calendar <FILE>', '附加日历文件（holiday-cn 格式），可重复；叠加 HUIXIN_CALENDAR_FILES / extra calendar file (holiday-cn schema), repeatable; adds to HUIXIN_CALENDAR_FILES', collect)
    .addHelpText(
      'after',
      `
输出一个 JSON 对象 / prints one JSON object:
  {"verdict","deadline","deadlineYearNotCovered","submittedAt","repliedAt","asOf","workingDays","replyWorkingDays","calendar":{"source","years","override"}}
verdict: same-day 当日回复 | on-time 及时回复 | late 未及时回复 | none 未回复 | pending 待定
期限落在没有官方日历的年份时退出码 2，请用 --calendar 载入当年通知；只有回复早于该年任何日历可能给出的期限（当日回复、及时回复）
才照常判定，此时 deadline 为 null，deadlineYearNotCovered 给出年份 / a deadline in a year without official data exits 2:
load it with --calendar. Only a reply earlier than any calendar of that year could put the deadline (same-day, on-time) is
judged all the same: deadline is then null and deadlineYearNotCovered names the year.

示例 / example:
  huixin timeliness --submitted 2026-02-13T15:30:00Z --replied 2026-02-14T10:00:00+08:00`,
    )
    .action((opts: { submitted: string; replied?: string; workingDays: string; asOf?: string; windowCloses?: string; calendar?: string[] }) => {
      const workingDays = wholeNumber(opts.workingDays, '--working-days');
      const calendar = loadCalendar({ files: opts.calendar ?? [] });
      const asOf = opts.asOf !== undefined ? normalise(opts.asOf) : formatBeijing(Math.floor(clock.now().getTime() / 1000) * 1000);
      const judgement = judgeLetter(
        {
          submittedAt: opts.submitted,
          repliedAt: opts.replied ?? null,
          workingDays,
          asOf,
          ...(opts.windowCloses !== undefined ? { windowClosesAt: opts.windowCloses } : {}),
        },
        calendar,
      );
      const ref = calendar.ref;
      const result = {
        verdict: judgement.verdict,
        deadline: judgement.deadline ?? null,
        deadlineYearNotCovered: judgement.deadlineYearNotCovered ?? null,
        submittedAt: normalise(opts.submitted),
        repliedAt: opts.replied !== undefined ? normalise(opts.replied) : null,
        asOf,
        workingDays,
        replyWorkingDays: judgement.replyWorkingDays ?? null,
        calendar: { source: ref.source, years: ref.years, override: ref.overrides ?? null },
      };
      out(`${safeJson(result)}\n`);
    });
}

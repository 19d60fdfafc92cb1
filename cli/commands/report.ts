import { wholeNumber } from '../options.ts';
import type { Command } from 'commander';
import path from 'node:path';
import { loadCalendar } from '../../shared/adapters/calendar-source.ts';
import type { Clock } from '../../shared/app/ports.ts';
import { InputError } from '../../shared/domain/errors.ts';
import type { WorkingDayCalendar } from '../../shared/domain/calendar.ts';
import { DEFAULT_HISTORY, buildReport, loadCampaignInput, publishReport, trendPointFrom, verifyReport } from '../../shared/app/report.ts';
import { readJsonInput, readSheetInput } from '../../shared/adapters/report/input.ts';
import { FolderPublisher } from '../../shared/adapters/report/publish-folder.ts';
import type { Method } from '../../shared/domain/model.ts';
import type { ReportInput } from '../../shared/domain/report/types.ts';
import { out, errOut, safeJson } from '../output.ts';

const systemClock: Clock = { now: () => new Date() };

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}


interface BuildOpts {
  campaign?: string;
  input?: string;
  out: string;
  name?: string;
  workingDays: string;
  closedAt?: string;
  calendar: string[];
  previous: string[];
  history: string;
}

async function loadInput(opts: BuildOpts, calendar: WorkingDayCalendar): Promise<{ input: ReportInput; method?: Method }> {
  if (opts.campaign) {
    const history = wholeNumber(opts.history, '--history');
    const { loadConfig } = await import('../../shared/config.ts');
    const { openStores } = await import('../../shared/local/runtime.ts');
    const stores = await openStores(loadConfig());
    try {
      const r = await loadCampaignInput(stores, opts.campaign, {
        calendar,
        history,
        ...(opts.closedAt ? { closedAt: opts.closedAt } : {}),
      });
      if (r.earlier.length) errOut(`huixin: trend with ${r.earlier.length} earlier campaigns from the store: ${r.earlier.join(', ')}\n`);
      if (r.omitted) errOut(`huixin: ${r.omitted} letters never submitted (cancelled, unconfirmed, script-broken…) are left out\n`);
      return { input: r.input, method: r.method };
    } finally {
      await stores.close();
    }
  }
  const file = opts.input!;
  const ext = path.extname(file).toLowerCase();
  if (ext === '.json') return { input: await readJsonInput(file) };
  if (ext === '.csv' || ext === '.xlsx') {
    if (!opts.name) throw new InputError('--name is required with a CSV/XLSX input (the campaign name printed in the report)');
    if (!opts.closedAt) throw new InputError('--closed-at is required with a CSV/XLSX input (when the observation window closed)');
    return { input: await readSheetInput(file, { name: opts.name, workingDays: wholeNumber(opts.workingDays, '--working-days'), closedAt: opts.closedAt }) };
  }
  throw new InputError(`--input ${file}: expected a .json, .csv or .xlsx file`);
}

export function register(program: Command, clock: Clock = systemClock): void {
  const report = program
    .command('report')
    .description('专项检查结果通报：生成草稿、复核、发布 / the published special-check results: build a draft, verify it, publish it');

  report
    .command('build')
    .description('生成通报草稿（HTML、XLSX、CSV、JSON）/ build a draft report (HTML, XLSX, CSV, JSON) into a folder')
    .option('--campaign <ID>', '从存储读取活动 / read a campaign from the store')
    .option('--input <FILE>', '输入文件：.json，或含中文列名的 .xlsx/.csv / input file: .json, or .xlsx/.csv with Chinese columns')
    .requiredOption('--out <DIR>', '输出目录 / output folder')
    .option('--name <NAME>', '活动名称（CSV/XLSX 输入必填）/ campaign name (required for CSV/XLSX)')
    .option('--working-days <N>', '截止时限（工作日，CSV/XLSX 输入）/ deadline in working days (CSV/XLSX input)', '1')
    .option('--closed-at <ISO>', '检查结束（观察窗口关闭）时间 / when the observation window closed')
    .option('--calendar <FILE>', '附加日历文件（holiday-cn 格式），可重复 / extra calendar file (holiday-cn schema), repeatable', collect, [])
    .option('--history <N>', '从存储读取时，趋势最多回溯的往期活动数（0 = 不回溯）/ with --campaign: how many earlier closed campaigns in the store the trend reaches back (0 = none)', String(DEFAULT_HISTORY))
    .option('--previous <DIR>', '往期通报目录（含 summary.json），用于趋势图，可重复，按时间先后 / an earlier report folder for the trend chart, repeatable, oldest first', collect, [])
    .addHelpText(
      'after',
      `
CSV/XLSX 列 / columns: 网站名称, 网站标识码, 类别(省政府门户/省级部门/市县政府门户/市县部门), [地区],
  第1次提交时间, 第1次回复时间, 第1次栏目可用(是/否), 第2次… (CSV: UTF-8, UTF-8 BOM 或 GBK)
输出 / writes: summary.json report.html report.xlsx report.csv letters.csv input.json method.json

示例 / examples:
  huixin report build --campaign c01… --out out/2026q2      (earlier closed campaigns in the store → 趋势 + 往期结果)
  huixin report build --input results.json --out out/2026q1
  huixin report build --input 2026q1.xlsx --name "2026年第一季度" --closed-at 2026-03-31T23:59:59+08:00 --out out/2026q1`,
    )
    .action(async (opts: BuildOpts) => {
      if (!opts.campaign === !opts.input) throw new InputError('give exactly one of --campaign ID or --input FILE');
      const calendar = loadCalendar({ files: opts.calendar });
      const { input, method } = await loadInput(opts, calendar);
      if (opts.previous.length) {
        const previous = await Promise.all(opts.previous.map(trendPointFrom));
        const auto = input.trend ?? [];
        // From the store, the earlier campaigns found there are the most recent: folders given by hand come before them.
        input.trend = opts.campaign ? [...previous.filter((p) => !auto.some((a) => a.name === p.name)), ...auto] : [...auto, ...previous];
      }
      const { report: r } = await buildReport(opts.out, { input, calendar, clock, ...(method ? { method } : {}) });
      const s = r.summary;
      out(
        `${safeJson({ out: opts.out, sitesTested: s.sitesTested, onTime: s.onTime, late: s.late, noReply: s.noReply, unavailable: s.unavailable, allSameDay: s.allSameDay.length, inputSha256: s.inputSha256 })}\n`,
      );
    });

  report
    .command('verify')
    .description('复核草稿：从保存的输入重新计算并与 summary.json、CSV 比对 / recompute a draft from its saved inputs and compare')
    .argument('<DIR>', '草稿目录 / draft folder')
    .option('--calendar <FILE>', '附加日历文件（与生成时相同）/ extra calendar file (as used for the build)', collect, [])
    .addHelpText('after', '\n退出码 / exit: 0 一致 equal · 1 有差异（逐项列出）differences (each named) · 2 输入错误 bad input')
    .action(async (dir: string, opts: { calendar: string[] }) => {
      const result = await verifyReport(dir, loadCalendar({ files: opts.calendar }));
      if (result.ok) {
        out(`OK ${dir}: summary.json, report.csv and letters.csv match a recomputation from input.json + method.json\n`);
        return;
      }
      for (const d of result.differences) out(`DIFF ${d}\n`);
      errOut(`huixin: ${result.differences.length} differences in ${dir}\n`);
      process.exitCode = 1;
    });

  report
    .command('publish')
    .description('发布：不可变、带版本的副本（v1、v2…）及 manifest.json / publish an immutable, versioned copy with manifest.json')
    .argument('<DIR>', '草稿目录 / draft folder')
    .option('--to <ROOT>', '发布根目录 / published root folder', 'published')
    .option('--calendar <FILE>', '附加日历文件 / extra calendar file', collect, [])
    .addHelpText('after', '\n每次发布生成新版本，旧版本不会被覆盖（文件只读）/ every publish makes a new version; older ones are never overwritten (read-only files)')
    .action(async (dir: string, opts: { to: string; calendar: string[] }) => {
      const r = await publishReport(dir, new FolderPublisher(opts.to), { calendar: loadCalendar({ files: opts.calendar }), clock });
      out(`${safeJson({ version: r.version, location: r.location, files: r.manifest.files.length })}\n`);
    });
}

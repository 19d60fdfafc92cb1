/**
 * `huixin campaign create|status|list|pause|resume|cancel|close` — thin: parse options, call shared/app/campaigns.ts, print.
 * Runs on the stores the configuration names (the embedded default: dynalite on disk in HUIXIN_DATA_DIR) with the
 * local scheduler (schedules kept in the same store; `huixin serve`/the demo fires them).
 */
import { wholeNumberOption } from '../options.ts';
import { readFileSync } from 'node:fs';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { eventBridgeSchedulerFromEnv } from '../../shared/adapters/scheduler/eventbridge.ts';
import {
  campaignStatus,
  cancelCampaign,
  closeCampaign,
  createCampaign,
  LATE_OBSERVATION_WORKING_DAYS,
  listCampaigns,
  pauseCampaign,
  resumeCampaign,
  startCampaign,
  type CampaignDeps,
  type CampaignStatus,
  type SiteSelection,
} from '../../shared/app/campaigns.ts';
import { loadConfig } from '../../shared/config.ts';
import { formatBeijing } from '../../shared/domain/beijing-time.ts';
import { CAMPAIGN_STATE_LABELS } from '../../shared/domain/campaign.ts';
import { InputError } from '../../shared/domain/errors.ts';
import { SITE_ID_RE, SITE_ID_RULE } from '../../shared/domain/model.ts';
import { LETTER_STATES, SITE_CATEGORIES } from '../../shared/domain/model.ts';
import { campaignRuntime } from '../../shared/local/campaign-runtime.ts';
import { openStores, type OpenStores } from '../../shared/local/runtime.ts';
import { out, safeJson } from '../output.ts';

/** Open the stores and the campaign deps for one CLI command; always closes the stores. */
export async function withCampaignDeps<T>(options: { calendar?: string[] }, fn: (deps: CampaignDeps, stores: OpenStores) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const stores = await openStores(config);
  try {
    const { deps } = campaignRuntime(stores, { dataDir: config.dataDir, ...(options.calendar ? { calendarFiles: options.calendar } : {}) });
    // In AWS (DynamoDB without a local endpoint) schedules go to EventBridge Scheduler.
    if (config.store === 'dynamodb' && !config.dynamodbEndpoint) deps.scheduler = eventBridgeSchedulerFromEnv(new SchedulerClient({ region: config.region }));
    return await fn(deps, stores);
  } finally {
    await stores.close();
  }
}

/** `all` | `category=…,region=…` | a file with one 网站标识码 per line (blank lines, `#` comments and a header ignored). */
export function parseSiteSelection(value: string, read: (file: string) => string = (f) => readFileSync(f, 'utf8')): SiteSelection {
  const v = value.trim();
  if (v === 'all') return 'all';
  if (/^(category|region)=/.test(v)) {
    const sel: { category?: (typeof SITE_CATEGORIES)[number]; region?: string } = {};
    for (const part of v.split(/[,，]/)) {
      const [k, ...rest] = part.split('=');
      const val = rest.join('=').trim();
      if (k === 'category') {
        if (!(SITE_CATEGORIES as readonly string[]).includes(val)) throw new InputError(`unknown category "${val}": one of ${SITE_CATEGORIES.join(', ')}`);
        sel.category = val as (typeof SITE_CATEGORIES)[number];
      } else if (k === 'region' && val) sel.region = val;
      else throw new InputError(`--sites: cannot read "${part}" (expected category=… and/or region=…)`);
    }
    return sel;
  }
  let text: string;
  try {
    text = read(v);
  } catch {
    throw new InputError(`--sites: "${v}" is not all, category=…/region=…, nor a readable file`);
  }
  const ids: string[] = [];
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((line, i) => {
      const t = line.replace(/#.*/, '').trim().split(/[,\t]/)[0]!.trim();
      if (!t || (i === 0 && t === '网站标识码')) return;
      if (!SITE_ID_RE.test(t)) throw new InputError(`${v} 第${i + 1}行 / line ${i + 1}: "${t}": ${SITE_ID_RULE}`);
      ids.push(t);
    });
  if (ids.length === 0) throw new InputError(`${v}: no 网站标识码 in the file`);
  return ids;
}



function statusText(s: CampaignStatus): string {
  const lines = [
    `${s.name}  [${s.id}]`,
    `状态 state: ${CAMPAIGN_STATE_LABELS[s.state]} (${s.state})   截至 as of: ${s.asOf}   窗口关闭 window closes: ${s.windowClosesAt}   时限 deadline: ${s.workingDays} 个工作日`,
    `信件 letters: ${s.letters}   已发出 sent: ${s.progress.sent}/${s.progress.total}`,
    `  按状态 by state: ${LETTER_STATES.filter((k) => s.states[k] > 0).map((k) => `${k} ${s.states[k]}`).join(', ') || '-'}`,
    `  判定 verdicts: 当日回复 same-day ${s.verdicts['same-day']}, 及时 on-time ${s.verdicts['on-time']}, 未及时 late ${s.verdicts.late}, 未回复 none ${s.verdicts.none}, 待定 pending ${s.verdicts.pending}`,
    `网站 sites: ${s.sites.total}   及时回复 ${s.sites['on-time']} · 未及时回复 ${s.sites.late} · 未回复 ${s.sites.none} · 栏目不可用 ${s.sites.unavailable} · 待定 ${s.sites.pending} · 当日回复名单 ${s.sites.honour}`,
    `时限压力 deadlines: 今日到期 due today ${s.dueToday}, 明日到期 due tomorrow ${s.dueTomorrow}, 已超期 overdue ${s.overdue}`,
  ];
  return `${lines.join('\n')}\n`;
}

export function register(program: Command): void {
  const campaign = program.command('campaign').description('测试活动：计划、进度、暂停/恢复/取消 / campaigns: plan, progress, pause/resume/cancel');

  campaign
    .command('create')
    .description('创建测试活动：选站、排期（工作日办公时间、间隔≥3个工作日、避开长假前最后一个工作日）并安排发送 / create a campaign: select sites, plan and schedule the letters')
    .requiredOption('--name <name>', '活动名称，如 "2026年第四季度政府网站互动回应专项检查" / campaign name')
    .requiredOption('--sites <sites>', 'all | category=省级部门,region=西安 | 每行一个网站标识码的文件 / a file with one site id per line')
    .option('--letters <n>', '每个网站的信件数 / letters per site', wholeNumberOption('--letters'), 2)
    .option('--working-days <n>', '答复时限（工作日）/ reply deadline in working days', wholeNumberOption('--working-days'), 1)
    .requiredOption('--window <window>', '观察窗口：N 个工作日，或截止日期 YYYY-MM-DD / observation window: N working days or a closing date')
    .option(
      '--late-observation <n>',
      '每封信的答复时限之后、窗口关闭之前至少留出的工作日，使逾期答复仍能被看到并判为“未及时回复”而非“未回复” / working days kept between a letter\'s deadline and the window close, so a late reply is still seen (late, not none)',
      wholeNumberOption('--late-observation'),
      LATE_OBSERVATION_WORKING_DAYS,
    )
    .option('--start <date>', '最早发信日期 YYYY-MM-DD（默认今天）/ first day letters may go out (default today)')
    .option('--id <id>', '指定活动编号（重复执行不会重复创建）/ campaign id, makes a re-run idempotent')
    .option('--seed <n>', '排期随机种子 / plan seed', wholeNumberOption('--seed'))
    .option('--plan-only', '只保存计划，不安排发送（之后用 campaign start 开始）/ store the plan only, schedule nothing')
    .option('--calendar <file>', '补充工作日历文件（holiday-cn 格式，可重复）/ extra calendar file (repeatable)', (v: string, acc: string[] = []) => [...acc, v])
    .option('--json', '输出 JSON / print JSON')
    .action(
      async (opts: { name: string; sites: string; letters: number; workingDays: number; window: string; lateObservation: number; start?: string; id?: string; seed?: number; planOnly?: boolean; calendar?: string[]; json?: boolean }) => {
        const window = /^\d+$/.test(opts.window)
          ? { workingDays: Number(opts.window) }
          : /^\d{4}-\d{2}-\d{2}$/.test(opts.window)
            ? { closesAt: opts.window }
            : (() => {
                throw new InputError(`--window: "${opts.window}" is neither a number of working days nor a date YYYY-MM-DD`);
              })();
        const sites = parseSiteSelection(opts.sites);
        const startDate = opts.start;
        const startNow = !opts.planOnly;
        const r = await withCampaignDeps({ ...(opts.calendar ? { calendar: opts.calendar } : {}) }, (deps) =>
          createCampaign(deps, {
            name: opts.name,
            sites,
            lettersPerSite: opts.letters,
            workingDays: opts.workingDays,
            window,
            lateObservationWorkingDays: opts.lateObservation,
            ...(startDate ? { start: startDate } : {}),
            ...(opts.id ? { id: opts.id } : {}),
            ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
            startNow,
            actor: 'cli',
          }),
        );
        if (opts.json) {
          out(`${safeJson({ id: r.campaign.id, state: r.campaign.state, created: r.created, letters: r.letters, windowClosesAt: r.campaign.windowClosesAt, firstSendAt: r.firstSendAt ?? null, lastSendAt: r.lastSendAt ?? null, sendDays: r.sendDays.length, preHolidayDays: r.preHolidayDays, method: r.campaign.method })}\n`);
          return;
        }
        out(
          `${r.created ? '已创建' : '已存在（未重复创建）'} / ${r.created ? 'created' : 'exists already (nothing duplicated)'}: ${r.campaign.id}\n` +
            `  ${r.campaign.name}: ${r.campaign.siteIds.length} 个网站 sites × ${r.campaign.lettersPerSite} = ${r.letters} 封信 letters, 状态 state ${r.campaign.state}\n` +
            `  发信 sends: ${r.firstSendAt ?? '-'} … ${r.lastSendAt ?? '-'} (${r.sendDays.length} 个发信日 send days)\n` +
            `  避开长假前最后一个工作日 skipped before long holidays: ${r.preHolidayDays.join(', ') || '-'}\n` +
            `  观察窗口关闭 window closes: ${r.campaign.windowClosesAt}; 时限 deadline ${r.campaign.method.workingDays} 个工作日 working day(s); 日历 calendar ${r.campaign.method.calendar.source}\n`,
        );
      },
    );

  campaign
    .command('status')
    .description('活动进度：各状态信件数、判定、通报四类、时限压力 / progress: letters per state, verdicts, the four 通报 categories, deadline pressure')
    .argument('<id>', '活动编号 / campaign id')
    .option('--as-of <iso>', '按此时刻计算（默认现在）/ judge as of this instant (default now)')
    .option('--watch', '持续显示进度条直到活动结束（Ctrl-C 退出）/ keep showing a progress bar until the campaign ends')
    .option('--interval <seconds>', '--watch 刷新间隔（秒，≥1）/ refresh interval (seconds, ≥ 1)', wholeNumberOption('--interval', 1), 5)
    .option('--json', '输出 JSON / print JSON')
    .action(async (id: string, opts: { asOf?: string; watch?: boolean; interval: number; json?: boolean }) => {
      const asOf = () => opts.asOf ?? formatBeijing(Math.floor(Date.now() / 1000) * 1000);
      if (!opts.watch) {
        const s = await withCampaignDeps({}, (deps) => campaignStatus(deps, id, asOf()));
        out(opts.json ? `${safeJson(s)}\n` : statusText(s));
        return;
      }
      await withCampaignDeps({}, async (deps) => {
        const bar = new cliProgress.SingleBar(
          { format: '{name} [{bar}] {value}/{total} 已发出 sent | 已回复 replied {replied} | 待人工 gated {gated} | {state}', hideCursor: true },
          cliProgress.Presets.shades_classic,
        );
        let s = await campaignStatus(deps, id, asOf());
        const payload = (x: CampaignStatus) => ({ name: x.name, state: x.state, gated: x.states.gated, replied: x.verdicts['same-day'] + x.verdicts['on-time'] + x.verdicts.late });
        bar.start(Math.max(1, s.progress.total), s.progress.sent, payload(s));
        let stop = false;
        const onInt = () => (stop = true);
        process.once('SIGINT', onInt);
        try {
          while (!stop && s.state !== 'closed' && s.state !== 'cancelled') {
            await new Promise((r) => setTimeout(r, opts.interval * 1000));
            s = await campaignStatus(deps, id, asOf());
            bar.setTotal(Math.max(1, s.progress.total));
            bar.update(s.progress.sent, payload(s));
          }
        } finally {
          process.off('SIGINT', onInt);
          bar.stop();
        }
        out(opts.json ? `${safeJson(s)}\n` : statusText(s));
      });
    });

  campaign
    .command('list')
    .description('列出所有活动 / list campaigns')
    .option('--json', '输出 JSON / print JSON')
    .action(async (opts: { json?: boolean }) => {
      const list = await withCampaignDeps({}, (deps) => listCampaigns(deps));
      if (opts.json) {
        out(`${safeJson(list.map((c) => ({ id: c.id, name: c.name, state: c.state, createdAt: c.createdAt, windowClosesAt: c.windowClosesAt, sites: c.siteIds.length, lettersPerSite: c.lettersPerSite, workingDays: c.method.workingDays })))}\n`);
        return;
      }
      if (list.length === 0) {
        out('没有活动 / no campaigns\n');
        return;
      }
      for (const c of list) {
        out(`${c.id}  ${CAMPAIGN_STATE_LABELS[c.state]}(${c.state})  ${c.siteIds.length}×${c.lettersPerSite}  窗口至 ${c.windowClosesAt}  ${c.name}\n`);
      }
    });

  const stateCommand = (name: 'start' | 'pause' | 'resume' | 'cancel', zh: string) =>
    campaign
      .command(name)
      .description(`${zh} / ${name} a campaign`)
      .argument('<id>', '活动编号 / campaign id')
      .option('--by <name>', '操作人 / who does it', 'cli')
      .action(async (id: string, opts: { by: string }) => {
        const actor = opts.by === 'cli' ? 'cli' : `staff:${opts.by}`;
        const c = await withCampaignDeps({}, (deps) =>
          name === 'start' ? startCampaign(deps, id, { actor }) : name === 'pause' ? pauseCampaign(deps, id, { actor }) : name === 'resume' ? resumeCampaign(deps, id, { actor }) : cancelCampaign(deps, id, { actor }),
        );
        const extra = 'cancelledLetters' in c ? `；未发信件已取消 unsent letters cancelled: ${(c as { cancelledLetters: number }).cancelledLetters}` : '';
        out(`${c.id}: ${CAMPAIGN_STATE_LABELS[c.state]} (${c.state})${extra}\n`);
      });
  stateCommand('start', '开始活动：安排每封信的发送与窗口关闭');
  stateCommand('pause', '暂停活动：未发信件暂不发送');
  stateCommand('resume', '恢复活动：错过时间的信件顺延到最近的办公时间');
  stateCommand('cancel', '取消活动：未发信件标记为已取消，已记录的一切保留');

  campaign
    .command('close')
    .description('结束活动（观察窗口已关闭）：未回复的信件判为未回复 / close a campaign whose window has closed')
    .argument('<id>', '活动编号 / campaign id')
    .option('--force', '窗口未到也结束 / close before the window ends')
    .action(async (id: string, opts: { force?: boolean }) => {
      const { campaign: c, status } = await withCampaignDeps({}, (deps) => closeCampaign(deps, id, { actor: 'cli', force: !!opts.force }));
      out(`${c.id}: ${CAMPAIGN_STATE_LABELS[c.state]} (${c.state})\n${statusText(status)}`);
    });
}

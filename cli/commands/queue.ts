/**
 * `huixin queue list` — gated letters waiting for a person (captcha, SMS code, real-name login): site, URL, reason.
 * `huixin queue record-submission ID --at ISO --query-code CODE [--by NAME]` — staff submitted one by hand.
 * The same subcommand is exported as `registerRecordSubmission(letters)` so `huixin letters record-submission` can
 * attach it (cli/commands/letters.ts belongs to Engineer D).
 */
import { privateDir } from '../../shared/local/data-dir.ts';
import type { Command } from 'commander';
import { gatedQueue, recordSubmission } from '../../shared/app/campaigns.ts';
import { withCampaignDeps } from './campaign.ts';
import path from 'node:path';
import { redrive } from '../../shared/adapters/sqs/redrive.ts';
import { loadConfig } from '../../shared/config.ts';
import { openStores } from '../../shared/local/runtime.ts';
import { localQueues, startLocalSqs } from '../../shared/local/sqs.ts';
import { InputError } from '../../shared/domain/errors.ts';
import { out, safeJson, safeTerm } from '../output.ts';
import { reasonText } from '../../shared/domain/reasons.ts';


/** Add `record-submission` to a command group (`letters` or `queue`). */
export function registerRecordSubmission(parent: Command): void {
  parent
    .command('record-submission')
    .description('登记工作人员手工提交的信件（待人工 → 已提交），之后按普通信件判定 / record a gated letter submitted by hand by staff')
    .argument('<letterId>', '信件编号 / letter id')
    .requiredOption('--at <iso>', '提交时间，如 2026-03-09T16:20:00+08:00 / when it was submitted')
    .requiredOption('--query-code <code>', '网站给出的查询码/信件编号 / the query code the site gave')
    .option('--by <name>', '提交人 / who submitted it', process.env.USER || 'staff')
    .option('--json', '输出 JSON / print JSON')
    .action(async (letterId: string, opts: { at: string; queryCode: string; by: string; json?: boolean }) => {
      const l = await withCampaignDeps({}, (deps) => recordSubmission(deps, letterId, { submittedAt: opts.at, queryCode: opts.queryCode, by: opts.by }));
      if (opts.json) {
        out(`${safeJson({ id: l.id, state: l.state, submittedAt: l.submittedAt, queryCode: l.queryCode, deadlineAt: l.deadlineAt })}\n`);
        return;
      }
      out(`${l.id}: 已提交 submitted ${l.submittedAt}，查询码 ${l.queryCode}，答复时限 deadline ${l.deadlineAt}（登记人 ${opts.by}）\n`);
    });
}

export function register(program: Command): void {
  const queue = program.command('queue').description('待人工处理的信件（验证码、短信、实名登录）/ the staff queue of gated letters');
  queue
    .command('list')
    .description('列出等待人工提交的信件：网站、地址、原因 / list gated letters: site, URL, reason')
    .option('--json', '输出 JSON / print JSON')
    .action(async (opts: { json?: boolean }) => {
      const items = await withCampaignDeps({}, (deps) => gatedQueue(deps));
      if (opts.json) {
        out(
          `${safeJson(items.map((i) => ({ letterId: i.letter.id, campaign: i.campaignName, siteId: i.letter.siteId, site: i.site?.name ?? null, url: i.site?.consultUrl ?? null, reason: i.reason, plannedAt: i.letter.plannedAt, gatedAt: i.gatedAt ?? null, title: i.letter.title })))}\n`,
        );
        return;
      }
      if (items.length === 0) {
        out('没有待人工处理的信件 / no gated letters\n');
        return;
      }
      for (const i of items) {
        out(
          `${i.letter.id}  ${reasonText(i.reason)}(${i.reason})  ${i.letter.siteId} ${safeTerm(i.site?.name ?? '')}\n    ${safeTerm(i.site?.consultUrl ?? '-')}\n    标题 title: ${safeTerm(i.letter.title)}   计划 planned: ${i.letter.plannedAt}   活动 campaign: ${safeTerm(i.campaignName)}\n`,
        );
      }
      out(`共 ${items.length} 封 / ${items.length} letters — 提交后用 / after submitting: huixin queue record-submission ID --at ISO --query-code CODE --by NAME\n`);
    });
  registerRecordSubmission(queue);

  queue
    .command('redrive')
    .description('把死信队列中的消息放回原队列（修复后使用）/ put dead letters back on their queue after a fix')
    .option('--queue <name>', '哪个队列：submit（发信）| close（关闭窗口）| deadline（到期与每日查询）| check（栏目检查，仅 AWS）/ which queue: submit | close | deadline | check (AWS only)', 'submit')
    .option('--max <n>', '最多移动几条 / move at most this many')
    .action(async (opts: { queue: string; max?: string }) => {
      if (!['submit', 'close', 'deadline', 'check'].includes(opts.queue)) {
        throw new InputError(`--queue 须为 submit、close、deadline 或 check / must be submit, close, deadline or check, got ${opts.queue}`);
      }
      const name = opts.queue as 'submit' | 'close' | 'deadline' | 'check';
      const max = opts.max === undefined ? undefined : Number(opts.max);
      if (max !== undefined && (!Number.isInteger(max) || max < 1)) throw new InputError(`--max 须为正整数 / must be a positive integer, got ${opts.max}`);
      const config = loadConfig();
      let moved: number;
      if (config.store === 'dynamodb' && !config.dynamodbEndpoint) {
        // In AWS: the queue URLs the pipeline stack outputs.
        const url = process.env[`HUIXIN_${name.toUpperCase()}_QUEUE_URL`];
        const dlqUrl = process.env[`HUIXIN_${name.toUpperCase()}_DLQ_URL`];
        if (!url || !dlqUrl) {
          const id = `${name[0]!.toUpperCase()}${name.slice(1)}`;
          throw new InputError(
            `请设置 HUIXIN_${name.toUpperCase()}_QUEUE_URL 和 HUIXIN_${name.toUpperCase()}_DLQ_URL（HuixinPipeline 栈输出 ${id}QueueUrl、${id}DlqUrl）/ ` +
              `set HUIXIN_${name.toUpperCase()}_QUEUE_URL and HUIXIN_${name.toUpperCase()}_DLQ_URL (the HuixinPipeline outputs ${id}QueueUrl and ${id}DlqUrl)`,
          );
        }
        const { SQSClient } = await import('@aws-sdk/client-sqs');
        moved = (await redrive(new SQSClient({ region: config.region }), { dlqUrl, sourceUrl: url }, max ? { max } : {})).moved;
      } else {
        // The embedded default: its queues persist in the data folder; `huixin serve` must be stopped (it holds the folder).
        // It checks channels in-process: there is no check queue.
        if (name === 'check') throw new InputError('本机运行没有 check 队列（栏目检查在进程内进行）/ the embedded default has no check queue (channels are checked in-process)');
        const stores = await openStores(config);
        const sqs = await startLocalSqs({ dataDir: privateDir(path.join(config.dataDir, 'sqs')) });
        try {
          const pair = (await localQueues(sqs))[name];
          moved = (await redrive(sqs.client, { dlqUrl: pair.dlqUrl, sourceUrl: pair.url }, max ? { max } : {})).moved;
        } finally {
          await sqs.stop();
          await stores.close();
        }
      }
      out(`已放回 ${moved} 条消息 / moved ${moved} message(s) back to ${name}\n`);
    });
}

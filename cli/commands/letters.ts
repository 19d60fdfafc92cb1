/**
 * `huixin letters show ID [--json] [--as-of T]`: one letter's timeline and verdict.
 * `huixin letters record-reply ID --at T --channel phone|sms|… --staff U [--evidence FILE] [--note N]`.
 * `huixin letters undo ID EVENT --staff U`. Thin: logic in shared/app/letter-timeline.ts.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../shared/config.ts';
import { InputError } from '../../shared/domain/errors.ts';
import { loadCalendar } from '../../shared/adapters/calendar-source.ts';
import { localMailConfig } from '../../shared/adapters/mail/config.ts';
import { mailDeps } from '../../shared/adapters/mail/wiring.ts';
import { letterTimeline, recordStaffReply, undoStaffEdit } from '../../shared/app/letter-timeline.ts';
import { openStores } from '../../shared/local/runtime.ts';
import { formatBeijing } from '../../shared/domain/beijing-time.ts';
import { deadlineText } from '../../shared/domain/timeliness.ts';
import { parseInstantOption } from '../options.ts';
import { registerRecordSubmission } from './queue.ts';
import { out, safeJson, safeTerm } from '../output.ts';

const VERDICT_ZH: Record<string, string> = {
  'same-day': '当日回复',
  'on-time': '及时回复',
  late: '未及时回复',
  none: '未回复',
  pending: '待回复',
};

export function register(program: Command): void {
  const letters = program.command('letters').description('信件：时间线与工作人员记录 / letters: timeline and staff records');
  registerRecordSubmission(letters);

  letters
    .command('show')
    .description('显示一封信的时间线和判定 / show a letter’s timeline and verdict')
    .argument('<id>', '信件 id / letter id')
    .option('--json', '输出 JSON / print JSON')
    .option('--as-of <time>', '判定时刻（ISO-8601，默认现在）/ judge as of this instant (default now)')
    .action(async (id: string, opts: { json?: boolean; asOf?: string }) => {
      const asOf = formatBeijing(opts.asOf === undefined ? Date.now() : parseInstantOption(opts.asOf, '--as-of'));
      const config = loadConfig();
      const calendar = loadCalendar();
      const stores = await openStores(config);
      try {
        const t = await letterTimeline({ letters: stores.letters, events: stores.events, campaigns: stores.campaigns, calendar }, id, asOf);
        if (opts.json) {
          out(`${safeJson(t, 2)}\n`);
          return;
        }
        const l = t.letter;
        const lines = [
          `信件 letter ${l.id}  站点 site ${l.siteId}  状态 state ${l.state}`,
          `标题 title: ${safeTerm(l.title)}`,
          `提交 submitted: ${l.submittedAt ?? '-'}${l.queryCode ? `  查询码 ${safeTerm(l.queryCode)}` : ''}${l.queryPassword ? `  查询密码 ${safeTerm(l.queryPassword)}` : ''}`,
          '',
          ...t.entries.map((e) => `${e.at}  ${e.undone ? '[已撤销 undone] ' : ''}${safeTerm(e.summary)}  (${safeTerm(e.actor)}, ${e.eventId})`),
          '',
          t.reply ? `首次回复 first reply: ${t.reply.at} (${t.reply.source}, ${t.reply.precision}, ${t.reply.eventId})` : '首次回复 first reply: -',
          t.judgement
            ? `判定 verdict: ${VERDICT_ZH[t.judgement.verdict] ?? ''} ${t.judgement.verdict}  期限 deadline ${deadlineText(t.judgement)} (${t.workingDays} 个工作日 working days)`
            : `判定 verdict: - (${t.judgementNote ?? ''})`,
        ];
        out(`${lines.join('\n')}\n`);
      } finally {
        await stores.close();
      }
    });

  letters
    .command('record-reply')
    .description('工作人员记录电话/短信等回复 / staff record a phone/SMS/… reply')
    .argument('<id>', '信件 id / letter id')
    .requiredOption('--at <time>', '回复时间（ISO-8601 或 YYYY-MM-DD）/ reply time (ISO-8601 or a date)')
    .requiredOption('--channel <channel>', '回复方式：phone 电话 / sms 短信 / mail 邮件 / letter 信函 / visit 上门 / other 其他 / how the reply came')
    .requiredOption('--staff <user>', '操作人 / who records it')
    .option('--evidence <file>', '证据文件（截图、录音）/ evidence file')
    .option('--note <text>', '备注 / note')
    .action(async (id: string, opts: { at: string; channel: string; staff: string; evidence?: string; note?: string }) => {
      let evidence: { name: string; body: Uint8Array; contentType: string } | undefined;
      if (opts.evidence) {
        const body = await readFile(opts.evidence).catch(() => {
          throw new InputError(`无法读取证据文件 / cannot read evidence file: ${opts.evidence}`);
        });
        evidence = { name: path.basename(opts.evidence), body, contentType: 'application/octet-stream' };
      }
      const config = loadConfig();
      const stores = await openStores(config);
      try {
        const deps = mailDeps(stores, localMailConfig(process.env, config.dataDir), { dataDir: config.dataDir, actor: 'cli' });
        const e = await recordStaffReply(deps, id, {
          repliedAt: opts.at,
          channel: opts.channel,
          staff: opts.staff,
          ...(opts.note ? { note: opts.note } : {}),
          ...(evidence ? { evidence } : {}),
        });
        out(`已记录 / recorded ${e.id}\n`);
      } finally {
        await stores.close();
      }
    });

  letters
    .command('undo')
    .description('撤销一条工作人员记录（记一条新事件）/ undo a staff edit (a new event)')
    .argument('<id>', '信件 id / letter id')
    .argument('<event>', '要撤销的事件 id / event id to undo')
    .requiredOption('--staff <user>', '操作人 / who undoes it')
    .action(async (id: string, eventId: string, opts: { staff: string }) => {
      const config = loadConfig();
      const stores = await openStores(config);
      try {
        const e = await undoStaffEdit({ letters: stores.letters, events: stores.events, clock: { now: () => new Date() } }, id, eventId, opts.staff);
        out(`已撤销 / undone ${eventId} (${e.id})\n`);
      } finally {
        await stores.close();
      }
    });
}

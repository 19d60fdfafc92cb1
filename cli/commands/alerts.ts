/**
 * `huixin alerts list|run|send|digest|maintenance`: broken-channel alerts and the staff's daily digest.
 * Thin: logic in shared/app/alerts.ts; settings from HUIXIN_SMTP_URL / HUIXIN_ALERT_* (shared/adapters/alerts/config.ts).
 */
import { guardedFetch } from '../../shared/adapters/http/guarded-fetch.ts';
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../shared/config.ts';
import { loadAlertConfig } from '../../shared/adapters/alerts/config.ts';
import { alertDeps } from '../../shared/adapters/alerts/wiring.ts';
import { FsObjectStore } from '../../shared/adapters/object-store-fs.ts';
import { announceMaintenance, buildDailyDigest, runAlerts, runDailyDigest, sendPending, type AlertDeps } from '../../shared/app/alerts.ts';
import { openStores, type OpenStores } from '../../shared/local/runtime.ts';
import { bjTime } from '../../shared/domain/alerts/messages.ts';
import { out, errOut, safeJson, safeTerm } from '../output.ts';
import { parseInstantOption } from '../options.ts';
import { reasonText } from '../../shared/domain/reasons.ts';

const STATE_ZH: Record<string, string> = { suspected: '待复核', open: '不可用', recovered: '已恢复', dismissed: '复核正常' };

async function withDeps<T>(fn: (deps: ReturnType<typeof alertDeps>, stores: OpenStores) => Promise<T>, extra: { recheck?: boolean } = {}): Promise<T> {
  const config = loadConfig();
  const alertConfig = loadAlertConfig();
  const stores = await openStores(config);
  const objects = new FsObjectStore(path.join(config.dataDir, 'objects'));
  let closeBrowser: (() => Promise<void>) | undefined;
  try {
    let recheck: AlertDeps['recheck'];
    if (extra.recheck) {
      const { BrowserSubmitter } = await import('../../shared/adapters/browser/submitter.ts');
      const { checkChannel } = await import('../../shared/app/check-channel.ts');
      const submitter = await BrowserSubmitter.launch(objects, { pages: 1 });
      closeBrowser = () => submitter.close();
      recheck = async (site) => {
        await checkChannel({ submitter, objects, clock: { now: () => new Date() }, events: stores.events, fetchImpl: guardedFetch }, { siteId: site.id, url: site.consultUrl });
      };
    }
    const deps = alertDeps(stores, alertConfig, { objects, log: (m) => errOut(`huixin: ${m}\n`), ...(recheck ? { recheck } : {}) });
    try {
      return await fn(deps, stores);
    } finally {
      deps.senders.close();
    }
  } finally {
    await closeBrowser?.();
    await stores.close();
  }
}

const print = (s: string) => out(`${s}\n`);

export function register(program: Command): void {
  const alerts = program.command('alerts').description('留言栏目故障告警与每日摘要 / broken-channel alerts and the daily digest');

  alerts
    .command('list')
    .description('列出告警事件（默认仅未恢复的）/ list incidents (open ones by default)')
    .option('--all', '包括已恢复的 / include recovered incidents')
    .option('--deliveries', '列出发送记录 / list the deliveries (outbox) instead')
    .option('--json', '输出 JSON / print JSON')
    .action(async (o: { all?: boolean; deliveries?: boolean; json?: boolean }) => {
      await withDeps(async (deps) => {
        if (o.deliveries) {
          const ds = await deps.alerts.listDeliveries();
          if (o.json) return print(safeJson(ds.map(({ message, ...d }) => ({ ...d, subject: message.subject })), 2));
          if (ds.length === 0) return print('没有发送记录 / no deliveries');
          for (const d of ds) print(`${bjTime(d.createdAt)}  ${d.status.padEnd(7)}  ${d.target.id.padEnd(12)}  ${d.attempts} 次/attempts  ${safeTerm(d.message.subject)}${d.lastError ? `  (${safeTerm(d.lastError)})` : ''}`);
          return;
        }
        const all = await deps.alerts.listIncidents();
        const list = o.all ? all : all.filter((i) => i.state === 'open' || i.state === 'suspected');
        if (o.json) return print(safeJson(list, 2));
        if (list.length === 0) return print(o.all ? '没有告警事件 / no incidents' : '没有未恢复的告警 / no open incidents');
        for (const i of list) {
          print(`${i.siteId}  ${STATE_ZH[i.state] ?? i.state} ${i.state}  ${bjTime(i.startedAt)}${i.recoveredAt ? ` → ${bjTime(i.recoveredAt)}` : ''}  ${safeTerm(reasonText(i.reason))}  ${safeTerm(i.url)}${i.screenshot ? `  截图 ${deps.objects?.locate(i.screenshot.key) ?? i.screenshot.key}` : ''}`);
        }
      });
    });

  alerts
    .command('run')
    .description('读取新的栏目检查结果，生成告警 / read new channel observations and queue alerts')
    .option('--site <ids...>', '只看这些网站 / only these sites')
    .option('--recheck', '立即用浏览器复核疑似故障 / re-check suspected channels now (launches Chromium)')
    .option('--send', '随后发送 / then send what is due')
    .action(async (o: { site?: string[]; recheck?: boolean; send?: boolean }) => {
      await withDeps(
        async (deps) => {
          const r = await runAlerts(deps, o.site ? { siteIds: o.site } : {});
          print(`通知 notifications: ${r.notifications.length}  消息 messages: ${r.messages.length}  新发送项 queued: ${r.queued}  维护期内忽略 suppressed: ${r.suppressed.length}  待复核 suspected: ${r.suspected.length}`);
          for (const m of r.messages) print(`  ${safeTerm(m.subject)}`);
          if (o.send) {
            const s = await sendPending(deps);
            print(`已发送 sent: ${s.sent}  失败 failed attempts: ${s.failedAttempts}  放弃 gave up: ${s.gaveUp}`);
          }
        },
        { recheck: o.recheck ?? false },
      );
    });

  alerts
    .command('send')
    .description('发送到期的告警（失败的按退避重试）/ send due alerts (failed ones retry with backoff)')
    .action(async () => {
      await withDeps(async (deps) => {
        const s = await sendPending(deps);
        print(`已发送 sent: ${s.sent}  失败 failed attempts: ${s.failedAttempts}  放弃 gave up: ${s.gaveUp}`);
      });
    });

  alerts
    .command('digest')
    .description('每日摘要：逾期未复、待人工提交、待处理邮件、栏目故障 / the staff daily digest')
    .option('--as-of <time>', '截至时刻（ISO-8601，默认现在）/ as of this instant (default now)')
    .option('--send', '放入发送队列并发送 / queue it and send')
    .action(async (o: { asOf?: string; send?: boolean }) => {
      const asOf = o.asOf === undefined ? new Date() : new Date(parseInstantOption(o.asOf, '--as-of'));
      await withDeps(async (deps) => {
        if (!o.send) return print((await buildDailyDigest(deps, deps.sources, asOf)).text);
        const { message, queued } = await runDailyDigest(deps, deps.sources, asOf);
        print(safeTerm(message.subject));
        const s = await sendPending(deps);
        print(`新发送项 queued: ${queued}  已发送 sent: ${s.sent}  失败 failed attempts: ${s.failedAttempts}`);
      });
    });

  alerts
    .command('maintenance')
    .description('登记网站栏目维护期：期间不告警、不计为不可用 / announce a maintenance window (no alerts, not counted unavailable)')
    .argument('<site>', '网站标识码 / site id')
    .requiredOption('--from <time>', '开始（ISO-8601 带时区）/ start, ISO-8601 with offset')
    .requiredOption('--to <time>', '结束（ISO-8601 带时区）/ end, ISO-8601 with offset')
    .requiredOption('--reason <text>', '原因，如网站公告 / reason, e.g. the site’s notice')
    .option('--by <user>', '登记人 / who records it', process.env.USER ?? 'staff')
    .action(async (site: string, o: { from: string; to: string; reason: string; by: string }) => {
      await withDeps(async (deps) => {
        const e = await announceMaintenance(deps, { siteId: site, from: o.from, to: o.to, reason: o.reason, by: o.by });
        print(`已登记 recorded ${e.id}: ${site} ${bjTime(o.from)} → ${bjTime(o.to)}（北京时间）${o.reason}`);
      });
    });
}

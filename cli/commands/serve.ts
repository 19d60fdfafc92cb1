/**
 * `huixin serve`: the whole platform on one machine, in real time, with its data on disk — for an office that runs
 * real campaigns without AWS. The same handlers as in AWS: the local scheduler puts letters on the SQS-compatible
 * queue at their planned time, the submitter drives Chromium, replies arrive at the SMTP gateway, the public reply
 * lists are polled, alerts go out, and the staff dashboard is served behind a login. Ctrl-C stops it; a restart
 * picks up where it stopped (dynalite and the queues persist in HUIXIN_DATA_DIR; a letter claimed but not recorded
 * when it stopped becomes `unconfirmed`, never resent).
 */
import path from 'node:path';
import type { Command } from 'commander';
import { loadAlertConfig } from '../../shared/adapters/alerts/config.ts';
import { alertDeps } from '../../shared/adapters/alerts/wiring.ts';
import { FsObjectStore } from '../../shared/adapters/object-store-fs.ts';
import { runAlerts, sendPending } from '../../shared/app/alerts.ts';
import { ensureInitialAdmin } from '../../shared/app/auth.ts';
import { loadConfig } from '../../shared/config.ts';
import { InputError } from '../../shared/domain/errors.ts';
import { dashboardWiring } from '../../shared/local/dashboard.ts';
import { startLocalStack } from '../../shared/local/stack.ts';
import { startWebServer } from '../../shared/local/web-server.ts';
import { ensureWebBuilt, WEB_DIST } from './serve-web.ts';
import { out, errOut } from '../output.ts';

const MINUTE = 60_000;

function port(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InputError(`${flag}: not a port: ${value}`);
  return n;
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('在本机实时运行整个平台（数据存于磁盘，看板需登录）/ run the whole platform on this machine in real time (data on disk, dashboard behind a login)')
    .option('--port <n>', '看板端口 / dashboard port', '8080')
    .option('--host <host>', '看板监听地址 / dashboard listen address', '127.0.0.1')
    .option('--behind-https', '前面有 HTTPS 反向代理（会话 cookie 设为 Secure）/ an HTTPS reverse proxy is in front (Secure session cookie)')
    .option('--smtp-port <n>', '收信 SMTP 端口 / inbound SMTP port for replies', '2525')
    .option('--tick <seconds>', '调度与队列的轮询间隔 / how often schedules and queues are worked', '15')
    .action(async (opts: { port: string; host: string; smtpPort: string; tick: string; behindHttps?: boolean }) => {
      const webPort = port(opts.port, '--port');
      const smtpPort = port(opts.smtpPort, '--smtp-port');
      const tick = Number(opts.tick);
      if (!Number.isFinite(tick) || tick < 1) throw new InputError(`--tick must be ≥ 1 second, got ${opts.tick}`);
      const config = loadConfig();
      if (config.store !== 'embedded') throw new InputError('huixin serve runs the embedded default (HUIXIN_STORE=embedded); in AWS the same work is done by the deployed functions');
      const clock = { now: () => new Date() };
      const filesDir = path.join(config.dataDir, 'objects');
      await ensureWebBuilt();
      const stack = await startLocalStack({ dataDir: config.dataDir, filesDir, clock, smtpPort, log: (l) => errOut(`${l}\n`) });
      const objects = new FsObjectStore(filesDir);
      const { api, auth } = dashboardWiring(stack.stores, { dataDir: config.dataDir, clock, objects });
      const first = await ensureInitialAdmin(auth, clock);
      if (first) out(`首次启动：已创建管理员 first start: created user ${first.name} with password ${first.password}\n（只显示这一次 shown once）\n`);
      const web = await startWebServer({ api, auth, clock, staticDir: WEB_DIST, port: webPort, host: opts.host, behindHttps: opts.behindHttps ?? false });
      const alerts = alertDeps(stack.stores, loadAlertConfig(), { objects, clock });
      out(
        `回信 huixin 已启动 running · 看板 dashboard ${web.url}/ · 收信 SMTP 127.0.0.1:${stack.smtp.port} (${stack.mailDomain}) · 数据 data ${config.dataDir}\n按 Ctrl-C 停止 / Ctrl-C to stop\n`,
      );

      let stopping = false;
      let lastPoll = 0;
      let lastAlerts = 0;
      const work = async () => {
        await stack.pump();
        const now = clock.now().getTime();
        if (now - lastPoll >= 6 * 60 * MINUTE) {
          lastPoll = now;
          await stack.pollReplyLists(); // every running or paused campaign's open letters
        }
        if (now - lastAlerts >= 15 * MINUTE) {
          lastAlerts = now;
          await runAlerts(alerts);
          await sendPending(alerts);
        }
      };
      const loop = (async () => {
        while (!stopping) {
          try {
            await work();
          } catch (err) {
            errOut(`huixin: ${err instanceof Error ? err.message : String(err)}\n`);
          }
          await new Promise((r) => setTimeout(r, tick * 1000));
        }
      })();
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      stopping = true;
      errOut('huixin: 正在停止 stopping…\n');
      await loop;
      await web.close();
      await stack.close();
    });
}

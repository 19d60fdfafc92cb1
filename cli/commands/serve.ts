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
import { DEFAULT_MAIL_DOMAIN } from '../../shared/adapters/mail/config.ts';
import { FsObjectStore } from '../../shared/adapters/object-store-fs.ts';
import { runAlerts, sendPending } from '../../shared/app/alerts.ts';
import { dailyPollDue } from '../../shared/app/reply-lists.ts';
import { beijingDate } from '../../shared/domain/beijing-time.ts';
import { ensureInitialAdmin } from '../../shared/app/auth.ts';
import { loadConfig } from '../../shared/config.ts';
import { InputError } from '../../shared/domain/errors.ts';
import { dashboardWiring } from '../../shared/local/dashboard.ts';
import { startLocalStack } from '../../shared/local/stack.ts';
import { startWebServer } from '../../shared/local/web-server.ts';
import { ensureWebBuilt, WEB_DIST } from './serve-web.ts';
import { out, errOut } from '../output.ts';
import { isLoopback, listenError, port, smtpTls, systemDns } from '../listen.ts';

const MINUTE = 60_000;

export function register(program: Command): void {
  program
    .command('serve')
    .description('在本机实时运行整个平台（数据存于磁盘，看板需登录）/ run the whole platform on this machine in real time (data on disk, dashboard behind a login)')
    .option('--port <n>', '看板端口 / dashboard port', '8080')
    .option('--host <host>', '看板监听地址 / dashboard listen address', '127.0.0.1')
    .option('--behind-https', '前面有 HTTPS 反向代理（会话 cookie 设为 Secure）/ an HTTPS reverse proxy is in front (Secure session cookie)')
    .option('--smtp-port <n>', '收信 SMTP 端口 / inbound SMTP port for replies', '2525')
    .option('--smtp-host <host>', '收信 SMTP 监听地址（本机作 MX 时用 0.0.0.0）/ inbound SMTP listen address (0.0.0.0 when this machine is the MX)', '127.0.0.1')
    .option('--smtp-tls-key <file>', '收信 STARTTLS 私钥（PEM）/ the PEM key for the inbound SMTP\'s STARTTLS')
    .option('--smtp-tls-cert <file>', '收信 STARTTLS 证书链（PEM）/ the PEM certificate chain for the inbound SMTP\'s STARTTLS')
    .option('--tick <seconds>', '调度与队列的轮询间隔 / how often schedules and queues are worked', '15')
    .option('--allow-private-hosts', '允许浏览器与回复列表查询访问本机与内网地址（沙箱、内网测试）/ let the browser and the reply-list polls reach loopback and private addresses (the sandbox, an intranet test)')
    .action(async (opts: { port: string; host: string; smtpPort: string; smtpHost: string; smtpTlsKey?: string; smtpTlsCert?: string; tick: string; behindHttps?: boolean; allowPrivateHosts?: boolean }) => {
      const webPort = port(opts.port, '--port');
      const smtpPort = port(opts.smtpPort, '--smtp-port');
      const tls = smtpTls(opts.smtpTlsKey, opts.smtpTlsCert);
      const tick = Number(opts.tick);
      if (!Number.isFinite(tick) || tick < 1) throw new InputError(`--tick 须至少 1 秒 / must be ≥ 1 second, got ${opts.tick}`);
      const config = loadConfig();
      if (config.store !== 'embedded') throw new InputError('huixin serve 只运行本机默认栈（HUIXIN_STORE=embedded）；在 AWS 中同样的工作由已部署的函数完成 / huixin serve runs the embedded default (HUIXIN_STORE=embedded); in AWS the same work is done by the deployed functions');
      const clock = { now: () => new Date() };
      const filesDir = path.join(config.dataDir, 'objects');
      await ensureWebBuilt();
      const log = (l: string) => errOut(`${l}\n`);
      const stack = await startLocalStack({ dataDir: config.dataDir, filesDir, clock, smtpPort, smtpHost: opts.smtpHost, ...(tls ? { smtpTls: tls } : {}), log, allowPrivateHosts: !!opts.allowPrivateHosts,
        // SPF/DKIM/DMARC of the replies with this machine's DNS (as SES does in AWS), never hanging on a dead resolver
        mailDns: systemDns() }).catch((err: unknown) => {
        throw listenError(err, '--smtp-port', '--smtp-host');
      });
      // From here on a failure stops the stack, so the process exits and the data folder is free for the next start.
      let web: Awaited<ReturnType<typeof startWebServer>>;
      let alerts: ReturnType<typeof alertDeps>;
      try {
        const objects = new FsObjectStore(filesDir);
        const { api, auth } = dashboardWiring(stack.stores, { dataDir: config.dataDir, clock, objects });
        const first = await ensureInitialAdmin(auth, clock);
        if (first) out(`首次启动：已创建管理员 first start: created user ${first.name} with password ${first.password}\n（只显示这一次 shown once）\n`);
        web = await startWebServer({ api, auth, clock, staticDir: WEB_DIST, port: webPort, host: opts.host, behindHttps: opts.behindHttps ?? false }).catch((err: unknown) => {
          throw listenError(err, '--port', '--host');
        });
        alerts = alertDeps(stack.stores, loadAlertConfig(), { objects, clock });
      } catch (err) {
        await stack.close();
        throw err;
      }
      if (stack.mailDomain === DEFAULT_MAIL_DOMAIN)
        errOut(
          `huixin: 警告：HUIXIN_MAIL_DOMAIN 未设置，信件的回信地址在 @${DEFAULT_MAIL_DOMAIN}，外网无法投递 / ` +
            `WARNING: HUIXIN_MAIL_DOMAIN is unset: letters carry reply addresses @${DEFAULT_MAIL_DOMAIN}, which no site can reach; set it to a domain whose MX points here\n`,
        );
      if (!tls && !isLoopback(opts.smtpHost))
        errOut(
          `huixin: 警告：收信 SMTP 未启用 STARTTLS，回信在网络上明文传输 / WARNING: the inbound SMTP on ${opts.smtpHost} offers no STARTTLS: replies cross the network in clear; give --smtp-tls-key and --smtp-tls-cert\n`,
        );
      out(
        `回信 huixin 已启动 running · 看板 dashboard ${web.url}/ · 收信 SMTP ${stack.smtp.host}:${stack.smtp.port}${tls ? ' STARTTLS' : ''} (@${stack.mailDomain}) · 数据 data ${config.dataDir}\n按 Ctrl-C 停止 / Ctrl-C to stop\n`,
      );

      let stopping = false;
      let wake = () => {};
      let lastPollDate: string | undefined;
      let lastAlerts = 0;
      const work = async () => {
        await stack.pump();
        const now = clock.now().getTime();
        // once a day from 08:00 Beijing, as in AWS (and as the domain asks: daily, and again at each deadline)
        if (dailyPollDue(lastPollDate, now)) {
          lastPollDate = beijingDate(now);
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
          if (stopping) break;
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, tick * 1000);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
        }
      })();
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      stopping = true;
      stack.stopConsuming(); // the letters being submitted are finished; the queued ones wait for the next start
      wake(); // stop now, not at the next tick
      errOut('huixin: 正在停止 stopping…\n');
      await loop;
      await web.close();
      await stack.close();
    });
}

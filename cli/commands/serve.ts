/**
 * `huixin serve`: the whole platform on one machine, in real time, with its data on disk — for an office that runs
 * real campaigns without AWS. The same handlers as in AWS: the local scheduler puts letters on the SQS-compatible
 * queue at their planned time, the submitter drives Chromium, replies arrive at the SMTP gateway, the public reply
 * lists are polled, alerts go out, and the staff dashboard is served behind a login. Ctrl-C stops it; a restart
 * picks up where it stopped (dynalite and the queues persist in HUIXIN_DATA_DIR; a letter claimed but not recorded
 * when it stopped becomes `unconfirmed`, never resent).
 */
import { resolve as resolveDns } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createSecureContext } from 'node:tls';
import type { Command } from 'commander';
import { loadAlertConfig } from '../../shared/adapters/alerts/config.ts';
import { alertDeps } from '../../shared/adapters/alerts/wiring.ts';
import { timeoutResolver } from '../../shared/adapters/mail/auth.ts';
import { DEFAULT_MAIL_DOMAIN } from '../../shared/adapters/mail/config.ts';
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

/** A listen error as the operator can act on it (the port taken, a port below 1024 without the right, no such address). */
function listenError(err: unknown, portFlag: string, hostFlag: string): unknown {
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
  const where = `${e.address ?? '?'}:${e.port ?? '?'}`;
  if (e.code === 'EADDRINUSE')
    return new InputError(`${where} 已被另一个程序占用，请停止它或换一个 ${portFlag} / ${where} is already in use by another program: stop it or choose another ${portFlag}`);
  if (e.code === 'EACCES')
    return new InputError(
      `无权监听 ${where}：1024 以下的端口需要 root 或 CAP_NET_BIND_SERVICE / no permission to listen on ${where}: ports below 1024 need root or CAP_NET_BIND_SERVICE ` +
        `(\`sudo setcap cap_net_bind_service=+ep "$(command -v node)"\`), or keep a high ${portFlag} and redirect the port to it in the firewall`,
    );
  if (e.code === 'EADDRNOTAVAIL')
    return new InputError(`本机没有地址 ${e.address ?? '?'}，请检查 ${hostFlag} / this machine has no address ${e.address ?? '?'}: check ${hostFlag}`);
  return err;
}

/** The office's key and certificate chain (PEM files) for the inbound SMTP's STARTTLS, checked now rather than at the first mail. */
function smtpTls(keyFile: string | undefined, certFile: string | undefined): { key: Buffer; cert: Buffer } | undefined {
  if (!keyFile && !certFile) return undefined;
  if (!keyFile || !certFile) throw new InputError('--smtp-tls-key 与 --smtp-tls-cert 需同时给出 / --smtp-tls-key and --smtp-tls-cert go together');
  const read = (file: string, flag: string) => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new InputError(`${flag}: 无法读取 cannot read ${file}: ${(err as Error).message}`);
    }
  };
  const tls = { key: read(keyFile, '--smtp-tls-key'), cert: read(certFile, '--smtp-tls-cert') };
  try {
    createSecureContext(tls);
  } catch (err) {
    throw new InputError(`--smtp-tls-key/--smtp-tls-cert: 不是匹配的 PEM 私钥与证书 / not a matching PEM key and certificate: ${(err as Error).message}`);
  }
  return tls;
}

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
    .action(async (opts: { port: string; host: string; smtpPort: string; smtpHost: string; smtpTlsKey?: string; smtpTlsCert?: string; tick: string; behindHttps?: boolean }) => {
      const webPort = port(opts.port, '--port');
      const smtpPort = port(opts.smtpPort, '--smtp-port');
      const tls = smtpTls(opts.smtpTlsKey, opts.smtpTlsCert);
      const tick = Number(opts.tick);
      if (!Number.isFinite(tick) || tick < 1) throw new InputError(`--tick must be ≥ 1 second, got ${opts.tick}`);
      const config = loadConfig();
      if (config.store !== 'embedded') throw new InputError('huixin serve runs the embedded default (HUIXIN_STORE=embedded); in AWS the same work is done by the deployed functions');
      const clock = { now: () => new Date() };
      const filesDir = path.join(config.dataDir, 'objects');
      await ensureWebBuilt();
      const log = (l: string) => errOut(`${l}\n`);
      const stack = await startLocalStack({ dataDir: config.dataDir, filesDir, clock, smtpPort, smtpHost: opts.smtpHost, ...(tls ? { smtpTls: tls } : {}), log,
        // SPF/DKIM/DMARC of the replies with this machine's DNS (as SES does in AWS), never hanging on a dead resolver
        mailDns: timeoutResolver((name, rr) => resolveDns(name, rr) as Promise<unknown[]>) }).catch((err: unknown) => {
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
      if (!tls && !/^(127\.|::1$|localhost$)/.test(opts.smtpHost))
        errOut(
          `huixin: 警告：收信 SMTP 未启用 STARTTLS，回信在网络上明文传输 / WARNING: the inbound SMTP on ${opts.smtpHost} offers no STARTTLS: replies cross the network in clear; give --smtp-tls-key and --smtp-tls-cert\n`,
        );
      out(
        `回信 huixin 已启动 running · 看板 dashboard ${web.url}/ · 收信 SMTP ${stack.smtp.host}:${stack.smtp.port}${tls ? ' STARTTLS' : ''} (@${stack.mailDomain}) · 数据 data ${config.dataDir}\n按 Ctrl-C 停止 / Ctrl-C to stop\n`,
      );

      let stopping = false;
      let wake = () => {};
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
      wake(); // stop now, not at the next tick; work under way (a letter being submitted) is finished first
      errOut('huixin: 正在停止 stopping…\n');
      await loop;
      await web.close();
      await stack.close();
    });
}

/**
 * `huixin serve-web [--port N] [--host H]`: the staff dashboard on this machine (built front end + API behind a
 * login). At first start, with no user, creates `admin` with a random password and prints it once.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { loadConfig } from '../../shared/config.ts';
import { ensureInitialAdmin } from '../../shared/app/auth.ts';
import { dashboardWiring } from '../../shared/local/dashboard.ts';
import { openStores } from '../../shared/local/runtime.ts';
import { startWebServer } from '../../shared/local/web-server.ts';
import { out, errOut } from '../output.ts';
import { port as listenPort } from '../listen.ts';

export const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'web', 'dist');

/** Build web/dist on first use (a fresh clone has none). */
export async function ensureWebBuilt(): Promise<void> {
  if (existsSync(path.join(WEB_DIST, 'index.html'))) return;
  errOut('huixin: 正在构建前端 building the front end (web/dist)…\n');
  try {
    await (await import('../../web/build.ts')).buildWeb();
  } catch (err) {
    errOut(`huixin: 前端构建失败 could not build the front end (${err instanceof Error ? err.message : String(err)}): run \`npm run build:web\`\n`);
  }
}

export function register(program: Command): void {
  program
    .command('serve-web')
    .description('启动工作人员看板（需登录）/ serve the staff dashboard (login required)')
    .option('--port <n>', '端口 / port', '8080')
    .option('--host <host>', '监听地址 / listen address', '127.0.0.1')
    .option('--behind-https', '前面有 HTTPS 反向代理（会话 cookie 设为 Secure）/ an HTTPS reverse proxy is in front (Secure session cookie)')
    .action(async (opts: { port: string; host: string; behindHttps?: boolean }) => {
      const port = listenPort(opts.port, '--port');
      await ensureWebBuilt();
      const config = loadConfig();
      const stores = await openStores(config);
      const clock = { now: () => new Date() };
      const { api, auth } = dashboardWiring(stores, { dataDir: config.dataDir, clock });
      const first = await ensureInitialAdmin(auth, clock);
      if (first) out(`首次启动：已创建管理员 first start: created user ${first.name} with password ${first.password}\n（只显示这一次 shown once）\n`);
      const server = await startWebServer({ api, auth, clock, staticDir: WEB_DIST, port, host: opts.host, behindHttps: opts.behindHttps ?? false });
      out(`看板 dashboard: ${server.url}/\n`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await server.close();
      await stores.close();
    });
}

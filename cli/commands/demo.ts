import path from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { overallSentence } from '../../shared/adapters/report/html.ts';
import { InputError } from '../../shared/domain/errors.ts';
import { FsObjectStore } from '../../shared/adapters/object-store-fs.ts';
import { ensureInitialAdmin } from '../../shared/app/auth.ts';
import { dashboardWiring } from '../../shared/local/dashboard.ts';
import { runDemo, type DemoResult } from '../../shared/local/demo.ts';
import type { LocalStack } from '../../shared/local/stack.ts';
import { startWebServer } from '../../shared/local/web-server.ts';
import { ensureWebBuilt, WEB_DIST } from './serve-web.ts';
import { out, errOut } from '../output.ts';
import { port } from '../listen.ts';

/** `huixin demo` — what `npm start` runs. */
export function register(program: Command): void {
  program
    .command('demo')
    .description(
      '演示：在内置的模拟咨询网站上跑完一整期信件测试（快进的时钟），输出通报结果 / run a whole campaign against the built-in sandbox on a fast-forwarded clock and publish the results',
    )
    .option('--sites <n>', '模拟网站数量 / number of sandbox sites (12–354)', '60')
    .option('--seed <n>', '随机种子 / seed of the sandbox fleet and the plan', '1')
    .option('--out <dir>', '结果目录 / output folder', path.join('out', 'demo'))
    .option('--start <date>', '首个发信日 / first sending day (Beijing date)', '2026-10-12')
    .option('--window-end <date>', '观察窗口截止日 / the window closes at the end of this day', '2026-12-31')
    .option('--no-progress', '不显示进度条 / no progress bar')
    .option('--stay-up [port]', '结束后继续提供工作人员看板（需登录）/ afterwards keep serving the staff dashboard (login required)')
    .action(async (opts: { sites: string; seed: string; out: string; start: string; windowEnd: string; progress: boolean; stayUp?: string | boolean }) => {
      const sites = Number(opts.sites);
      const seed = Number(opts.seed);
      if (!Number.isInteger(sites) || sites < 12 || sites > 354) throw new InputError(`--sites 须为 12 到 354 的整数 / must be an integer from 12 to 354, got ${opts.sites}`);
      if (!Number.isInteger(seed)) throw new InputError(`--seed 须为整数 / must be an integer, got ${opts.seed}`);
      const outDir = path.resolve(opts.out, new Date().toISOString().replace(/[:.]/g, '-'));
      const interactive = opts.progress && process.stderr.isTTY;
      const bar = new cliProgress.SingleBar(
        {
          format: '模拟季度 {bar} {value}/{total} 天 | {now} | 已发信 {sent}/{letters} | 已收到回复 {replies}',
          stream: process.stderr,
          hideCursor: true,
          noTTYOutput: false,
        },
        cliProgress.Presets.shades_classic,
      );
      let started = false;
      let lastLine = -1;
      errOut(`回信 huixin 演示：${sites} 个模拟网站，每站 2 封测试信件，${opts.start} 起，观察至 ${opts.windowEnd}。\n`);
      const stayUp = opts.stayUp === undefined || opts.stayUp === false ? undefined : opts.stayUp === true ? 8080 : port(String(opts.stayUp), '--stay-up');
      const result = await runDemo({
        outDir,
        ...(stayUp !== undefined ? { onFinished: (stack, r) => serveDashboard(stack, outDir, stayUp, () => printSummary(r)) } : {}),
        sites,
        seed,
        start: opts.start,
        windowEnd: opts.windowEnd,
        onProgress: (p) => {
          const payload = { now: p.now.slice(0, 16).replace('T', ' '), sent: p.sent, letters: p.letters, replies: p.replies };
          if (interactive) {
            if (!started) {
              bar.start(p.days, 0, payload);
              started = true;
            }
            bar.update(p.day, payload);
          } else if (opts.progress && Math.floor(p.day / 7) !== lastLine) {
            lastLine = Math.floor(p.day / 7);
            errOut(`  第 ${p.day}/${p.days} 天 ${payload.now}  已发信 ${p.sent}/${p.letters}  已收到回复 ${p.replies}\n`);
          }
        },
      }).finally(() => {
        if (started) bar.stop();
      });
      if (stayUp === undefined) printSummary(result);
    });
}

function printSummary(result: DemoResult): void {
  const s = result.summary;
  const lines = [
    '',
    `${s.campaign.name}`,
    overallSentence(s),
    s.allSameDay.length > 0
      ? `${s.allSameDay.length}家网站对测试信件全部实现当日回复：${s.allSameDay.join('、')}。`
      : '没有网站对全部测试信件实现当日回复。',
    s.gated.letters > 0
      ? `另有${s.gated.letters}封信件因验证码、短信验证、实名登录等需人工提交（${s.gated.submittedByStaff}封已由工作人员提交），见待办队列。`
      : '',
    '',
    `结果已发布 / published: ${result.publishedAt}`,
    `草稿与核验 / draft: ${result.reportDir}  (npx huixin report verify ${path.relative(process.cwd(), result.reportDir)})`,
    `用时 / took ${result.seconds.toFixed(1)} s`,
  ].filter((l, i, all) => l !== '' || (i > 0 && all[i - 1] !== ''));
  out(`${lines.join('\n')}\n`);
}

/** `--stay-up`: the dashboard over the demo's stores, until Ctrl-C. */
async function serveDashboard(stack: LocalStack, outDir: string, port: number, print: () => void): Promise<void> {
  print();
  await ensureWebBuilt();
  const clock = { now: () => new Date() };
  const { api, auth } = dashboardWiring(stack.stores, { dataDir: outDir, clock, objects: new FsObjectStore(path.join(outDir, 'files')) });
  const first = await ensureInitialAdmin(auth, clock);
  const web = await startWebServer({ api, auth, clock, staticDir: WEB_DIST, port, host: '127.0.0.1' });
  out(`\n看板 dashboard: ${web.url}/  用户 user: ${first?.name ?? 'admin'}  密码 password: ${first?.password ?? '(已设置 set before)'}\n按 Ctrl-C 退出 / Ctrl-C to stop\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await web.close();
}

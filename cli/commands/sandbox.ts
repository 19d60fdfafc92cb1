import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import { InputError } from '../../shared/domain/errors.ts';
import { defaultFleet, MAX_FLEET } from '../../sandbox/fleet.ts';
import { startSandbox } from '../../sandbox/server.ts';
import { out, errOut } from '../output.ts';

const Options = z.object({
  port: z.coerce.number().int().min(0).max(65535),
  platformPort: z.coerce.number().int().min(0).max(65535),
  sites: z.coerce.number().int().min(1).max(MAX_FLEET),
  seed: z.coerce.number().int().min(0),
  smtp: z
    .string()
    .regex(/^[^:\s]+:\d{1,5}$/, 'expected HOST:PORT')
    .optional(),
  slowMs: z.coerce.number().int().min(0).max(600_000),
  tickSeconds: z.coerce.number().int().min(1).max(86_400),
  registryOut: z.string().min(1).optional(),
});

/** `huixin sandbox`: serve the default fleet of simulated government sites until Ctrl-C. */
export function register(program: Command): void {
  program
    .command('sandbox')
    .description('启动模拟政府网站沙箱（默认 60 个站点，含 12345 平台），直到 Ctrl-C / serve the simulated government sites (default fleet) until Ctrl-C')
    .option('--port <N>', '站点端口，0 为随机 / port of the sites (0 = random)', '0')
    .option('--platform-port <N>', '12345 平台端口，0 为随机 / port of the 12345 platform (0 = random)', '0')
    .option('--sites <N>', `站点数量（1–${MAX_FLEET}）/ number of sites`, '60')
    .option('--seed <N>', '随机种子：同一种子生成同一批站点 / fleet seed (same seed, same fleet)', '1')
    .option('--smtp <HOST:PORT>', '回复邮件投递到此 SMTP 服务器 / deliver reply mails to this SMTP server')
    .option('--slow-ms <MS>', 'slow 站点的响应延迟（毫秒）/ response delay of slow sites (ms)', '10000')
    .option('--tick-seconds <S>', '每隔 S 秒按当前时间投递到期回复 / deliver due replies every S seconds (system clock)', '30')
    .option('--registry-out <FILE>', '把站点名录写成 CSV（可用 huixin sites import 导入）/ write the fleet as a registry CSV')
    .addHelpText('after', '\n示例 / example:\n  huixin sandbox --port 8080 --sites 60 --smtp 127.0.0.1:2525 --registry-out sites.csv\n  huixin sites import sites.csv --allow-private-hosts')
    .action(async (raw: Record<string, string | undefined>) => {
      const parsed = Options.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new InputError(`--${String(issue?.path[0] ?? '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ${issue?.message ?? 'invalid'}`);
      }
      const o = parsed.data;
      const fleet = defaultFleet({ count: o.sites, seed: o.seed });
      const [smtpHost, smtpPort] = o.smtp ? (o.smtp.split(':') as [string, string]) : [];
      const sb = await startSandbox({
        sites: fleet.specs,
        port: o.port,
        platformPort: o.platformPort,
        slowMs: o.slowMs,
        seed: o.seed,
        onSecret: (key, kind, value) => {
          if (kind === 'sms') out(`【短信】${key} 验证码 ${value}（5分钟内有效）/ SMS code for ${key}: ${value}\n`);
        },
        ...(smtpHost && smtpPort ? { smtp: { host: smtpHost, port: Number(smtpPort) } } : {}),
      });
      if (o.registryOut) {
        try {
          writeFileSync(o.registryOut, fleet.registryCsv(sb));
        } catch (err) {
          await sb.close();
          throw new InputError(`--registry-out ${o.registryOut}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
        }
        out(`站点名录 / registry CSV: ${o.registryOut}\n`);
      }
      out(`huixin sandbox: ${fleet.sites.length} 个模拟站点 / simulated sites at ${sb.origin}/\n12345 平台 / platform: ${sb.platformOrigin}/\n\n`);
      for (const s of fleet.sites) {
        out(`${s.spec.key}\t${s.site.id}\t${s.spec.variant.padEnd(16)}\t${s.behaviour.padEnd(14)}\t${s.site.name}\t${sb.consultUrlOf(s.spec.key)}\n`);
      }
      out(`\n${o.smtp ? `回复邮件投递到 / reply mails go to ${o.smtp}` : '未配置 SMTP：回复只发布在站点列表 / no --smtp: replies appear on the sites\' lists only'}\n按 Ctrl-C 停止 / press Ctrl-C to stop\n`);
      const timer = setInterval(() => {
        sb.tick(new Date()).catch((err: unknown) => errOut(`huixin sandbox: reply delivery failed: ${err instanceof Error ? err.message : String(err)}\n`));
      }, o.tickSeconds * 1000);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      clearInterval(timer);
      await sb.close();
      out('huixin sandbox: stopped\n');
    });
}

/**
 * `huixin submit --url URL [--question TEXT] [--reply-to EMAIL] [--dry-run] [--json] [--allow-private-hosts]`:
 * submit one letter (or only fill it, with --dry-run) in a real headless browser and print the classified outcome.
 */
import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { BrowserSubmitter } from '../../shared/adapters/browser/submitter.ts';
import { FsObjectStore } from '../../shared/adapters/object-store-fs.ts';
import { InputError } from '../../shared/domain/errors.ts';
import { parseProfile, type SiteProfile } from '../../shared/domain/forms/profile.ts';
import { personaFromEnv, questionFromText, QUESTIONS } from '../../shared/domain/questions.ts';
import { ids } from '../../shared/app/ids.ts';
import { out, safeJson } from '../output.ts';
import { reasonText } from '../../shared/domain/reasons.ts';

const optionsSchema = z.object({
  url: z.url({ protocol: /^https?$/, error: '--url 需要 http(s) 网址 / --url must be an http(s) URL' }),
  question: z.string().trim().min(5, '--question 至少 5 个字 / --question needs at least 5 characters').max(2000).optional(),
  replyTo: z.email({ error: '--reply-to 需要电子邮件地址 / --reply-to must be an e-mail address' }).optional(),
  dryRun: z.boolean().optional(),
  json: z.boolean().optional(),
  evidenceDir: z.string().min(1),
  timeout: z.coerce.number().int().min(1000).max(120_000),
  profile: z.string().optional(),
  allowPrivateHosts: z.boolean().optional(),
});

const ZH: Record<string, string> = {
  submitted: '已提交',
  gated: '需人工（验证码/短信/登录）',
  unavailable: '栏目不可用',
  unconfirmed: '已发送但未见确认',
  'script-broken': '脚本失效（非网站问题）',
  ready: '可提交（未发送）',
};

export function register(program: Command): void {
  program
    .command('submit')
    .description('用真实无头浏览器提交一封测试信件（或 --dry-run 只填写不提交）/ submit one test letter in a headless browser')
    .requiredOption('--url <url>', '咨询/留言页面网址 / consultation page URL')
    .option('--question <text>', '问题正文（默认取问题库）/ question text (default: from the question bank)')
    .option('--reply-to <email>', '回复邮箱（默认 HUIXIN_PERSONA_EMAIL）/ reply address')
    .option('--dry-run', '只打开、查找、填写，不提交 / open, find, fill — never submit')
    .option('--json', '输出一个 JSON 对象 / print one JSON object')
    .option('--evidence-dir <dir>', '证据目录 / evidence folder', '.huixin/evidence')
    .option('--timeout <ms>', '导航超时（毫秒）/ navigation timeout (ms)', '15000')
    .option('--profile <file>', '站点配置 JSON / site profile JSON file')
    .option('--allow-private-hosts', '允许浏览器访问本机与内网地址（沙箱、内网测试）/ let the browser reach loopback and private addresses (the sandbox, an intranet test)')
    .action(async (raw: Record<string, unknown>) => {
      const parsed = optionsSchema.safeParse(raw);
      if (!parsed.success) {
        // name the option (`--timeout: Too small…`) unless the message already does
        const issue = parsed.error.issues[0];
        const option = `--${String(issue?.path[0] ?? '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
        const message = issue?.message ?? 'invalid';
        throw new InputError(message.startsWith('--') ? message : `${option}: ${message}`);
      }
      const o = parsed.data;
      const profile = o.profile ? await loadProfile(o.profile) : undefined;
      const persona = personaFromEnv(process.env, o.replyTo);
      const q = o.question ? questionFromText(o.question) : (QUESTIONS.find((x) => x.id === process.env.HUIXIN_QUESTION_ID) ?? QUESTIONS[0]!);
      const objects = new FsObjectStore(resolve(o.evidenceDir));
      const submitter = await BrowserSubmitter.launch(objects, { pages: 1, navigationTimeoutMs: o.timeout, allowPrivateHosts: !!o.allowPrivateHosts });
      try {
        const r = await submitter.submit({
          url: o.url,
          content: { name: persona.name, phone: persona.phone, email: persona.email, title: q.title, body: q.body },
          dryRun: o.dryRun ?? false,
          profile,
          evidencePrefix: `cli/${ids.event()}`,
        });
        const e = r.evidence;
        const result = {
          outcome: r.outcome,
          reason: r.reason,
          queryCode: r.queryCode,
          submittedAt: r.submittedAt,
          channel: r.channel,
          evidence: {
            screenshot: e.screenshot ? objects.locate(e.screenshot.key) : null,
            html: e.html ? objects.locate(e.html.key) : null,
            finalUrl: e.finalUrl,
            sha256: { ...(e.screenshot ? { screenshot: e.screenshot.sha256 } : {}), ...(e.html ? { html: e.html.sha256 } : {}) },
            codes: e.codes,
            timings: e.timings,
          },
        };
        if (o.json) out(`${safeJson(result)}\n`);
        else {
          out(
            [
              `结果 / outcome: ${ZH[r.outcome] ?? r.outcome}：${reasonText(r.reason)} (${r.outcome}, ${r.reason})`,
              `查询码 / query code: ${r.queryCode ?? '—'}`,
              `提交时间 / submitted at: ${r.submittedAt ?? '—'}`,
              `最终网址 / final URL: ${e.finalUrl}`,
              `截图 / screenshot: ${result.evidence.screenshot ?? '—'}`,
              `网页 / HTML: ${result.evidence.html ?? '—'}`,
              '',
            ].join('\n'),
          );
        }
      } finally {
        await submitter.close();
      }
    });
}

async function loadProfile(file: string): Promise<SiteProfile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new InputError(`读不到站点配置 / cannot read profile file: ${file}`);
  }
  try {
    return parseProfile(JSON.parse(text));
  } catch (err) {
    const msg = err instanceof z.ZodError ? (err.issues[0]?.message ?? 'invalid') : err instanceof Error ? err.message : String(err);
    throw new InputError(`站点配置无效 / invalid profile ${file}: ${msg.split('\n')[0]}`);
  }
}

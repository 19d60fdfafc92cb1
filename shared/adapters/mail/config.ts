/**
 * Mail settings from the environment (validated with zod). The composition root reads them and passes the
 * values down; domain code takes the secret and domain as parameters.
 * - HUIXIN_REPLY_SECRET: the reply-address HMAC secret (Secrets Manager/SSM in AWS, env locally). Unset → no exact matching.
 * - HUIXIN_MAIL_DOMAIN: the domain reply addresses live under (default `reply.huixin.local`).
 * - HUIXIN_MAIL_MAX_BYTES: refuse mail over this size (default 25 MB).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { InputError } from '../../domain/errors.ts';
import { DEFAULT_MAIL_LIMITS } from './parse.ts';

/** The mail domain when HUIXIN_MAIL_DOMAIN is unset: fine for the demo and tests, unreachable from the internet. */
export const DEFAULT_MAIL_DOMAIN = 'reply.huixin.local';

const Schema = z.object({
  HUIXIN_REPLY_SECRET: z.string().optional(),
  HUIXIN_MAIL_DOMAIN: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9.-]+\.[a-z0-9-]+$/, 'a mail domain such as reply.example.gov.cn')
    .default(DEFAULT_MAIL_DOMAIN),
  HUIXIN_MAIL_MAX_BYTES: z.coerce.number().int().positive().default(DEFAULT_MAIL_LIMITS.maxBytes),
});

export interface MailConfig {
  replySecret: string;
  mailDomain: string;
  maxBytes: number;
}

export function loadMailConfig(env: Record<string, string | undefined> = process.env): MailConfig {
  const clean = Object.fromEntries(
    Object.entries(env).filter(([k, v]) => k.startsWith('HUIXIN_MAIL_') || k === 'HUIXIN_REPLY_SECRET' ? v !== '' : false),
  );
  const r = Schema.safeParse(clean);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new InputError(`配置错误 / bad configuration: ${i?.path.join('.')}: ${i?.message}`);
  }
  return { replySecret: r.data.HUIXIN_REPLY_SECRET ?? '', mailDomain: r.data.HUIXIN_MAIL_DOMAIN, maxBytes: r.data.HUIXIN_MAIL_MAX_BYTES };
}

/**
 * The reply-address secret, one way for every runtime:
 * 1. `HUIXIN_REPLY_SECRET` (set by the operator);
 * 2. in AWS, the SSM SecureString named by `HUIXIN_REPLY_SECRET_PARAM` (see `resolveMailConfig`);
 * 3. on the embedded default with data on disk, `<dataDir>/reply-secret`, created once with 32 random bytes (mode 0600);
 * 4. otherwise (an in-memory demo) a random secret for the life of the process.
 * The secret never lives in the repository.
 */
let ephemeralSecret: string | undefined;

/** Said once per process on stderr: a secret in the environment that is not the one the data folder's letters were signed with. */
let warnedSecret = false;
const warnOnce = (m: string) => {
  if (warnedSecret) return;
  warnedSecret = true;
  process.stderr.write(`huixin: ${m}\n`);
};

export function localMailConfig(env: Record<string, string | undefined> = process.env, dataDir?: string, warn: (message: string) => void = warnOnce): MailConfig {
  const config = loadMailConfig(env);
  if (config.replySecret) {
    const stored = dataDir ? path.join(dataDir, 'reply-secret') : undefined;
    if (stored && existsSync(stored) && readFileSync(stored, 'utf8').trim() !== config.replySecret) {
      warn(
        `警告：HUIXIN_REPLY_SECRET 与数据目录中的 reply-secret 不同，此前发出信件的回信地址将无法精确匹配（只能按查询码或网站匹配，否则进入暂存区）/ ` +
          `WARNING: HUIXIN_REPLY_SECRET is not the reply-secret in the data folder: replies to letters sent before will not match their address exactly (only by 查询码 or site, else held)`,
      );
    }
    return config;
  }
  if (dataDir) {
    const file = path.join(dataDir, 'reply-secret');
    if (!existsSync(file)) {
      mkdirSync(dataDir, { recursive: true, mode: 0o700 }); // owner only, like the rest of the data folder (shared/local/data-dir.ts)
      try {
        writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
    return { ...config, replySecret: readFileSync(file, 'utf8').trim() };
  }
  ephemeralSecret ??= randomBytes(32).toString('hex');
  return { ...config, replySecret: ephemeralSecret };
}

/** In AWS: the env value, else the SSM parameter named by HUIXIN_REPLY_SECRET_PARAM. Refuses to run without a secret. */
export async function resolveMailConfig(env: Record<string, string | undefined> = process.env): Promise<MailConfig> {
  const config = loadMailConfig(env);
  if (!config.replySecret && env.HUIXIN_REPLY_SECRET_PARAM) {
    const { SSMClient, GetParameterCommand } = await import('@aws-sdk/client-ssm');
    const p = await new SSMClient({}).send(new GetParameterCommand({ Name: env.HUIXIN_REPLY_SECRET_PARAM, WithDecryption: true }));
    config.replySecret = p.Parameter?.Value ?? '';
  }
  if (!config.replySecret) throw new Error('no reply-address secret: set HUIXIN_REPLY_SECRET or HUIXIN_REPLY_SECRET_PARAM');
  return config;
}

/** The reply settings a campaign needs, in AWS (see resolveMailConfig). */
export async function resolveMailSettings(env: Record<string, string | undefined> = process.env): Promise<{ secret: string; domain: string }> {
  const c = await resolveMailConfig(env);
  return { secret: c.replySecret, domain: c.mailDomain };
}

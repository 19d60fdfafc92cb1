/**
 * Mail settings from the environment (validated with zod). The composition root reads them and passes the
 * values down; domain code takes the secret and domain as parameters.
 * - HUIXIN_REPLY_SECRET: the reply-address HMAC secret (Secrets Manager/SSM in AWS, env locally). Unset → no exact matching.
 * - HUIXIN_MAIL_DOMAIN: the domain reply addresses live under (default `reply.huixin.local`).
 * - HUIXIN_MAIL_MAX_BYTES: refuse mail over this size (default 25 MB).
 */
import { z } from 'zod';
import { InputError } from '../../domain/errors.ts';
import { DEFAULT_MAIL_LIMITS } from './parse.ts';

const Schema = z.object({
  HUIXIN_REPLY_SECRET: z.string().optional(),
  HUIXIN_MAIL_DOMAIN: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9.-]+\.[a-z0-9-]+$/, 'a mail domain such as reply.example.gov.cn')
    .default('reply.huixin.local'),
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

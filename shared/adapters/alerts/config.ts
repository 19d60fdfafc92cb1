/**
 * Alert settings from the environment (zod-validated):
 * - HUIXIN_SMTP_URL: nodemailer transport URL (`smtps://USER:PASS@email-smtp.REGION.amazonaws.com:465` for SES, any SMTP locally).
 * - HUIXIN_ALERT_FROM: sender address (default `huixin-alerts@<HUIXIN_MAIL_DOMAIN or huixin.local>`).
 * - HUIXIN_ALERT_EMAILS: operators' addresses, comma-separated.
 * - HUIXIN_ALERT_WEBHOOKS: JSON array `[{"kind":"dingtalk"|"wecom"|"json","url":"…","secret":"…"}]`.
 * - HUIXIN_ALERT_SUPERVISORS: `true` → also mail each site's 主管单位 (Site.supervisorEmail) about its own site.
 * - HUIXIN_ALERT_DASHBOARD_URL: the dashboard's address (https://…): each alert links to the site's page there.
 * - HUIXIN_ALERT_REMINDER_DAYS (3), HUIXIN_ALERT_DIGEST_THRESHOLD (5), HUIXIN_ALERT_CONFIRM_CHECKS (2), HUIXIN_ALERT_MAX_ATTEMPTS (16).
 */
import { z } from 'zod';
import { InputError } from '../../domain/errors.ts';
import { DEFAULT_POLICY, type AlertPolicy } from '../../domain/alerts/incidents.ts';
import { DEFAULT_RETRY, type AlertTarget, type RetryPolicy } from '../../domain/alerts/outbox.ts';

const Webhook = z.object({ kind: z.enum(['dingtalk', 'wecom', 'json']), url: z.url({ protocol: /^https?$/ }), secret: z.string().min(1).optional() }).strict();

const Schema = z.object({
  HUIXIN_SMTP_URL: z.string().regex(/^smtps?:\/\//, 'an smtp:// or smtps:// URL').optional(),
  HUIXIN_ALERT_FROM: z.email().optional(),
  HUIXIN_MAIL_DOMAIN: z.string().optional(),
  HUIXIN_ALERT_EMAILS: z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.email()))
    .default([]),
  HUIXIN_ALERT_WEBHOOKS: z
    .string()
    .transform((s, ctx) => {
      try {
        return JSON.parse(s) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not JSON' });
        return z.NEVER;
      }
    })
    .pipe(z.array(Webhook))
    .default([]),
  HUIXIN_ALERT_DASHBOARD_URL: z.url({ protocol: /^https?$/ }).optional(),
  HUIXIN_ALERT_SUPERVISORS: z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1').default(false),
  HUIXIN_ALERT_REMINDER_DAYS: z.coerce.number().positive().default(DEFAULT_POLICY.reminderDays),
  HUIXIN_ALERT_DIGEST_THRESHOLD: z.coerce.number().int().min(1).default(DEFAULT_POLICY.digestThreshold),
  HUIXIN_ALERT_CONFIRM_CHECKS: z.coerce.number().int().min(1).default(DEFAULT_POLICY.confirmChecks),
  HUIXIN_ALERT_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(DEFAULT_RETRY.maxAttempts),
});

export interface AlertConfig {
  smtpUrl?: string;
  from: string;
  targets: AlertTarget[];
  notifySupervisors: boolean;
  /** The dashboard's address, for links from alerts to a site's page. */
  dashboardUrl?: string;
  policy: AlertPolicy;
  retry: RetryPolicy;
}

export function loadAlertConfig(env: Record<string, string | undefined> = process.env): AlertConfig {
  const clean = Object.fromEntries(Object.entries(env).filter(([k, v]) => (k.startsWith('HUIXIN_ALERT_') || k === 'HUIXIN_SMTP_URL' || k === 'HUIXIN_MAIL_DOMAIN') && v !== ''));
  const r = Schema.safeParse(clean);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new InputError(`配置错误 / bad configuration: ${i?.path.join('.')}: ${i?.message}`);
  }
  const d = r.data;
  const targets: AlertTarget[] = [
    ...(d.HUIXIN_ALERT_EMAILS.length ? [{ id: 'operators', kind: 'email' as const, to: d.HUIXIN_ALERT_EMAILS }] : []),
    ...d.HUIXIN_ALERT_WEBHOOKS.map((w, i) => ({ id: `${w.kind}-${i + 1}`, kind: w.kind, url: w.url, ...(w.secret ? { secret: w.secret } : {}) })),
  ];
  return {
    ...(d.HUIXIN_SMTP_URL ? { smtpUrl: d.HUIXIN_SMTP_URL } : {}),
    from: d.HUIXIN_ALERT_FROM ?? `huixin-alerts@${d.HUIXIN_MAIL_DOMAIN ?? 'huixin.local'}`,
    targets,
    notifySupervisors: d.HUIXIN_ALERT_SUPERVISORS,
    ...(d.HUIXIN_ALERT_DASHBOARD_URL ? { dashboardUrl: d.HUIXIN_ALERT_DASHBOARD_URL.replace(/\/+$/, '') } : {}),
    policy: { reminderDays: d.HUIXIN_ALERT_REMINDER_DAYS, digestThreshold: d.HUIXIN_ALERT_DIGEST_THRESHOLD, confirmChecks: d.HUIXIN_ALERT_CONFIRM_CHECKS },
    retry: { ...DEFAULT_RETRY, maxAttempts: d.HUIXIN_ALERT_MAX_ATTEMPTS },
  };
}

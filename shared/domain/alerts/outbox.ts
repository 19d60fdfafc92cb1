/**
 * Reliable delivery: every (message, target) pair is one outbox delivery with its own attempts and backoff.
 * Pure: the use case decides when to call, and with which instant.
 */
import type { AlertMessage } from './messages.ts';

export type TargetKind = 'email' | 'dingtalk' | 'wecom' | 'json';

export interface AlertTarget {
  /** Stable name of the target (`operators`, `supervisor`, `dingtalk-1`…). */
  id: string;
  kind: TargetKind;
  /** Webhook URL (dingtalk/wecom/json). */
  url?: string;
  /** DingTalk robot 加签 secret (HMAC-SHA256 of `timestamp\nsecret`). */
  secret?: string;
  /** E-mail recipients. */
  to?: string[];
}

/**
 * What a delivery record keeps of its target: never the webhook URL (its access token) nor the 加签 secret — the
 * record is in the table, its backups and every reader's reach. A webhook is shown as its host and the URL's last
 * 4 characters; the URL and secret are looked up in the live configuration when sending (`sendableTarget`). Mail
 * recipients are kept: a supervisor's address exists only on the delivery, and it is the audit of who was told.
 */
export interface DeliveryTarget {
  id: string;
  kind: TargetKind;
  /** `oapi.dingtalk.com …a1b2` (webhooks) */
  redacted?: string;
  /** Whether a signing secret was configured (the secret itself is not stored). */
  signed?: boolean;
  to?: string[];
}

/** A target as a delivery may store it (see DeliveryTarget). */
export function redactTarget(t: AlertTarget | DeliveryTarget): DeliveryTarget {
  const url = 'url' in t ? t.url : undefined;
  const signed = ('secret' in t && !!t.secret) || ('signed' in t && !!t.signed);
  return {
    id: t.id,
    kind: t.kind,
    ...(url ? { redacted: redactUrl(url) } : 'redacted' in t && t.redacted ? { redacted: t.redacted } : {}),
    ...(signed ? { signed: true } : {}),
    ...(t.to?.length ? { to: [...t.to] } : {}),
  };
}

/** `https://oapi.dingtalk.com/robot/send?access_token=…` → `oapi.dingtalk.com …cdef` (the host and the last 4 characters). */
export function redactUrl(url: string): string {
  let host = '?';
  try {
    host = new URL(url).host;
  } catch {
    // not a URL: the last 4 characters only
  }
  return `${host} …${url.slice(-4)}`;
}

/**
 * The target to send a delivery to: the configured target of that id and kind (its current URL and secret), or —
 * for mail only — the recipients kept on the delivery (the per-message 主管单位 target). Undefined: no longer configured.
 */
export function sendableTarget(stored: DeliveryTarget, configured: readonly AlertTarget[]): AlertTarget | undefined {
  const live = configured.find((t) => t.id === stored.id && t.kind === stored.kind);
  if (live) return live;
  if (stored.kind === 'email' && stored.to?.length) return { id: stored.id, kind: 'email', to: [...stored.to] };
  return undefined;
}

export type DeliveryStatus = 'pending' | 'sent' | 'failed';

export interface Delivery {
  /** `<messageId>~<targetId>` */
  id: string;
  messageId: string;
  target: DeliveryTarget;
  message: AlertMessage;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: string;
  createdAt: string;
  lastError?: string;
  sentAt?: string;
  version: number;
}

export interface RetryPolicy {
  maxAttempts: number;
  /** Delay after the first failure; doubled each time, capped at maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * 1, 2, 4 … minutes, then every 3 hours: a delivery is tried for about a day (16 attempts) before it is given up —
 * a DingTalk or mail server down overnight, or a token rotated in the evening, still gets the alert through the next
 * morning. (Five attempts, capped at an hour, gave up after ~2 hours of 30-minute runs.)
 */
export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 16, baseDelayMs: 60_000, maxDelayMs: 3 * 3_600_000 };

export function backoffMs(attempts: number, policy: RetryPolicy = DEFAULT_RETRY): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempts - 1));
}

/** The deliveries of one message: every operator target (not for a supervisors' copy), plus the sites' 主管单位 when that is enabled. */
export function deliveriesFor(message: AlertMessage, targets: readonly AlertTarget[], options: { notifySupervisors: boolean; now: Date }): Delivery[] {
  const all: AlertTarget[] = message.audience === 'supervisors' ? [] : [...targets];
  if (options.notifySupervisors && message.supervisorEmails.length > 0) all.push({ id: 'supervisor', kind: 'email', to: [...message.supervisorEmails] });
  const at = options.now.toISOString();
  return all.map((target) => ({
    id: `${message.id}~${target.id}`,
    messageId: message.id,
    target: redactTarget(target),
    message,
    status: 'pending',
    attempts: 0,
    nextAttemptAt: at,
    createdAt: at,
    version: 0,
  }));
}

export function afterSuccess(d: Delivery, now: Date): Delivery {
  return { ...d, status: 'sent', attempts: d.attempts + 1, sentAt: now.toISOString(), version: d.version + 1 };
}

/** A failed attempt: pending again after the backoff, or `failed` for good after maxAttempts. */
export function afterFailure(d: Delivery, now: Date, error: string, policy: RetryPolicy = DEFAULT_RETRY): Delivery {
  const attempts = d.attempts + 1;
  const giveUp = attempts >= policy.maxAttempts;
  return {
    ...d,
    attempts,
    status: giveUp ? 'failed' : 'pending',
    lastError: error.slice(0, 500),
    nextAttemptAt: new Date(now.getTime() + (giveUp ? 0 : backoffMs(attempts, policy))).toISOString(),
    version: d.version + 1,
  };
}

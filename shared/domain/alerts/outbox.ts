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

export type DeliveryStatus = 'pending' | 'sent' | 'failed';

export interface Delivery {
  /** `<messageId>~<targetId>` */
  id: string;
  messageId: string;
  target: AlertTarget;
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

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 60_000, maxDelayMs: 3_600_000 };

export function backoffMs(attempts: number, policy: RetryPolicy = DEFAULT_RETRY): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempts - 1));
}

/** The deliveries of one message: every operator target, plus the sites' 主管单位 when that is enabled. */
export function deliveriesFor(message: AlertMessage, targets: readonly AlertTarget[], options: { notifySupervisors: boolean; now: Date }): Delivery[] {
  const all: AlertTarget[] = [...targets];
  if (options.notifySupervisors && message.supervisorEmails.length > 0) all.push({ id: 'supervisor', kind: 'email', to: [...message.supervisorEmails] });
  const at = options.now.toISOString();
  return all.map((target) => ({
    id: `${message.id}~${target.id}`,
    messageId: message.id,
    target,
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

/**
 * One-time schedules: "put this message on that queue at that instant". Letter sends, deadlines and window
 * closes are all schedules (SQS delays stop at 15 minutes). Two adapters, the same contract:
 * - shared/adapters/scheduler/eventbridge.ts — EventBridge Scheduler `at()` schedules in Asia/Shanghai, SQS targets;
 * - shared/adapters/scheduler/local.ts — schedules kept in the store, fired by `fireDue(now)` from a clock the demo moves.
 *
 * Both are idempotent on (group, name): scheduling the same name twice keeps the first one; cancelling a
 * schedule that is not there (already fired, never made) is a no-op.
 */
import { InputError } from '../domain/errors.ts';

/** The queues a schedule can target. */
export const SCHEDULE_QUEUES = ['submit', 'close', 'deadline'] as const;
export type ScheduleQueue = (typeof SCHEDULE_QUEUES)[number];

export interface ScheduleTarget {
  queue: ScheduleQueue;
  body: Record<string, unknown>;
}

export interface ScheduleOptions {
  /** A group per campaign (`huixin-<campaignId>`); defaults to `huixin-default`. */
  group?: string;
}

export interface Scheduler {
  /** Send `target.body` to `target.queue` at `at` (ISO-8601 with offset). Idempotent on (group, name). */
  scheduleAt(name: string, at: string, target: ScheduleTarget, options?: ScheduleOptions): Promise<void>;
  /** Remove a schedule that has not fired yet; a no-op when there is none. */
  cancel(name: string, options?: ScheduleOptions): Promise<void>;
  /**
   * Optional: many `scheduleAt`s in one go (the same contract for each, idempotent on (group, name)), for an adapter
   * that can batch its writes (the local scheduler on DynamoDB/dynalite). Callers fall back to `scheduleAt` each.
   */
  scheduleMany?(items: readonly ScheduleItem[], options?: ScheduleOptions): Promise<void>;
}

export interface ScheduleItem {
  name: string;
  at: string;
  target: ScheduleTarget;
}

export const DEFAULT_SCHEDULE_GROUP = 'huixin-default';
/** EventBridge Scheduler's limits on names and group names: 1–64 of [0-9a-zA-Z-_.]. */
const NAME = /^[0-9A-Za-z._-]{1,64}$/;

export function checkScheduleName(kind: 'name' | 'group', value: string): string {
  if (!NAME.test(value)) throw new InputError(`schedule ${kind} must be 1–64 characters of [0-9A-Za-z._-]: ${JSON.stringify(value)}`);
  return value;
}

/** The schedule names huixin uses (stable, so re-running a use case finds the same schedules). */
export const scheduleNames = {
  group: (campaignId: string) => `huixin-${campaignId}`,
  send: (letterId: string) => `send-${letterId}`,
  deadline: (letterId: string) => `deadline-${letterId}`,
  close: (campaignId: string) => `close-${campaignId}`,
} as const;

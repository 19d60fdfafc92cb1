/**
 * Wiring for the campaign use cases on one machine (CLI, demo, tests): B's stores, A's calendar, the local
 * scheduler keeping its schedules in the same table, and the reply-address secret. The demo passes its own
 * clock (fast-forwarded) and its queues (for `fireDue`).
 *
 * Reply addresses: HUIXIN_REPLY_SECRET and HUIXIN_MAIL_DOMAIN (D's settings). On the embedded default an unset
 * secret falls back to a fixed local one (fine for the sandbox, never for real letters: set it in production).
 */
import { loadCalendar } from '../adapters/calendar-source.ts';
import { DynamoScheduleStore } from '../adapters/scheduler/dynamo-store.ts';
import { LocalScheduler } from '../adapters/scheduler/local.ts';
import type { CampaignDeps } from '../app/campaigns.ts';
import type { Clock, Queue } from '../app/ports.ts';
import type { ScheduleQueue } from '../app/scheduler.ts';
import type { OpenStores } from './runtime.ts';

export const LOCAL_REPLY_SECRET = 'huixin-local-reply-secret';
export const LOCAL_MAIL_DOMAIN = 'reply.huixin.localhost';

export interface CampaignRuntime {
  deps: CampaignDeps;
  scheduler: LocalScheduler;
}

export function mailSettings(env: Record<string, string | undefined> = process.env): { secret: string; domain: string } {
  return { secret: env.HUIXIN_REPLY_SECRET || LOCAL_REPLY_SECRET, domain: env.HUIXIN_MAIL_DOMAIN || LOCAL_MAIL_DOMAIN };
}

export function campaignRuntime(
  stores: Pick<OpenStores, 'sites' | 'campaigns' | 'letters' | 'events' | 'client' | 'tableName'>,
  options: {
    clock?: Clock;
    calendarFiles?: readonly string[];
    queues?: Partial<Record<ScheduleQueue, Queue<Record<string, unknown>>>>;
    env?: Record<string, string | undefined>;
    leaseMs?: number;
  } = {},
): CampaignRuntime {
  const clock = options.clock ?? { now: () => new Date() };
  const scheduler = new LocalScheduler({
    store: new DynamoScheduleStore(stores.client, stores.tableName),
    ...(options.queues ? { queues: options.queues } : {}),
    now: () => clock.now(),
    ...(options.leaseMs !== undefined ? { leaseMs: options.leaseMs } : {}),
  });
  const deps: CampaignDeps = {
    sites: stores.sites,
    campaigns: stores.campaigns,
    letters: stores.letters,
    events: stores.events,
    scheduler,
    clock,
    calendar: loadCalendar({ files: options.calendarFiles ?? [], ...(options.env ? { env: options.env } : {}) }),
    mail: mailSettings(options.env),
  };
  return { deps, scheduler };
}

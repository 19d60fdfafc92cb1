/**
 * Wiring for the campaign use cases on one machine (CLI, demo, tests): B's stores, A's calendar, the local
 * scheduler keeping its schedules in the same table, and the reply-address secret. The demo passes its own
 * clock (fast-forwarded) and its queues (for `fireDue`).
 *
 * Reply addresses: HUIXIN_REPLY_SECRET and HUIXIN_MAIL_DOMAIN, else a secret generated once in the data folder.
 */
import { loadCalendar } from '../adapters/calendar-source.ts';
import { localMailConfig } from '../adapters/mail/config.ts';
import { DynamoScheduleStore } from '../adapters/scheduler/dynamo-store.ts';
import { LocalScheduler } from '../adapters/scheduler/local.ts';
import type { CampaignDeps } from '../app/campaigns.ts';
import type { Clock, Queue } from '../app/ports.ts';
import type { ScheduleQueue } from '../app/scheduler.ts';
import type { OpenStores } from './runtime.ts';

export interface CampaignRuntime {
  deps: CampaignDeps;
  scheduler: LocalScheduler;
}

/** The reply-address secret and mail domain for the embedded default (see localMailConfig for where the secret comes from). */
export function mailSettings(env: Record<string, string | undefined> = process.env, dataDir?: string): { secret: string; domain: string } {
  const c = localMailConfig(env, dataDir);
  return { secret: c.replySecret, domain: c.mailDomain };
}

export function campaignRuntime(
  stores: Pick<OpenStores, 'sites' | 'campaigns' | 'letters' | 'events' | 'client' | 'tableName'>,
  options: {
    clock?: Clock;
    calendarFiles?: readonly string[];
    queues?: Partial<Record<ScheduleQueue, Queue<Record<string, unknown>>>>;
    env?: Record<string, string | undefined>;
    leaseMs?: number;
    /** Reply-address settings; default: localMailConfig(env, dataDir). */
    mail?: { secret: string; domain: string };
    dataDir?: string;
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
    mail: options.mail ?? mailSettings(options.env, options.dataDir),
  };
  return { deps, scheduler };
}

/**
 * poll-reply-lists: look open letters up on their site's public reply list (shared/app/reply-lists.ts) and record
 * what the site states (`reply.seen`, source `reply-list`). Two entry points over the same poll:
 * - `handler` — the daily EventBridge Scheduler run: every letter `submitted` without a first reply, in every
 *   running or paused campaign (a paused campaign's submitted letters still get replies). In AWS
 *   (HUIXIN_POLL_QUEUE_URL, the deadline queue) it only puts each such letter on the queue as `{ letterId, daily }`:
 *   a national quarter's ~28,000 open letters are polled by many short consumer runs, not one 10-minute run.
 *   Without a queue (a single machine) it polls them itself, a few at a time. Returns counts.
 * - `deadlineHandler` — the consumer of the `deadline` queue (`{ letterId }`, put there by the letter's deadline
 *   schedule, or `{ letterId, daily: true }` by the daily run): the same poll for one letter, as SQS partial batch
 *   failures — a failing site's deadline poll is retried, then dead-lettered; a daily one is logged and left to
 *   tomorrow's run (a site that is down is no operator's emergency, and its deadline poll still comes). Before it
 *   polls, a letter recorded without a deadline gets one if the calendar now covers its year (deadlineBackfill).
 * Where a letter's reply is listed: `replyListProfiles` (a known platform guessed from the URL the letter was
 * submitted to, else the query/list pages its pages link to); a site with no list is skipped (its replies come by mail). Env: the store config (HUIXIN_TABLE,
 * HUIXIN_STORE); the consumer also the scheduler's (HUIXIN_SCHEDULER_ROLE_ARN, …) and HUIXIN_CALENDAR_FILES.
 */
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import { loadCalendar } from '../../shared/adapters/calendar-source.ts';
import { DynamoLetterFinder } from '../../shared/adapters/mail/dynamo-mail.ts';
import { eventBridgeSchedulerFromEnv } from '../../shared/adapters/scheduler/eventbridge.ts';
import { httpFetcher } from '../../shared/adapters/mail/http-fetch.ts';
import { SqsQueue } from '../../shared/adapters/sqs/sqs-queue.ts';
import { deadlineBackfill } from '../../shared/app/after-submission.ts';
import type { CampaignStore, LetterStore, Queue, SiteStore } from '../../shared/app/ports.ts';
import { pollReplyList, replyListProfiles, type PollResult, type ReplyListDeps, type ReplyListProfiles } from '../../shared/app/reply-lists.ts';
import { mapLimit } from '../../shared/app/map-limit.ts';
import { loadConfig } from '../../shared/config.ts';
import type { CampaignState, Letter } from '../../shared/domain/model.ts';
import { openStores } from '../../shared/local/runtime.ts';

/** Campaigns whose submitted letters are still waiting for replies. */
export const POLLED_CAMPAIGN_STATES: readonly CampaignState[] = ['running', 'paused'];

export const DeadlineMessageSchema = z.object({ letterId: z.string().min(1), daily: z.boolean().optional() });
export type PollMessage = z.infer<typeof DeadlineMessageSchema>;

export interface PollDeps {
  campaigns: Pick<CampaignStore, 'listCampaigns'>;
  letters: Pick<LetterStore, 'lettersOfCampaign' | 'getLetter'>;
  sites: Pick<SiteStore, 'getSite'>;
  reply: ReplyListDeps;
  /** Where each letter's reply is listed; default: a finder for the run (discovered once per letter and site). */
  profiles?: ReplyListProfiles;
  /** Letters polled at once in the daily run (sites are slow; a few at a time). Default 8. */
  concurrency?: number;
  /** Where the daily run puts the open letters, one message each, when the polls are the queue consumer's (AWS). */
  pollQueue?: Queue<PollMessage>;
  /**
   * Gives a letter recorded without a deadline its deadline once the calendar covers that year (after-submission.ts'
   * deadlineBackfill), before it is polled. Wherever letters are polled: the embedded default, the deadline consumer.
   */
  backfillDeadline?: (letter: Letter) => Promise<Letter>;
  log(message: string): void;
}

export interface DailySummary {
  campaigns: number;
  open: number;
  polled: number;
  noProfile: number;
  replies: number;
  failed: number;
  /** Letters put on the poll queue instead of polled here (AWS). */
  queued?: number;
}

type Outcome = 'not-open' | 'no-profile' | 'polled' | 'reply';

async function pollOne(deps: PollDeps, profiles: ReplyListProfiles, found: Letter): Promise<Outcome> {
  if (found.state !== 'submitted' || found.firstReply) return 'not-open';
  // The deadline is for the overdue queue and the alerts; the poll (which may see the reply) never waits on it: a
  // backfill that failed is logged and tried again at the letter's next poll.
  const letter = deps.backfillDeadline
    ? await deps.backfillDeadline(found).catch((err: unknown) => {
        deps.log(JSON.stringify({ msg: 'deadline backfill failed', letterId: found.id, error: (err as Error).message }));
        return found;
      })
    : found;
  const profile = await profiles.of(letter);
  if (!profile) return 'no-profile';
  const r: PollResult = await pollReplyList(deps.reply, letter, profile);
  if (r.recorded) deps.log(JSON.stringify({ msg: 'reply seen on the reply list', letterId: letter.id, url: r.url, eventId: r.eventId }));
  if (r.firstReplyChanged) profiles.forget(letter.id);
  return r.recorded || r.firstReplyChanged ? 'reply' : 'polled';
}

/** The deps' long-lived profile finder, or one for this run. */
const profilesOf = (deps: PollDeps) => deps.profiles ?? replyListProfiles({ events: deps.reply.events, sites: deps.sites, fetch: deps.reply.fetch });

export function createDailyHandler(getDeps: () => Promise<PollDeps>) {
  return async (): Promise<DailySummary> => {
    const deps = await getDeps();
    const profiles = profilesOf(deps);
    const campaigns = (await deps.campaigns.listCampaigns()).filter((c) => POLLED_CAMPAIGN_STATES.includes(c.state));
    const open: Letter[] = [];
    for (const c of campaigns) open.push(...(await deps.letters.lettersOfCampaign(c.id, 'submitted')).filter((l) => !l.firstReply));
    const summary: DailySummary = { campaigns: campaigns.length, open: open.length, polled: 0, noProfile: 0, replies: 0, failed: 0 };
    const queue = deps.pollQueue;
    if (queue) {
      await mapLimit(open, 10, (letter) => queue.send({ letterId: letter.id, daily: true }));
      deps.log(JSON.stringify({ msg: 'poll-reply-lists fan-out', ...summary, queued: open.length }));
      return { ...summary, queued: open.length };
    }
    await mapLimit(open, Math.max(1, deps.concurrency ?? 8), async (letter) => {
      try {
        const o = await pollOne(deps, profiles, letter);
        if (o === 'no-profile') summary.noProfile++;
        else if (o !== 'not-open') summary.polled++;
        if (o === 'reply') summary.replies++;
      } catch (err) {
        // One site down must not stop the run: tomorrow's poll (or the deadline message) tries again.
        summary.failed++;
        deps.log(JSON.stringify({ msg: 'reply list poll failed', letterId: letter.id, siteId: letter.siteId, error: (err as Error).message }));
      }
    });
    deps.log(JSON.stringify({ msg: 'poll-reply-lists', ...summary }));
    return summary;
  };
}

/** Letters of one deadline batch polled at once. */
const DEADLINE_POLLS_AT_ONCE = 5;

export function createDeadlineHandler(getDeps: () => Promise<PollDeps>) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const deps = await getDeps();
    const profiles = profilesOf(deps);
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    // The batch's letters are polled side by side (each on its own site): one slow site does not hold the rest.
    await mapLimit(event.Records ?? [], DEADLINE_POLLS_AT_ONCE, async (record) => {
      let letterId: string;
      let daily: boolean;
      try {
        ({ letterId, daily = false } = DeadlineMessageSchema.parse(JSON.parse(record.body)));
      } catch {
        deps.log(JSON.stringify({ msg: 'malformed deadline message dropped', messageId: record.messageId }));
        return;
      }
      try {
        const letter = await deps.letters.getLetter(letterId);
        const outcome = letter ? await pollOne(deps, profiles, letter) : 'not-open';
        deps.log(JSON.stringify({ msg: daily ? 'daily poll' : 'deadline poll', letterId, outcome: letter ? outcome : 'no-such-letter' }));
      } catch (err) {
        deps.log(JSON.stringify({ msg: daily ? 'daily poll failed' : 'deadline poll failed', letterId, error: (err as Error).message }));
        if (!daily) batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    });
    return { batchItemFailures };
  };
}

/**
 * The composition: the daily run only reads and fans out; the deadline consumer (which polls) also gives a letter its
 * deadline once the calendar covers its year, scheduling its deadline poll (its function has the scheduler's rights).
 */
async function productionDeps(role: 'daily' | 'consumer'): Promise<PollDeps> {
  const stores = await openStores(loadConfig(process.env));
  const clock = { now: () => new Date() };
  return {
    campaigns: stores.campaigns,
    letters: stores.letters,
    sites: stores.sites,
    reply: {
      events: stores.events,
      finder: new DynamoLetterFinder(stores.client, stores.tableName, stores.letters, stores.sites),
      clock,
      fetch: httpFetcher({ timeoutMs: 15_000 }),
    },
    ...(process.env.HUIXIN_POLL_QUEUE_URL ? { pollQueue: new SqsQueue<PollMessage>(new SQSClient({}), process.env.HUIXIN_POLL_QUEUE_URL) } : {}),
    ...(role === 'consumer'
      ? {
          backfillDeadline: deadlineBackfill({
            campaigns: stores.campaigns,
            letters: stores.letters,
            events: stores.events,
            scheduler: eventBridgeSchedulerFromEnv(new SchedulerClient({})),
            calendar: loadCalendar(),
            clock,
            actor: 'function:poll-reply-lists',
          }),
        }
      : {}),
    log: (m) => console.log(m),
  };
}

let daily: Promise<PollDeps> | undefined;
let consumer: Promise<PollDeps> | undefined;
export const handler = createDailyHandler(() => (daily ??= productionDeps('daily')));
export const deadlineHandler = createDeadlineHandler(() => (consumer ??= productionDeps('consumer')));

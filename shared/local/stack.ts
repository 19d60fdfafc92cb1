/**
 * The embedded default's composition root: the whole platform on one machine, with the same handlers and the same
 * SDK code as in AWS — dynalite for DynamoDB, an in-process SQS server for the queues, an in-process SMTP server for
 * replies, a folder for evidence and raw mail, the local scheduler, one headless Chromium — plus, for the demo and
 * tests, the sandbox of simulated consultation sites. `pump(now)` does, for one instant of the (possibly
 * fast-forwarded) clock, what EventBridge Scheduler and the Lambda event source mappings do in AWS.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import path from 'node:path';
import { loadCalendar } from '../adapters/calendar-source.ts';
import { parseInstant } from '../domain/beijing-time.ts';
import type { LocalScheduler } from '../adapters/scheduler/local.ts';
import { BrowserSubmitter, DEFAULT_BROWSER_PAGES } from '../adapters/browser/submitter.ts';
import type { Resolver } from '../adapters/mail/auth.ts';
import { localMailConfig } from '../adapters/mail/config.ts';
import { mailDeps } from '../adapters/mail/wiring.ts';
import { httpFetcher } from '../adapters/mail/http-fetch.ts';
import { startInboundSmtp, type InboundServer } from '../adapters/mail/smtp-inbound.ts';
import { FsObjectStore } from '../adapters/object-store-fs.ts';
import { SqsQueue } from '../adapters/sqs/sqs-queue.ts';
import { afterSubmission, campaignDeadlines, deadlineBackfill } from '../app/after-submission.ts';
import type { CampaignDeps } from '../app/campaigns.ts';
import { ingestMail } from '../app/ingest-mail.ts';
import type { Clock, Queue } from '../app/ports.ts';
import type { Letter } from '../domain/model.ts';
import type { ScheduleQueue } from '../app/scheduler.ts';
import { replyListProfiles } from '../app/reply-lists.ts';
import { submitLetter, type SubmitLetterDeps } from '../app/submit-letter.ts';
import { makeHandler as makeCloseHandler } from '../../functions/close-campaign/handler.ts';
import { createDailyHandler as createDailyPollHandler, createDeadlineHandler as createDeadlinePollHandler, type DailySummary, type PollDeps } from '../../functions/poll-reply-lists/handler.ts';
import { createHandler as createSubmitHandler, SubmitMessageSchema, type SubmitMessage } from '../../functions/submit-letter/handler.ts';
import { campaignRuntime } from './campaign-runtime.ts';
import { privateDir } from './data-dir.ts';
import { drain, startDrain, type RunningDrain, type SqsHandler } from './event-source.ts';
import { handOverLetters } from './letter-hand-over.ts';
import { openLocalStores, type OpenStores } from './runtime.ts';
import { localQueues, startLocalSqs, type LocalSqs, type QueuePair } from './sqs.ts';

export interface LocalStackOptions {
  /** Keep data on disk here (serve), or in memory (demo, tests). */
  dataDir?: string;
  /** Evidence, raw mail and reports go under this folder. */
  filesDir: string;
  clock: Clock;
  /** The inbound SMTP port (default: a free one). `serve` fixes it so a relay or MX can forward replies. */
  smtpPort?: number;
  /** The inbound SMTP listen address (default 127.0.0.1; `0.0.0.0` when this machine is the MX). */
  smtpHost?: string;
  /**
   * The DNS that SPF/DKIM/DMARC of inbound mail look up: `serve` gives the machine's (with a timeout). Default: none —
   * every lookup fails at once, so the demo and tests never reach the network and verdicts are honestly `none`.
   */
  mailDns?: Resolver;
  /** The office's key and certificate (PEM) for the inbound SMTP's STARTTLS. */
  smtpTls?: { key: string | Buffer; cert: string | Buffer };
  /** Pages the one browser works with at once. */
  browserPages?: number;
  env?: Record<string, string | undefined>;
  log?: (line: string) => void;
  /** Let the plain-HTTP readers (reply lists) reach loopback and private hosts: the sandbox, intranet tests. */
  allowPrivateHosts?: boolean;
}

export interface LocalStack {
  stores: OpenStores;
  sqs: LocalSqs;
  queues: { submit: QueuePair; close: QueuePair; deadline: QueuePair };
  campaign: CampaignDeps;
  scheduler: LocalScheduler;
  smtp: InboundServer;
  mailDomain: string;
  submitter: BrowserSubmitter;
  /**
   * Fire due schedules and run every queue's consumer until the queues are empty. With `submissions: 'background'`
   * the submit queue's consumer runs on without being awaited (the fast-forward moves the clock meanwhile;
   * `submitted` then counts only what an earlier background run finished) — `settle()` waits for it.
   */
  pump(options?: { submissions?: 'wait' | 'background' }): Promise<{ fired: number; submitted: number; closed: number; deadlines: number }>;
  /** Wait until background submissions are done; resolves to how many letters they submitted. */
  settle(): Promise<number>;
  /** The clock's time (ms) when the unfinished background submissions began, or undefined when there are none. */
  submittingSince(): number | undefined;

  /** Look every open letter of every running campaign up on its site's reply list (the daily poll). */
  pollReplyLists(): Promise<DailySummary>;
  /** Take no more messages from the queues (a stop: the letters in hand are finished, the others wait for the next start). */
  stopConsuming(): void;
  close(): Promise<void>;
}

/**
 * Start the stack. A start that fails part way (the SMTP port taken, Chromium missing) stops what it had started —
 * the data folder's lock, the queue server, the SMTP server — so the process can exit and a next start finds the
 * folder free.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const started: Array<() => Promise<unknown>> = [];
  try {
    return await startStack(options, started);
  } catch (err) {
    for (const stop of started.reverse()) await stop().catch(() => {});
    throw err;
  }
}

async function startStack(options: LocalStackOptions, started: Array<() => Promise<unknown>>): Promise<LocalStack> {
  const log = options.log ?? (() => {});
  const env = options.env ?? process.env;
  const stores = await openLocalStores(options.dataDir ? { dataDir: options.dataDir } : { inMemory: true });
  started.push(() => stores.close());
  const sqs = await startLocalSqs(options.dataDir ? { dataDir: privateDir(path.join(options.dataDir, 'sqs')) } : {});
  started.push(() => sqs.stop());
  const queues = await localQueues(sqs);
  const queue = (pair: QueuePair) => new SqsQueue<Record<string, unknown>>(sqs.client, pair.url);
  const mailConfig = localMailConfig(env, options.dataDir);
  const mail = { secret: mailConfig.replySecret, domain: mailConfig.mailDomain };
  const { deps: campaign, scheduler } = campaignRuntime(stores, {
    clock: options.clock,
    env,
    mail,
    queues: { submit: queue(queues.submit), close: queue(queues.close), deadline: queue(queues.deadline) },
  });
  const calendar = loadCalendar({ env });
  privateDir(options.filesDir);
  const objects = new FsObjectStore(options.filesDir);
  // The ingest-mail wiring every runtime uses, with SPF/DKIM/DMARC computed here by mailauth (SES does it in AWS).
  // Mail arrives one SMTP transaction at a time here: nothing to batch with, so no batching wait.
  const ingestDeps = mailDeps(stores, mailConfig, {
    objects,
    now: () => options.clock.now(),
    actor: 'function:ingest-mail',
    batchWindowMs: 0,
    ...(options.mailDns ? { dns: options.mailDns } : {}),
  });
  ingestDeps.log = log;
  const { finder } = ingestDeps;
  const smtp = await startInboundSmtp({
    mailDomain: mail.domain,
    onMail: (raw, envelope) => ingestMail(ingestDeps, raw, { ...envelope, receivedAt: options.clock.now().toISOString() }),
    clock: () => options.clock.now(),
    maxBytes: mailConfig.maxBytes,
    ...(options.smtpPort !== undefined ? { port: options.smtpPort } : {}),
    ...(options.smtpHost !== undefined ? { host: options.smtpHost } : {}),
    ...(options.smtpTls ? { tls: options.smtpTls } : {}),
    log,
  });
  started.push(() => smtp.close());

  const pages = options.browserPages ?? (Number(env.HUIXIN_BROWSER_PAGES) || DEFAULT_BROWSER_PAGES);
  const submitter = await BrowserSubmitter.launch(objects, { pages, allowPrivateHosts: !!options.allowPrivateHosts });
  // A background submission (the fast-forward) sees the time it would run at in AWS — its letter's planned time, or
  // when it was put back for a retry — plus the real time it has taken, while the shared clock moves on meanwhile.
  const submissionTime = new AsyncLocalStorage<{ at: number; began: number; letter?: Letter }>();
  const submitClock: Clock = {
    now: () => {
      const t = submissionTime.getStore();
      return t ? new Date(t.at + (performance.now() - t.began)) : options.clock.now();
    },
  };
  // The submission's first read of its letter is the read submissionStart (below) has just made: one, not two.
  const letters = stores.letters;
  const submitLetters = handOverLetters(letters, () => submissionTime.getStore());
  const submitDeps: SubmitLetterDeps = {
    letters: submitLetters,
    events: stores.events,
    sites: stores.sites,
    objects,
    clock: submitClock,
    submitter,
    retryDelaySeconds: 0,
    deadlineFor: campaignDeadlines(stores.campaigns, calendar),
  };
  const submitQueue = new SqsQueue<SubmitMessage>(sqs.client, queues.submit.url);
  const submitHandler = createSubmitHandler(async () => ({
    submit: async (input) => {
      const result = await submitLetter(submitDeps, input);
      if (result.status === 'recorded') await afterSubmission({ finder, scheduler }, result.letter);
      return result;
    },
    requeue: (message, delaySeconds) => submitQueue.send(message, { delaySeconds }),
    log,
  }));

  // The reply-list polls: the poll-reply-lists function's own handlers (daily run and deadline-queue consumer), with
  // one profile finder kept for the stack's life (each letter's list is discovered once).
  const fetch = httpFetcher({ timeoutMs: 10_000, allowPrivateHosts: !!options.allowPrivateHosts });
  const pollDeps: PollDeps = {
    campaigns: stores.campaigns,
    letters: stores.letters,
    sites: stores.sites,
    reply: { events: stores.events, finder, clock: options.clock, fetch },
    profiles: replyListProfiles({ events: stores.events, sites: stores.sites, fetch }),
    // Here the daily run polls the letters itself: a letter's deadline, once its year is covered, is set before it.
    backfillDeadline: deadlineBackfill({ ...stores, scheduler, calendar, clock: options.clock, actor: 'function:poll-reply-lists' }),
    log,
  };
  const dailyPoll = createDailyPollHandler(async () => pollDeps);
  const deadlineHandler: SqsHandler = createDeadlinePollHandler(async () => pollDeps);
  const closeHandler = makeCloseHandler(async () => campaign, log);

  // The submit queue's consumer: one poller per browser page (+1 so the next letter is ready), a letter per receive,
  // so a slow site holds one page, not a batch. In the background (the fast-forward), one drain runs on while the
  // clock moves: new letters nudge its idle pollers, and `submittingSince` is the clock's time when the oldest
  // letter not yet done was fired or picked up.
  const submitSource = { client: sqs.client, queueUrl: queues.submit.url, retryDelaySeconds: 0, batchSize: 1 };
  // stopConsuming(): the consumers take no more messages (what they hold is finished; the rest waits on the queue)
  let consuming = true;
  const stopped = () => !consuming;
  const drainSubmit = () => drain({ ...submitSource, handler: submitHandler }, { concurrency: pages + 1, stopped });
  const inFlight = new Map<object, number>();
  /** When the letter of a background message would be submitted in AWS: planned (or put back) time, never later than now. */
  const submissionStart = async (event: Parameters<SqsHandler>[0]): Promise<{ at: number; letter?: Letter }> => {
    const now = options.clock.now().getTime();
    const parsed = SubmitMessageSchema.safeParse(JSON.parse(event.Records[0]?.body ?? 'null') as unknown);
    const letter = parsed.success ? await letters.getLetter(parsed.data.letterId) : undefined;
    if (!letter) return { at: now };
    return { at: Math.min(now, Math.max(parseInstant(letter.plannedAt), parseInstant(letter.updatedAt))), letter };
  };
  const tracked: SqsHandler = async (event) => {
    const token = {};
    inFlight.set(token, options.clock.now().getTime());
    try {
      const start = event.Records.length === 1 ? await submissionStart(event).catch(() => undefined) : undefined;
      if (start === undefined) return await submitHandler(event);
      return await submissionTime.run({ ...start, began: performance.now() }, () => submitHandler(event));
    } finally {
      inFlight.delete(token);
    }
  };
  const background = {
    run: undefined as RunningDrain | undefined,
    active: new Set<Promise<void>>(),
    /** The clock's time of the oldest fire not yet followed by an empty queue, and when (performance.now()) the last fire was. */
    firedSince: undefined as number | undefined,
    lastFire: 0,
    submitted: 0,
    error: undefined as unknown,
  };
  function submitInBackground(fired: number): void {
    if (fired > 0) {
      background.firedSince ??= options.clock.now().getTime();
      background.lastFire = performance.now();
    }
    const run = background.run;
    if (run && !run.finished()) {
      run.nudge(fired);
      return;
    }
    const onEmpty = (began: number) => {
      if (began > background.lastFire) background.firedSince = undefined; // every letter fired so far was taken
    };
    const next = startDrain({ ...submitSource, handler: tracked }, { concurrency: pages + 1, onEmpty, stopped });
    background.run = next;
    const settled: Promise<void> = next.done.then(
      (r) => {
        background.submitted += r.succeeded;
      },
      (err: unknown) => {
        background.error ??= err;
      },
    ).finally(() => background.active.delete(settled));
    background.active.add(settled);
  }
  function submittingSince(): number | undefined {
    const times = [...inFlight.values()];
    if (background.firedSince !== undefined) times.push(background.firedSince);
    return times.length ? Math.min(...times) : undefined;
  }
  async function settle(): Promise<number> {
    while (background.active.size > 0) await Promise.all(background.active);
    const { submitted, error } = background;
    background.submitted = 0;
    background.error = undefined;
    if (error) throw error;
    return submitted;
  }

  return {
    stores,
    sqs,
    queues,
    campaign,
    scheduler,
    smtp,
    mailDomain: mail.domain,
    submitter,
    async pump(o = {}) {
      const due = (await scheduler.fireDue(options.clock.now())).fired;
      const sentTo = (q: ScheduleQueue) => due.filter((s) => s.target.queue === q).length;
      const background = o.submissions === 'background';
      let submitted = 0;
      if (background) submitInBackground(due.length);
      else submitted = (await settle()) + (await drainSubmit()).succeeded;
      // The deadline and close queues are fed by schedules only: at the fast-forward's many stops a day they are
      // drained when a schedule was just sent to them. A pump that waits drains them always (`serve`, where a redrive
      // may have put dead letters back).
      const none = { succeeded: 0 };
      const deadlines = !background || sentTo('deadline') ? await drain({ client: sqs.client, queueUrl: queues.deadline.url, handler: deadlineHandler, retryDelaySeconds: 0 }, { stopped }) : none;
      const closed = !background || sentTo('close') ? await drain({ client: sqs.client, queueUrl: queues.close.url, handler: closeHandler, retryDelaySeconds: 0 }, { stopped }) : none;
      return { fired: due.length, submitted, closed: closed.succeeded, deadlines: deadlines.succeeded };
    },
    settle,
    submittingSince,
    pollReplyLists: () => dailyPoll(),
    stopConsuming() {
      consuming = false;
    },
    async close() {
      await settle().catch(() => {});
      await submitter.close().catch(() => {});
      await smtp.close().catch(() => {});
      await sqs.stop().catch(() => {});
      await stores.close();
    },
  };
}

export type { Queue };

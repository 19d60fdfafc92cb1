/**
 * The embedded default's composition root: the whole platform on one machine, with the same handlers and the same
 * SDK code as in AWS — dynalite for DynamoDB, an in-process SQS server for the queues, an in-process SMTP server for
 * replies, a folder for evidence and raw mail, the local scheduler, one headless Chromium — plus, for the demo and
 * tests, the sandbox of simulated consultation sites. `pump(now)` does, for one instant of the (possibly
 * fast-forwarded) clock, what EventBridge Scheduler and the Lambda event source mappings do in AWS.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { loadCalendar } from '../adapters/calendar-source.ts';
import type { LocalScheduler } from '../adapters/scheduler/local.ts';
import { BrowserSubmitter } from '../adapters/browser/submitter.ts';
import { DynamoLetterFinder, DynamoMailStore } from '../adapters/mail/dynamo-mail.ts';
import { httpFetcher } from '../adapters/mail/http-fetch.ts';
import { startInboundSmtp, type InboundServer } from '../adapters/mail/smtp-inbound.ts';
import { FsObjectStore } from '../adapters/object-store-fs.ts';
import { SqsQueue } from '../adapters/sqs/sqs-queue.ts';
import { afterSubmission, campaignDeadlines } from '../app/after-submission.ts';
import type { CampaignDeps } from '../app/campaigns.ts';
import { ingestMail, type IngestDeps } from '../app/ingest-mail.ts';
import type { Clock, Queue } from '../app/ports.ts';
import { discoverReplyListProfile, pollReplyList, type ReplyListProfile } from '../app/reply-lists.ts';
import { submitLetter, type SubmitLetterDeps } from '../app/submit-letter.ts';
import type { Letter } from '../domain/model.ts';
import { streamOf } from '../domain/events.ts';
import { makeHandler as makeCloseHandler } from '../../functions/close-campaign/handler.ts';
import { createHandler as createSubmitHandler, type SubmitMessage } from '../../functions/submit-letter/handler.ts';
import { campaignRuntime, mailSettings } from './campaign-runtime.ts';
import { drain, type SqsHandler } from './event-source.ts';
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
  /** Pages the one browser works with at once. */
  browserPages?: number;
  /** Where a site's public reply list is; default: guessed from its consultation URL (JACT, TRS…). */
  replyListProfile?: (siteId: string) => Promise<ReplyListProfile | undefined>;
  env?: Record<string, string | undefined>;
  log?: (line: string) => void;
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
  /** Fire due schedules and run every queue's consumer until the queues are empty. */
  pump(): Promise<{ fired: number; submitted: number; closed: number; deadlines: number }>;
  /** Look every open letter up on its site's reply list (the daily poll). */
  pollReplyLists(campaignId: string): Promise<number>;
  close(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const log = options.log ?? (() => {});
  const env = options.env ?? process.env;
  const stores = await openLocalStores(options.dataDir ? { dataDir: options.dataDir } : { inMemory: true });
  const sqs = await startLocalSqs(options.dataDir ? { dataDir: path.join(options.dataDir, 'sqs') } : {});
  const queues = await localQueues(sqs);
  const queue = (pair: QueuePair) => new SqsQueue<Record<string, unknown>>(sqs.client, pair.url);
  const mail = mailSettings(env, options.dataDir);
  const { deps: campaign, scheduler } = campaignRuntime(stores, {
    clock: options.clock,
    env,
    mail,
    queues: { submit: queue(queues.submit), close: queue(queues.close), deadline: queue(queues.deadline) },
  });
  const calendar = loadCalendar({ env });
  await mkdir(options.filesDir, { recursive: true });
  const objects = new FsObjectStore(options.filesDir);
  const finder = new DynamoLetterFinder(stores.client, stores.tableName, stores.letters, stores.sites, () => options.clock.now());

  const ingestDeps: IngestDeps = {
    letters: stores.letters,
    finder,
    mails: new DynamoMailStore(stores.client, stores.tableName),
    events: stores.events,
    objects,
    clock: options.clock,
    replySecret: mail.secret,
    mailDomain: mail.domain,
    log,
  };
  const smtp = await startInboundSmtp({
    mailDomain: mail.domain,
    onMail: (raw, envelope) => ingestMail(ingestDeps, raw, { ...envelope, receivedAt: options.clock.now().toISOString() }),
    clock: () => options.clock.now(),
    ...(options.smtpPort !== undefined ? { port: options.smtpPort } : {}),
    log,
  });

  const submitter = await BrowserSubmitter.launch(objects, { pages: options.browserPages ?? 4 });
  const submitDeps: SubmitLetterDeps = {
    letters: stores.letters,
    events: stores.events,
    sites: stores.sites,
    objects,
    clock: options.clock,
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

  const fetch = httpFetcher({ timeoutMs: 10_000 });
  const profiles = new Map<string, Promise<ReplyListProfile | null>>();
  /** Where the letter's reply will be listed: discovered from the URL it was finally submitted to (12345 redirects too). */
  async function profileFor(letter: Letter): Promise<ReplyListProfile | undefined> {
    if (options.replyListProfile) return options.replyListProfile(letter.siteId);
    const events = await stores.events.stream(streamOf.letter(letter.id));
    const submitted = events.filter((e) => e.type === 'letter.submitted' || e.type === 'letter.submission-recorded').at(-1);
    const evidence = submitted?.data.evidence as { finalUrl?: string; formUrl?: string } | undefined;
    const site = await stores.sites.getSite(letter.siteId);
    const url = evidence?.formUrl || evidence?.finalUrl || site?.consultUrl;
    if (!url) return undefined;
    const key = `${letter.siteId} ${new URL(url).origin}`;
    if (!profiles.has(key)) profiles.set(key, discoverReplyListProfile(fetch, url, site ? [site.consultUrl, site.homeUrl] : []));
    return (await profiles.get(key)) ?? undefined;
  }

  const replyDeps = { events: stores.events, finder, clock: options.clock, fetch };
  async function pollLetter(letter: Letter): Promise<boolean> {
    if (letter.state !== 'submitted' || letter.firstReply) return false;
    const profile = await profileFor(letter);
    if (!profile) return false;
    try {
      return (await pollReplyList(replyDeps, letter, profile)).firstReplyChanged;
    } catch (err) {
      log(`reply list of ${letter.siteId}: ${(err as Error).message}`);
      return false;
    }
  }

  const deadlineHandler: SqsHandler = async (event) => {
    const batchItemFailures: { itemIdentifier: string }[] = [];
    for (const r of event.Records) {
      try {
        const { letterId } = JSON.parse(r.body) as { letterId: string };
        const letter = await stores.letters.getLetter(letterId);
        if (letter) await pollLetter(letter);
      } catch {
        batchItemFailures.push({ itemIdentifier: r.messageId });
      }
    }
    return { batchItemFailures };
  };
  const closeHandler = makeCloseHandler(async () => campaign, log);

  return {
    stores,
    sqs,
    queues,
    campaign,
    scheduler,
    smtp,
    mailDomain: mail.domain,
    submitter,
    async pump() {
      const fired = (await scheduler.fireDue(options.clock.now())).fired.length;
      const submitted = await drain({ client: sqs.client, queueUrl: queues.submit.url, handler: submitHandler, retryDelaySeconds: 0 });
      const deadlines = await drain({ client: sqs.client, queueUrl: queues.deadline.url, handler: deadlineHandler, retryDelaySeconds: 0 });
      const closed = await drain({ client: sqs.client, queueUrl: queues.close.url, handler: closeHandler, retryDelaySeconds: 0 });
      return { fired, submitted: submitted.succeeded, closed: closed.succeeded, deadlines: deadlines.succeeded };
    },
    async pollReplyLists(campaignId) {
      let found = 0;
      for (const letter of await stores.letters.lettersOfCampaign(campaignId, 'submitted')) if (await pollLetter(letter)) found++;
      return found;
    },
    async close() {
      await submitter.close().catch(() => {});
      await smtp.close().catch(() => {});
      await sqs.stop().catch(() => {});
      await stores.close();
    },
  };
}

export type { Queue };

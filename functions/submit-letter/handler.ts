/**
 * SQS batch (letters due for submission) → for each record, the submit-letter use case (claim → submit → record).
 * Thin: validate, call shared/app/submit-letter.ts, map results to SQS partial batch failures:
 * - recorded / recovered / skipped (claimed elsewhere, already done) → success (message deleted);
 * - retry → the message is re-sent with DelaySeconds (the letter is back in `queued`), then success;
 * - in-flight (another delivery holds a fresh claim) or an exception → batchItemFailures (SQS redelivers after the
 *   visibility timeout; by then the letter is recorded, or its stale claim turns it `unconfirmed` — never resent).
 * A malformed message is logged and dropped (it would fail forever).
 * After a confirmed submission: the 查询码 is indexed for mail matching and the deadline becomes a schedule.
 * Env: HUIXIN_EVIDENCE_BUCKET, HUIXIN_SUBMIT_QUEUE_URL, HUIXIN_BROWSER_PAGES (default 2), the scheduler's
 * (HUIXIN_SCHEDULER_ROLE_ARN, HUIXIN_SCHEDULER_DLQ_ARN, HUIXIN_*_QUEUE_ARN), plus the store config.
 * @sparticuz/chromium must stay out of the bundle (CDK `bundling.nodeModules`), with the CJK font shipped.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import { BrowserSubmitter } from '../../shared/adapters/browser/submitter.ts';
import { S3ObjectStore } from '../../shared/adapters/mail/s3-object-store.ts';
import { SqsQueue } from '../../shared/adapters/sqs/sqs-queue.ts';
import { loadCalendar } from '../../shared/adapters/calendar-source.ts';
import { DynamoLetterFinder } from '../../shared/adapters/mail/dynamo-mail.ts';
import { eventBridgeSchedulerFromEnv } from '../../shared/adapters/scheduler/eventbridge.ts';
import { afterSubmission, campaignDeadlines } from '../../shared/app/after-submission.ts';
import { submitLetter, type SubmitLetterInput, type SubmitLetterResult } from '../../shared/app/submit-letter.ts';
import { loadConfig } from '../../shared/config.ts';
import { openStores } from '../../shared/local/runtime.ts';

export const SubmitMessageSchema = z.object({ letterId: z.string().min(1), url: z.url().optional() });
export type SubmitMessage = z.infer<typeof SubmitMessageSchema>;

export interface SubmitHandlerDeps {
  submit(input: SubmitLetterInput): Promise<SubmitLetterResult>;
  requeue(message: SubmitMessage, delaySeconds: number): Promise<void>;
  log(message: string): void;
}

/** Time kept back from the function's remaining time: recording the outcome and answering SQS. */
const BUDGET_MARGIN_MS = 15_000;

export function createHandler(getDeps: () => Promise<SubmitHandlerDeps>) {
  return async (event: SQSEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<SQSBatchResponse> => {
    const deps = await getDeps();
    // The records of a batch run side by side (one browser page each): each may use the function's remaining time.
    const budgetMs = context ? Math.max(20_000, context.getRemainingTimeInMillis() - BUDGET_MARGIN_MS) : undefined;
    const failures: SQSBatchResponse['batchItemFailures'] = [];
    await Promise.all(
      (event.Records ?? []).map(async (record) => {
        let message: SubmitMessage;
        try {
          message = SubmitMessageSchema.parse(JSON.parse(record.body));
        } catch {
          deps.log(JSON.stringify({ msg: 'malformed submit message dropped', messageId: record.messageId }));
          return;
        }
        try {
          const r = await deps.submit({ letterId: message.letterId, ...(message.url ? { url: message.url } : {}), ...(budgetMs ? { budgetMs } : {}) });
          deps.log(JSON.stringify({ msg: 'submit-letter', letterId: message.letterId, ...summary(r) }));
          if (r.status === 'retry') await deps.requeue(message, r.delaySeconds);
          else if (r.status === 'skipped' && r.reason === 'in-flight') failures.push({ itemIdentifier: record.messageId });
        } catch (err) {
          deps.log(JSON.stringify({ msg: 'submit-letter failed', letterId: message.letterId, error: err instanceof Error ? err.message : String(err) }));
          failures.push({ itemIdentifier: record.messageId });
        }
      }),
    );
    return { batchItemFailures: failures };
  };
}

function summary(r: SubmitLetterResult): Record<string, unknown> {
  switch (r.status) {
    case 'recorded':
      return { status: r.status, outcome: r.outcome, reason: r.reason, queryCode: r.queryCode };
    default:
      return { ...r };
  }
}

let cached: Promise<SubmitHandlerDeps> | undefined;

async function productionDeps(): Promise<SubmitHandlerDeps> {
  const env = process.env;
  const bucket = env.HUIXIN_EVIDENCE_BUCKET;
  const queueUrl = env.HUIXIN_SUBMIT_QUEUE_URL;
  if (!bucket) throw new Error('HUIXIN_EVIDENCE_BUCKET is not set');
  if (!queueUrl) throw new Error('HUIXIN_SUBMIT_QUEUE_URL is not set');
  const stores = await openStores(loadConfig(env));
  const objects = new S3ObjectStore(new S3Client({}), bucket);
  const submitter = await BrowserSubmitter.launch(objects, { pages: Number(env.HUIXIN_BROWSER_PAGES ?? 2) || 2 });
  const queue = new SqsQueue<SubmitMessage>(new SQSClient({}), queueUrl);
  const clock = { now: () => new Date() };
  const finder = new DynamoLetterFinder(stores.client, stores.tableName, stores.letters, stores.sites);
  const scheduler = eventBridgeSchedulerFromEnv(new SchedulerClient({}));
  const deadlineFor = campaignDeadlines(stores.campaigns, loadCalendar({ env }));
  return {
    submit: async (input) => {
      const result = await submitLetter({ letters: stores.letters, events: stores.events, sites: stores.sites, objects, clock, submitter, deadlineFor }, input);
      if (result.status === 'recorded') await afterSubmission({ finder, scheduler }, result.letter);
      return result;
    },
    requeue: (message, delaySeconds) => queue.send(message, { delaySeconds }),
    log: (m) => console.log(m),
  };
}

export const handler = createHandler(() => (cached ??= productionDeps()));

import { ChangeMessageVisibilityBatchCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

/** A Lambda SQS handler: the same function runs in AWS (event source mapping) and locally (this poller). */
export type SqsHandler = (event: SQSEvent) => Promise<SQSBatchResponse | void>;

/**
 * What the Lambda event source mapping does, for the embedded default: receive a batch, hand the handler an `SQSEvent`
 * shaped exactly like Lambda's, delete the records that succeeded, leave the `batchItemFailures` (or the whole batch if
 * the handler throws) to come back after their visibility timeout — and to the DLQ after maxReceiveCount.
 * `retryDelaySeconds` shortens that wait locally (the demo runs a quarter in minutes).
 */
export interface EventSourceOptions {
  client: SQSClient;
  queueUrl: string;
  queueArn?: string;
  handler: SqsHandler;
  batchSize?: number;
  retryDelaySeconds?: number;
  visibilityTimeoutSeconds?: number;
}

export interface PollResult {
  received: number;
  succeeded: number;
  failed: number;
}

export async function pollOnce(options: EventSourceOptions, waitSeconds = 0, onReceived?: (count: number) => void): Promise<PollResult> {
  const { client, queueUrl, handler } = options;
  const received = await client.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: Math.min(10, options.batchSize ?? 10),
      WaitTimeSeconds: waitSeconds,
      VisibilityTimeout: options.visibilityTimeoutSeconds ?? 30,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }),
  );
  const messages = received.Messages ?? [];
  onReceived?.(messages.length);
  if (messages.length === 0) return { received: 0, succeeded: 0, failed: 0 };

  const event: SQSEvent = { Records: messages.map((m) => toRecord(m, options.queueArn ?? queueUrl)) };
  let failedIds: Set<string>;
  try {
    const response = await handler(event);
    failedIds = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
  } catch {
    failedIds = new Set(messages.map((m) => m.MessageId ?? ''));
  }
  const succeeded = messages.filter((m) => !failedIds.has(m.MessageId ?? ''));
  const failed = messages.filter((m) => failedIds.has(m.MessageId ?? ''));
  if (succeeded.length) {
    await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: succeeded.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
      }),
    );
  }
  if (failed.length && options.retryDelaySeconds !== undefined) {
    await client.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: failed.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '', VisibilityTimeout: options.retryDelaySeconds })),
      }),
    );
  }
  return { received: messages.length, succeeded: succeeded.length, failed: failed.length };
}

/** Process until the queue yields nothing (failed messages come back after `retryDelaySeconds`, so set it to 0 to drain retries too). */
/**
 * Run the consumer until the queue is empty. `concurrency` pollers work side by side (as Lambda runs several
 * invocations of one event source mapping), so one slow message does not hold the others back.
 */
export function drain(options: EventSourceOptions, limits: DrainLimits = {}): Promise<PollResult> {
  return startDrain(options, limits).done;
}

export interface DrainLimits {
  maxBatches?: number;
  concurrency?: number;
  /** Called when a receive finds the queue empty, with when (performance.now()) that receive began. */
  onEmpty?: (receiveBegan: number) => void;
  /**
   * Asked before every receive: true → take no more messages (the messages in hand are finished; the rest stay on the
   * queue for the next start — an unreceived message is claimed by no one, so nothing is lost or sent twice).
   */
  stopped?: () => boolean;
}

export interface RunningDrain {
  done: Promise<PollResult>;
  /** True once the drain has found the queue empty with nothing in hand: later messages need a new drain. */
  finished(): boolean;
  /** New messages were sent: wake up to `count` pollers that wait for work. */
  nudge(count: number): void;
}

/**
 * A drain that can be told about new messages while it runs: a poller that finds the queue empty while others
 * still handle theirs does not leave; it waits until one of them finishes (its handler may have put a retry back)
 * or `nudge` says more came, then looks again. The drain ends when the queue is empty and no handler runs.
 */
export function startDrain(options: EventSourceOptions, limits: DrainLimits = {}): RunningDrain {
  const total: PollResult = { received: 0, succeeded: 0, failed: 0 };
  const max = limits.maxBatches ?? 10_000;
  let batches = 0;
  let handling = 0;
  let finished = false;
  const waiting: Array<() => void> = [];
  const wake = (n: number) => {
    for (let i = 0; i < n && waiting.length > 0; i++) waiting.shift()!();
  };
  const more: Promise<void>[] = [];
  // One poller first: an empty queue (the usual case) costs one receive. Each receive that brings messages brings in
  // one more poller (up to `concurrency`), before its messages go to the handler: a queue of n messages costs at most
  // 2n + 1 receives, however many pollers may run.
  const received = (count: number) => {
    if (count === 0) return;
    handling++;
    if (1 + more.length < (limits.concurrency ?? 1)) more.push(poller());
  };
  const stopped = limits.stopped ?? (() => false);
  const poller = async (): Promise<void> => {
    while (!finished && !stopped() && batches++ < max) {
      const began = performance.now();
      const r = await pollOnce(options, 0, received);
      if (r.received === 0) limits.onEmpty?.(began);
      total.received += r.received;
      total.succeeded += r.succeeded;
      total.failed += r.failed;
      if (r.received > 0) {
        handling--;
        continue; // this poller looks again itself (its batch may have put a retry back)
      }
      if (handling === 0) {
        finished = true;
        wake(waiting.length);
        return;
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
    if (batches > max || stopped()) {
      finished = true; // out of batches, or told to stop: the pollers waiting for work leave too
      wake(waiting.length);
    }
  };
  const done = (async () => {
    await poller();
    await Promise.all(more);
    finished = true;
    wake(waiting.length);
    return total;
  })();
  return { done, finished: () => finished, nudge: (count) => wake(count) };
}

export function startPolling(options: EventSourceOptions): { stop(): Promise<void> } {
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        await pollOnce(options, 1);
      } catch (err) {
        if (running) process.stderr.write(`huixin: queue poll failed: ${(err as Error).message}\n`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
    },
  };
}

function toRecord(m: Message, eventSourceARN: string): SQSRecord {
  const a = m.Attributes ?? {};
  return {
    messageId: m.MessageId ?? '',
    receiptHandle: m.ReceiptHandle ?? '',
    body: m.Body ?? '',
    attributes: {
      ApproximateReceiveCount: a.ApproximateReceiveCount ?? '1',
      SentTimestamp: a.SentTimestamp ?? String(Date.now()),
      SenderId: a.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [
        k,
        { stringValue: v.StringValue, binaryValue: undefined, stringListValues: [], binaryListValues: [], dataType: v.DataType ?? 'String' },
      ]),
    ),
    md5OfBody: m.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN,
    awsRegion: 'local',
  };
}

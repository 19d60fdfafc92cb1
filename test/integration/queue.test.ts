import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqsQueue } from '../../shared/adapters/sqs/sqs-queue.ts';
import { redrive } from '../../shared/adapters/sqs/redrive.ts';
import { drain, pollOnce, type SqsHandler } from '../../shared/local/event-source.ts';
import { startLocalSqs, type LocalSqs } from '../../shared/local/sqs.ts';

describe('queues on the embedded default (real SQS-compatible server, same @aws-sdk/client-sqs code)', () => {
  let sqs: LocalSqs;
  beforeAll(async () => {
    sqs = await startLocalSqs();
  });
  afterAll(async () => {
    await sqs?.stop();
  });

  it('listens on loopback only: the queues (no authentication) are not open to the network', async () => {
    const port = Number(new URL(sqs.endpoint).port);
    const reach = (host: string) =>
      new Promise<string>((resolve) => {
        const socket = connect({ host, port }, () => {
          socket.destroy();
          resolve('connected');
        });
        socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
      });
    expect(await reach('127.0.0.1')).toBe('connected');
    const external = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal);
    // A machine with no network interface but loopback has nothing to be open to.
    if (external) expect(await reach(external.address)).toBe('ECONNREFUSED');
  });

  it('refuses requests from web pages (an Origin header): a hostile page in the browser cannot post to the queues', async () => {
    const form = new URLSearchParams({ Action: 'ListQueues', Version: '2012-11-05' });
    const headers = { 'content-type': 'application/x-www-form-urlencoded' };
    const fromPage = await fetch(sqs.endpoint, { method: 'POST', headers: { ...headers, origin: 'http://evil.example' }, body: form });
    expect(fromPage.status).toBe(403);
    const fromSdkLike = await fetch(sqs.endpoint, { method: 'POST', headers, body: form });
    expect(fromSdkLike.status).not.toBe(403);
  });

  it('a consumer that throws on one message reports a partial batch failure and the rest go through', async () => {
    const pair = await sqs.queueWithDlq('partial', { maxReceiveCount: 5 });
    const queue = new SqsQueue<{ n: number }>(sqs.client, pair.url);
    for (let n = 1; n <= 5; n++) await queue.send({ n });
    const seen: number[] = [];
    const handler: SqsHandler = async (event) => {
      const batchItemFailures = [];
      for (const r of event.Records) {
        const { n } = JSON.parse(r.body) as { n: number };
        if (n === 3 && r.attributes.ApproximateReceiveCount === '1') batchItemFailures.push({ itemIdentifier: r.messageId });
        else seen.push(n);
      }
      return { batchItemFailures };
    };
    const first = await pollOnce({ client: sqs.client, queueUrl: pair.url, handler, retryDelaySeconds: 0 });
    expect(first).toEqual({ received: 5, succeeded: 4, failed: 1 });
    await drain({ client: sqs.client, queueUrl: pair.url, handler, retryDelaySeconds: 0 });
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5]);
    expect(await sqs.depth(pair.url)).toBe(0);
  });

  it('drain with concurrency: a message that is still being handled does not hold the others back', async () => {
    const pair = await sqs.queueWithDlq('concurrent', { maxReceiveCount: 5 });
    const queue = new SqsQueue<{ n: number }>(sqs.client, pair.url);
    for (let n = 1; n <= 4; n++) await queue.send({ n });
    const done: number[] = [];
    let othersDone!: () => void;
    const othersFinished = new Promise<void>((resolve) => (othersDone = resolve));
    let slowSeen = false;
    const handler: SqsHandler = async (event) => {
      for (const r of event.Records) {
        const { n } = JSON.parse(r.body) as { n: number };
        // The first message received waits until the three others are done: one poller alone would never get there.
        if (!slowSeen) {
          slowSeen = true;
          await othersFinished;
        }
        done.push(n);
        if (done.length === 3) othersDone();
      }
    };
    const r = await drain({ client: sqs.client, queueUrl: pair.url, handler, retryDelaySeconds: 0, batchSize: 1 }, { concurrency: 3 });
    expect(r).toEqual({ received: 4, succeeded: 4, failed: 0 });
    expect(done).toHaveLength(4);
    expect(await sqs.depth(pair.url)).toBe(0);
  });

  it('a drain told to stop takes no more messages: the one in hand is finished, the rest stay queued for the next start', async () => {
    const pair = await sqs.queueWithDlq('stopping', { maxReceiveCount: 5 });
    const queue = new SqsQueue<{ n: number }>(sqs.client, pair.url);
    for (let n = 1; n <= 5; n++) await queue.send({ n });
    let stop = false;
    const done: number[] = [];
    const handler: SqsHandler = async (event) => {
      for (const r of event.Records) done.push((JSON.parse(r.body) as { n: number }).n);
      stop = true; // Ctrl-C while the first letter is being submitted
    };
    const r = await drain({ client: sqs.client, queueUrl: pair.url, handler, retryDelaySeconds: 0, batchSize: 1 }, { concurrency: 1, stopped: () => stop });
    expect(r).toEqual({ received: 1, succeeded: 1, failed: 0 });
    expect(done).toHaveLength(1);
    expect(await sqs.depth(pair.url)).toBe(4);
  });

  it('drain brings in pollers one receive at a time: n messages cost at most 2n + 1 receives, not a receive per idle poller', async () => {
    const pair = await sqs.queueWithDlq('ramp', { maxReceiveCount: 5 });
    const queue = new SqsQueue<{ n: number }>(sqs.client, pair.url);
    for (let n = 1; n <= 3; n++) await queue.send({ n });
    let receives = 0;
    sqs.client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'ReceiveMessageCommand') receives++;
        return next(args);
      },
      { step: 'initialize', name: 'countReceives' },
    );
    try {
      const handler: SqsHandler = async () => {};
      const r = await drain({ client: sqs.client, queueUrl: pair.url, handler, retryDelaySeconds: 0, batchSize: 1 }, { concurrency: 8 });
      expect(r.succeeded).toBe(3);
      // each receive that found work may bring in one more poller, which ends on one empty receive; all 8 pollers
      // started at the first message would cost at least 1 + 7 + 3
      expect(receives).toBeLessThanOrEqual(2 * 3 + 1);
    } finally {
      sqs.client.middlewareStack.remove('countReceives');
    }
  });

  it('a poison message lands in the DLQ after maxReceiveCount, and redrive brings it back', async () => {
    const pair = await sqs.queueWithDlq('poison', { maxReceiveCount: 2 });
    const queue = new SqsQueue<{ poison: boolean }>(sqs.client, pair.url);
    await queue.send({ poison: true });
    await queue.send({ poison: false });
    let fixed = false;
    const handled: boolean[] = [];
    const handler: SqsHandler = async (event) => {
      for (const r of event.Records) {
        const body = JSON.parse(r.body) as { poison: boolean };
        if (body.poison && !fixed) throw new Error('cannot handle this yet');
        handled.push(body.poison);
      }
    };
    // Process one message per batch so the good one is not failed along with the poison one.
    await drain({ client: sqs.client, queueUrl: pair.url, handler, retryDelaySeconds: 0, batchSize: 1 });
    expect(handled).toEqual([false]);
    expect(await sqs.depth(pair.dlqUrl)).toBe(1);

    fixed = true;
    expect(await redrive(sqs.client, { dlqUrl: pair.dlqUrl, sourceUrl: pair.url })).toEqual({ moved: 1 });
    expect(await sqs.depth(pair.dlqUrl)).toBe(0);
    await drain({ client: sqs.client, queueUrl: pair.url, handler, retryDelaySeconds: 0 });
    expect(handled).toEqual([false, true]);
  });
});

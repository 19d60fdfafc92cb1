import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SqsQueue } from '../../shared/adapters/sqs/sqs-queue.ts';
import { localQueues, startLocalSqs } from '../../shared/local/sqs.ts';

const run = promisify(execFile);
const bin = path.resolve('bin/huixin.js');

describe('huixin queue redrive on the embedded default', () => {
  it('puts a dead letter back on its queue, where it survives a restart of the queue server', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'huixin-redrive-'));
    try {
      const sqsDir = path.join(dir, 'sqs');
      let sqs = await startLocalSqs({ dataDir: sqsDir });
      let q = (await localQueues(sqs)).submit;
      await new SqsQueue(sqs.client, q.dlqUrl).send({ letterId: 'l-poison' });
      expect(await sqs.depth(q.dlqUrl)).toBe(1);
      await sqs.stop();

      const { stdout } = await run(process.execPath, [bin, 'queue', 'redrive', '--queue', 'submit'], { env: { ...process.env, HUIXIN_DATA_DIR: dir } });
      expect(stdout).toContain('moved 1 message');

      sqs = await startLocalSqs({ dataDir: sqsDir });
      q = (await localQueues(sqs)).submit;
      expect(await sqs.depth(q.dlqUrl)).toBe(0);
      expect(await sqs.depth(q.url)).toBe(1);
      await sqs.stop();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('refuses an unknown queue name with exit 2', async () => {
    await expect(run(process.execPath, [bin, 'queue', 'redrive', '--queue', 'nope'])).rejects.toMatchObject({ code: 2 });
  }, 60_000);

  it('the check queue is AWS-only: the embedded default says so; in AWS a missing URL names the stack outputs', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'huixin-redrive-'));
    try {
      await expect(run(process.execPath, [bin, 'queue', 'redrive', '--queue', 'check'], { env: { ...process.env, HUIXIN_DATA_DIR: dir } })).rejects.toMatchObject({
        code: 2,
        stderr: expect.stringMatching(/no check queue/),
      });
      const aws = { ...process.env, HUIXIN_STORE: 'dynamodb', DYNAMODB_ENDPOINT: '', HUIXIN_CHECK_QUEUE_URL: '', HUIXIN_CHECK_DLQ_URL: '' };
      await expect(run(process.execPath, [bin, 'queue', 'redrive', '--queue', 'check'], { env: aws })).rejects.toMatchObject({
        code: 2,
        stderr: expect.stringMatching(/CheckQueueUrl and CheckDlqUrl/),
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

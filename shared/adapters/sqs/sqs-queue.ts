import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Queue } from '../../app/ports.ts';

/** The Queue port over SQS: Amazon SQS in AWS, the in-process SQS server locally — the same client code. */
export class SqsQueue<T> implements Queue<T> {
  constructor(
    private readonly client: SQSClient,
    readonly url: string,
  ) {}

  async send(body: T, options: { delaySeconds?: number; deduplicationId?: string } = {}): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.url,
        MessageBody: JSON.stringify(body),
        ...(options.delaySeconds !== undefined ? { DelaySeconds: Math.min(900, Math.max(0, Math.round(options.delaySeconds))) } : {}),
        ...(options.deduplicationId && this.url.endsWith('.fifo') ? { MessageDeduplicationId: options.deduplicationId } : {}),
      }),
    );
  }
}

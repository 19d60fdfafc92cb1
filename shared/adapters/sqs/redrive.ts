import { DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';

/**
 * Put dead letters back on their source queue after a fix. Receive → send → delete, in batches of 10, so it works the same
 * on Amazon SQS and on the local SQS server (which has no StartMessageMoveTask). A message is deleted from the DLQ only
 * after its copy was accepted by the source queue: a crash mid-way can duplicate a message, never lose one — and every
 * consumer is idempotent on the letter id.
 */
export async function redrive(
  client: SQSClient,
  from: { dlqUrl: string; sourceUrl: string },
  options: { max?: number; visibilityTimeout?: number } = {},
): Promise<{ moved: number }> {
  const max = options.max ?? Number.POSITIVE_INFINITY;
  let moved = 0;
  while (moved < max) {
    const received = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: from.dlqUrl,
        MaxNumberOfMessages: Math.min(10, max - moved),
        VisibilityTimeout: options.visibilityTimeout ?? 60,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
      }),
    );
    const messages = received.Messages ?? [];
    if (messages.length === 0) break;
    const sent = await client.send(
      new SendMessageBatchCommand({
        QueueUrl: from.sourceUrl,
        Entries: messages.map((m, i) => ({
          Id: String(i),
          MessageBody: m.Body ?? '',
          ...(m.MessageAttributes && Object.keys(m.MessageAttributes).length ? { MessageAttributes: m.MessageAttributes } : {}),
        })),
      }),
    );
    const ok = new Set((sent.Successful ?? []).map((s) => s.Id));
    const toDelete = messages.filter((_, i) => ok.has(String(i)));
    if (toDelete.length) {
      await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: from.dlqUrl,
          Entries: toDelete.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
        }),
      );
    }
    moved += toDelete.length;
    if (toDelete.length < messages.length) throw new Error(`redrive: ${messages.length - toDelete.length} message(s) could not be sent back; they stay in the DLQ`);
  }
  return { moved };
}

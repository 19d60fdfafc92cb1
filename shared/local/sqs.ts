import { Server as HttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Server as NetServer, type ListenOptions } from 'node:net';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startFauxqs } from 'fauxqs';

/**
 * The embedded default's SQS: an SQS-compatible server (fauxqs) in-process, spoken to by the same @aws-sdk/client-sqs
 * code as Amazon SQS. In memory, or persisted (SQLite) under `dataDir` so `huixin serve` loses nothing on restart.
 */
export interface LocalSqs {
  endpoint: string;
  client: SQSClient;
  /** Create (idempotently) a queue with its dead-letter queue, as the CDK stack does in AWS. */
  queueWithDlq(name: string, options?: { maxReceiveCount?: number; visibilityTimeoutSeconds?: number }): Promise<QueuePair>;
  depth(url: string): Promise<number>;
  stop(): Promise<void>;
}

export interface QueuePair {
  url: string;
  dlqUrl: string;
  maxReceiveCount: number;
}

/**
 * fauxqs listens on every interface whatever its `host` option says (2.4.1: `app.listen({ port, host: "0.0.0.0" })`;
 * `host` only names the queue URLs), which would open the queues — no authentication — to the whole network of an
 * office running `huixin serve`. While it starts, a listen on 0.0.0.0 is made a listen on 127.0.0.1. And a request
 * with an Origin header (a web page: the headless browser opens hostile ones) is refused — SQS's query protocol is a
 * plain form POST a page could send to 127.0.0.1 without reading the answer; the SDK never sends an Origin.
 */
async function onLoopback<T>(start: () => Promise<T>): Promise<T> {
  const listen = NetServer.prototype.listen;
  NetServer.prototype.listen = function (this: NetServer, ...args: unknown[]) {
    const first = args[0] as ListenOptions | undefined;
    if (first && typeof first === 'object' && (first.host === '0.0.0.0' || first.host === '::')) args[0] = { ...first, host: '127.0.0.1' };
    if (this instanceof HttpServer) refuseWebPages(this);
    return (listen as (...a: unknown[]) => NetServer).apply(this, args);
  } as typeof listen;
  try {
    return await start();
  } finally {
    NetServer.prototype.listen = listen;
  }
}

function refuseWebPages(server: HttpServer): void {
  const handlers = server.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.headers.origin !== undefined) {
      res.statusCode = 403;
      res.end();
      return;
    }
    for (const h of handlers) h.call(server, req, res);
  });
}

export async function startLocalSqs(options: { dataDir?: string } = {}): Promise<LocalSqs> {
  const server = await onLoopback(() => startFauxqs({ port: 0, logger: false, host: '127.0.0.1', ...(options.dataDir ? { dataDir: options.dataDir } : {}) }));
  const client = new SQSClient({
    endpoint: server.address,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

  async function createQueue(name: string, attributes: Record<string, string>): Promise<string> {
    const created = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    if (!created.QueueUrl) throw new Error(`local SQS did not return a URL for ${name}`);
    return created.QueueUrl;
  }

  return {
    endpoint: server.address,
    client,
    async queueWithDlq(name, opts = {}) {
      const maxReceiveCount = opts.maxReceiveCount ?? 3;
      const dlqUrl = await createQueue(`${name}-dlq`, { MessageRetentionPeriod: String(14 * 24 * 3600) });
      const dlqArn = (await client.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn;
      const url = await createQueue(name, {
        VisibilityTimeout: String(opts.visibilityTimeoutSeconds ?? 30),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount }),
      });
      return { url, dlqUrl, maxReceiveCount };
    },
    async depth(url) {
      const attrs = await client.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
      );
      return Number(attrs.Attributes?.ApproximateNumberOfMessages ?? 0) + Number(attrs.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
    },
    async stop() {
      client.destroy();
      await server.stop();
    },
  };
}

/** The embedded default's queues, each with its DLQ (the same names `huixin queue redrive` uses). */
export const LOCAL_QUEUES = { submit: 'huixin-submit', close: 'huixin-close', deadline: 'huixin-deadline' } as const;

export async function localQueues(sqs: LocalSqs): Promise<{ submit: QueuePair; close: QueuePair; deadline: QueuePair }> {
  return {
    submit: await sqs.queueWithDlq(LOCAL_QUEUES.submit, { maxReceiveCount: 3, visibilityTimeoutSeconds: 120 }),
    close: await sqs.queueWithDlq(LOCAL_QUEUES.close, { maxReceiveCount: 3 }),
    deadline: await sqs.queueWithDlq(LOCAL_QUEUES.deadline, { maxReceiveCount: 3 }),
  };
}


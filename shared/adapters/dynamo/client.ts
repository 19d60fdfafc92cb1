/**
 * The DynamoDB client and the helpers every store adapter uses: paginated Query, batch writes that retry
 * unprocessed items with backoff, conditional-failure detection, and `ensureTable` for local use.
 * The same code talks to AWS and to dynalite; only the endpoint (and, for the process's own dynalite thread, the
 * request handler that carries the HTTP request) differs.
 */
import {
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  QueryCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  type AttributeValue,
  type DynamoDBClientConfig,
  type QueryCommandInput,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { TABLE_SCHEMA } from './table-schema.ts';
import { mapLimit } from '../../app/map-limit.ts';

export interface DynamoClientOptions {
  region: string;
  /** e.g. a dynalite endpoint. Unset → AWS's regional endpoint and the SDK's credential chain. */
  endpoint?: string;
  /** What carries each request (default: the SDK's HTTP handler); e.g. the embedded dynalite's thread handler. */
  requestHandler?: DynamoDBClientConfig['requestHandler'];
}

export function createDynamoClient(options: DynamoClientOptions): DynamoDBClient {
  const client = new DynamoDBClient({
    region: options.region,
    ...(options.endpoint
      ? {
          endpoint: options.endpoint,
          // A local endpoint (dynalite) accepts any signature: don't make people configure AWS credentials for it.
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }
      : {}),
    ...(options.requestHandler ? { requestHandler: options.requestHandler } : {}),
    maxAttempts: 5,
  });
  // Per-call work we never use (measured on the mail bench, ~10% of the SDK's CPU per call): the logger middleware
  // walks every request and response through the schema's sensitive-data filter before handing them to the logger,
  // even the default no-op one (we never give the client a logger); the user-agent middleware rebuilds and escapes
  // the SDK's telemetry User-Agent string on every call (DynamoDB needs none).
  client.middlewareStack.remove('loggerMiddleware');
  client.middlewareStack.remove('getUserAgentMiddleware');
  return client;
}

export type Item = Record<string, AttributeValue>;

export function isConditionalFailure(err: unknown): boolean {
  return (
    err instanceof ConditionalCheckFailedException ||
    (err instanceof Error && err.name === 'ConditionalCheckFailedException')
  );
}

/** Every item of a Query, following LastEvaluatedKey (a page stops at 1 MB). */
export async function queryAll(client: DynamoDBClient, input: QueryCommandInput): Promise<Item[]> {
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await client.send(new QueryCommand({ ...input, ...(start ? { ExclusiveStartKey: start } : {}) }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

export interface BatchOptions {
  /** Attempts per chunk before giving up on unprocessed items. */
  maxAttempts?: number;
  /** Base backoff in ms (doubled each retry, with jitter). Tests pass 0. */
  baseDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** BatchWriteItem calls in flight. Default 4. */
  concurrency?: number;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Put many items with BatchWriteItem (25 a call, a few calls in flight), retrying UnprocessedItems with exponential backoff. */
export async function batchPutAll(
  client: DynamoDBClient,
  tableName: string,
  items: readonly Item[],
  options: BatchOptions = {},
): Promise<void> {
  const maxAttempts = options.maxAttempts ?? 8;
  const base = options.baseDelayMs ?? 50;
  const sleep = options.sleep ?? defaultSleep;
  const chunks: Item[][] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  await mapLimit(chunks, options.concurrency ?? 4, async (chunk) => {
    let pending: WriteRequest[] = chunk.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > maxAttempts) throw new Error(`batch write: ${pending.length} items still unprocessed after ${maxAttempts} attempts`);
      if (attempt > 1) await sleep(Math.round(base * 2 ** (attempt - 2) * (0.5 + Math.random())));
      const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: pending } }));
      pending = out.UnprocessedItems?.[tableName] ?? [];
    }
  });
}

/** Create the table from table-schema.ts when it is missing (local use; in AWS the data stack owns it). */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    const d = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const have = new Set((d.Table?.GlobalSecondaryIndexes ?? []).map((g) => g.IndexName));
    const missing = TABLE_SCHEMA.globalSecondaryIndexes.filter((g) => !have.has(g.indexName)).map((g) => g.indexName);
    // dynalite cannot add a GSI to an existing table: say so instead of failing later on a Query.
    if (missing.length > 0) {
      throw new Error(
        `table ${tableName} lacks the index(es) ${missing.join(', ')} that this version of huixin needs (it was created by an older version); ` +
          'move the old data dir aside and import again, or add the index in AWS through the data stack',
      );
    }
    return;
  } catch (err) {
    if (!(err instanceof ResourceNotFoundException || (err instanceof Error && err.name === 'ResourceNotFoundException'))) throw err;
  }
  const attrs = new Map<string, 'S'>();
  const add = (k: { name: string; type: 'S' }) => attrs.set(k.name, k.type);
  add(TABLE_SCHEMA.partitionKey);
  add(TABLE_SCHEMA.sortKey);
  for (const g of TABLE_SCHEMA.globalSecondaryIndexes) {
    add(g.partitionKey);
    add(g.sortKey);
  }
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [...attrs].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType })),
        KeySchema: [
          { AttributeName: TABLE_SCHEMA.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: TABLE_SCHEMA.sortKey.name, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: TABLE_SCHEMA.globalSecondaryIndexes.map((g) => ({
          IndexName: g.indexName,
          KeySchema: [
            { AttributeName: g.partitionKey.name, KeyType: 'HASH' },
            { AttributeName: g.sortKey.name, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: g.projection },
        })),
      }),
    );
  } catch (err) {
    if (!(err instanceof ResourceInUseException || (err instanceof Error && err.name === 'ResourceInUseException'))) throw err;
  }
  // Wait until ACTIVE (dynalite is started with createTableMs: 0, so this is one round trip locally).
  for (let i = 0; i < 600; i++) {
    const d = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const gsisActive = (d.Table?.GlobalSecondaryIndexes ?? []).every((g) => g.IndexStatus === 'ACTIVE');
    if (d.Table?.TableStatus === 'ACTIVE' && gsisActive) return;
    await defaultSleep(100);
  }
  throw new Error(`table ${tableName} did not become ACTIVE`);
}

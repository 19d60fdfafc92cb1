/**
 * The one factory that builds the stores, for every CLI command and local process:
 * - `openStores(config)`: the embedded default (dynalite on disk in HUIXIN_DATA_DIR) unless the configuration says
 *   DynamoDB (DYNAMODB_ENDPOINT set, or HUIXIN_STORE=dynamodb for AWS);
 * - `openLocalStores({ dataDir } | { inMemory: true })`: dynalite explicitly (tests, the demo).
 * Both return the stores plus `close()`, which the caller must await.
 */
import path from 'node:path';
import type { Config } from '../config.ts';
import { createDynamoClient, ensureTable, type BatchOptions } from '../adapters/dynamo/client.ts';
import { createStores, type Stores } from '../adapters/dynamo/stores.ts';
import { startDynalite } from './dynalite.ts';
import { privateDir } from './data-dir.ts';
import { LOCAL_REGION } from '../config.ts';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface OpenStores extends Stores {
  client: DynamoDBClient;
  tableName: string;
  /** Where the store is, for messages: a data dir, an endpoint, or `aws:<region>`. */
  location: string;
  close(): Promise<void>;
}

export type LocalStoreOptions = ({ dataDir: string } | { inMemory: true }) & { tableName?: string; batch?: BatchOptions };

export async function openLocalStores(options: LocalStoreOptions): Promise<OpenStores> {
  const tableName = options.tableName ?? 'huixin';
  // the data folder and the database folder: owner only (see ./data-dir.ts)
  const dbPath = 'dataDir' in options ? privateDir(path.join(privateDir(options.dataDir), 'dynamodb')) : undefined;
  const local = await startDynalite(dbPath ? { path: dbPath } : {});
  // The process's own client hands its requests to dynalite's thread as messages (the same SDK code signs and
  // serializes them); the endpoint stays open for other clients.
  const client = createDynamoClient({ region: LOCAL_REGION, endpoint: local.endpoint, requestHandler: local.requestHandler });
  try {
    await ensureTable(client, tableName);
  } catch (err) {
    client.destroy();
    await local.close();
    throw err;
  }
  return {
    ...createStores({ client, tableName, ...(options.batch ? { batch: options.batch } : {}) }),
    client,
    tableName,
    location: dbPath ?? 'memory',
    close: async () => {
      client.destroy();
      await local.close();
    },
  };
}

/** Stores as the configuration says: embedded dynalite on disk by default; DynamoDB (AWS or an endpoint) otherwise. */
export async function openStores(config: Config): Promise<OpenStores> {
  if (config.store === 'embedded') return openLocalStores({ dataDir: config.dataDir, tableName: config.tableName });
  const client = createDynamoClient({ region: config.region, ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}) });
  // A local endpoint gets its table created on first use; in AWS the data stack owns the table.
  if (config.dynamodbEndpoint) await ensureTable(client, config.tableName);
  return {
    ...createStores({ client, tableName: config.tableName }),
    client,
    tableName: config.tableName,
    location: config.dynamodbEndpoint ?? `aws:${config.region}`,
    close: async () => client.destroy(),
  };
}

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CampaignStore, EventStore, LetterStore, SiteStore } from '../../app/ports.ts';
import type { BatchOptions } from './client.ts';
import { DynamoCampaignStore } from './campaign-store.ts';
import { DynamoEventStore } from './event-store.ts';
import { DynamoLetterStore } from './letter-store.ts';
import { DynamoSiteStore } from './site-store.ts';

export interface Stores {
  sites: SiteStore & DynamoSiteStore;
  campaigns: CampaignStore & DynamoCampaignStore;
  letters: LetterStore & DynamoLetterStore;
  events: EventStore & DynamoEventStore;
}

/** All the DynamoDB-backed stores over one client and table. */
export function createStores(options: { client: DynamoDBClient; tableName: string; batch?: BatchOptions }): Stores {
  const { client, tableName } = options;
  return {
    sites: new DynamoSiteStore(client, tableName, options.batch),
    campaigns: new DynamoCampaignStore(client, tableName),
    letters: new DynamoLetterStore(client, tableName),
    events: new DynamoEventStore(client, tableName),
  };
}

export { createDynamoClient, ensureTable } from './client.ts';

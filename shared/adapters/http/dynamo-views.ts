/**
 * The overview counters item in the huixin table: `VIEW#<campaignId>` / `COUNTERS`. Every count is a top-level
 * number attribute named `c|<name>` (e.g. `c|buckets|sent`, `c|region|广东省|late`), so a letter change adds its
 * deltas with one atomic UpdateItem (ADD), conditional on the day the counts are for.
 */
import { GetItemCommand, PutItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { StoredCounters, ViewStore } from '../../app/api/views.ts';
import { isConditionalFailure } from '../dynamo/client.ts';
import { values } from '../dynamo/codec.ts';

const key = (campaignId: string) => values({ pk: `VIEW#${campaignId}`, sk: 'COUNTERS' });
const PREFIX = 'c|';

export class DynamoViewStore implements ViewStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async load(campaignId: string): Promise<StoredCounters | undefined> {
    const out = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: key(campaignId), ConsistentRead: true }));
    const item = out.Item;
    if (!item) return undefined;
    const counts: Record<string, number> = {};
    for (const [k, v] of Object.entries(item)) if (k.startsWith(PREFIX) && v.N !== undefined) counts[k.slice(PREFIX.length)] = Number(v.N);
    return { campaignId, day: item.day?.S ?? '', computedAt: item.computedAt?.S ?? '', gen: Number(item.gen?.N ?? 0), counts };
  }

  async save(c: Omit<StoredCounters, 'gen'>, expectedGen: number): Promise<boolean> {
    const item: Record<string, unknown> = { pk: `VIEW#${c.campaignId}`, sk: 'COUNTERS', entity: 'view-counters', day: c.day, computedAt: c.computedAt, gen: expectedGen };
    for (const [k, v] of Object.entries(c.counts)) if (v) item[`${PREFIX}${k}`] = v;
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: values(item),
          ConditionExpression: expectedGen === 0 ? 'attribute_not_exists(pk) OR gen = :g' : 'gen = :g',
          ExpressionAttributeValues: values({ ':g': expectedGen }),
        }),
      );
      return true;
    } catch (err) {
      if (isConditionalFailure(err)) return false;
      throw err;
    }
  }

  async add(campaignId: string, day: string, delta: Readonly<Record<string, number>>): Promise<boolean> {
    const names: Record<string, string> = { '#day': 'day' };
    const vals: Record<string, unknown> = { ':day': day, ':one': 1 };
    const parts = ['gen :one'];
    Object.entries(delta).forEach(([k, v], i) => {
      names[`#n${i}`] = `${PREFIX}${k}`;
      vals[`:v${i}`] = v;
      parts.push(`#n${i} :v${i}`);
    });
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: key(campaignId),
          UpdateExpression: `ADD ${parts.join(', ')}`,
          ConditionExpression: '#day = :day',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values(vals),
        }),
      );
      return true;
    } catch (err) {
      if (isConditionalFailure(err)) return false;
      throw err;
    }
  }

  async invalidate(campaignId: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: key(campaignId),
          UpdateExpression: 'SET #day = :empty ADD gen :one',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#day': 'day' },
          ExpressionAttributeValues: values({ ':empty': '', ':one': 1 }),
        }),
      );
    } catch (err) {
      if (!isConditionalFailure(err)) throw err; // nothing stored yet: nothing to invalidate
    }
  }
}

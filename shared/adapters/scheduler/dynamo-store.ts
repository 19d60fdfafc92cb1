/**
 * The local scheduler's ScheduleStore in the huixin table (dynalite locally; works on DynamoDB too).
 * Item `pk=SCHEDULE#<group>/<name> sk=SCHEDULE`; while pending or firing it sits in gsi1 under the partition
 * `SCHEDULES#DUE`, sorted by its due instant (UTC-sortable), so "what is due now" is one Query. Firing or
 * cancelling removes it from the index (sparse). Every state change is a single-item conditional write.
 */
import { BatchGetItemCommand, GetItemCommand, PutItemCommand, QueryCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConflictError } from '../../domain/errors.ts';
import { batchPutAll, isConditionalFailure, type Item } from '../dynamo/client.ts';
import { mapLimit } from '../../app/map-limit.ts';
import { fromItem, toItem, values } from '../dynamo/codec.ts';
import { sortableInstant } from '../dynamo/table-schema.ts';
import type { ScheduleState, ScheduleStore, StoredSchedule } from './local.ts';

const DUE_PK = 'SCHEDULES#DUE';
const keyOf = (key: string) => ({ pk: `SCHEDULE#${key}`, sk: 'SCHEDULE' });
const itemOf = (schedule: StoredSchedule) => toItem(schedule, { ...keyOf(schedule.key), gsi1pk: DUE_PK, gsi1sk: `${sortableInstant(schedule.at)}#${schedule.key}` }, 'schedule');

export class DynamoScheduleStore implements ScheduleStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async create(schedule: StoredSchedule): Promise<boolean> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: itemOf(schedule),
          // new, or replacing a cancelled one
          ConditionExpression: 'attribute_not_exists(pk) OR #state = :cancelled',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: values({ ':cancelled': 'cancelled' }),
        }),
      );
      return true;
    } catch (err) {
      if (isConditionalFailure(err)) return false;
      throw err;
    }
  }

  /**
   * Many creates with batched writes: one strongly consistent BatchGetItem per 100 keys finds the live ones, then
   * BatchWriteItem (25 a call) writes the rest. A campaign's 28,000 sends cost ~1,400 calls instead of 28,000.
   * Between the read and the write nobody else touches these keys (they are derived from the campaign: only a
   * concurrent re-run of the same create would, and it writes the same schedules).
   */
  async createMany(schedules: readonly StoredSchedule[]): Promise<void> {
    const first = new Map<string, StoredSchedule>();
    for (const s of schedules) if (!first.has(s.key)) first.set(s.key, s); // as one by one: the first one wins
    const unique = [...first.values()];
    const chunks: StoredSchedule[][] = [];
    for (let i = 0; i < unique.length; i += 100) chunks.push(unique.slice(i, i + 100));
    const live = new Set<string>();
    await mapLimit(chunks, 4, async (chunk) => {
      let keys: Item[] = chunk.map((s) => values(keyOf(s.key)));
      for (let attempt = 0; keys.length > 0; attempt++) {
        if (attempt >= 8) throw new Error(`schedules: ${keys.length} keys still unprocessed by BatchGetItem`);
        if (attempt > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
        const out = await this.client.send(
          new BatchGetItemCommand({
            RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true, ProjectionExpression: '#k, #state', ExpressionAttributeNames: { '#k': 'key', '#state': 'state' } } },
          }),
        );
        for (const i of out.Responses?.[this.tableName] ?? []) {
          const s = fromItem<Pick<StoredSchedule, 'key' | 'state'>>(i);
          if (s.state !== 'cancelled') live.add(s.key);
        }
        keys = out.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      }
    });
    await batchPutAll(this.client, this.tableName, unique.filter((s) => !live.has(s.key)).map(itemOf));
  }

  async get(key: string): Promise<StoredSchedule | undefined> {
    const out = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: values(keyOf(key)), ConsistentRead: true }));
    return out.Item ? fromItem<StoredSchedule>(out.Item) : undefined;
  }

  private async queryDue(upTo: string | undefined, limit: number, pendingOnly: boolean): Promise<StoredSchedule[]> {
    const out: StoredSchedule[] = [];
    let start: Item | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: upTo === undefined ? 'gsi1pk = :pk' : 'gsi1pk = :pk AND gsi1sk <= :t',
          ExpressionAttributeValues: values({ ':pk': DUE_PK, ...(upTo === undefined ? {} : { ':t': `${sortableInstant(upTo)}#\uffff` }) }),
          Limit: Math.max(limit, 25),
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const i of page.Items ?? []) {
        const s = fromItem<StoredSchedule>(i);
        if (s.state === 'pending' || (!pendingOnly && s.state === 'firing')) out.push(s);
        if (out.length >= limit) return out;
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  due(asOf: string, limit: number): Promise<StoredSchedule[]> {
    return this.queryDue(asOf, limit, false);
  }

  async next(): Promise<StoredSchedule | undefined> {
    return (await this.queryDue(undefined, 1, true))[0];
  }

  async update(
    key: string,
    from: readonly ScheduleState[],
    patch: Partial<Pick<StoredSchedule, 'state' | 'claimedAt' | 'firedAt'>>,
    expectClaimedAt?: string,
  ): Promise<StoredSchedule> {
    const sets: string[] = [];
    const names: Record<string, string> = { '#state': 'state' };
    const vals: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) continue;
      names[`#${k}`] = k;
      vals[`:${k}`] = v;
      sets.push(`#${k} = :${k}`);
    }
    const leavesIndex = patch.state === 'fired' || patch.state === 'cancelled';
    const fromNames = from.map((_, i) => `:f${i}`);
    from.forEach((f, i) => (vals[`:f${i}`] = f));
    let condition = `attribute_exists(pk) AND #state IN (${fromNames.join(', ')})`;
    if (expectClaimedAt !== undefined) {
      names['#claimedAt'] = 'claimedAt';
      vals[':expectClaimedAt'] = expectClaimedAt;
      condition += ' AND #claimedAt = :expectClaimedAt';
    }
    try {
      const out = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: values(keyOf(key)),
          UpdateExpression: `SET ${sets.join(', ')}${leavesIndex ? ' REMOVE gsi1pk, gsi1sk' : ''}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values(vals),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return fromItem<StoredSchedule>(out.Attributes ?? {});
    } catch (err) {
      if (isConditionalFailure(err)) throw new ConflictError(`schedule ${key} is not ${from.join('/')}`);
      throw err;
    }
  }
}

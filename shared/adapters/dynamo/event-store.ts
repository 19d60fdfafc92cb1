import { PutItemCommand, QueryCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DomainEvent } from '../../domain/events.ts';
import type { EventStore } from '../../app/ports.ts';
import { isConditionalFailure, queryAll } from './client.ts';
import { fromItem, toItem, values } from './codec.ts';
import { isAlertFeedEvent } from '../../domain/alerts/incidents.ts';
import { beijingDayOf, keys, sortableInstant } from './table-schema.ts';

/**
 * The keys of an event's item: its stream partition and time-ordered sort key, plus — for the alert types — the
 * sparse alert-feed keys on gsi1. Anything that writes event items directly must use these (same item as append).
 */
export function eventItemKeys(event: DomainEvent): Record<string, string> {
  return {
    pk: keys.streamPk(event.stream),
    sk: keys.eventSk(event.at, event.id),
    ...(isAlertFeedEvent(event) ? { gsi1pk: keys.alertFeedGsi1Pk(beijingDayOf(event.recordedAt)), gsi1sk: keys.alertFeedGsi1Sk(event.recordedAt, event.id) } : {}),
  };
}

const DAY_MS = 86_400_000;

/**
 * Events: `pk = <stream partition>`, `sk = EV#<at as UTC>#<eventId>`. A letter's events share the letter's
 * partition. Append is idempotent on the event id (`attribute_not_exists`). Events of the alert types are also in
 * the alert feed (gsi1 `ALERTFEED#<Beijing day>`, see `eventItemKeys`).
 */
export class DynamoEventStore implements EventStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async append(event: DomainEvent): Promise<void> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: toItem(event, eventItemKeys(event), 'event'),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (err) {
      if (isConditionalFailure(err)) return; // already appended: a retry, not a conflict
      throw err;
    }
  }

  async stream(stream: string): Promise<DomainEvent[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :ev)',
      ExpressionAttributeValues: values({ ':pk': keys.streamPk(stream), ':ev': keys.EVENT_SK_PREFIX }),
      ConsistentRead: true,
    });
    return items.map((i) => fromItem<DomainEvent>(i));
  }

  async latest(stream: string, type: DomainEvent['type']): Promise<DomainEvent | undefined> {
    // Newest first, a small page at a time (the filter applies after the page limit, and a page's items are all
    // billed), growing while other types get in the way, until one of the type turns up.
    let start: Record<string, AttributeValue> | undefined;
    let limit = 2;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :ev)',
          FilterExpression: '#type = :type',
          ExpressionAttributeNames: { '#type': 'type' },
          ExpressionAttributeValues: values({ ':pk': keys.streamPk(stream), ':ev': keys.EVENT_SK_PREFIX, ':type': type }),
          ScanIndexForward: false,
          Limit: limit,
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      const hit = page.Items?.[0];
      if (hit) return fromItem<DomainEvent>(hit);
      start = page.LastEvaluatedKey;
      limit = Math.min(limit * 4, 128);
    } while (start);
    return undefined;
  }

  /** The alert feed: one Query (eventually consistent: a GSI) per Beijing day from `since`'s to `until`'s. */
  async recordedBetween(since: string, until: string): Promise<DomainEvent[]> {
    const lo = sortableInstant(since);
    const hi = sortableInstant(until);
    if (lo > hi) return [];
    const out: DomainEvent[] = [];
    const last = beijingDayOf(until);
    for (let t = Date.parse(since), day = beijingDayOf(since); day <= last; t += DAY_MS, day = beijingDayOf(new Date(t).toISOString())) {
      const items = await queryAll(this.client, {
        TableName: this.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :lo AND :hi',
        // `<hi>#<id>` sorts after `<hi>`: the upper bound takes every id recorded at `until` itself
        ExpressionAttributeValues: values({ ':pk': keys.alertFeedGsi1Pk(day), ':lo': lo, ':hi': `${hi}#\uffff` }),
      });
      out.push(...items.map((i) => fromItem<DomainEvent>(i)));
    }
    return out;
  }
}

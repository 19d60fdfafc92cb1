import { PutItemCommand, QueryCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DomainEvent } from '../../domain/events.ts';
import type { EventStore } from '../../app/ports.ts';
import { isConditionalFailure, queryAll } from './client.ts';
import { fromItem, toItem, values } from './codec.ts';
import { keys } from './table-schema.ts';

/**
 * Events: `pk = <stream partition>`, `sk = EV#<at as UTC>#<eventId>`. A letter's events share the letter's
 * partition. Append is idempotent on the event id (`attribute_not_exists`).
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
          Item: toItem(event, { pk: keys.streamPk(event.stream), sk: keys.eventSk(event.at, event.id) }, 'event'),
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
    // Newest first, a page at a time (the filter applies after the page limit), until one of the type turns up.
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :ev)',
          FilterExpression: '#type = :type',
          ExpressionAttributeNames: { '#type': 'type' },
          ExpressionAttributeValues: values({ ':pk': keys.streamPk(stream), ':ev': keys.EVENT_SK_PREFIX, ':type': type }),
          ScanIndexForward: false,
          Limit: 20,
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      const hit = page.Items?.[0];
      if (hit) return fromItem<DomainEvent>(hit);
      start = page.LastEvaluatedKey;
    } while (start);
    return undefined;
  }
}

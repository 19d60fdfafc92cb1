/**
 * AlertStore in huixin's single table (schema: shared/adapters/dynamo/table-schema.ts). Items this adds
 * (Engineer B: please fold into docs/data-model.md):
 * - site alert state: pk `ALERTSITE#<siteId>`, sk `STATE`; while its incident is suspected/open also
 *   gsi1pk `ALERTS#ACTIVE`, gsi1sk `<siteId>` (sparse: the open incidents are one Query); while it holds
 *   notifications not yet queued also gsi2pk `ALERTS#UNQUEUED`, gsi2sk `<siteId>`.
 * - the scheduled runs' cursor on the alert feed: pk `ALERTS#RUN`, sk `CURSOR`.
 * - incident history: pk `ALERTSITE#<siteId>`, sk `INCIDENT#<incidentId>`; gsi2pk `ALERTS#INCIDENTS`, gsi2sk `<startedAt UTC>#<id>`.
 * - delivery (outbox): pk `ALERTDELIVERY#<deliveryId>`, sk `DELIVERY`; gsi2pk `ALERTS#DELIVERIES`, gsi2sk `<createdAt UTC>#<id>`;
 *   while pending also gsi1pk `ALERTS#PENDING`, gsi1sk `<nextAttemptAt UTC>#<id>`.
 */
import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConflictError } from '../../domain/errors.ts';
import { isActive, type Incident } from '../../domain/alerts/incidents.ts';
import type { Delivery } from '../../domain/alerts/outbox.ts';
import type { AlertRunCursor, AlertStore, SiteAlertState } from '../../app/alerts-ports.ts';
import { isConditionalFailure, queryAll } from '../dynamo/client.ts';
import { fromItem, toItem, values } from '../dynamo/codec.ts';
import { sortableInstant } from '../dynamo/table-schema.ts';

const ACTIVE = 'ALERTS#ACTIVE';
const PENDING = 'ALERTS#PENDING';
const INCIDENTS = 'ALERTS#INCIDENTS';
const DELIVERIES = 'ALERTS#DELIVERIES';

const UNQUEUED = 'ALERTS#UNQUEUED';
const RUN_CURSOR = { pk: 'ALERTS#RUN', sk: 'CURSOR' };

const stateItem = (s: SiteAlertState) =>
  toItem(
    s,
    {
      pk: `ALERTSITE#${s.siteId}`,
      sk: 'STATE',
      ...(isActive(s.incident) ? { gsi1pk: ACTIVE, gsi1sk: s.siteId } : {}),
      ...(s.unqueued?.length ? { gsi2pk: UNQUEUED, gsi2sk: s.siteId } : {}),
    },
    'alert-site',
  );
const incidentItem = (i: Incident) =>
  toItem(i, { pk: `ALERTSITE#${i.siteId}`, sk: `INCIDENT#${i.id}`, gsi2pk: INCIDENTS, gsi2sk: `${sortableInstant(i.startedAt)}#${i.id}` }, 'alert-incident');
const deliveryItem = (d: Delivery) =>
  toItem(
    d,
    {
      pk: `ALERTDELIVERY#${d.id}`,
      sk: 'DELIVERY',
      gsi2pk: DELIVERIES,
      gsi2sk: `${sortableInstant(d.createdAt)}#${d.id}`,
      ...(d.status === 'pending' ? { gsi1pk: PENDING, gsi1sk: `${sortableInstant(d.nextAttemptAt)}#${d.id}` } : {}),
    },
    'alert-delivery',
  );

export class DynamoAlertStore implements AlertStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async getSiteState(siteId: string): Promise<SiteAlertState | undefined> {
    const r = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: values({ pk: `ALERTSITE#${siteId}`, sk: 'STATE' }), ConsistentRead: true }),
    );
    return r.Item ? fromItem<SiteAlertState>(r.Item) : undefined;
  }

  async putSiteState(state: SiteAlertState, expectedVersion: number): Promise<void> {
    await this.conditionalPut(stateItem(state), expectedVersion, `alert state of site ${state.siteId}`);
  }

  async listActive(): Promise<SiteAlertState[]> {
    return (await this.byGsi('gsi1', ACTIVE)).map((i) => fromItem<SiteAlertState>(i));
  }

  async listPendingWork(): Promise<SiteAlertState[]> {
    const [active, unqueued] = await Promise.all([this.byGsi('gsi1', ACTIVE), this.byGsi('gsi2', UNQUEUED)]);
    const bySite = new Map<string, SiteAlertState>();
    for (const i of [...active, ...unqueued]) {
      const st = fromItem<SiteAlertState>(i);
      bySite.set(st.siteId, st);
    }
    return [...bySite.values()];
  }

  async getRunCursor(): Promise<AlertRunCursor | undefined> {
    const r = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: values(RUN_CURSOR), ConsistentRead: true }));
    return r.Item ? fromItem<AlertRunCursor>(r.Item) : undefined;
  }

  async putRunCursor(cursor: AlertRunCursor, expectedVersion: number): Promise<void> {
    await this.conditionalPut(toItem({ at: cursor.at, version: cursor.version }, RUN_CURSOR, 'alert-run-cursor'), expectedVersion, 'alert run cursor');
  }

  async recordIncident(incident: Incident): Promise<void> {
    await this.client.send(new PutItemCommand({ TableName: this.tableName, Item: incidentItem(incident) }));
  }

  async listIncidents(): Promise<Incident[]> {
    return (await this.byGsi('gsi2', INCIDENTS, false)).map((i) => fromItem<Incident>(i));
  }

  async createDelivery(delivery: Delivery): Promise<boolean> {
    try {
      await this.client.send(
        new PutItemCommand({ TableName: this.tableName, Item: deliveryItem(delivery), ConditionExpression: 'attribute_not_exists(pk)' }),
      );
      return true;
    } catch (err) {
      if (isConditionalFailure(err)) return false;
      throw err;
    }
  }

  async updateDelivery(delivery: Delivery, expectedVersion: number): Promise<void> {
    await this.conditionalPut(deliveryItem(delivery), expectedVersion, `delivery ${delivery.id}`, false);
  }

  async listPending(): Promise<Delivery[]> {
    return (await this.byGsi('gsi1', PENDING)).map((i) => fromItem<Delivery>(i));
  }

  async listDeliveries(): Promise<Delivery[]> {
    return (await this.byGsi('gsi2', DELIVERIES, false)).map((i) => fromItem<Delivery>(i));
  }

  private async byGsi(index: 'gsi1' | 'gsi2', pk: string, forward = true) {
    return queryAll(this.client, {
      TableName: this.tableName,
      IndexName: index,
      KeyConditionExpression: `${index}pk = :pk`,
      ExpressionAttributeValues: values({ ':pk': pk }),
      ScanIndexForward: forward,
    });
  }

  private async conditionalPut(item: ReturnType<typeof toItem>, expectedVersion: number, what: string, createWhenZero = true): Promise<void> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: item,
          ...(expectedVersion === 0 && createWhenZero
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : { ConditionExpression: 'version = :v', ExpressionAttributeValues: values({ ':v': expectedVersion }) }),
        }),
      );
    } catch (err) {
      if (isConditionalFailure(err)) throw new ConflictError(`${what} changed under us`);
      throw err;
    }
  }
}

/**
 * Dashboard users and sessions in the huixin table (the embedded default; in AWS, Cognito holds the users).
 * Users: `USER#<name>` / `USER`, listed through gsi1 (`USERS`). Sessions: `SESSION#<sha256 of id>` / `SESSION`
 * with a `ttl` attribute (epoch seconds) for DynamoDB's TTL; expiry is also checked on every read. A user's
 * sessions are listed through gsi2 (`SESSIONS#<user>`, sk the id hash), to end them all at once.
 */
import { DeleteItemCommand, GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AuthStore, SessionRecord, UserRecord } from '../../app/auth.ts';
import { isConditionalFailure, queryAll } from '../dynamo/client.ts';
import { fromItem, toItem, values } from '../dynamo/codec.ts';

const sessionsOf = (user: string) => `SESSIONS#${user}`;

export class DynamoAuthStore implements AuthStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  private userItem(u: UserRecord) {
    return toItem(u, { pk: `USER#${u.name}`, sk: 'USER', gsi1pk: 'USERS', gsi1sk: u.name }, 'user');
  }

  async getUser(name: string): Promise<UserRecord | undefined> {
    const out = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: values({ pk: `USER#${name}`, sk: 'USER' }), ConsistentRead: true }));
    return out.Item ? fromItem<UserRecord>(out.Item) : undefined;
  }

  async putUser(user: UserRecord): Promise<void> {
    await this.client.send(new PutItemCommand({ TableName: this.tableName, Item: this.userItem(user) }));
  }

  async createUser(user: UserRecord): Promise<boolean> {
    try {
      await this.client.send(new PutItemCommand({ TableName: this.tableName, Item: this.userItem(user), ConditionExpression: 'attribute_not_exists(pk)' }));
      return true;
    } catch (err) {
      if (isConditionalFailure(err)) return false;
      throw err;
    }
  }

  async listUsers(): Promise<UserRecord[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: values({ ':pk': 'USERS' }),
    });
    return items.map((i) => fromItem<UserRecord>(i));
  }

  async putSession(s: SessionRecord): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: toItem({ ...s, ttl: Math.ceil(Date.parse(s.expiresAt) / 1000) }, { pk: `SESSION#${s.idHash}`, sk: 'SESSION', gsi2pk: sessionsOf(s.user), gsi2sk: s.idHash }, 'session'),
      }),
    );
  }

  async getSession(idHash: string): Promise<SessionRecord | undefined> {
    const out = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: values({ pk: `SESSION#${idHash}`, sk: 'SESSION' }), ConsistentRead: true }));
    if (!out.Item) return undefined;
    const { ttl: _ttl, ...s } = fromItem<SessionRecord & { ttl?: number }>(out.Item);
    return s;
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: values({ pk: `SESSION#${idHash}`, sk: 'SESSION' }) }));
  }

  async deleteUser(name: string): Promise<boolean> {
    const out = await this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: values({ pk: `USER#${name}`, sk: 'USER' }), ReturnValues: 'ALL_OLD' }));
    return !!out.Attributes;
  }

  async deleteSessionsOf(user: string): Promise<number> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk',
      ExpressionAttributeValues: values({ ':pk': sessionsOf(user) }),
    });
    for (const i of items) await this.deleteSession(fromItem<SessionRecord>(i).idHash);
    return items.length;
  }
}

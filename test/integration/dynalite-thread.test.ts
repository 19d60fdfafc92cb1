import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { createDynamoClient, ensureTable } from '../../shared/adapters/dynamo/client.ts';
import { startDynalite, type LocalDynamo } from '../../shared/local/dynalite.ts';

const region = 'cn-north-1';
let db: LocalDynamo | undefined;

afterEach(async () => {
  await db?.close();
  db = undefined;
});

describe("the embedded dynalite's thread request handler", () => {
  it('serves the same table as the HTTP endpoint: an item put through one is read through the other', async () => {
    db = await startDynalite();
    const viaThread = createDynamoClient({ region, endpoint: db.endpoint, requestHandler: db.requestHandler });
    const viaHttp = createDynamoClient({ region, endpoint: db.endpoint });
    await ensureTable(viaThread, 'tbl');
    await viaThread.send(new PutItemCommand({ TableName: 'tbl', Item: { pk: { S: 'letter#1' }, sk: { S: 'v' }, title: { S: '关于居住证的咨询' } } }));
    const got = await viaHttp.send(new GetItemCommand({ TableName: 'tbl', Key: { pk: { S: 'letter#1' }, sk: { S: 'v' } } }));
    expect(got.Item?.title).toEqual({ S: '关于居住证的咨询' });
    await viaHttp.send(new PutItemCommand({ TableName: 'tbl', Item: { pk: { S: 'letter#2' }, sk: { S: 'v' }, n: { N: '3' } } }));
    const back = await viaThread.send(new GetItemCommand({ TableName: 'tbl', Key: { pk: { S: 'letter#2' }, sk: { S: 'v' } } }));
    expect(back.Item?.n).toEqual({ N: '3' });
    viaHttp.destroy();
  });

  it("passes dynalite's errors through as the SDK's typed errors (a conditional put that fails)", async () => {
    db = await startDynalite();
    const client = createDynamoClient({ region, endpoint: db.endpoint, requestHandler: db.requestHandler });
    await ensureTable(client, 'tbl');
    const put = () =>
      client.send(new PutItemCommand({ TableName: 'tbl', Item: { pk: { S: 'a' }, sk: { S: 'b' } }, ConditionExpression: 'attribute_not_exists(pk)' }));
    await put();
    await expect(put()).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
  });

  it('refuses requests once the thread has stopped, instead of leaving them waiting', async () => {
    db = await startDynalite();
    const client = createDynamoClient({ region, endpoint: db.endpoint, requestHandler: db.requestHandler });
    client.config.maxAttempts = async () => 1;
    await ensureTable(client, 'tbl');
    await db.close();
    await expect(client.send(new GetItemCommand({ TableName: 'tbl', Key: { pk: { S: 'a' }, sk: { S: 'b' } } }))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('refuses requests from web pages (an Origin header; dynalite itself allows any origin)', async () => {
    db = await startDynalite();
    const target = { 'x-amz-target': 'DynamoDB_20120810.ListTables', 'content-type': 'application/x-amz-json-1.0' };
    const fromPage = await fetch(db.endpoint, { method: 'POST', headers: { ...target, origin: 'http://evil.example' }, body: '{}' });
    expect(fromPage.status).toBe(403);
    const preflight = await fetch(db.endpoint, { method: 'OPTIONS', headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('an aborted request is rejected as aborted', async () => {
    db = await startDynalite();
    const controller = new AbortController();
    controller.abort();
    await expect(db.requestHandler.handle({ method: 'POST', path: '/', headers: {} }, { abortSignal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });
});

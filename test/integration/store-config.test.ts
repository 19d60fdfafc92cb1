import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config.ts';
import { InputError } from '../../shared/domain/errors.ts';
import { startDynalite } from '../../shared/local/dynalite.ts';
import { openLocalStores, openStores } from '../../shared/local/runtime.ts';

describe('configuration and the store factory', () => {
  it('defaults: embedded store in ./.huixin, table huixin, a placeholder region', () => {
    expect(loadConfig({}, '/srv/x')).toEqual({ dataDir: '/srv/x/.huixin', tableName: 'huixin', store: 'embedded', region: 'cn-north-1' });
  });

  it('DYNAMODB_ENDPOINT alone selects the DynamoDB store at that endpoint; AWS_REGION is passed through', () => {
    expect(loadConfig({ DYNAMODB_ENDPOINT: 'http://127.0.0.1:4567', AWS_REGION: 'cn-northwest-1', HUIXIN_TABLE: 'huixin-t1' }, '/')).toEqual({
      dataDir: '/.huixin',
      tableName: 'huixin-t1',
      store: 'dynamodb',
      dynamodbEndpoint: 'http://127.0.0.1:4567',
      region: 'cn-northwest-1',
    });
  });

  it('a bad value is an InputError naming the variable', () => {
    expect(() => loadConfig({ DYNAMODB_ENDPOINT: 'not a url' })).toThrow(InputError);
    expect(() => loadConfig({ HUIXIN_STORE: 'sqlite' })).toThrow(/HUIXIN_STORE/);
  });

  it('openStores talks to a DynamoDB endpoint when configured (here a separate dynalite), creating the table', async () => {
    const server = await startDynalite();
    try {
      const stores = await openStores(loadConfig({ DYNAMODB_ENDPOINT: server.endpoint, HUIXIN_TABLE: 'huixin-x' }));
      try {
        expect(stores.location).toBe(server.endpoint);
        await stores.sites.importSites(
          [{ id: '6100000001', name: '甲', category: '省级部门', region: '陕西省', homeUrl: 'https://a.gov.cn/', consultUrl: 'https://a.gov.cn/zx' }],
          { source: 't', importedAt: '2026-03-02T09:00:00+08:00' },
        );
        expect((await stores.sites.listSites()).map((s) => s.id)).toEqual(['6100000001']);
      } finally {
        await stores.close();
      }
    } finally {
      await server.close();
    }
  });

  it('a second process on the same data dir gets a clear InputError, not a LevelDB lock trace', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'huixin-lock-'));
    const first = await openLocalStores({ dataDir: dir });
    try {
      await expect(openLocalStores({ dataDir: dir })).rejects.toThrow(/data dir in use/);
    } finally {
      await first.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('ensureTable', () => {
  it('refuses, with a clear message, a table created without an index the code needs', async () => {
    const { CreateTableCommand } = await import('@aws-sdk/client-dynamodb');
    const { createDynamoClient, ensureTable } = await import('../../shared/adapters/dynamo/client.ts');
    const server = await startDynalite();
    const client = createDynamoClient({ region: 'cn-north-1', endpoint: server.endpoint });
    try {
      await client.send(
        new CreateTableCommand({
          TableName: 'old',
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'S' },
          ],
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
        }),
      );
      await expect(ensureTable(client, 'old')).rejects.toThrow(/lacks the index\(es\) gsi1, gsi2, gsi3/);
      await ensureTable(client, 'fresh');
      await ensureTable(client, 'fresh'); // idempotent
    } finally {
      client.destroy();
      await server.close();
    }
  });
});

/**
 * Sites live in registry snapshots: every import writes a complete new snapshot (the old sites it keeps plus the
 * file's), each snapshot one partition `REGISTRY#<snapshotId>`, then flips the one pointer item `REGISTRY/CURRENT`
 * with a conditional write. Reads go through the pointer. A crash before the flip leaves an orphan snapshot that
 * nothing reads: either the whole file is current or nothing changed — without transactions.
 */
import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConflictError } from '../../domain/errors.ts';
import type { Site } from '../../domain/model.ts';
import { newId } from '../../app/ids.ts';
import type { SiteStore } from '../../app/ports.ts';
import { batchPutAll, isConditionalFailure, queryAll, type BatchOptions } from './client.ts';
import { fromItem, toItem, values } from './codec.ts';
import { keys } from './table-schema.ts';

export interface RegistryPointer {
  snapshotId: string;
  previousSnapshotId?: string;
  source: string;
  importedAt: string;
  siteCount: number;
}

export class DynamoSiteStore implements SiteStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly batch: BatchOptions = {},
  ) {}

  async currentSnapshot(): Promise<RegistryPointer | undefined> {
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: values(keys.registryPointer()), ConsistentRead: true }),
    );
    return out.Item ? fromItem<RegistryPointer>(out.Item) : undefined;
  }

  private async sitesOf(snapshotId: string): Promise<Site[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: values({ ':pk': keys.registrySnapshotPk(snapshotId) }),
    });
    return items.map((i) => fromItem<Site>(i));
  }

  async importSites(
    sites: readonly Site[],
    meta: { source: string; importedAt: string },
  ): Promise<{ added: number; updated: number; snapshotId: string }> {
    const pointer = await this.currentSnapshot();
    const old = new Map((pointer ? await this.sitesOf(pointer.snapshotId) : []).map((s) => [s.id, s]));
    const merged = new Map(old);
    let added = 0;
    let updated = 0;
    for (const s of sites) {
      const before = old.get(s.id);
      if (!before) added++;
      else if (!sameSite(before, s)) updated++;
      merged.set(s.id, s);
    }
    const snapshotId = newId('r', new Date(meta.importedAt));
    await batchPutAll(
      this.client,
      this.tableName,
      [...merged.values()].map((s) => toItem(s, keys.registrySite(snapshotId, s.id), 'site')),
      this.batch,
    );
    const next: RegistryPointer = {
      snapshotId,
      ...(pointer ? { previousSnapshotId: pointer.snapshotId } : {}),
      source: meta.source,
      importedAt: meta.importedAt,
      siteCount: merged.size,
    };
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: toItem(next, keys.registryPointer(), 'registry-pointer'),
          ...(pointer
            ? {
                ConditionExpression: 'snapshotId = :old',
                ExpressionAttributeValues: values({ ':old': pointer.snapshotId }),
              }
            : { ConditionExpression: 'attribute_not_exists(pk)' }),
        }),
      );
    } catch (err) {
      if (isConditionalFailure(err)) throw new ConflictError('another registry import finished first: import again');
      throw err;
    }
    return { added, updated, snapshotId };
  }

  async listSites(): Promise<Site[]> {
    const pointer = await this.currentSnapshot();
    return pointer ? await this.sitesOf(pointer.snapshotId) : [];
  }

  async getSite(id: string): Promise<Site | undefined> {
    const pointer = await this.currentSnapshot();
    if (!pointer) return undefined;
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: values(keys.registrySite(pointer.snapshotId, id)) }),
    );
    return out.Item ? fromItem<Site>(out.Item) : undefined;
  }
}

function sameSite(a: Site, b: Site): boolean {
  const fields: Array<keyof Site> = ['name', 'category', 'region', 'homeUrl', 'consultUrl', 'supervisorEmail'];
  return fields.every((f) => (a[f] ?? '') === (b[f] ?? ''));
}

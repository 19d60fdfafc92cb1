/**
 * Sites live in registry snapshots: every import writes a complete new snapshot (the old sites it keeps plus the
 * file's), each snapshot one partition `REGISTRY#<snapshotId>`, then flips the one pointer item `REGISTRY/CURRENT`
 * with a conditional write. Reads go through the pointer. A crash before the flip leaves an orphan snapshot that
 * nothing reads: either the whole file is current or nothing changed — without transactions.
 * A single-site read may reuse the pointer for a few seconds (SITE_POINTER_MAX_AGE_MS): one read per letter, not two.
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

/** How long `getSite` may go on reading the snapshot it last saw current (snapshots never change once written). */
export const SITE_POINTER_MAX_AGE_MS = 5_000;

export interface SiteStoreOptions {
  /** Default SITE_POINTER_MAX_AGE_MS; 0 reads the pointer on every getSite. */
  pointerMaxAgeMs?: number;
  /** Monotonic milliseconds (tests). */
  nowMs?: () => number;
}

export class DynamoSiteStore implements SiteStore {
  /** The pointer as getSite last read it, and when (nowMs): a letter's submission and poll each read one site. */
  private seen: { pointer: RegistryPointer | undefined; atMs: number } | undefined;
  private readonly pointerMaxAgeMs: number;
  private readonly nowMs: () => number;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly batch: BatchOptions = {},
    options: SiteStoreOptions = {},
  ) {
    this.pointerMaxAgeMs = options.pointerMaxAgeMs ?? SITE_POINTER_MAX_AGE_MS;
    this.nowMs = options.nowMs ?? (() => performance.now());
  }

  async currentSnapshot(): Promise<RegistryPointer | undefined> {
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: values(keys.registryPointer()), ConsistentRead: true }),
    );
    const pointer = out.Item ? fromItem<RegistryPointer>(out.Item) : undefined;
    this.seen = { pointer, atMs: this.nowMs() };
    return pointer;
  }

  /**
   * The current snapshot for a single-site read: the pointer read at most pointerMaxAgeMs ago, else read again. A
   * snapshot is never written to after its pointer flip, so a cached pointer names a complete registry: at worst
   * another process's import shows here that much later. This process's own import is seen at once.
   */
  private async recentSnapshot(): Promise<RegistryPointer | undefined> {
    const seen = this.seen;
    if (seen?.pointer && this.nowMs() - seen.atMs < this.pointerMaxAgeMs) return seen.pointer;
    return this.currentSnapshot();
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
      this.seen = undefined;
      if (isConditionalFailure(err)) throw new ConflictError('another registry import finished first: import again');
      throw err;
    }
    this.seen = { pointer: next, atMs: this.nowMs() };
    return { added, updated, snapshotId };
  }

  async listSites(): Promise<Site[]> {
    const pointer = await this.currentSnapshot();
    return pointer ? await this.sitesOf(pointer.snapshotId) : [];
  }

  async getSite(id: string): Promise<Site | undefined> {
    const pointer = await this.recentSnapshot();
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

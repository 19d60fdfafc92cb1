import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConflictError, NotFoundError } from '../../domain/errors.ts';
import type { DomainEvent } from '../../domain/events.ts';
import type { Letter, LetterState } from '../../domain/model.ts';
import type { LetterPatch, LetterStore } from '../../app/ports.ts';
import { isConditionalFailure, queryAll, type Item } from './client.ts';
import { mapLimit } from '../../app/map-limit.ts';
import { fromItem, toItem, values } from './codec.ts';
import { keys, shardOf, OPEN_SHARDS, sortableInstant } from './table-schema.ts';

/** A letter is open (in the sparse overdue index gsi3) while it is submitted, has a deadline and no reply yet. */
export function isOpen(letter: Letter): boolean {
  return letter.state === 'submitted' && !!letter.deadlineAt && !letter.firstReply;
}

export function letterItem(letter: Letter): Item {
  return toItem(
    letter,
    {
      ...keys.letter(letter.id),
      gsi1pk: keys.lettersOfCampaignGsi1Pk(letter.campaignId),
      gsi1sk: `${letter.state}#${letter.id}`,
      gsi2pk: keys.lettersOfSiteGsi2Pk(letter.siteId),
      gsi2sk: `${sortableInstant(letter.plannedAt)}#${letter.id}`,
      ...(isOpen(letter)
        ? { gsi3pk: keys.openGsi3Pk(shardOf(letter.id)), gsi3sk: `${sortableInstant(letter.deadlineAt!)}#${letter.id}` }
        : {}),
    },
    'letter',
  );
}

/**
 * The versioned write of a letter: the whole new item, on condition that the stored `version` is still
 * `expectedVersion`. False when someone else wrote in between (the caller re-reads and decides again).
 */
export async function putLetterVersion(client: DynamoDBClient, tableName: string, next: Letter, expectedVersion: number): Promise<boolean> {
  try {
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: letterItem(next),
        ConditionExpression: 'version = :v',
        ExpressionAttributeValues: values({ ':v': expectedVersion }),
      }),
    );
    return true;
  } catch (err) {
    if (isConditionalFailure(err)) return false;
    throw err;
  }
}

export class DynamoLetterStore implements LetterStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async putLetters(letters: readonly Letter[]): Promise<void> {
    await mapLimit(letters, 16, async (letter) => {
      try {
        await this.client.send(
          new PutItemCommand({
            TableName: this.tableName,
            Item: letterItem(letter),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (err) {
        if (!isConditionalFailure(err)) throw err; // exists already: idempotent planning leaves it as it is
      }
    });
  }

  async getLetter(id: string): Promise<Letter | undefined> {
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: values(keys.letter(id)), ConsistentRead: true }),
    );
    return out.Item ? fromItem<Letter>(out.Item) : undefined;
  }

  /** A letter and its whole timeline in one Query (its events share its partition). */
  async letterWithEvents(id: string): Promise<{ letter?: Letter; events: DomainEvent[] }> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: values({ ':pk': keys.letter(id).pk }),
      ConsistentRead: true,
    });
    let letter: Letter | undefined;
    const events: DomainEvent[] = [];
    for (const i of items) {
      if (i.sk?.S === 'LETTER') letter = fromItem<Letter>(i);
      else events.push(fromItem<DomainEvent>(i));
    }
    return { ...(letter ? { letter } : {}), events };
  }

  /**
   * Optimistic single-item conditional write: read, check the state is one of `from`, write the whole new item
   * on condition that `version` is unchanged. If someone else wrote in between, re-read: still in `from` → try
   * again; otherwise ConflictError. The indexes' keys are recomputed from the new letter.
   */
  async updateLetter(id: string, from: readonly LetterState[], patch: LetterPatch, known?: Letter): Promise<Letter> {
    // The caller's copy saves the read when it is still current (the version condition tells); else read as usual.
    let current: Letter | undefined = known?.id === id && from.includes(known.state) ? known : undefined;
    for (let attempt = 0; attempt < 10; attempt++) {
      current ??= await this.getLetter(id);
      if (!current) throw new NotFoundError(`没有这封信 / no letter ${id}`);
      if (!from.includes(current.state)) {
        throw new ConflictError(`letter ${id} is ${current.state}, not ${from.join('/')}`);
      }
      const next: Letter = {
        ...current,
        ...patch,
        id: current.id,
        campaignId: current.campaignId,
        siteId: current.siteId,
        version: current.version + 1,
        updatedAt: patch.updatedAt ?? this.now().toISOString(),
      };
      for (const [k, v] of Object.entries(patch)) if (v === undefined) delete (next as unknown as Record<string, unknown>)[k];
      if (await putLetterVersion(this.client, this.tableName, next, current.version)) return next;
      current = undefined;
    }
    throw new ConflictError(`letter ${id}: too much contention, gave up`);
  }

  async lettersOfCampaign(campaignId: string, state?: LetterState): Promise<Letter[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: state ? 'gsi1pk = :pk AND begins_with(gsi1sk, :st)' : 'gsi1pk = :pk',
      ExpressionAttributeValues: values({ ':pk': keys.lettersOfCampaignGsi1Pk(campaignId), ...(state ? { ':st': `${state}#` } : {}) }),
    });
    return items.map((i) => fromItem<Letter>(i));
  }

  /** A site's letters across campaigns, ordered by planned time. */
  async lettersOfSite(siteId: string): Promise<Letter[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk',
      ExpressionAttributeValues: values({ ':pk': keys.lettersOfSiteGsi2Pk(siteId) }),
    });
    return items.map((i) => fromItem<Letter>(i));
  }

  /** Open letters whose deadline is strictly before `asOf`, earliest deadline first (one Query per shard). */
  async overdueLetters(asOf: string): Promise<Letter[]> {
    const bound = sortableInstant(asOf);
    const shards = await mapLimit(
      Array.from({ length: OPEN_SHARDS }, (_, i) => i),
      OPEN_SHARDS,
      (shard) =>
        queryAll(this.client, {
          TableName: this.tableName,
          IndexName: 'gsi3',
          KeyConditionExpression: 'gsi3pk = :pk AND gsi3sk < :asOf',
          ExpressionAttributeValues: values({ ':pk': keys.openGsi3Pk(shard), ':asOf': bound }),
        }),
    );
    return shards
      .flat()
      .map((i) => fromItem<Letter>(i))
      .sort((a, b) => sortableInstant(a.deadlineAt!).localeCompare(sortableInstant(b.deadlineAt!)) || a.id.localeCompare(b.id));
  }
}

/**
 * DynamoDB-backed MailStore and LetterFinder, in huixin's single table (schema: shared/adapters/dynamo/table-schema.ts).
 * Items this adds (Engineer B: please fold into docs/data-model.md):
 * - mail record: pk `MAIL#<mailId>`, sk `MAIL` (its events share the partition, as `mail:<id>` streams do);
 *   while held also gsi1pk `MAILS#HELD`, gsi1sk `<receivedAt UTC>#<mailId>` (sparse: the holding pen is one Query).
 * - pointers: pk `QUERYCODE#<code lowercased>` / `MSGID#<message-id lowercased, no <>>`, sk `LETTER#<letterId>`.
 * Site-domain lookups use the registry (SiteStore.listSites) and LetterStore.lettersOfSite.
 */
import { BatchGetItemCommand, GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConflictError, NotFoundError } from '../../domain/errors.ts';
import type { DomainEvent } from '../../domain/events.ts';
import type { Letter, ReplyEvidence } from '../../domain/model.ts';
import type { LetterFinder, LetterStore, MailRecord, MailStatus, MailStore, SiteStore } from '../../app/ports.ts';
import { batchPutAll, isConditionalFailure, queryAll, type Item } from '../dynamo/client.ts';
import { fromItem, toItem, values } from '../dynamo/codec.ts';
import { keys, sortableInstant } from '../dynamo/table-schema.ts';
import { eventItemKeys } from '../dynamo/event-store.ts';
import { putLetterVersion } from '../dynamo/letter-store.ts';
import { normalizeMessageId, openLettersOfSitesUnder } from './memory.ts';

const HELD_PK = 'MAILS#HELD';

function mailItem(m: MailRecord) {
  return toItem(
    m,
    {
      pk: `MAIL#${m.id}`,
      sk: 'MAIL',
      ...(m.status === 'held' ? { gsi1pk: HELD_PK, gsi1sk: `${sortableInstant(m.receivedAt)}#${m.id}` } : {}),
    },
    'mail',
  );
}

export class DynamoMailStore implements MailStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async createMail(record: MailRecord): Promise<boolean> {
    try {
      await this.client.send(
        new PutItemCommand({ TableName: this.tableName, Item: mailItem(record), ConditionExpression: 'attribute_not_exists(pk)' }),
      );
      return true;
    } catch (err) {
      if (isConditionalFailure(err)) return false;
      throw err;
    }
  }

  async getMail(id: string): Promise<MailRecord | undefined> {
    const r = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: values({ pk: `MAIL#${id}`, sk: 'MAIL' }), ConsistentRead: true }),
    );
    return r.Item ? fromItem<MailRecord>(r.Item) : undefined;
  }

  async listHeld(): Promise<MailRecord[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: values({ ':pk': HELD_PK }),
    });
    return items.map((i) => fromItem<MailRecord>(i));
  }

  async updateMail(id: string, from: readonly MailStatus[], patch: Partial<Omit<MailRecord, 'id'>>): Promise<MailRecord> {
    const cur = await this.getMail(id);
    if (!cur) throw new NotFoundError(`没有这封邮件 / no mail ${id}`);
    if (!from.includes(cur.status)) throw new ConflictError(`mail ${id} is ${cur.status}, not ${from.join('/')}`);
    const next: MailRecord = { ...cur, ...patch, id };
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: mailItem(next),
          ConditionExpression: '#s = :s',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: values({ ':s': cur.status }),
        }),
      );
    } catch (err) {
      if (isConditionalFailure(err)) throw new ConflictError(`mail ${id} changed under us`);
      throw err;
    }
    return next;
  }
}

export class DynamoLetterFinder implements LetterFinder {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly letters: LetterStore,
    private readonly sites: Pick<SiteStore, 'listSites'>,
    /** Stamps `updatedAt` (the injected clock: a fast-forwarded demo, a test). */
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Write the pointer items for a letter (call when it is submitted / when its 查询码 becomes known). */
  async index(letterId: string, keys: { queryCode?: string; messageIds?: string[] }): Promise<void> {
    const pks = [
      ...(keys.queryCode ? [`QUERYCODE#${keys.queryCode.toLowerCase()}`] : []),
      ...(keys.messageIds ?? []).map((m) => `MSGID#${normalizeMessageId(m)}`),
    ];
    for (const pk of pks) {
      await this.client.send(
        new PutItemCommand({ TableName: this.tableName, Item: values({ pk, sk: `LETTER#${letterId}`, letterId, entity: 'pointer' }) }),
      );
    }
  }

  private async byPointer(pk: string): Promise<Letter[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: values({ ':pk': pk }),
    });
    const out: Letter[] = [];
    for (const i of items) {
      const id = (fromItem<{ letterId: string }>(i)).letterId;
      const l = await this.letters.getLetter(id);
      if (l) out.push(l);
    }
    return out;
  }

  byQueryCode(code: string): Promise<Letter[]> {
    return this.byPointer(`QUERYCODE#${code.toLowerCase()}`);
  }
  byMessageId(messageId: string): Promise<Letter[]> {
    return this.byPointer(`MSGID#${normalizeMessageId(messageId)}`);
  }
  async openLettersOfSiteDomain(domain: string): Promise<Letter[]> {
    return openLettersOfSitesUnder(await this.sites.listSites(), this.letters, domain);
  }
  /** One versioned letter write (putLetterVersion, as updateLetter); re-read and re-decide on a lost race. */
  async recordFirstReply(letterId: string, evidence: ReplyEvidence, known?: Letter): Promise<{ letter: Letter; changed: boolean }> {
    let cur = known ?? (await this.letters.getLetter(letterId));
    for (let attempt = 0; attempt < 5; attempt++) {
      if (!cur) throw new NotFoundError(`没有这封信 / no letter ${letterId}`);
      if (cur.firstReply && Date.parse(cur.firstReply.at) <= Date.parse(evidence.at)) return { letter: cur, changed: false };
      const next: Letter = { ...cur, firstReply: evidence, version: cur.version + 1, updatedAt: this.now().toISOString() };
      if (await putLetterVersion(this.client, this.tableName, next, cur.version)) return { letter: next, changed: true };
      cur = await this.letters.getLetter(letterId);
    }
    throw new ConflictError(`letter ${letterId}: could not record its first reply (contention)`);
  }
}

interface Waiting<T> {
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
}

const keyOf = (k: Item) => `${k.pk?.S}\u0000${k.sk?.S}`;

/**
 * Group commit for concurrent ingests in one process (the local SMTP server, the bench):
 * single-item consistent reads and first-time puts are gathered for a few ms, and those issued while a call of the
 * same kind is in flight go together when it returns, as one BatchGetItem / BatchWriteItem (unprocessed items
 * retried). Each DynamoDB call costs far more CPU in the SDK and HTTP than its items do, so under load the calls per
 * mail drop. A Lambda invocation that ingests one mail gains nothing and waits the window once per batched call.
 * Only for reads that may be batched (ConsistentRead is kept) and puts that need no condition.
 */
export class DynamoBatcher {
  private readonly gets: Array<{ key: Item } & Waiting<Item | undefined>> = [];
  private readonly puts: Array<{ item: Item } & Waiting<void>> = [];
  private getsBusy = false;
  private putsBusy = false;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    /**
     * How long the first read/put after a quiet spell waits for company (ms; 0 = the next turn of the event loop).
     * Later ones wait for the call in flight anyway. A few ms is nothing next to mail delivery, and measured on the
     * bench (8 in flight) it took the calls per mail from 1.98 to 1.58.
     */
    private readonly windowMs = 5,
  ) {}

  private later(fn: () => Promise<void>): void {
    if (this.windowMs > 0) setTimeout(() => void fn(), this.windowMs);
    else setImmediate(() => void fn());
  }

  /** A consistent read of one item, batched with the reads of other callers. */
  get(key: Record<string, string>): Promise<Item | undefined> {
    return new Promise((resolve, reject) => {
      this.gets.push({ key: values(key), resolve, reject });
      if (!this.getsBusy) {
        this.getsBusy = true;
        this.later(() => this.flushGets());
      }
    });
  }

  /** An unconditional put, batched with the puts of other callers (never two puts of one key in one batch). */
  put(item: Item): Promise<void> {
    return new Promise((resolve, reject) => {
      this.puts.push({ item, resolve, reject });
      if (!this.putsBusy) {
        this.putsBusy = true;
        this.later(() => this.flushPuts());
      }
    });
  }

  private async flushGets(): Promise<void> {
    try {
      await this.drainGets();
    } finally {
      this.getsBusy = false;
      // Something queued between the last batch and here (it saw us busy and did not schedule): go again.
      if (this.gets.length > 0) {
        this.getsBusy = true;
        this.later(() => this.flushGets());
      }
    }
  }

  private async drainGets(): Promise<void> {
    while (this.gets.length > 0) {
      const batch = this.gets.splice(0, 100);
      const byKey = new Map<string, Item>();
      for (const g of batch) byKey.set(keyOf(g.key), g.key);
      try {
        const found = new Map<string, Item>();
        let pending = [...byKey.values()];
        for (let attempt = 1; pending.length > 0; attempt++) {
          if (attempt > 8) throw new Error(`batch get: ${pending.length} keys still unprocessed after 8 attempts`);
          if (attempt > 1) await new Promise((r) => setTimeout(r, Math.round(25 * 2 ** (attempt - 2) * (0.5 + Math.random()))));
          const out = await this.client.send(
            new BatchGetItemCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } }),
          );
          for (const item of out.Responses?.[this.tableName] ?? []) found.set(keyOf(item), item);
          pending = out.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
        }
        for (const g of batch) g.resolve(found.get(keyOf(g.key)));
      } catch (err) {
        for (const g of batch) g.reject(err);
      }
    }
  }

  private async flushPuts(): Promise<void> {
    try {
      await this.drainPuts();
    } finally {
      this.putsBusy = false;
      // Something queued between the last batch and here (it saw us busy and did not schedule): go again.
      if (this.puts.length > 0) {
        this.putsBusy = true;
        this.later(() => this.flushPuts());
      }
    }
  }

  private async drainPuts(): Promise<void> {
    while (this.puts.length > 0) {
      const batch: typeof this.puts = [];
      const seen = new Set<string>();
      for (let i = 0; i < this.puts.length && batch.length < 25; ) {
        const k = keyOf(this.puts[i]!.item);
        if (seen.has(k)) {
          i++; // the same key again: it waits for the next batch
          continue;
        }
        seen.add(k);
        batch.push(...this.puts.splice(i, 1));
      }
      try {
        await batchPutAll(this.client, this.tableName, batch.map((p) => p.item), { concurrency: 1 });
        for (const p of batch) p.resolve();
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
  }
}

/** The item DynamoEventStore.append writes (its keys, same encoding), for a put that needs no condition. */
export function eventItem(event: DomainEvent): Item {
  return toItem(event, eventItemKeys(event), 'event');
}

/**
 * `letters` with its getLetter sent through the batcher (the same consistent read of the same item); every other
 * method is `letters`' own, called on it (wrappers that count or check writes keep working).
 */
export function batchedLetterReads<T extends LetterStore>(letters: T, batcher: DynamoBatcher): T {
  const getLetter = async (id: string): Promise<Letter | undefined> => {
    const item = await batcher.get(keys.letter(id));
    return item ? fromItem<Letter>(item) : undefined;
  };
  return new Proxy(letters, {
    get(target, prop) {
      if (prop === 'getLetter') return getLetter;
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/**
 * DynamoDB-backed MailStore and LetterFinder, in huixin's single table (schema: shared/adapters/dynamo/table-schema.ts).
 * Items this adds (Engineer B: please fold into docs/data-model.md):
 * - mail record: pk `MAIL#<mailId>`, sk `MAIL` (its events share the partition, as `mail:<id>` streams do);
 *   while held also gsi1pk `MAILS#HELD`, gsi1sk `<receivedAt UTC>#<mailId>` (sparse: the holding pen is one Query).
 * - pointers: pk `QUERYCODE#<code lowercased>` / `MSGID#<message-id lowercased, no <>>`, sk `LETTER#<letterId>`.
 * Site-domain lookups use the registry (SiteStore.listSites) and LetterStore.lettersOfSite.
 */
import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConflictError, NotFoundError } from '../../domain/errors.ts';
import type { Letter, ReplyEvidence } from '../../domain/model.ts';
import type { LetterFinder, LetterStore, MailRecord, MailStatus, MailStore, SiteStore } from '../../app/ports.ts';
import { isConditionalFailure, queryAll } from '../dynamo/client.ts';
import { fromItem, toItem, values } from '../dynamo/codec.ts';
import { sortableInstant } from '../dynamo/table-schema.ts';
import { letterItem } from '../dynamo/letter-store.ts';
import { hostOf, hostUnder, normalizeMessageId } from './memory.ts';

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
    if (!cur) throw new NotFoundError(`no mail ${id}`);
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
    const sites = (await this.sites.listSites()).filter((s) =>
      [s.homeUrl, s.consultUrl].some((u) => {
        const h = hostOf(u);
        return h !== null && hostUnder(h, domain);
      }),
    );
    const out: Letter[] = [];
    for (const s of sites) for (const l of await this.letters.lettersOfSite(s.id)) if (l.state === 'submitted') out.push(l);
    return out;
  }
  /** One conditional PutItem (version = the version we decided on); re-read and re-decide on a lost race. */
  async recordFirstReply(letterId: string, evidence: ReplyEvidence, known?: Letter): Promise<{ letter: Letter; changed: boolean }> {
    let cur = known ?? (await this.letters.getLetter(letterId));
    for (let attempt = 0; attempt < 5; attempt++) {
      if (!cur) throw new NotFoundError(`no letter ${letterId}`);
      if (cur.firstReply && Date.parse(cur.firstReply.at) <= Date.parse(evidence.at)) return { letter: cur, changed: false };
      const next: Letter = { ...cur, firstReply: evidence, version: cur.version + 1, updatedAt: this.now().toISOString() };
      try {
        await this.client.send(
          new PutItemCommand({
            TableName: this.tableName,
            Item: letterItem(next),
            ConditionExpression: 'version = :v',
            ExpressionAttributeValues: values({ ':v': cur.version }),
          }),
        );
        return { letter: next, changed: true };
      } catch (err) {
        if (!isConditionalFailure(err)) throw err;
        cur = await this.letters.getLetter(letterId);
      }
    }
    throw new ConflictError(`letter ${letterId}: could not record its first reply (contention)`);
  }
}

/**
 * In-memory LetterFinder, MailStore, LetterStore, EventStore and ObjectStore: for unit tests and the
 * parse-only benchmark. Same contracts as the DynamoDB adapters (conditional writes, idempotent appends).
 */
import { createHash } from 'node:crypto';
import { ConflictError, NotFoundError } from '../../domain/errors.ts';
import type { DomainEvent } from '../../domain/events.ts';
import type { Letter, LetterState, ReplyEvidence, Site } from '../../domain/model.ts';
import { isAlertFeedEvent } from '../../domain/alerts/incidents.ts';
import type {
  EventStore,
  LetterFinder,
  LetterPatch,
  LetterStore,
  MailRecord,
  MailStatus,
  MailStore,
  ObjectStore,
  StoredObject,
} from '../../app/ports.ts';

export function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return null;
  }
}

/** Is `host` the domain or under it (`www.gz.gov.cn` is under `gz.gov.cn`)? */
export function hostUnder(host: string, domain: string): boolean {
  const d = domain.toLowerCase().replace(/^www\./, '');
  const h = host.toLowerCase().replace(/^www\./, '');
  return h === d || h.endsWith(`.${d}`);
}

export class MemoryLetterStore implements LetterStore {
  readonly letters = new Map<string, Letter>();
  async putLetters(letters: readonly Letter[]): Promise<void> {
    for (const l of letters) if (!this.letters.has(l.id)) this.letters.set(l.id, structuredClone(l));
  }
  async getLetter(id: string): Promise<Letter | undefined> {
    const l = this.letters.get(id);
    return l && structuredClone(l);
  }
  async updateLetter(id: string, from: readonly LetterState[], patch: LetterPatch): Promise<Letter> {
    const cur = this.letters.get(id);
    if (!cur) throw new NotFoundError(`没有这封信 / no letter ${id}`);
    if (!from.includes(cur.state)) throw new ConflictError(`letter ${id} is ${cur.state}`);
    const next = { ...cur, ...patch, version: cur.version + 1 } as Letter;
    this.letters.set(id, next);
    return structuredClone(next);
  }
  async lettersOfCampaign(campaignId: string, state?: LetterState): Promise<Letter[]> {
    return [...this.letters.values()].filter((l) => l.campaignId === campaignId && (!state || l.state === state));
  }
  async lettersOfSite(siteId: string): Promise<Letter[]> {
    return [...this.letters.values()].filter((l) => l.siteId === siteId);
  }
  async overdueLetters(asOf: string): Promise<Letter[]> {
    const t = Date.parse(asOf);
    return [...this.letters.values()].filter(
      (l) => l.state === 'submitted' && !l.firstReply && l.deadlineAt && Date.parse(l.deadlineAt) < t,
    );
  }
}

/** A LetterFinder over any LetterStore + the sites, with in-memory pointer indexes. */
export class MemoryLetterFinder implements LetterFinder {
  private readonly queryCodes = new Map<string, Set<string>>();
  private readonly messageIds = new Map<string, Set<string>>();
  constructor(
    private readonly letters: LetterStore,
    private readonly sites: () => Promise<Site[]> | Site[],
  ) {}

  index(letterId: string, keys: { queryCode?: string; messageIds?: string[] }): void {
    const add = (m: Map<string, Set<string>>, k: string) => {
      const set = m.get(k) ?? new Set<string>();
      set.add(letterId);
      m.set(k, set);
    };
    if (keys.queryCode) add(this.queryCodes, keys.queryCode.toLowerCase());
    for (const id of keys.messageIds ?? []) add(this.messageIds, normalizeMessageId(id));
  }

  private async load(ids: Set<string> | undefined): Promise<Letter[]> {
    const out: Letter[] = [];
    for (const id of ids ?? []) {
      const l = await this.letters.getLetter(id);
      if (l) out.push(l);
    }
    return out;
  }
  byQueryCode(code: string): Promise<Letter[]> {
    return this.load(this.queryCodes.get(code.toLowerCase()));
  }
  byMessageId(messageId: string): Promise<Letter[]> {
    return this.load(this.messageIds.get(normalizeMessageId(messageId)));
  }
  async openLettersOfSiteDomain(domain: string): Promise<Letter[]> {
    return openLettersOfSitesUnder(await this.sites(), this.letters, domain);
  }
  async recordFirstReply(letterId: string, evidence: ReplyEvidence, known?: Letter): Promise<{ letter: Letter; changed: boolean }> {
    return recordFirstReplyVia(this.letters, letterId, evidence, known);
  }
}

/** Earliest-wins over LetterStore.updateLetter (a version-checked conditional write in every adapter). */
/** Submitted letters of the sites whose home or consultation page is under `domain` (the sender-domain match). */
export async function openLettersOfSitesUnder(sites: readonly Site[], letters: Pick<LetterStore, 'lettersOfSite'>, domain: string): Promise<Letter[]> {
  const under = sites.filter((s) =>
    [s.homeUrl, s.consultUrl].some((u) => {
      const h = hostOf(u);
      return h !== null && hostUnder(h, domain);
    }),
  );
  const out: Letter[] = [];
  for (const s of under) for (const l of await letters.lettersOfSite(s.id)) if (l.state === 'submitted') out.push(l);
  return out;
}

export async function recordFirstReplyVia(
  letters: LetterStore,
  letterId: string,
  evidence: ReplyEvidence,
  known?: Letter,
): Promise<{ letter: Letter; changed: boolean }> {
  // firstReply only ever moves earlier (an undo rewrites it through updateLetter), so a fresh-enough `known`
  // letter that already has an earlier reply needs no read at all.
  if (known?.firstReply && Date.parse(known.firstReply.at) <= Date.parse(evidence.at)) return { letter: known, changed: false };
  for (let attempt = 0; attempt < 5; attempt++) {
    const cur = await letters.getLetter(letterId);
    if (!cur) throw new NotFoundError(`没有这封信 / no letter ${letterId}`);
    if (cur.firstReply && Date.parse(cur.firstReply.at) <= Date.parse(evidence.at)) return { letter: cur, changed: false };
    try {
      return { letter: await letters.updateLetter(letterId, [cur.state], { firstReply: evidence }), changed: true };
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
  }
  throw new ConflictError(`letter ${letterId}: could not record its first reply (contention)`);
}

export function normalizeMessageId(id: string): string {
  return id.trim().replace(/^<|>$/g, '').toLowerCase();
}

export class MemoryMailStore implements MailStore {
  readonly mails = new Map<string, MailRecord>();
  async createMail(record: MailRecord): Promise<boolean> {
    if (this.mails.has(record.id)) return false;
    this.mails.set(record.id, structuredClone(record));
    return true;
  }
  async getMail(id: string): Promise<MailRecord | undefined> {
    const m = this.mails.get(id);
    return m && structuredClone(m);
  }
  async listHeld(): Promise<MailRecord[]> {
    return [...this.mails.values()].filter((m) => m.status === 'held').sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
  }
  async updateMail(id: string, from: readonly MailStatus[], patch: Partial<Omit<MailRecord, 'id'>>): Promise<MailRecord> {
    const cur = this.mails.get(id);
    if (!cur) throw new NotFoundError(`没有这封邮件 / no mail ${id}`);
    if (!from.includes(cur.status)) throw new ConflictError(`mail ${id} is ${cur.status}, not ${from.join('/')}`);
    const next = { ...cur, ...patch };
    this.mails.set(id, next);
    return structuredClone(next);
  }
}

export class MemoryEventStore implements EventStore {
  readonly events = new Map<string, DomainEvent>();
  async append(event: DomainEvent): Promise<void> {
    if (!this.events.has(event.id)) this.events.set(event.id, structuredClone(event));
  }
  async stream(stream: string): Promise<DomainEvent[]> {
    return [...this.events.values()]
      .filter((e) => e.stream === stream)
      .sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.id.localeCompare(b.id));
  }
  async latest(stream: string, type: DomainEvent['type']): Promise<DomainEvent | undefined> {
    return (await this.stream(stream)).filter((e) => e.type === type).at(-1);
  }
  async recordedBetween(since: string, until: string): Promise<DomainEvent[]> {
    const lo = Date.parse(since);
    const hi = Date.parse(until);
    return [...this.events.values()]
      .filter((e) => isAlertFeedEvent(e) && Date.parse(e.recordedAt) >= lo && Date.parse(e.recordedAt) <= hi)
      .sort((a, b) => Date.parse(a.recordedAt) - Date.parse(b.recordedAt) || a.id.localeCompare(b.id))
      .map((e) => structuredClone(e));
  }
}

export class MemoryObjectStore implements ObjectStore {
  readonly objects = new Map<string, { body: Uint8Array; meta: StoredObject }>();
  async put(key: string, body: Uint8Array | string, contentType: string): Promise<StoredObject> {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const meta = { key, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.byteLength, contentType };
    this.objects.set(key, { body: bytes, meta });
    return meta;
  }
  async get(key: string): Promise<Uint8Array | undefined> {
    return this.objects.get(key)?.body;
  }
  locate(key: string): string {
    return `memory:${key}`;
  }
}

/**
 * The seams between the application and the world. The domain never sees these; use cases in shared/app
 * take them as arguments. Each has one adapter per runtime (AWS and the embedded default), and the two
 * differ only in configuration: DynamoDB and dynalite are spoken to by the same SDK code.
 */
import type { DomainEvent } from '../domain/events.ts';
import type { Campaign, CampaignState, Letter, LetterState, Site } from '../domain/model.ts';

export interface Clock {
  /** The current instant. Tests and the demo inject a clock they can move. */
  now(): Date;
}

export interface SiteStore {
  /**
   * Load a whole validated registry file: afterwards every site in it is current, or — if anything failed —
   * nothing changed. Existing sites not in the file are kept.
   */
  importSites(sites: readonly Site[], meta: { source: string; importedAt: string }): Promise<{ added: number; updated: number }>;
  listSites(): Promise<Site[]>;
  getSite(id: string): Promise<Site | undefined>;
}

export interface CampaignStore {
  createCampaign(campaign: Campaign): Promise<void>;
  getCampaign(id: string): Promise<Campaign | undefined>;
  listCampaigns(): Promise<Campaign[]>;
  /** Conditional: only from one of `from`. Throws ConflictError otherwise. */
  setCampaignState(id: string, from: readonly CampaignState[], to: CampaignState): Promise<Campaign>;
}

export type LetterPatch = Partial<Omit<Letter, 'id' | 'campaignId' | 'siteId' | 'version'>>;

export interface LetterStore {
  /** Create letters; a letter that already exists is left as it is (idempotent planning). */
  putLetters(letters: readonly Letter[]): Promise<void>;
  getLetter(id: string): Promise<Letter | undefined>;
  /**
   * The only way a letter changes: a single-item conditional write that applies `patch` iff the letter's
   * current state is one of `from`. Throws ConflictError when it is not (someone else got there first).
   */
  /**
   * Conditional on the state being one of `from` (ConflictError otherwise). `known`: the letter as the caller last
   * read it — the write is tried against its version first, and the store reads again only if it has changed.
   */
  updateLetter(id: string, from: readonly LetterState[], patch: LetterPatch, known?: Letter): Promise<Letter>;
  lettersOfCampaign(campaignId: string, state?: LetterState): Promise<Letter[]>;
  lettersOfSite(siteId: string): Promise<Letter[]>;
  /** Submitted letters with no reply whose deadline is before `asOf`. */
  overdueLetters(asOf: string): Promise<Letter[]>;
}

export interface EventStore {
  /** Append; the same event id twice is a no-op. */
  append(event: DomainEvent): Promise<void>;
  /** A stream's events in time order (by `at`, then id). */
  stream(stream: string): Promise<DomainEvent[]>;
  /** The stream's latest event of this type (by `at`, then id), without reading the whole stream. */
  latest(stream: string, type: DomainEvent['type']): Promise<DomainEvent | undefined>;
  /**
   * The alert feed: every event of the alert types (ALERT_FEED_TYPES in shared/domain/alerts/incidents.ts — channel
   * observations, letters' submission outcomes, maintenance) with `since <= recordedAt <= until`, by recordedAt then id,
   * whatever its stream. Read from an index, so it may lag a moment behind `append`: read it with a look-back.
   * Optional: without it `runAlerts` falls back to visiting every site's history.
   */
  recordedBetween?(since: string, until: string): Promise<DomainEvent[]>;
}

export interface StoredObject {
  key: string;
  sha256: string;
  size: number;
  contentType: string;
}

/** Evidence, raw mail, reports: S3 in AWS, a folder on one machine. */
export interface ObjectStore {
  put(key: string, body: Uint8Array | string, contentType: string): Promise<StoredObject>;
  get(key: string): Promise<Uint8Array | undefined>;
  /** A location a person can open (file path locally, s3:// URI in AWS). */
  locate(key: string): string;
}

export interface QueueMessage<T> {
  id: string;
  body: T;
  /** How many times this message has been received (1 on first delivery). */
  receiveCount: number;
}

/** SQS in AWS; an SQS-compatible server in-process on one machine — the same @aws-sdk/client-sqs code. */
export interface Queue<T> {
  send(body: T, options?: { delaySeconds?: number; deduplicationId?: string }): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------
// Mail & replies (Engineer D). Queries the LetterStore does not have, and the holding pen.

/**
 * Lookups that match an incoming reply to a letter when its address is not an exact signed reply address.
 * DynamoDB: pointer items `QUERYCODE#<code>` / `MSGID#<message-id>` → letter id; sites by domain from the registry.
 */
export interface LetterFinder {
  /** Letters whose 查询码 is `code` (case-insensitive; normally 0 or 1). */
  byQueryCode(code: string): Promise<Letter[]>;
  /** Letters we sent with this Message-ID (mail channels), so In-Reply-To/References find them. */
  byMessageId(messageId: string): Promise<Letter[]>;
  /** Submitted letters (any reply state) of the sites whose home/consult URL host is `domain` or under it. */
  openLettersOfSiteDomain(domain: string): Promise<Letter[]>;
  /**
   * Conditional update: sets the letter's `firstReply` iff it has none or the known one is later than `evidence.at`
   * (earliest trustworthy reply wins). Returns the letter and whether it changed.
   */
  recordFirstReply(
    letterId: string,
    evidence: import('../domain/model.ts').ReplyEvidence,
    /** The letter as the caller just read it (saves a read; the write is still conditional on its version). */
    known?: Letter,
  ): Promise<{ letter: Letter; changed: boolean }>;
}

export type MailStatus = 'received' | 'matched' | 'held' | 'attached' | 'discarded';

/** One ingested mail: the idempotency record, and (status `held`) an item in the holding pen. */
export interface MailRecord {
  /** Deterministic from Message-ID + content hash: the same mail twice is the same record. */
  id: string;
  status: MailStatus;
  receivedAt: string;
  rawKey: string;
  rawSha256: string;
  size: number;
  messageId: string | null;
  subject: string;
  from: string | null;
  date: string | null;
  kind: string;
  reasons: string[];
  excerpt: string;
  auth: { spf: string; dkim: string; dmarc: string; source: string };
  letterId?: string;
  /** How it was matched (`reply-address`, `message-id`, `query-code`, `site-domain+title`, `site-domain`, `staff`). */
  match?: string;
  /** Letters it could belong to, when it was held. */
  candidates?: string[];
  heldReason?: string;
  decidedBy?: string;
  decidedAt?: string;
  note?: string;
}

export interface MailStore {
  /** Create iff absent. Returns false (and changes nothing) when a record with this id exists. */
  createMail(record: MailRecord): Promise<boolean>;
  getMail(id: string): Promise<MailRecord | undefined>;
  /** The holding pen, oldest first. */
  listHeld(): Promise<MailRecord[]>;
  /** Conditional: only from one of `from`. Throws ConflictError otherwise. */
  updateMail(id: string, from: readonly MailStatus[], patch: Partial<Omit<MailRecord, 'id'>>): Promise<MailRecord>;
}

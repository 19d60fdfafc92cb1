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
  updateLetter(id: string, from: readonly LetterState[], patch: LetterPatch): Promise<Letter>;
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

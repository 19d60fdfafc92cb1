/** What a variant module provides, and what the server gives it (the site's context). */
import type { Chrome } from './page.ts';
import type { BrokenReason, LetterFields, RecordedPost, SandboxRequest, SandboxResponse, SiteSpec, VariantName } from './types.ts';

export interface StoredLetter {
  siteKey: string;
  variant: VariantName | 'platform-12345';
  receivedAt: Date;
  queryCode: string;
  letterNo: string;
  letter: LetterFields;
  fields: Record<string, string>;
  /** Set by tick(): what the public list shows. */
  listAck?: { at: Date };
  listReply?: { at: Date; text: string };
}

export interface Session {
  id: string;
  data: Record<string, string>;
  /** Set-Cookie header to send when the session is new. */
  setCookie?: string;
}

export interface SiteCtx {
  readonly spec: SiteSpec;
  readonly key: string;
  readonly name: string;
  readonly office: string;
  readonly siteCode: string | undefined;
  /** /s/<key> */
  readonly base: string;
  origin(): string;
  platformOrigin(): string;
  chrome(charset?: 'utf-8' | 'gbk'): Chrome;
  now(): Date;
  rand(): number;
  /** Sequence number for letter numbers (1, 2, …) of this site. */
  nextSeq(): number;
  broken(): BrokenReason | undefined;
  maintenance(): string | undefined;
  session(req: SandboxRequest): Session;
  /** Store the letter (schedules its replies) and record the POST as accepted. */
  accept(req: SandboxRequest, fields: Record<string, string>, letter: LetterFields, codes: { queryCode: string; letterNo: string }): StoredLetter;
  /** Record a POST that the site refused (validation, gate) or failed on. */
  reject(req: SandboxRequest, fields: Record<string, string>, letter: LetterFields, message: string, outcome?: 'rejected' | 'error'): RecordedPost;
  letters(): StoredLetter[];
  byQueryCode(code: string): StoredLetter | undefined;
  /** Remember the last gate secret handed out (captcha text, SMS code) so tests can act as the person. */
  recordSecret(kind: 'captcha' | 'sms', value: string): void;
}

export interface Variant {
  name: VariantName;
  /** Text of the nav link to the consultation column (contains 咨询/留言/信箱/互动). */
  navText: string;
  /** Absolute path (with query) of the consultation page. */
  consultHref(ctx: SiteCtx): string;
  /** Absolute path of the public reply list. */
  listHref(ctx: SiteCtx): string;
  /** Absolute path of the look-up page for a 查询码. */
  queryHref(ctx: SiteCtx, code: string): string;
  /** Reply times on the list: date only (day-precise) or full date-time. */
  listTime: 'date' | 'datetime';
  gate?: 'captcha' | 'sms' | 'login';
  /** Broken from the start (not-found, server-error…): the channel is unusable. */
  defaultBroken?: BrokenReason;
  /** Letters go to the off-domain 12345 platform. */
  redirectsTo12345?: boolean;
  charset: 'utf-8' | 'gbk';
  handle(ctx: SiteCtx, req: SandboxRequest): Promise<SandboxResponse | undefined>;
}

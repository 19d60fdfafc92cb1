/**
 * Types of the sandbox of simulated government consultation sites (咨询/留言/信箱). Test infrastructure only:
 * nothing in shared/ depends on it.
 */
import type { IncomingHttpHeaders } from 'node:http';

export const VARIANT_NAMES = [
  'jact',
  'trs',
  'aspnet',
  'gbk',
  'iframe',
  'two-step',
  'xhr-modal',
  'captcha',
  'sms',
  'login',
  'not-found',
  'server-error',
  'site-error',
  'no-confirmation',
  'slow',
  'redirect-12345',
  'no-form',
  'multipart',
  'csrf',
  'confirm-preview',
] as const;
export type VariantName = (typeof VARIANT_NAMES)[number];

/** What a site does after it receives a letter. */
export interface ReplyPlan {
  reply: 'same-day' | { afterWorkingDays: number } | 'never' | 'auto-ack-only';
  via: 'mail' | 'list' | 'both';
  /** Send an automatic acknowledgement (by mail) a couple of minutes after receipt, before the real reply. */
  ackFirst?: boolean;
}

/** How a site's reply mails are encoded. */
export type MailStyle = 'utf8-qp' | 'utf8-base64' | 'gbk' | 'html-only';

export interface SiteSpec {
  /** URL-safe key: the site lives under /s/<key>/ on the sandbox origin. */
  key: string;
  variant: VariantName;
  /** Display name, e.g. 西安市人民政府门户网站. */
  name?: string;
  /** 10-digit 网站标识码 shown in the footer. */
  siteCode?: string;
  /** The replying office (落款), e.g. 西安市人民政府办公厅. */
  office?: string;
  reply?: ReplyPlan;
  mailStyle?: MailStyle;
  /** Drop In-Reply-To from reply mails (many real sites do). */
  noInReplyTo?: boolean;
  /** Delay of every response of a `slow` site (ms); defaults to the sandbox's `slowMs`. */
  slowMs?: number;
}

/** A normalised view of the letter the form carried (whatever the field names were). */
export interface LetterFields {
  name?: string;
  phone?: string;
  email?: string;
  title?: string;
  body?: string;
  type?: string;
  dept?: string;
  public?: string;
}

/** One POST a site received. Tests use these to prove a letter arrived exactly once with the right content. */
export interface RecordedPost {
  siteKey: string;
  variant: VariantName | 'platform-12345';
  /** Beijing time, ISO-8601 with +08:00, from the sandbox's clock. */
  receivedAt: string;
  path: string;
  /** Every form field as decoded (GBK too), by its form name. */
  fields: Record<string, string>;
  /** The same letter under normalised keys. */
  letter: LetterFields;
  /** accepted: the site stored the letter; rejected: validation/gate refused it; error: the site failed. */
  outcome: 'accepted' | 'rejected' | 'error';
  /** Why a POST was rejected or failed (the message the page showed). */
  message?: string;
  queryCode?: string;
  letterNo?: string;
}

export type DeliveryKind = 'ack' | 'reply';

/** A reply (or acknowledgement) delivered by `tick()`. */
export interface Delivery {
  siteKey: string;
  letterNo: string;
  queryCode: string;
  kind: DeliveryKind;
  channel: 'mail' | 'list';
  /** The reply time the site states (ISO +08:00). */
  at: string;
  to?: string;
  subject?: string;
  messageId?: string;
}

export type BrokenReason = 'not-found' | 'server-error' | 'no-form' | 'site-error';

/** A parsed request, below the site prefix. */
export interface SandboxRequest {
  method: string;
  /** Path below /s/<key> (starting with '/'), or the full path on the platform origin. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  cookies: Record<string, string>;
}

export interface SandboxResponse {
  status: number;
  headers?: Record<string, string | string[]>;
  /** A string is encoded as `charset` (default utf-8). */
  body?: string | Buffer;
  charset?: 'utf-8' | 'gbk';
  contentType?: string;
}

/** Structural subset of Engineer A's WorkingDayCalendar that the reply engine needs. */
export interface WorkingDayAdder {
  /** The date (YYYY-MM-DD) `n` official working days after `date` (YYYY-MM-DD). */
  addWorkingDays(date: string, n: number): string;
}

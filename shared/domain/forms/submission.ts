/**
 * The contract between the use cases and the browser adapter: what to submit where, and what came of it.
 * Plain data (the adapter fills it; the use cases record it).
 */
import type { StoredObject } from '../../app/ports.ts';
import type { FieldRole } from './classify.ts';
import type { SubmitOutcome } from './outcome.ts';
import type { LetterContent } from './plan.ts';
import type { SiteProfile } from './profile.ts';

/** How long one submission attempt may take, evidence included, unless the request says otherwise. */
export const ATTEMPT_DEADLINE_MS = 60_000;

export interface SubmitRequest {
  url: string;
  content: LetterContent;
  /** Open, find, fill — never click submit. */
  dryRun?: boolean;
  profile?: SiteProfile;
  /** Navigation timeout (default 15 s). */
  navigationTimeoutMs?: number;
  /** How long to wait for a confirmation after the click when nothing navigates (default 8 s). */
  settleTimeoutMs?: number;
  /**
   * The whole attempt, evidence included, ends within this (default ATTEMPT_DEADLINE_MS): well under the submit
   * function's timeout (3 min), which may also have to try a rediscovered address.
   */
  deadlineMs?: number;
  /** Longest wait for one in-page step (reading the page, filling it): a page stuck in a navigation (default 5 s). */
  stepTimeoutMs?: number;
  /** How long to wait for a form drawn by script after the page loaded (default 5 s). */
  formWaitMs?: number;
  /** How long to wait for a 须知 whose 同意 control is disabled during a countdown (default 15 s). */
  noticeWaitMs?: number;
  /** Object-key prefix of the evidence files, e.g. `evidence/<letterId>/<attempt>`. */
  evidencePrefix: string;
  /** Instant source for `submittedAt` (the port's Clock in the use case). */
  now?: () => Date;
  /** Take the evidence screenshot (default true). */
  screenshot?: boolean;
}

export interface Evidence {
  screenshot?: StoredObject;
  html?: StoredObject;
  finalUrl: string;
  /** The URL of the page that held the form (after redirects and the 须知 step). */
  formUrl: string;
  codes: Record<string, string>;
  timings: Record<string, number>;
}

export interface SubmitResult {
  outcome: SubmitOutcome;
  /** Short machine reason: confirmed, captcha, sms, login, dns, connection, timeout, http-404, no-form, site-busy, site-error, … */
  reason: string;
  queryCode: string | null;
  /** The 查询密码 shown next to the query code, when the site gives one (a lookup needs both). */
  queryPassword?: string;
  /** When the submit control was clicked (null when nothing was sent). */
  submittedAt: string | null;
  /** The browser may have sent the form (true from the click on). */
  sent: boolean;
  /** The channel actually used: a 12345 platform when the site redirects there. */
  channel: { kind: 'site-form' | 'platform-12345'; url: string };
  evidence: Evidence;
  /** The title/body actually filled (after shortening). */
  filled?: { title: string; body: string };
  roles?: Record<string, FieldRole>;
}

/** The browser as the use cases see it (one adapter: puppeteer; tests fake it). */
export interface FormSubmitter {
  submit(request: SubmitRequest): Promise<SubmitResult>;
  /** Candidate consultation URLs found on a home page (links named 咨询/留言/信箱/互动…), best first. */
  discover(homeUrl: string): Promise<string[]>;
}

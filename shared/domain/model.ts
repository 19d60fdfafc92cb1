/**
 * The nouns of huixin. Plain data, no I/O. Every time is an ISO-8601 string with an explicit offset;
 * calendar arithmetic happens only in Beijing time (see beijing-time.ts), never on a UTC `Date`.
 */

/** The four site categories of the 通报, in the order the 通报 lists them. */
export const SITE_CATEGORIES = ['省政府门户', '省级部门', '市县政府门户', '市县部门'] as const;
export type SiteCategory = (typeof SITE_CATEGORIES)[number];

/**
 * The 网站标识码 of a government website: 10 digits (the 6-digit 行政区划代码 and a 4-digit number) for local sites,
 * `bm` + 8 digits for State Council departments and the offices they manage vertically (工信部 bm07000001, a provincial
 * tax bureau bm29030010).
 */
export const SITE_ID_RE = /^(\d{10}|bm\d{8})$/;
export const SITE_ID_RULE = '网站标识码为10位数字或 bm 加8位数字 / a 网站标识码 is 10 digits, or bm and 8 digits';

/** A government website under supervision, as the registry knows it. `id` is its 网站标识码 (SITE_ID_RE). */
export interface Site {
  id: string;
  name: string;
  category: SiteCategory;
  region: string;
  homeUrl: string;
  /** The consultation column (咨询/留言/信箱) the letters go to. */
  consultUrl: string;
  /** 主管单位邮箱: optional recipient of channel alerts. */
  supervisorEmail?: string;
}

/** How a site's consultation column is reached; a site may be redirected to a provincial 12345 platform. */
export type ChannelKind = 'site-form' | 'platform-12345' | 'mailbox';

/** A consultation channel: the thing that can break, and the thing a letter is submitted to. */
export interface Channel {
  siteId: string;
  id: string;
  url: string;
  kind: ChannelKind;
  /** Name of a declarative site profile; absent means heuristic form detection. */
  profile?: string;
}

/**
 * The stored state of a letter. Verdicts (same-day/on-time/late/none/pending) are NOT states: they are
 * computed at read time from the letter's times and the campaign's method.
 */
export const LETTER_STATES = [
  'planned', // in the plan, not yet due
  'queued', // put on the submission queue at its time
  'submitting', // claimed by a submitter (conditional write) — the form may be being filled right now
  'submitted', // the site confirmed (提交成功), possibly with a 查询码
  'unconfirmed', // sent (or maybe sent) with no confirmation seen: staff decide; never resent blindly
  'gated', // a person must act (captcha, SMS code, real-name login): waits in the staff queue
  'unavailable', // the channel is broken, confirmed by a retry
  'script-broken', // our profile failed on a page that still has a form: operators' problem, not the site's
  'cancelled', // the campaign was cancelled before it was sent
] as const;
export type LetterState = (typeof LETTER_STATES)[number];

/** Where a reply time comes from, and how precise it is. */
export type ReplySource = 'mail' | 'reply-list' | 'staff';
export type TimePrecision = 'instant' | 'day';

/** The earliest trustworthy reply known for a letter (denormalised from its events). */
export interface ReplyEvidence {
  at: string;
  source: ReplySource;
  precision: TimePrecision;
  /** The event that carries the evidence. */
  eventId: string;
}

export interface Letter {
  id: string;
  campaignId: string;
  siteId: string;
  channelId: string;
  /** 1-based ordinal of the letter at its site within the campaign (第1次, 第2次). */
  ordinal: number;
  state: LetterState;
  /** When the plan says to send it. */
  plannedAt: string;
  submittedAt?: string;
  queryCode?: string;
  /** The 查询密码 some sites give with the 查询码: looking the letter up needs both. */
  queryPassword?: string;
  replyAddress: string;
  title: string;
  body: string;
  questionId: string;
  persona: Persona;
  firstReply?: ReplyEvidence;
  /** End of the N-th working day after submission; set when submitted (for the overdue index). */
  deadlineAt?: string;
  /** Optimistic-concurrency counter, bumped by every conditional update. */
  version: number;
  updatedAt: string;
}

export interface Persona {
  name: string;
  phone: string;
  email: string;
}

export type CampaignState = 'planned' | 'running' | 'paused' | 'closing' | 'closed' | 'cancelled';

export interface Campaign {
  id: string;
  name: string;
  state: CampaignState;
  method: Method;
  createdAt: string;
  /** The observation window closes at this instant; letters without a reply then are `none`. */
  windowClosesAt: string;
  siteIds: string[];
  lettersPerSite: number;
}

/** The site verdicts of the 通报, worst first. */
export const SITE_RESULTS = ['unavailable', 'none', 'late', 'on-time'] as const;
export type SiteResult = (typeof SITE_RESULTS)[number];

/**
 * A campaign's frozen method: everything needed to re-derive every published verdict.
 * Stored with the campaign and printed in every report.
 */
export interface Method {
  /** Version of the verdict rules (bump when the rules change meaning). */
  rulesVersion: string;
  /** Deadline: end of the N-th official working day after the submission date. */
  workingDays: number;
  /** Calendar used: provenance of the working-day data. */
  calendar: CalendarRef;
  /** Site result = the worst of its letters, in this order (worst first). */
  siteResultOrder: readonly SiteResult[];
  /** A site is on the honour list when every one of its letters is same-day. */
  honourList: 'every-letter-same-day';
  /** Letter states that count as the channel being unavailable for the site result. */
  unavailableStates: readonly LetterState[];
  /** How gated letters are treated: submitted by staff, then judged like any other. */
  gatedTreatment: 'staff-submits-then-judged';
}

export interface CalendarRef {
  /** e.g. "chinese-days@1.5.7" */
  source: string;
  /** Every year covered by official data, ascending (e.g. 2004, 2005 … 2026; a loaded file can add a later year). */
  years: readonly number[];
  /** sha256 of an operator-supplied calendar file, when one was loaded (several files: their sha256s, comma-separated, by year). */
  overrideSha256?: string;
  /** Each operator-supplied calendar file (holiday-cn schema): its name, the year it gives, its sha256. */
  overrides?: readonly { file: string; year: number; sha256: string }[];
}

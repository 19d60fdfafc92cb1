/**
 * The published special-check results (通报 and its annex): the normalised input every source
 * (store, JSON file, XLSX/CSV sheet) is turned into, and the computed report. Plain data, no I/O.
 */
import type { Method, ReplySource, SiteCategory, TimePrecision } from '../model.ts';

/** A declared maintenance window of a site's channel (printed with the method). */
export interface MaintenanceWindow {
  from: string;
  to: string;
  note?: string;
}

export interface ReportInputLetter {
  /** 1-based: 第1次, 第2次… */
  ordinal: number;
  /** null: never submitted (channel unavailable, or a gated letter staff did not submit). */
  submittedAt: string | null;
  repliedAt: string | null;
  replyPrecision?: TimePrecision;
  replySource?: ReplySource;
  channel: 'available' | 'unavailable';
  /** A person had to act (captcha/SMS/login): staff submitted it by hand (then judged like any other) or not. */
  gated?: boolean;
  /** The channel was in a declared maintenance window when the letter was due. */
  maintenance?: MaintenanceWindow;
  /** Evidence the verdict rests on (event ids, object sha256…), cited by the published manifest. */
  evidence?: string[];
}

/** A site's result in one earlier campaign (per-site trend). */
export interface SiteHistoryEntry {
  /** The earlier campaign's name, as in its trend point. */
  campaign: string;
  result: ReportSiteResult;
}

export interface ReportInputSite {
  id: string;
  name: string;
  category: SiteCategory;
  region: string;
  letters: ReportInputLetter[];
  /** Its result in earlier campaigns, oldest first (from the store, or given in the JSON input). */
  history?: SiteHistoryEntry[];
}

/** Earlier campaigns' headline numbers, for the trend chart. */
export interface TrendPoint {
  name: string;
  sitesTested: number;
  onTime: number;
  late: number;
  noReply: number;
  unavailable: number;
}

export interface ReportInput {
  campaign: {
    id?: string;
    name: string;
    workingDays: number;
    /** The instant the campaign closed: verdicts are taken as of this instant. */
    closedAt: string;
    /** The observation window closed here (defaults to closedAt). */
    windowClosesAt?: string;
  };
  sites: ReportInputSite[];
  trend?: TrendPoint[];
}

/**
 * A letter's verdict in the report. `gated`: a gated letter nobody submitted — neither a failure nor dropped silently.
 * `maintenance`: the channel was unavailable inside an announced maintenance window — not counted against the site.
 */
export type ReportVerdict = 'same-day' | 'on-time' | 'late' | 'none' | 'pending' | 'unavailable' | 'gated' | 'maintenance';

/** A site's result: the four 通报 categories, `pending` (a letter still open) or `untested` (no judgeable letter). */
export type ReportSiteResult = 'on-time' | 'late' | 'none' | 'unavailable' | 'pending' | 'untested';

export interface ReportLetterRow {
  siteId: string;
  siteName: string;
  category: SiteCategory;
  region: string;
  ordinal: number;
  submittedAt: string | null;
  repliedAt: string | null;
  replySource: ReplySource | null;
  replyPrecision: TimePrecision | null;
  deadline: string | null;
  replyWorkingDays: number | null;
  gated: boolean;
  verdict: ReportVerdict;
}

export interface ReportSiteRow {
  id: string;
  name: string;
  category: SiteCategory;
  region: string;
  letters: number;
  result: ReportSiteResult;
  allSameDay: boolean;
  /** Earlier campaigns' results, oldest first (empty when none). */
  history: SiteHistoryEntry[];
}

export interface Counts {
  sitesTested: number;
  onTime: number;
  late: number;
  noReply: number;
  unavailable: number;
}

export interface Shares {
  onTime: number;
  late: number;
  noReply: number;
  unavailable: number;
}

export interface Summary extends Counts {
  schema: 'huixin.report/1';
  campaign: { id: string | null; name: string; closedAt: string; windowClosesAt: string };
  sitesInInput: number;
  pending: number;
  untested: number;
  lettersPerSite: number | null;
  letters: number;
  lettersByVerdict: Record<ReportVerdict, number>;
  /** Percentages of sitesTested, one decimal. */
  shares: Shares;
  /** Sites whose every letter was answered the same day (当日回复). */
  allSameDay: string[];
  /** Problem sites (late / none / unavailable) by site category. */
  problems: Record<string, { late: string[]; noReply: string[]; unavailable: string[] }>;
  byCategory: Record<string, Counts>;
  byRegion: Record<string, Counts>;
  /** Letters by reply time in working days ("0" = same day). */
  replyWorkingDays: Record<string, number>;
  gated: { letters: number; submittedByStaff: number; notSubmitted: number };
  maintenance: Array<{ siteId: string; siteName: string; ordinal: number } & MaintenanceWindow>;
  trend: TrendPoint[];
  /**
   * Per-site trend: the earlier campaigns in site histories, how many sites have one, and against each site's most
   * recent earlier result how many improved / worsened / stayed the same (four 通报 categories only).
   */
  history: { campaigns: string[]; sites: number; improved: number; worsened: number; unchanged: number };
  method: Method;
  methodText: string[];
  generatedAt: string;
  inputSha256: string;
}

export interface Report {
  summary: Summary;
  sites: ReportSiteRow[];
  letters: ReportLetterRow[];
}

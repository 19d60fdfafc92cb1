/**
 * The published results, as use cases: build a draft into a folder, verify a draft by recomputing it from
 * the inputs saved with it, and publish it as an immutable, versioned copy with a manifest of hashes.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { WorkingDayCalendar } from '../domain/calendar.ts';
import type { Campaign, Letter, Method, Site } from '../domain/model.ts';
import { methodFor } from '../domain/method.ts';
import { InputError, NotFoundError } from '../domain/errors.ts';
import { computeReport } from '../domain/report/compute.ts';
import type { Report, ReportInput, Summary, TrendPoint } from '../domain/report/types.ts';
import { formatBeijing, parseInstant } from '../domain/beijing-time.ts';
import { earlierCampaignOf, withHistory, type EarlierCampaign } from '../domain/report/history.ts';
import type { CampaignStore, Clock, EventStore, LetterStore, SiteStore } from './ports.ts';
import { streamOf, type DomainEvent } from '../domain/events.ts';
import { reportInputFromStore } from '../domain/report/from-store.ts';
import { REPORT_FILES, jsonText, lettersCsv, sha256, sitesCsv, summaryJson, writeXlsx } from '../adapters/report/files.ts';
import { renderHtml } from '../adapters/report/html.ts';
import { reportInputFromJson } from '../adapters/report/input.ts';

/** The frozen input as saved with a draft (and hashed into summary.inputSha256). */
export function inputJson(input: ReportInput): string {
  return jsonText(input, 1);
}

export interface BuildOptions {
  input: ReportInput;
  calendar: WorkingDayCalendar;
  /** The campaign's frozen method; default: the default method with the input's deadline on this calendar. */
  method?: Method;
  clock: Clock;
}

export interface FormatTimings {
  computeMs: number;
  jsonMs: number;
  htmlMs: number;
  xlsxMs: number;
  csvMs: number;
}

export function methodOf(input: ReportInput, calendar: WorkingDayCalendar, method?: Method): Method {
  return method ?? methodFor({ workingDays: input.campaign.workingDays, calendar: calendar.ref });
}

/** Write a draft report into `outDir`: summary.json, report.html, report.xlsx, report.csv, letters.csv, input.json, method.json. */
export async function buildReport(outDir: string, options: BuildOptions): Promise<{ report: Report; timings: FormatTimings }> {
  const t0 = performance.now();
  const method = methodOf(options.input, options.calendar, options.method);
  const inputText = inputJson(options.input);
  const report = computeReport(options.input, {
    method,
    calendar: options.calendar,
    generatedAt: formatBeijing(options.clock.now().getTime()),
    inputSha256: sha256(inputText),
  });
  const t1 = performance.now();
  await mkdir(outDir, { recursive: true });
  const f = (name: string) => path.join(outDir, name);
  await writeFile(f(REPORT_FILES.input), inputText);
  await writeFile(f(REPORT_FILES.method), jsonText(method, 2));
  await writeFile(f(REPORT_FILES.summary), summaryJson(report));
  const t2 = performance.now();
  await writeFile(f(REPORT_FILES.html), renderHtml(report));
  const t3 = performance.now();
  await writeXlsx(f(REPORT_FILES.xlsx), report);
  const t4 = performance.now();
  await writeFile(f(REPORT_FILES.sitesCsv), sitesCsv(report));
  await writeFile(f(REPORT_FILES.lettersCsv), lettersCsv(report));
  const t5 = performance.now();
  return { report, timings: { computeMs: t1 - t0, jsonMs: t2 - t1, htmlMs: t3 - t2, xlsxMs: t4 - t3, csvMs: t5 - t4 } };
}

async function readIn(dir: string, name: string): Promise<string> {
  try {
    return await readFile(path.join(dir, name), 'utf8');
  } catch (err) {
    throw new InputError(`${path.join(dir, name)}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'}) — is ${dir} a report draft?`);
  }
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new InputError(`${where}: not valid JSON`);
  }
}

/** Every leaf that differs between two JSON values, as `path: expected X, found Y`. */
export function jsonDifferences(expected: unknown, found: unknown, at = '', out: string[] = []): string[] {
  if (expected !== null && found !== null && typeof expected === 'object' && typeof found === 'object') {
    const keys = new Set([...Object.keys(expected), ...Object.keys(found)]);
    for (const k of keys) {
      const p = Array.isArray(expected) ? `${at}[${k}]` : at ? `${at}.${k}` : k;
      jsonDifferences((expected as Record<string, unknown>)[k], (found as Record<string, unknown>)[k], p, out);
    }
    return out;
  }
  if (JSON.stringify(expected) !== JSON.stringify(found)) out.push(`${at}: expected ${JSON.stringify(expected)}, found ${JSON.stringify(found)}`);
  return out;
}

function splitCsv(text: string): string[][] {
  try {
    return parseCsv(text.replace(/^\uFEFF/, ''), { relax_column_count: true, relax_quotes: true }) as string[][];
  } catch {
    return text.split(/\r?\n/).map((l) => [l]);
  }
}

/** Cell-by-cell differences of two CSV texts (naming row and column header). */
export function csvDifferences(file: string, expected: string, found: string): string[] {
  if (expected === found) return [];
  const out: string[] = [];
  if (!found.startsWith('\uFEFF')) out.push(`${file}: the UTF-8 BOM is missing`);
  const e = splitCsv(expected);
  const f = splitCsv(found);
  const header = e[0] ?? [];
  for (let r = 0; r < Math.max(e.length, f.length); r++) {
    const er = e[r];
    const fr = f[r];
    if (!er || !fr) {
      out.push(`${file}: row ${r + 1}: ${er ? 'missing' : 'unexpected'}`);
      continue;
    }
    for (let c = 0; c < Math.max(er.length, fr.length); c++) {
      if (er[c] !== fr[c]) out.push(`${file}: row ${r + 1} column ${header[c] ?? c + 1}: expected ${JSON.stringify(er[c] ?? '')}, found ${JSON.stringify(fr[c] ?? '')}`);
    }
  }
  if (out.length === 0) out.push(`${file}: differs`);
  return out;
}

export interface VerifyResult {
  ok: boolean;
  differences: string[];
}

/**
 * Recompute the draft in `dir` from its saved input.json and method.json and compare it with summary.json and
 * the CSVs. The generation time is taken from the draft (it is the one thing not derived from the inputs).
 */
export async function verifyReport(dir: string, calendar: WorkingDayCalendar): Promise<VerifyResult> {
  const inputText = await readIn(dir, REPORT_FILES.input);
  const input = reportInputFromJson(parseJson(inputText, path.join(dir, REPORT_FILES.input)), path.join(dir, REPORT_FILES.input));
  const method = parseJson(await readIn(dir, REPORT_FILES.method), REPORT_FILES.method) as Method;
  const found = parseJson(await readIn(dir, REPORT_FILES.summary), REPORT_FILES.summary) as Record<string, unknown>;
  const differences: string[] = [];
  if (JSON.stringify(method.calendar) !== JSON.stringify(calendar.ref)) {
    differences.push(`method.calendar: the draft used ${JSON.stringify(method.calendar)}, this calendar is ${JSON.stringify(calendar.ref)}`);
  }
  const report = computeReport(input, {
    method,
    calendar,
    generatedAt: typeof found.generatedAt === 'string' ? found.generatedAt : '',
    inputSha256: sha256(inputText),
  });
  differences.push(...jsonDifferences(JSON.parse(summaryJson(report)), found).map((d) => `${REPORT_FILES.summary}: ${d}`));
  differences.push(...csvDifferences(REPORT_FILES.sitesCsv, sitesCsv(report), await readIn(dir, REPORT_FILES.sitesCsv)));
  differences.push(...csvDifferences(REPORT_FILES.lettersCsv, lettersCsv(report), await readIn(dir, REPORT_FILES.lettersCsv)));
  return { ok: differences.length === 0, differences };
}

export interface ManifestEntry {
  name: string;
  sha256: string;
  size: number;
}

export interface Manifest {
  schema: 'huixin.report-manifest/1';
  version: number;
  publishedAt: string;
  campaign: unknown;
  inputSha256: string;
  files: ManifestEntry[];
  /** The evidence the report cites: `event:<id>` with the sha256 of the stored event, `object:…` with the object's sha256. */
  evidence: Array<{ ref: string; sha256: string }>;
}

/** Where published versions go: a folder of v1/, v2/… locally; a versioned S3 bucket in AWS. */
export interface ReportPublisher {
  /** Versions already published (ascending). */
  versions(): Promise<number[]>;
  /** Write one version; must fail (ConflictError) rather than overwrite an existing version. */
  write(version: number, files: ReadonlyArray<{ name: string; body: Uint8Array; contentType: string }>): Promise<string>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.json': 'application/json; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** Publish the draft in `dir` as the next version, with manifest.json. Verifies first: a draft that does not verify is refused. */
export async function publishReport(
  dir: string,
  publisher: ReportPublisher,
  options: { calendar: WorkingDayCalendar; clock: Clock },
): Promise<{ version: number; location: string; manifest: Manifest }> {
  const v = await verifyReport(dir, options.calendar);
  if (!v.ok) throw new InputError(`the draft in ${dir} does not verify (${v.differences.length} differences; run report verify)`);
  const known = new Set<string>(Object.values(REPORT_FILES));
  const names = (await readdir(dir)).filter((n) => known.has(n)).sort();
  const files = await Promise.all(
    names.map(async (name) => ({ name, body: new Uint8Array(await readFile(path.join(dir, name))), contentType: CONTENT_TYPES[path.extname(name)]! })),
  );
  const summary = JSON.parse(await readIn(dir, REPORT_FILES.summary)) as { campaign: unknown; inputSha256: string };
  const input = JSON.parse(await readIn(dir, REPORT_FILES.input)) as ReportInput;
  const refs = new Set<string>();
  for (const s of input.sites) for (const l of s.letters) for (const r of l.evidence ?? []) refs.add(r);
  const existing = await publisher.versions();
  const version = (existing.length ? Math.max(...existing) : 0) + 1;
  const manifest: Manifest = {
    schema: 'huixin.report-manifest/1',
    version,
    publishedAt: formatBeijing(options.clock.now().getTime()),
    campaign: summary.campaign,
    inputSha256: summary.inputSha256,
    files: files.map((f) => ({ name: f.name, sha256: sha256(f.body), size: f.body.byteLength })),
    evidence: [...refs].sort().map((r) => {
      const m = /^(.*)#([0-9a-f]{64})$/.exec(r);
      return m ? { ref: m[1]!, sha256: m[2]! } : { ref: r, sha256: sha256(r) };
    }),
  };
  const body = new TextEncoder().encode(jsonText(manifest, 2));
  const location = await publisher.write(version, [...files, { name: 'manifest.json', body, contentType: CONTENT_TYPES['.json']! }]);
  return { version, location, manifest };
}

type ReportStores = { campaigns: CampaignStore; sites: SiteStore; letters: LetterStore; events: EventStore };

/** The event streams of a campaign's letters and sites, read with bounded concurrency. */
async function eventsOf(stores: ReportStores, letters: readonly Letter[], concurrency: number): Promise<Map<string, DomainEvent[]>> {
  const streams = [...letters.map((l) => streamOf.letter(l.id)), ...new Set(letters.map((l) => streamOf.site(l.siteId)))];
  const events = new Map<string, DomainEvent[]>();
  let next = 0;
  const worker = async () => {
    while (next < streams.length) {
      const s = streams[next++]!;
      events.set(s, await stores.events.stream(s));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return events;
}

/** How many earlier campaigns the trend reaches back by default (two years of quarterly campaigns). */
export const DEFAULT_HISTORY = 8;

/**
 * The campaigns before `campaign` in the store: closed, created strictly before it, oldest first, the most recent
 * `limit` of them.
 */
export function earlierCampaigns(all: readonly Campaign[], campaign: Campaign, limit = DEFAULT_HISTORY): Campaign[] {
  const created = parseInstant(campaign.createdAt);
  const sorted = all
    .filter((c) => c.id !== campaign.id && c.state === 'closed' && parseInstant(c.createdAt) < created)
    .sort((a, b) => parseInstant(a.createdAt) - parseInstant(b.createdAt) || (a.id < b.id ? -1 : 1));
  return limit > 0 ? sorted.slice(-limit) : [];
}

/**
 * Each earlier campaign's results, computed from the store with the same pure code as the report itself
 * (reportInputFromStore → computeReport, with that campaign's own frozen method, as of its window close).
 */
export async function loadEarlierCampaigns(
  stores: ReportStores,
  campaign: Campaign,
  options: { calendar: WorkingDayCalendar; sites: readonly Site[]; limit?: number; concurrency?: number },
): Promise<EarlierCampaign[]> {
  const earlier = earlierCampaigns(await stores.campaigns.listCampaigns(), campaign, options.limit);
  const out: EarlierCampaign[] = [];
  for (const c of earlier) {
    const letters = await stores.letters.lettersOfCampaign(c.id);
    const events = await eventsOf(stores, letters, options.concurrency ?? 16);
    const { input } = reportInputFromStore({ campaign: c, sites: options.sites, letters, events });
    const report = computeReport(input, { method: c.method, calendar: options.calendar, generatedAt: '', inputSha256: '' });
    out.push(earlierCampaignOf(report));
  }
  return out;
}

/**
 * Read a campaign, its sites, letters and their events from the stores, as report input (plus its frozen method).
 * With a calendar, the earlier campaigns in the store (closed, created before this one; at most `history`, default
 * DEFAULT_HISTORY; 0 = none) are computed too: the province trend goes into `input.trend` (oldest first; the report
 * adds this campaign last) and each site's earlier results into `site.history`.
 */
export async function loadCampaignInput(
  stores: ReportStores,
  campaignId: string,
  options: { closedAt?: string; concurrency?: number; calendar?: WorkingDayCalendar; history?: number } = {},
): Promise<{ input: ReportInput; method: Method; omitted: number; earlier: string[] }> {
  const campaign = await stores.campaigns.getCampaign(campaignId);
  if (!campaign) throw new NotFoundError(`没有这个活动 / no campaign ${campaignId}`);
  const [sites, letters] = await Promise.all([stores.sites.listSites(), stores.letters.lettersOfCampaign(campaignId)]);
  const events = await eventsOf(stores, letters, options.concurrency ?? 16);
  const stored = reportInputFromStore({
    campaign,
    sites,
    letters,
    events,
    ...(options.closedAt ? { closedAt: options.closedAt } : {}),
  });
  const { omitted } = stored;
  let input = stored.input;
  let earlierNames: string[] = [];
  if (options.calendar && options.history !== 0) {
    const earlier = await loadEarlierCampaigns(stores, campaign, {
      calendar: options.calendar,
      sites,
      ...(options.history !== undefined ? { limit: options.history } : {}),
      ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    });
    input = withHistory(input, earlier);
    earlierNames = earlier.map((e) => e.point.name);
  }
  // Cite each evidence event by id and the sha256 of its stored content, plus any object hashes it carries.
  const byId = new Map<string, DomainEvent>();
  for (const list of events.values()) for (const e of list) byId.set(e.id, e);
  for (const site of input.sites) {
    for (const l of site.letters) {
      if (!l.evidence) continue;
      const cited: string[] = [];
      for (const id of l.evidence) {
        const e = byId.get(id);
        if (!e) {
          cited.push(`event:${id}`);
          continue;
        }
        cited.push(`event:${id}#${sha256(JSON.stringify(e))}`);
        for (const [k, v] of Object.entries(e.data)) {
          if (/sha256/i.test(k) && typeof v === 'string' && /^[0-9a-f]{64}$/.test(v)) cited.push(`object:${id}.${k}#${v}`);
        }
      }
      l.evidence = cited;
    }
  }
  return { input, method: campaign.method, omitted, earlier: earlierNames };
}

/** The publish-results use case: read a campaign from the stores, build a draft in `workDir`, verify and publish it. */
export async function publishCampaignResults(
  stores: ReportStores,
  campaignId: string,
  publisher: ReportPublisher,
  options: { calendar: WorkingDayCalendar; clock: Clock; workDir: string; closedAt?: string; history?: number },
): Promise<{ version: number; location: string; summary: Report['summary'] }> {
  const { input, method } = await loadCampaignInput(stores, campaignId, {
    calendar: options.calendar,
    ...(options.closedAt ? { closedAt: options.closedAt } : {}),
    ...(options.history !== undefined ? { history: options.history } : {}),
  });
  const { report } = await buildReport(options.workDir, { input, method, calendar: options.calendar, clock: options.clock });
  const { version, location } = await publishReport(options.workDir, publisher, { calendar: options.calendar, clock: options.clock });
  return { version, location, summary: report.summary };
}

/** An earlier campaign's headline numbers, read from its report folder (draft or published version), for the trend. */
export async function trendPointFrom(dir: string): Promise<TrendPoint> {
  const s = parseJson(await readIn(dir, REPORT_FILES.summary), path.join(dir, REPORT_FILES.summary)) as Partial<Summary>;
  const n = (v: unknown, k: string) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new InputError(`${path.join(dir, REPORT_FILES.summary)}: ${k} is not a count`);
    return v;
  };
  if (typeof s.campaign?.name !== 'string') throw new InputError(`${path.join(dir, REPORT_FILES.summary)}: campaign.name missing`);
  return {
    name: s.campaign.name,
    sitesTested: n(s.sitesTested, 'sitesTested'),
    onTime: n(s.onTime, 'onTime'),
    late: n(s.late, 'late'),
    noReply: n(s.noReply, 'noReply'),
    unavailable: n(s.unavailable, 'unavailable'),
  };
}

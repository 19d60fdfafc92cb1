/**
 * A whole campaign end to end on the embedded default: N sandbox sites × 2 letters through the real parts (registry
 * import, planner, local scheduler + SQS, one Chromium submitting every form, the sandbox mailing replies through the
 * SMTP gateway into `ingestMail`, the daily reply-list poll, the window close, the report build and publish), on a
 * fast-forwarded clock, at several sizes so it is plain that no stage grows faster than linearly.
 *
 * It runs the demo's own fast-forward (shared/local/demo.ts `fastForward`) over `startLocalStack` and the sandbox, with
 * the same campaign settings, and times each stage from outside (wrapping the stack's functions, no hooks inside):
 * - plan     = registry import + `createCampaign` (letters, events, schedules);
 * - submit   = wall time during which at least one `BrowserSubmitter.submit` is in flight (union of intervals) — letters
 *              go out in the background while the clock moves on, so this overlaps the other stages;
 * - queues   = time in `pump()`: firing schedules, SQS receive/delete, deadline polls, the window close;
 * - ingest   = `sandbox.tick` (replies mailed through SMTP and ingested before the SMTP reply) + the daily reply-list polls,
 *              which run in the background from 08:00 while the clock moves (like submit, they overlap the other stages);
 * - verdicts = the status (verdicts for every letter) + the report build and publish after the window closed;
 * - loop     = the rest of the fast-forward (campaign state, next schedule, moving the clock).
 * Peak memory: PSS and RSS summed over the whole process tree (Node + Chromium), sampled every 250 ms.
 *
 * More sites than the sandbox fleet has (MAX_FLEET distinct): further copies of the default fleet (other seeds, so the
 * same variant and behaviour mix) with their keys and 网站标识码 renumbered — nothing in sandbox/ changes.
 *
 * Env: HUIXIN_BENCH_CAMPAIGN_SIZES (default "250,500,1000"), HUIXIN_BENCH_PAGES (browser pages, default DEFAULT_BROWSER_PAGES = 6).
 */
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { BenchFigure, BenchResult } from './run.ts';
import { defaultFleet, MAX_FLEET, type ExpectedVerdict } from '../sandbox/fleet.ts';
import { compareVerdicts } from '../sandbox/verdict-check.ts';
import { startSandbox, type Sandbox } from '../sandbox/server.ts';
import type { SiteSpec } from '../sandbox/types.ts';
import { loadCalendar } from '../shared/adapters/calendar-source.ts';
import { readRegistryFile } from '../shared/adapters/registry-file.ts';
import { FolderPublisher } from '../shared/adapters/report/publish-folder.ts';
import { campaignStatus, createCampaign } from '../shared/app/campaigns.ts';
import { CHECK_BATCH, precheckChannel } from '../shared/app/check-channel.ts';
import { importSites } from '../shared/app/import-sites.ts';
import { publishCampaignResults } from '../shared/app/report.ts';
import { formatBeijing, parseInstant } from '../shared/domain/beijing-time.ts';
import type { Site } from '../shared/domain/model.ts';
import { REGISTRY_COLUMNS } from '../shared/domain/registry.ts';
import { ManualClock } from '../shared/local/manual-clock.ts';
import { DEFAULT_BROWSER_PAGES } from '../shared/adapters/browser/submitter.ts';
import { fastForward } from '../shared/local/demo.ts';
import { startLocalStack } from '../shared/local/stack.ts';
import { samplePeakMemory, treeCpuSeconds } from './memory.ts';

const HOUR = 3_600_000;
/** The campaign's deadline in working days (as the demo). */
const WORKING_DAYS = 1;
const STAGES = ['plan', 'submit', 'queues', 'ingest', 'verdicts', 'loop'] as const;
type Stage = (typeof STAGES)[number];



export interface BenchSite {
  spec: SiteSpec;
  site: Omit<Site, 'homeUrl' | 'consultUrl'>;
  /** What every letter to it should end as (the fleet's expectation, renumbered with the site). */
  expected: ExpectedVerdict;
}

/** `count` sandbox sites with the default fleet's mix: copies of the fleet past MAX_FLEET, renumbered. */
export function benchFleet(count: number, seed = 1): BenchSite[] {
  const out: BenchSite[] = [];
  for (let copy = 0; out.length < count; copy++) {
    const fleet = defaultFleet({ count: Math.min(MAX_FLEET, count - out.length), seed: seed + copy });
    const expected = new Map(fleet.expectedVerdicts({ workingDays: WORKING_DAYS }).map((e) => [e.siteId, e]));
    for (const s of fleet.sites) {
      const e = expected.get(s.site.id)!;
      if (copy === 0) {
        out.push({ spec: s.spec, site: s.site, expected: e });
        continue;
      }
      // 网站标识码 = 6-digit region code + 4-digit sequence: move the sequence up by 1000 per copy.
      const id = `${s.site.id.slice(0, 6)}${String(Number(s.site.id.slice(6)) + 1000 * copy).padStart(4, '0')}`;
      const key = `${s.spec.key}c${copy}`;
      out.push({ spec: { ...s.spec, key, siteCode: id }, site: { ...s.site, id }, expected: { ...e, siteId: id, siteKey: key } });
    }
  }
  return out;
}

function registryCsv(sites: readonly BenchSite[], sb: Sandbox): string {
  const cols = Object.keys(REGISTRY_COLUMNS) as Array<keyof typeof REGISTRY_COLUMNS>;
  const rows = sites.map((s) => {
    const r: Site = { ...s.site, homeUrl: sb.urlOf(s.spec.key), consultUrl: sb.consultUrlOf(s.spec.key) };
    return cols.map((c) => r[c] ?? '');
  });
  return stringify([cols.map((c) => REGISTRY_COLUMNS[c]), ...rows], { bom: true });
}

function percentiles(ms: number[]): { p50: number; p95: number; max: number } {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
  return { p50: at(0.5), p95: at(0.95), max: Math.round(sorted.at(-1) ?? 0) };
}

/** Wall time during which at least one call is in flight (concurrent calls counted once). */
class BusyTimer {
  private inFlight = 0;
  private since = 0;
  total = 0;
  calls = 0;
  /** Seconds summed over every call (concurrent calls each counted). */
  summed = 0;
  /** Each call's milliseconds. */
  durations: number[] = [];
  wrap<A extends unknown[], R>(fn: (...a: A) => Promise<R>): (...a: A) => Promise<R> {
    return async (...a: A) => {
      if (this.inFlight++ === 0) this.since = performance.now();
      this.calls++;
      const t = performance.now();
      try {
        return await fn(...a);
      } finally {
        this.summed += performance.now() - t;
        this.durations.push(performance.now() - t);
        if (--this.inFlight === 0) this.total += performance.now() - this.since;
      }
    };
  }
}

/** What the AWS bill counts, as seen on the wire of the embedded default. */
export interface Usage {
  /** DynamoDB calls by operation, and the capacity units the store reported (ReturnConsumedCapacity TOTAL). */
  dynamoCalls: Record<string, number>;
  readUnits: number;
  writeUnits: number;
  /** SQS API calls by operation. */
  sqsCalls: Record<string, number>;
  /** Bytes written under the evidence/mail folder, by file extension. */
  bytes: Record<string, number>;
  files: Record<string, number>;
}

const CAPACITY_OPS = new Set(['PutItemCommand', 'GetItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'QueryCommand', 'ScanCommand', 'BatchWriteItemCommand', 'BatchGetItemCommand', 'TransactWriteItemsCommand', 'TransactGetItemsCommand']);
const WRITE_OPS = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand', 'TransactWriteItemsCommand']);

type AnyClient = { middlewareStack: { add(mw: unknown, options: { step: 'initialize'; name: string }): void } };

/** Count calls (and, for DynamoDB, consumed capacity) on an SDK client from outside, with a middleware. */
function meter(client: unknown, calls: Record<string, number>, capacity?: { read: number; write: number }): void {
  (client as AnyClient).middlewareStack.add(
    (next: (a: { input: Record<string, unknown> }) => Promise<{ output: Record<string, unknown> }>, context: { commandName?: string }) =>
      async (args: { input: Record<string, unknown> }) => {
        const op = context.commandName ?? '?';
        calls[op] = (calls[op] ?? 0) + 1;
        if (capacity && CAPACITY_OPS.has(op)) args.input.ReturnConsumedCapacity ??= 'TOTAL';
        const out = await next(args);
        if (capacity && CAPACITY_OPS.has(op)) {
          const cc = out.output.ConsumedCapacity as { CapacityUnits?: number } | { CapacityUnits?: number }[] | undefined;
          const units = (Array.isArray(cc) ? cc : cc ? [cc] : []).reduce((n, c) => n + (c.CapacityUnits ?? 0), 0);
          if (WRITE_OPS.has(op)) capacity.write += units;
          else capacity.read += units;
        }
        return out;
      },
    { step: 'initialize', name: `benchMeter${Math.random()}` },
  );
}

async function folderBytes(dir: string, bytes: Record<string, number>, files: Record<string, number>): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) await folderBytes(p, bytes, files);
    else {
      const ext = path.extname(e.name).slice(1) || 'other';
      bytes[ext] = (bytes[ext] ?? 0) + (await stat(p)).size;
      files[ext] = (files[ext] ?? 0) + 1;
    }
  }
}

export interface CampaignRun {
  sites: number;
  letters: number;
  seconds: Record<Stage | 'total', number>;
  peakPssMb: number;
  peakRssMb: number;
  states: Record<string, number>;
  verdicts: Record<string, number>;
  replies: number;
  usage: Usage;
  /** Mails the sandbox sent (acks and replies). */
  mails: number;
  /** Browser submissions attempted, and the in-flight seconds summed over them (each page counted). */
  submits: number;
  submitInFlightSeconds: number;
  /** One submission's wall milliseconds: median, 95th percentile, longest. */
  submitMs: { p50: number; p95: number; max: number };
  /** Of `ingest`: the daily reply-list polls. */
  pollSeconds: number;
  /** CPU seconds of the whole tree (Node + Chromium) over the run. */
  cpuSeconds: number;
  /** Clock stops of the fast-forward (pumps), and the seconds it waited for letters in flight (settle). */
  /** Letters that did not end as their site was told to make them end (sandbox/verdict-check.ts): none expected. */
  mismatches: string[];
  stops: number;
  waitSeconds: number;
  /** How many times it waited for the letters in flight (at the end of a day). */
  waits: number;
}

/** One campaign of `count` sites × 2 letters, end to end; stage times in seconds. */
export async function runCampaign(count: number, options: { pages?: number; seed?: number } = {}): Promise<CampaignRun> {
  const seed = options.seed ?? 1;
  const dir = await mkdtemp(path.join(tmpdir(), 'huixin-bench-campaign-'));
  const start = '2026-10-12';
  const closesAt = '2026-12-31T17:30:00+08:00';
  const clock = new ManualClock(`${start}T08:00:00+08:00`);
  const sites = benchFleet(count, seed);
  const time: Record<Stage, number> = { plan: 0, submit: 0, queues: 0, ingest: 0, verdicts: 0, loop: 0 };
  const memory = samplePeakMemory(process.pid, 250);
  const t0 = performance.now();
  const cpu0 = treeCpuSeconds(process.pid);
  const timed = async <T>(stage: Stage, fn: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await fn();
    } finally {
      time[stage] += (performance.now() - t) / 1000;
    }
  };
  const stack = await startLocalStack({ allowPrivateHosts: true, filesDir: path.join(dir, 'files'), clock, ...(options.pages ? { browserPages: options.pages } : {}) });
  // submit: wrap the one browser's submit (the stack's submit handler calls it through this object)
  const usage: Usage = { dynamoCalls: {}, readUnits: 0, writeUnits: 0, sqsCalls: {}, bytes: {}, files: {} };
  const capacity = { read: 0, write: 0 };
  meter(stack.stores.client, usage.dynamoCalls, capacity);
  meter(stack.sqs.client, usage.sqsCalls);
  const busy = new BusyTimer();
  stack.submitter.submit = busy.wrap(stack.submitter.submit.bind(stack.submitter));
  let sandbox: Sandbox | undefined;
  try {
    sandbox = await startSandbox({ sites: sites.map((s) => s.spec), smtp: { host: stack.smtp.host, port: stack.smtp.port }, clock, slowMs: 3_000, seed });
    const sb = sandbox;
    const campaign = await timed('plan', async () => {
      const file = path.join(dir, 'registry.csv');
      await writeFile(file, registryCsv(sites, sb));
      await importSites({ sites: stack.stores.sites, events: stack.stores.events, clock, read: readRegistryFile }, file, { allowPrivateHosts: true }); // the sandbox is on 127.0.0.1
      return (
        await createCampaign(stack.campaign, {
          name: `基准测试 ${count} 个网站`,
          sites: 'all',
          lettersPerSite: 2,
          workingDays: WORKING_DAYS,
          window: { closesAt },
          lateObservationWorkingDays: 10, // as the demo: a reply up to 10 working days late is still seen
          start,
          seed,
        })
      ).campaign;
    });

    // The demo's own fast-forward, its parts timed from outside.
    const pumped = { seconds: 0, calls: 0 };
    const waited = { seconds: 0, calls: 0 };
    const polled = { seconds: 0, calls: 0 };
    const during = <A extends unknown[], R>(acc: { seconds: number; calls: number }, fn: (...a: A) => Promise<R>) => async (...a: A): Promise<R> => {
      const p = performance.now();
      acc.calls++;
      try {
        return await fn(...a);
      } finally {
        acc.seconds += (performance.now() - p) / 1000;
      }
    };
    const ffStack = {
      ...stack,
      pump: during(pumped, (o?: { submissions?: 'wait' | 'background' }) => stack.pump(o)),
      settle: during(waited, () => stack.settle()),
      pollReplyLists: during(polled, () => stack.pollReplyLists()),
    };
    let replies = 0;
    const ffSandbox = {
      tick: async (now: Date) => {
        const delivered = await timed('ingest', () => sb.tick(now));
        replies += delivered.filter((d) => d.kind === 'reply').length;
        return delivered;
      },
      nextDueAt: () => sb.nextDueAt(),
    };
    const ff = performance.now();
    const closed = await fastForward(ffStack, ffSandbox, clock, campaign.id, { until: parseInstant(closesAt) + 8 * 24 * HOUR });
    if (!closed) throw new Error('the campaign did not close: its close schedule never fired');
    // Letters are submitted in the background while the clock moves on, so the browser's busy time overlaps the
    // other stages: submit = wall time with a letter in flight; queues = time in pump() (schedules, SQS, the deadline
    // and close consumers); loop = the rest of the fast-forward, waits for in-flight letters (settle) excluded.
    time.submit = busy.total / 1000;
    time.queues = pumped.seconds;
    time.ingest += polled.seconds; // the polls' own duration (in the background: overlapping)
    time.loop = Math.max(0, (performance.now() - ff) / 1000 - pumped.seconds - waited.seconds - (time.ingest - polled.seconds));

    const status = await timed('verdicts', async () => {
      await publishCampaignResults(stack.stores, campaign.id, new FolderPublisher(path.join(dir, 'published')), {
        calendar: loadCalendar(),
        clock,
        workDir: path.join(dir, 'draft'),
      });
      return campaignStatus(stack.campaign, campaign.id, formatBeijing(clock.now().getTime()));
    });
    await memory.sample();
    const peak = memory.peak();
    // outside the timings: did every letter end as its site was told to make it end?
    const { mismatches } = compareVerdicts(
      sites.map((x) => x.expected),
      await stack.stores.letters.lettersOfCampaign(campaign.id),
      { calendar: loadCalendar(), workingDays: WORKING_DAYS, closesAt },
    );
    // the sampler's own /proc reads are measurement, not campaign work
    const cpuSeconds = treeCpuSeconds(process.pid) - cpu0 - memory.samplerMs() / 1000;
    usage.readUnits = capacity.read;
    usage.writeUnits = capacity.write;
    await folderBytes(path.join(dir, 'files'), usage.bytes, usage.files);
    return {
      sites: count,
      letters: status.letters,
      seconds: { ...time, total: (performance.now() - t0) / 1000 },
      peakPssMb: peak.pss / 1024,
      peakRssMb: peak.rss / 1024,
      states: { ...status.states },
      verdicts: { ...status.verdicts },
      replies,
      usage,
      mails: sb.mails().length,
      submits: busy.calls,
      submitInFlightSeconds: busy.summed / 1000,
      submitMs: percentiles(busy.durations),
      pollSeconds: polled.seconds,
      cpuSeconds,
      mismatches,
      stops: pumped.calls,
      waitSeconds: waited.seconds,
      waits: waited.calls,
    };
  } finally {
    memory.stop();
    await sandbox?.close().catch(() => {});
    await stack.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

// ---------------------------------------------------------------------------------------------------------------
// The AWS cost of a national quarter, from what the bench measured (docs/cost.md explains every line).

/** Public list prices, us-east-1, USD, as of 2025 (on-demand, no free tier counted). */
export const PRICES = {
  lambdaGbSecondX86: 0.0000166667,
  lambdaGbSecondArm: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  sqsRequest: 0.4 / 1e6,
  dynamoWriteUnit: 0.625 / 1e6,
  dynamoReadUnit: 0.125 / 1e6,
  dynamoGbMonth: 0.25,
  schedulerInvocation: 1 / 1e6,
  sesMail: 0.1 / 1000,
  sesChunk: 0.09 / 1000,
  s3GbMonth: 0.023,
  s3Put: 0.005 / 1000,
  logsIngestGb: 0.5,
  logsGbMonth: 0.03,
  xrayTrace: 5 / 1e6,
} as const;

export interface QuarterInputs {
  sites: number;
  lettersPerSite: number;
  /** Days in the quarter (daily health checks) and working days letters stay open (daily reply-list polls). */
  days: number;
  openWorkingDays: number;
  // measured on the embedded default
  submitSecondsPerLetter: number;
  cpuSecondsPerLetter: number;
  browserFraction: number;
  precheckMs: number;
  precheckHtmlBytes: number;
  mailsPerLetter: number;
  writeUnitsPerLetter: number;
  readUnitsPerLetter: number;
  evidenceBytesPerLetter: number;
  rawMailBytesPerLetter: number;
  // assumptions (docs/cost.md)
  /** Extra seconds a real site's page loads add to a browser job (network, slow servers), per job. */
  realNetworkSeconds: number;
  /** Pages one browser works with at once in the submit/check functions. */
  pages: number;
  browserMemoryGb: number;
  /** A plain HTTP fetch of a real site (pre-check, reply list): wall seconds; fetches in flight per invocation. */
  httpFetchSeconds: number;
  httpInFlight: number;
  httpMemoryGb: number;
  /**
   * Share of the pre-check's `needs-browser` sites the browser actually opens on a given day: 1 = every one every day
   * (check-channel before 5468728); a structural fingerprint of the page (docs/cost.md) brings it to the pages that changed.
   */
  browserRecheckShare: number;
  /** Share of checks whose evidence (pre-check HTML; browser screenshot + HTML) is stored: 1 = every check (before 5468728). */
  checkEvidenceShare: number;
  /** Sites per channel-check message (one check-channel run each: CHECK_BATCH). */
  sitesPerInvocation: number;
  /** Letters per reply-list poll run: the daily run fans out one message per open letter to the deadline queue, whose consumer takes this many at once. */
  pollsPerInvocation: number;
  ingestSeconds: number;
  ingestMemoryGb: number;
  /** Log bytes per browser job / per HTTP check / per mail. */
  logBytesPerJob: number;
  /** Lambda SQS event source pollers: requests per queue per day while idle (5 pollers × 20 s long polls). */
  idleQueueRequestsPerDay: number;
  queues: number;
  /** The scheduled alert runs (send-alerts); default ALERT_RUNS. */
  alerts?: AlertRunInputs;
}

/** The scheduled alert runs (functions/send-alerts, every 30 minutes) reading the alert feed (docs/cost.md "Alerts"). */
export interface AlertRunInputs {
  runsPerDay: number;
  /** Billed seconds per run besides visiting sites: init (a function invoked every 30 min is usually cold; INIT is billed), cursor, feed, work-list and outbox queries. */
  fixedSecondsPerRun: number;
  /** Seconds one site visit takes (a strongly consistent GetItem of its alert state + the state machine); `visitsInFlight` overlap. */
  secondsPerVisit: number;
  visitsInFlight: number;
  memoryGb: number;
  /** Share of sites with an open or suspected incident at a time: visited on every run (reminders, re-checks). */
  activeShare: number;
  /** Size of a feed event (a `channel.checked` with its evidence keys, a letter outcome). */
  feedEventBytes: number;
  /** Runs that read a feed event: the one after it, and the next within the 10-minute look-back (40 min read per 30 min run). */
  readsPerFeedEvent: number;
  /** Alert state item of a site with an incident (incident, seen ids), KB; a site without one is < 1 KB. */
  activeStateKb: number;
}

export const ALERT_RUNS: AlertRunInputs = {
  runsPerDay: 48,
  fixedSecondsPerRun: 1.5,
  secondsPerVisit: 0.015,
  visitsInFlight: 8,
  memoryGb: 0.5,
  activeShare: 0.02,
  feedEventBytes: 600,
  readsPerFeedEvent: 40 / 30,
  activeStateKb: 3,
};

export interface CostLine {
  item: string;
  usd: number;
  basis: string;
}

const gbMonthsOverQuarter = (gbAtEnd: number) => gbAtEnd * 1.5; // grows from 0 to gbAtEnd over 3 months (avg half), then kept a month

/** The quarter's bill, line by line, and the naive health check for comparison. */
export function quarterCost(i: QuarterInputs): { lines: CostLine[]; total: number; naiveHealthCheckUsd: number; naiveAlertRunsUsd: number } {
  const P = PRICES;
  const letters = i.sites * i.lettersPerSite;
  const checks = i.sites * i.days;
  const browserChecks = checks * i.browserFraction * i.browserRecheckShare;
  // A browser job's billed time: its pages overlap on the network, not on the CPU.
  const browserJobSeconds = Math.max(i.cpuSecondsPerLetter / (i.browserMemoryGb / 1.769), (i.submitSecondsPerLetter + i.realNetworkSeconds) / i.pages);
  const httpJobSeconds = Math.max(i.precheckMs / 1000, i.httpFetchSeconds) / i.httpInFlight;
  const polls = i.sites * i.openWorkingDays;
  const mails = letters * i.mailsPerLetter;
  const lines: CostLine[] = [];
  const add = (item: string, usd: number, basis: string) => lines.push({ item, usd, basis });
  add('Lambda: submit letters (browser, x86_64)', letters * browserJobSeconds * i.browserMemoryGb * P.lambdaGbSecondX86 + (letters / 2) * P.lambdaRequest,
    `${letters} letters × ${browserJobSeconds.toFixed(2)} s × ${i.browserMemoryGb} GB`);
  add('Lambda: health check, HTTP pre-check (arm64)', checks * httpJobSeconds * i.httpMemoryGb * P.lambdaGbSecondArm + (checks / i.sitesPerInvocation) * P.lambdaRequest,
    `${checks} checks × ${httpJobSeconds.toFixed(3)} s × ${i.httpMemoryGb} GB`);
  add('Lambda: health check, browser dry-run (x86_64)', browserChecks * browserJobSeconds * i.browserMemoryGb * P.lambdaGbSecondX86 + (browserChecks / i.sitesPerInvocation) * P.lambdaRequest,
    `${Math.round(browserChecks)} checks (${(i.browserFraction * 100).toFixed(0)}% need it, ${Math.round(i.browserRecheckShare * 100)}% of those a day) × ${browserJobSeconds.toFixed(2)} s × ${i.browserMemoryGb} GB`);
  const pollJobSeconds = Math.max(i.precheckMs / 1000, i.httpFetchSeconds) / i.pollsPerInvocation;
  add('Lambda: reply-list polls (arm64)', polls * pollJobSeconds * i.httpMemoryGb * P.lambdaGbSecondArm + (polls / i.pollsPerInvocation) * P.lambdaRequest,
    `${polls} site-days × ${pollJobSeconds.toFixed(3)} s × ${i.httpMemoryGb} GB (${i.pollsPerInvocation} letters per run)`);
  add('Lambda: ingest mail (arm64)', mails * i.ingestSeconds * i.ingestMemoryGb * P.lambdaGbSecondArm + mails * P.lambdaRequest, `${Math.round(mails)} mails × ${i.ingestSeconds} s × ${i.ingestMemoryGb} GB`);
  add('SES inbound', mails * (P.sesMail + P.sesChunk), `${Math.round(mails)} mails (one 256 KB chunk each)`);
  const dynWrites = letters * i.writeUnitsPerLetter + checks * 1;
  const dynReads = letters * i.readUnitsPerLetter + polls * 0.5 + checks * 0.5;
  add('DynamoDB on-demand requests', dynWrites * P.dynamoWriteUnit + dynReads * P.dynamoReadUnit,
    `${Math.round(dynWrites)} WRU (${i.writeUnitsPerLetter.toFixed(1)}/letter + 1/check), ${Math.round(dynReads)} RRU`);
  const tableGb = (letters * 6 * 1024 + checks * 700) / 1e9;
  add('DynamoDB storage (+PITR)', gbMonthsOverQuarter(tableGb) * (P.dynamoGbMonth + 0.2), `${tableGb.toFixed(2)} GB at the end of the quarter`);
  const e = i.checkEvidenceShare;
  const s3Gb = (letters * (i.evidenceBytesPerLetter + i.rawMailBytesPerLetter) + checks * i.precheckHtmlBytes * e + browserChecks * i.evidenceBytesPerLetter * e) / 1e9;
  const puts = letters * 3 + mails + checks * e + browserChecks * e * 2;
  add('S3 evidence + raw mail', gbMonthsOverQuarter(s3Gb) * P.s3GbMonth + puts * P.s3Put, `${s3Gb.toFixed(1)} GB, ${Math.round(puts)} PUTs (health-check evidence stored for ${Math.round(e * 100)}% of checks)`);
  // submit/deadline messages per letter; a message per open letter a day (send, and its share of a receive and a
  // delete); a message per channel-check batch; the event sources' idle long polls
  const sqs = letters * 4 + polls * (1 + 2 / i.pollsPerInvocation) + (checks / i.sitesPerInvocation) * 3 + i.idleQueueRequestsPerDay * i.queues * i.days;
  add('SQS requests', sqs * P.sqsRequest, `${Math.round(sqs)} requests (${i.queues} queues' idle event-source polling included)`);
  add('EventBridge Scheduler', (letters * 2 + 2 * i.days + 1) * P.schedulerInvocation, `${letters * 2} one-time (send + deadline) + daily`);
  const jobs = letters + checks + browserChecks + polls + mails;
  const logGb = (jobs * i.logBytesPerJob) / 1e9;
  add('CloudWatch Logs (3-month retention)', logGb * (P.logsIngestGb + P.logsGbMonth * 1.5), `${logGb.toFixed(2)} GB (${i.logBytesPerJob} B per job)`);
  const traces = letters / 2 + (checks + browserChecks) / i.sitesPerInvocation + polls / i.pollsPerInvocation + mails;
  add('X-Ray (active tracing)', traces * P.xrayTrace, `${Math.round(traces)} traces`);
  // Alert runs over the feed: each run reads what was recorded since the last (+ look-back) and visits those sites
  // and the ones with an open/suspected incident; an unchanged site costs no write.
  const a = i.alerts ?? ALERT_RUNS;
  const runs = a.runsPerDay * i.days;
  const feedEvents = checks + letters; // every check; one final submission outcome per letter (maintenance: a handful)
  const activeVisits = i.sites * a.activeShare * runs;
  const visits = feedEvents * a.readsPerFeedEvent + activeVisits;
  const alertSeconds = runs * a.fixedSecondsPerRun + (visits * a.secondsPerVisit) / a.visitsInFlight;
  add('Lambda: send-alerts runs, 48/day (arm64)', alertSeconds * a.memoryGb * P.lambdaGbSecondArm + runs * P.lambdaRequest,
    `${runs} runs × ${a.fixedSecondsPerRun} s + ${Math.round(visits)} site visits × ${a.secondsPerVisit} s / ${a.visitsInFlight} in flight, ${a.memoryGb} GB`);
  const activeRu = Math.ceil(a.activeStateKb / 4);
  const alertReads =
    (visits - activeVisits) * 1 + activeVisits * activeRu // alert state, strongly consistent
    + ((feedEvents * a.readsPerFeedEvent * a.feedEventBytes) / 4096) * 0.5 // the feed Query (a GSI: eventually consistent)
    + letters * a.readsPerFeedEvent // a letter outcome's letter (its site)
    + runs * 3; // run cursor, work list (2 Queries), outbox, per-day feed minimums
  const feedWrites = feedEvents * Math.ceil(a.feedEventBytes / 1024); // the gsi1 copy of each feed event
  const stateWrites = i.sites * a.activeShare * i.days * (Math.ceil(a.activeStateKb) + 1) + runs; // a broken site's daily failure (state + incident copy); the run cursor
  add('DynamoDB: alert feed index + alert runs', (feedWrites + stateWrites) * P.dynamoWriteUnit + alertReads * P.dynamoReadUnit,
    `${Math.round(feedWrites)} WRU feed copies + ${Math.round(stateWrites)} WRU state, ${Math.round(alertReads)} RRU (${Math.round(visits)} visits)`);
  const feedGb = (feedEvents * a.feedEventBytes) / 1e9;
  add('DynamoDB storage: alert feed index', gbMonthsOverQuarter(feedGb) * P.dynamoGbMonth, `${feedGb.toFixed(2)} GB of gsi1 copies at the end of the quarter (PITR covers the base table only)`);
  const total = lines.reduce((n, l) => n + l.usd, 0);
  // Naive: every site every day in its own invocation, a cold browser each time, one page.
  const naiveHealthCheckUsd = checks * (1.5 + i.submitSecondsPerLetter + i.realNetworkSeconds) * i.browserMemoryGb * P.lambdaGbSecondX86;
  // Alert runs before the feed: every run visits every site, reading its whole site stream (strongly consistent, a
  // check a day: half the quarter's on average), its letters (gsi2) and its alert state.
  const naiveVisits = i.sites * runs;
  const streamRu = Math.ceil(((i.days / 2) * a.feedEventBytes) / 4096);
  const naiveReads = naiveVisits * (streamRu + Math.max(0.5, (i.lettersPerSite * 6 * 1024) / 4096 * 0.5) + 1);
  const naiveSeconds = runs * a.fixedSecondsPerRun + (naiveVisits * 3 * a.secondsPerVisit) / a.visitsInFlight;
  const naiveAlertRunsUsd = naiveReads * P.dynamoReadUnit + naiveSeconds * a.memoryGb * P.lambdaGbSecondArm;
  return { lines, total, naiveHealthCheckUsd, naiveAlertRunsUsd };
}

/**
 * The health check as docs/cost.md proposed it and shared/app/check-channel.ts does since 5468728: the browser opens a `needs-browser` page only when its structural
 * fingerprint changed (~10% a day assumed) plus a weekly re-verification (1/7), and check evidence is stored only when
 * the page changed (~5% of checks).
 */
export const PROPOSED = { browserRecheckShare: 0.1 + 1 / 7, checkEvidenceShare: 0.05 } as const;

export function costTable(c: ReturnType<typeof quarterCost>): string {
  const rows = c.lines.map((l) => `| ${l.item} | ${l.usd.toFixed(2)} | ${l.basis} |`);
  return ['| item | USD / quarter | basis |', '|---|---:|---|', ...rows, `| **total** | **${c.total.toFixed(2)}** | target ≤ 30 |`].join('\n');
}

export interface PrecheckFigures {
  sites: number;
  byStatus: Record<string, number>;
  meanMs: number;
  p95Ms: number;
  /** Sites the daily check must still open in the browser (the pre-check could not vouch for the form). */
  browserFraction: number;
  meanHtmlBytes: number;
}

/** The daily health check's HTTP pre-check over the whole sandbox fleet: how many sites still need the browser. */
export async function precheckFleet(count = MAX_FLEET): Promise<PrecheckFigures> {
  const fleet = defaultFleet({ count, seed: 1 });
  const sandbox = await startSandbox({ sites: fleet.specs, slowMs: 3_000, seed: 1 });
  try {
    const results = new Array<Awaited<ReturnType<typeof precheckChannel>>>(fleet.specs.length);
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < fleet.specs.length) {
          const i = next++;
          results[i] = await precheckChannel(sandbox.consultUrlOf(fleet.specs[i]!.key), { timeoutMs: 10_000 });
        }
      }),
    );
    const byStatus: Record<string, number> = {};
    for (const r of results) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
    const ms = results.map((r) => r.ms).sort((a, b) => a - b);
    return {
      sites: results.length,
      byStatus,
      meanMs: ms.reduce((a, b) => a + b, 0) / ms.length,
      p95Ms: ms[Math.floor(ms.length * 0.95)] ?? 0,
      browserFraction: results.filter((r) => r.status !== 'form').length / results.length,
      meanHtmlBytes: results.reduce((n, r) => n + Buffer.byteLength(r.html ?? ''), 0) / results.length,
    };
  } finally {
    await sandbox.close();
  }
}

export async function run(): Promise<BenchResult> {
  const sizes = (process.env.HUIXIN_BENCH_CAMPAIGN_SIZES ?? '250,500,1000').split(',').map((s) => Number(s.trim())).filter((n) => n > 0);
  const pages = Number(process.env.HUIXIN_BENCH_PAGES ?? DEFAULT_BROWSER_PAGES);
  const runs: CampaignRun[] = [];
  for (const n of sizes) {
    (globalThis as { gc?: () => void }).gc?.();
    const r = await runCampaign(n, { pages });
    runs.push(r);
    console.log(`  campaign ${n} sites: ${round(r.seconds.total)} s · ${STAGES.map((s) => `${s} ${round(r.seconds[s])}`).join(' · ')} · PSS ${Math.round(r.peakPssMb)} MB · ${r.stops} pumps, ${round(r.waitSeconds)} s waiting for letters in flight (submit p50/p95/max ${r.submitMs.p50}/${r.submitMs.p95}/${r.submitMs.max} ms; ${r.waits} waits)`);
  }
  const figures: BenchFigure[] = [];
  const largest = runs.at(-1)!;
  const smallest = runs[0]!;
  for (const r of runs) {
    const isLargest = r === largest && r.sites >= 1000;
    figures.push({ name: `${r.sites} sites × 2 letters: end to end`, value: round(r.seconds.total), unit: 's', ...(isLargest ? { target: { max: 240 } } : {}) });
    for (const s of STAGES) figures.push({ name: `  ${r.sites} sites: ${s}`, value: round(r.seconds[s]), unit: 's' });
    figures.push({ name: `  ${r.sites} sites: of ingest, the daily reply-list polls (in the background)`, value: round(r.pollSeconds), unit: 's' });
    figures.push({ name: `  ${r.sites} sites: peak memory (Node + Chromium, PSS summed)`, value: Math.round(r.peakPssMb), unit: 'MB' });
    figures.push({ name: `  ${r.sites} sites: peak RSS summed over the tree`, value: Math.round(r.peakRssMb), unit: 'MB' });
    figures.push({ name: `  ${r.sites} sites: letters submitted / replies delivered`, value: r.states.submitted ?? 0, unit: `/ ${r.letters} letters, ${r.replies} replies` });
    figures.push({ name: `  ${r.sites} sites: letters not ending as their site was told (state, verdict)`, value: r.mismatches.length, unit: 'letters', target: { max: 0 } });
    if (r.mismatches.length) console.log(`  ${r.sites} sites, letters not as told:\n    ${r.mismatches.slice(0, 20).join('\n    ')}`);
  }
  const u = largest.usage;
  const per = (n: number) => round(n / largest.letters, 2);
  const kb = (ext: string) => round((u.bytes[ext] ?? 0) / 1024 / largest.letters, 1);
  figures.push(
    { name: `DynamoDB write units per letter (whole campaign, ${largest.sites} sites)`, value: per(u.writeUnits), unit: 'WCU' },
    { name: 'DynamoDB read units per letter', value: per(u.readUnits), unit: 'RCU' },
    { name: 'DynamoDB calls per letter', value: per(Object.values(u.dynamoCalls).reduce((a, b) => a + b, 0)), unit: 'calls' },
    { name: 'SQS calls per letter (incl. the local driver\'s empty receives)', value: per(Object.values(u.sqsCalls).reduce((a, b) => a + b, 0)), unit: 'calls' },
    { name: 'evidence per letter: screenshots (png)', value: kb('png'), unit: 'KB' },
    { name: 'evidence per letter: page HTML', value: kb('html'), unit: 'KB' },
    { name: 'raw mail per letter (eml)', value: kb('eml'), unit: 'KB' },
  );
  const pre = await precheckFleet();
  figures.push(
    { name: `health check: HTTP pre-check mean (${pre.sites} sandbox sites, 8 in flight)`, value: round(pre.meanMs), unit: 'ms' },
    { name: 'health check: HTTP pre-check p95', value: round(pre.p95Ms), unit: 'ms' },
    { name: 'health check: share of sites that still need the browser', value: round(pre.browserFraction * 100), unit: '%' },
  );
  const submitted = largest.submits || 1;
  const evidence = (u.bytes.png ?? 0) + (u.bytes.html ?? 0) + (u.bytes.jpg ?? 0) + (u.bytes.jpeg ?? 0) + (u.bytes.webp ?? 0);
  const inputs: QuarterInputs = {
    sites: 14_000,
    lettersPerSite: 2,
    days: 91,
    openWorkingDays: 60,
    submitSecondsPerLetter: largest.submitInFlightSeconds / submitted,
    cpuSecondsPerLetter: largest.cpuSeconds / largest.letters,
    browserFraction: pre.browserFraction,
    precheckMs: pre.meanMs,
    precheckHtmlBytes: pre.meanHtmlBytes,
    mailsPerLetter: largest.mails / largest.letters,
    writeUnitsPerLetter: u.writeUnits / largest.letters,
    readUnitsPerLetter: u.readUnits / largest.letters,
    evidenceBytesPerLetter: evidence / largest.letters,
    rawMailBytesPerLetter: (u.bytes.eml ?? 0) / largest.letters,
    realNetworkSeconds: 4,
    pages: 2,
    browserMemoryGb: 2,
    checkEvidenceShare: 1,
    browserRecheckShare: 1,
    httpFetchSeconds: 1.5,
    httpInFlight: 16,
    httpMemoryGb: 0.5,
    sitesPerInvocation: CHECK_BATCH,
    pollsPerInvocation: 5,
    ingestSeconds: 0.3,
    ingestMemoryGb: 1,
    logBytesPerJob: 1500,
    idleQueueRequestsPerDay: 5 * 3 * 60 * 24,
    queues: 4,
  };
  const cost = quarterCost(inputs);
  const proposed = quarterCost({ ...inputs, ...PROPOSED });
  figures.push(
    { name: 'measured: browser in-flight seconds per submit (sandbox)', value: round(inputs.submitSecondsPerLetter, 2), unit: 's' },
    { name: 'measured: CPU seconds per letter, whole tree, whole campaign', value: round(inputs.cpuSecondsPerLetter, 2), unit: 's' },
    { name: 'measured: mails per letter', value: round(inputs.mailsPerLetter, 2), unit: 'mails' },
    ...cost.lines.map((l) => ({ name: `AWS quarter (14,000 sites × 2): ${l.item}`, value: round(l.usd, 2), unit: 'USD' })),
    { name: 'AWS quarter (14,000 sites × 2 letters): total, browser health check daily (before 5468728)', value: round(cost.total, 2), unit: 'USD' },
    { name: 'AWS quarter: total with the structure fingerprint + content-addressed evidence (the code now)', value: round(proposed.total, 2), unit: 'USD', target: { max: 30 } },
    { name: 'for comparison: a cold browser for every site every day (health check alone)', value: round(cost.naiveHealthCheckUsd), unit: 'USD' },
  );
  console.log(`\nbrowser health check daily (before 5468728):\n${costTable(cost)}\n\nstructure fingerprint + evidence on change, as check-channel does since 5468728 (${JSON.stringify(PROPOSED)}):\n${costTable(proposed)}\n\ninputs: ${JSON.stringify(inputs)}`);
  // Growth: seconds per site of each stage at the largest size over the smallest (≤ ~1.3 = linear within noise).
  if (runs.length > 1) {
    for (const s of [...STAGES, 'total'] as const) {
      const a = smallest.seconds[s] / smallest.sites;
      const b = largest.seconds[s] / largest.sites;
      figures.push({
        name: `growth of ${s}: s/site at ${largest.sites} ÷ s/site at ${smallest.sites}`,
        value: a > 0 ? round(b / a, 2) : 0,
        unit: '×',
        ...(s === 'total' || (a > 0 && smallest.seconds[s] >= 1) ? { target: { max: 1.5 } } : {}),
      });
    }
  }
  return {
    name: 'campaign',
    figures,
    notes: [
      `DynamoDB calls (${largest.sites} sites): ${JSON.stringify(u.dynamoCalls)}; SQS calls: ${JSON.stringify(u.sqsCalls)}; files: ${JSON.stringify(u.files)}; bytes: ${JSON.stringify(u.bytes)}`,
      `pre-check statuses: ${JSON.stringify(pre.byStatus)}, mean page ${Math.round(pre.meanHtmlBytes / 1024)} KB`,
      `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}; other work on the machine inflates every figure.`,
      `one Chromium, ${pages} pages; sandbox fleet mix (${MAX_FLEET} distinct sites, further copies renumbered); simulated quarter 2026-10-12 → 2026-12-31 on a fast-forwarded clock.`,
      'stages: plan = import + createCampaign; submit = browser busy (union of in-flight submits, overlapping the rest: letters go out in the background while the clock moves); queues = pump (schedules, SQS, deadline polls, close); ingest = replies through SMTP + the daily reply-list polls (these in the background from 08:00, overlapping); verdicts = report build/publish + status; loop = the rest of the fast-forward (waiting for the daily poll included), waits for in-flight letters excluded.',
      'the driver is the demo\'s fast-forward: the clock jumps to the next schedule (half-hour batches), sandbox reply or daily poll.',
      'growth ≤ 1.5× per site from the smallest to the largest size = no stage grows faster than linearly (stages under 1 s are too small to judge).',
    ],
  };
}

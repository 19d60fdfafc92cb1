/**
 * The demo `npm start` runs: a whole campaign on the embedded default against the sandbox of simulated
 * consultation sites, over a simulated quarter on a fast-forwarded clock, ending in the published results.
 * Everything goes through the real parts: the registry import from a CSV, the campaign planner, the local
 * scheduler and SQS queues, Chromium submitting the forms, the sandbox mailing replies through the SMTP gateway,
 * the reply-list poller, the window close, and the report build + publish.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { defaultFleet, type Fleet } from '../../sandbox/fleet.ts';
import { startSandbox, type Sandbox } from '../../sandbox/server.ts';
import { loadCalendar } from '../adapters/calendar-source.ts';
import { readRegistryFile } from '../adapters/registry-file.ts';
import { FolderPublisher } from '../adapters/report/publish-folder.ts';
import { campaignStatus, createCampaign } from '../app/campaigns.ts';
import { importSites } from '../app/import-sites.ts';
import { publishCampaignResults } from '../app/report.ts';
import { beijingDate, beijingDay, formatBeijing, parseInstant, startOfBeijingDayMs, windowEndMs } from '../domain/beijing-time.ts';
import { DAILY_POLL_HOUR, dailyPollDue } from '../app/reply-lists.ts';
import type { Letter } from '../domain/model.ts';
import { ManualClock } from './manual-clock.ts';
import { startLocalStack, type LocalStack } from './stack.ts';

export interface DemoOptions {
  outDir: string;
  sites?: number;
  seed?: number;
  /** First day letters may go out (a Beijing date). */
  start?: string;
  /** The observation window closes at the end of this Beijing date. */
  windowEnd?: string;
  name?: string;
  browserPages?: number;
  /** Called with the running stack once the results are published, before it is closed (e.g. to serve the dashboard). */
  onFinished?: (stack: LocalStack, result: DemoResult) => Promise<void>;
  /** Called as the simulated clock moves. */
  onProgress?: (p: DemoProgress) => void;
  log?: (line: string) => void;
}

export interface DemoProgress {
  now: string;
  day: number;
  days: number;
  sent: number;
  letters: number;
  replies: number;
}

export interface DemoResult {
  campaignId: string;
  summary: Awaited<ReturnType<typeof publishCampaignResults>>['summary'];
  publishedAt: string;
  reportDir: string;
  letters: Letter[];
  fleet: Fleet;
  seconds: number;
}

const HOUR = 3_600_000;
const HALF_HOUR = HOUR / 2;

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const t0 = performance.now();
  const start = options.start ?? '2026-10-12';
  const windowEnd = options.windowEnd ?? '2026-12-31';
  const clock = new ManualClock(`${start}T08:00:00+08:00`);
  const closesAt = `${windowEnd}T17:30:00+08:00`;
  const fleet = defaultFleet({ count: options.sites ?? 60, seed: options.seed ?? 1 });
  const stack: LocalStack = await startLocalStack({
    allowPrivateHosts: true, // the sandbox is on 127.0.0.1
    filesDir: path.join(options.outDir, 'files'),
    clock,
    ...(options.browserPages ? { browserPages: options.browserPages } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  let sandbox: Sandbox | undefined;
  try {
    sandbox = await startSandbox({
      sites: fleet.specs,
      smtp: { host: stack.smtp.host, port: stack.smtp.port },
      clock,
      slowMs: 3_000,
      seed: options.seed ?? 1,
    });

    // The registry, as an office would load it: a CSV with the Chinese headers.
    const registryFile = path.join(options.outDir, 'registry.csv');
    await writeFile(registryFile, fleet.registryCsv(sandbox));
    await importSites({ sites: stack.stores.sites, events: stack.stores.events, clock, read: readRegistryFile }, registryFile, { allowPrivateHosts: true }); // the sandbox is on 127.0.0.1

    const { campaign } = await createCampaign(stack.campaign, {
      name: options.name ?? '2026年第四季度政府网站互动回应专项检查（演示）',
      sites: 'all',
      lettersPerSite: 2,
      workingDays: 1,
      window: { closesAt },
      // Stop sending early enough that a reply up to 10 working days late is still seen before the window closes.
      lateObservationWorkingDays: 10,
      start,
      seed: options.seed ?? 1,
    });

    const startMs = clock.now().getTime();
    const endMs = parseInstant(closesAt) + HOUR;
    const days = Math.ceil((endMs - startMs) / (24 * HOUR));
    const closed = await fastForward(stack, sandbox, clock, campaign.id, {
      until: endMs + 7 * 24 * HOUR,
      onDay: async () => {
        if (!options.onProgress) return;
        const letters = await stack.stores.letters.lettersOfCampaign(campaign.id);
        const sent = letters.filter((l) => l.state !== 'planned' && l.state !== 'queued').length;
        // Replies huixin has captured (mail, reply lists), not what the sandbox sent.
        const replies = letters.filter((l) => l.firstReply).length;
        options.onProgress({
          now: formatBeijing(clock.now().getTime()),
          day: Math.min(days, Math.floor((clock.now().getTime() - startMs) / (24 * HOUR))),
          days,
          sent,
          letters: fleet.sites.length * 2,
          replies,
        });
      },
    });
    if (!closed) throw new Error('the demo campaign did not close: its close schedule never fired');

    const reportDir = path.join(options.outDir, 'draft');
    const publisher = new FolderPublisher(path.join(options.outDir, 'published'));
    const published = await publishCampaignResults(stack.stores, campaign.id, publisher, {
      calendar: loadCalendar(),
      clock,
      workDir: reportDir,
    });
    await campaignStatus(stack.campaign, campaign.id, formatBeijing(clock.now().getTime()));
    const result: DemoResult = {
      campaignId: campaign.id,
      summary: published.summary,
      publishedAt: published.location,
      reportDir,
      letters: await stack.stores.letters.lettersOfCampaign(campaign.id),
      fleet,
      seconds: (performance.now() - t0) / 1000,
    };
    await options.onFinished?.(stack, result);
    return result;
  } finally {
    await sandbox?.close().catch(() => {});
    await stack.close();
  }
}

/**
 * Move the simulated clock until the campaign closes (true) or `until` passes (false), doing at each stop what the
 * cloud would do at that moment: fire the due schedules and drain the queues (`pump`), let the sandbox sites mail
 * the replies that fell due, and poll the reply lists once a day at 08:00 Beijing time (as in AWS; the poll runs on
 * while the clock moves on, a few at once, and all are done before the window closes).
 *
 * The clock jumps straight to the next thing that happens — a schedule (rounded up to the half hour, so the letters
 * due in the same half hour go out together on one browser's pages, as a Lambda batch would), a sandbox reply, the
 * daily poll — never further than `MAX_STEP`, so progress keeps moving. Quiet nights and weekends cost one stop.
 *
 * Letters are submitted in the background while the clock moves on, as Lambdas run while time passes: each one sees
 * the time it would be submitted at in AWS (its planned time; the stack pins it), so the clock need not wait for the
 * browser — except at the end of the day: it does not move into another Beijing day with letters in flight
 * (`settle`), so a site receives each letter on the day it was submitted, and its replies stay on the right day.
 */
export async function fastForward(
  stack: Pick<LocalStack, 'pump' | 'settle' | 'submittingSince' | 'pollReplyLists' | 'scheduler' | 'stores'>,
  sandbox: Pick<Sandbox, 'tick' | 'nextDueAt'>,
  clock: ManualClock,
  campaignId: string,
  options: { until: number; onDay?: () => Promise<void> },
): Promise<boolean> {
  let lastPollDate = '';
  let lastDay = '';
  /** The last daily polls, oldest first (a poll may run on past the next ones' start: at most POLLS_AT_ONCE). */
  const polls: Promise<unknown>[] = [];
  const pollsDone = async () => {
    for (const p of polls) await p;
  };
  const pump = () => stack.pump({ submissions: 'background' });
  /** The campaign's state is read at the start, after the close consumer ran, and once a simulated day (a cancel). */
  let checkState = true;
  let closesAtMs = Infinity;
  for (;;) {
    if (checkState) {
      const c = await stack.stores.campaigns.getCampaign(campaignId);
      if (!c || c.state === 'closed' || c.state === 'cancelled') {
        await pollsDone();
        await stack.settle();
        return true;
      }
      closesAtMs = c.windowClosesAt ? windowEndMs(c.windowClosesAt) : Infinity;
      checkState = false;
    }
    const r = await pump();
    await sandbox.tick(clock.now());
    // Work begets work (a schedule or a message a deadline or close handler left): pump again.
    if (r.deadlines + r.closed > 0) await pump();
    checkState = r.closed > 0;
    const nowMs = clock.now().getTime();
    const today = beijingDate(nowMs);
    if (dailyPollDue(lastPollDate, nowMs)) {
      lastPollDate = today;
      // The day's poll runs on while the clock moves on (as the Lambda runs on while the day's letters go out), past
      // the next ones' start too; with POLLS_AT_ONCE running the oldest is done first, and all are done before the
      // window closes (below).
      if (polls.length >= POLLS_AT_ONCE) await polls.shift();
      const poll = stack.pollReplyLists();
      poll.catch(() => {}); // awaited later: not an unhandled rejection meanwhile
      polls.push(poll);
    }
    if (nowMs >= options.until) {
      await pollsDone();
      await stack.settle();
      return false;
    }
    const nextStop = async () => {
      const candidates = [nowMs + MAX_STEP, nextPollMs(nowMs, lastPollDate === today)];
      const next = await stack.scheduler.nextDueAt();
      if (next) candidates.push(Math.ceil(parseInstant(next) / HALF_HOUR) * HALF_HOUR);
      const reply = sandbox.nextDueAt();
      if (reply) candidates.push(reply.getTime());
      return Math.min(options.until, Math.max(Math.min(...candidates), nowMs + 60_000));
    };
    let to = await nextStop();
    // Every reply a poll finds is in before the window closes.
    if (to >= closesAtMs) await pollsDone();
    if (stack.submittingSince() !== undefined && beijingDay(to) !== beijingDay(nowMs)) {
      // Not into another day with letters in flight: they finish today, and whatever they left (a retry) is done too.
      await stack.settle();
      await stack.pump();
      to = await nextStop();
    }
    clock.set(new Date(to));
    if (today !== lastDay) {
      lastDay = today;
      checkState = true;
      await options.onDay?.();
    }
  }
}

/** Daily polls that may run at once: a slow site's pages (seconds each, in turn) can hold a poll for longer than a quiet weekend day takes to pass here. */
const POLLS_AT_ONCE = 3;
/** The longest jump of the simulated clock (progress is reported once per simulated day). */
const MAX_STEP = 12 * HOUR;

/** The next DAILY_POLL_HOUR Beijing (the first stop at or after it; before office hours, it runs on while the day's letters go out) at which the daily poll is due: today's unless it is done. */
function nextPollMs(nowMs: number, doneToday: boolean): number {
  return startOfBeijingDayMs(beijingDay(nowMs) + (doneToday ? 1 : 0)) + DAILY_POLL_HOUR * HOUR;
}

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
import { beijingDate, formatBeijing, parseInstant } from '../domain/beijing-time.ts';
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
    filesDir: path.join(options.outDir, 'files'),
    clock,
    browserPages: options.browserPages ?? 4,
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
    await importSites({ sites: stack.stores.sites, events: stack.stores.events, clock, read: readRegistryFile }, registryFile);

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
 * Fast-forward a campaign on the embedded default: jump to the half hour in which the next thing falls due, at most an
 * hour at a time (replies fall due between schedules), work the queues, let the sandbox deliver its due replies, and poll the public reply lists
 * once a day after 16:00, as the daily poll does in AWS. Stops when the campaign is closed (true) or at `until` (false).
 */
export async function fastForward(
  stack: LocalStack,
  sandbox: Pick<Sandbox, 'tick'>,
  clock: ManualClock,
  campaignId: string,
  options: { until: number; onDay?: () => Promise<void> },
): Promise<boolean> {
  let lastPollDate = '';
  let lastDay = '';
  for (;;) {
    const c = await stack.stores.campaigns.getCampaign(campaignId);
    if (!c || c.state === 'closed' || c.state === 'cancelled') return true;
    await stack.pump();
    await sandbox.tick(clock.now());
    await stack.pump();
    const today = beijingDate(clock.now().getTime());
    const bjHour = (clock.now().getUTCHours() + 8) % 24;
    if (today !== lastPollDate && bjHour >= 16) {
      lastPollDate = today;
      await stack.pollReplyLists(campaignId);
    }
    const nowMs = clock.now().getTime();
    if (nowMs >= options.until) return false;
    const next = await stack.scheduler.nextDueAt();
    // Letters due within the same half hour go out together (one browser, several pages), as a Lambda batch would.
    const nextMs = next ? Math.min(Math.ceil(parseInstant(next) / HALF_HOUR) * HALF_HOUR, nowMs + HOUR) : nowMs + HOUR;
    clock.set(new Date(Math.min(options.until, Math.max(nextMs, nowMs + 60_000))));
    if (today !== lastDay) {
      lastDay = today;
      await options.onDay?.();
    }
  }
}

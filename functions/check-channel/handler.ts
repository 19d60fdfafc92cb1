/**
 * The daily channel health check for a batch of sites: `{ sites: [{ siteId, url? }] }` (an SQS record body from the
 * check queue, or a direct invocation). HTTP pre-check first; the browser dry-run only where needed; never submits.
 * The daily schedule sends `{ task: 'fan-out', siteIds? }`: the registry's sites (or those named) go on the check
 * queue in batches (shared/app/check-channel.ts fanOutChannelChecks), each batch a run of this function.
 * Thin: validate, call shared/app/check-channel.ts, return the statuses (alerting reads the `channel.checked` events).
 * Env: HUIXIN_EVIDENCE_BUCKET, HUIXIN_CHECK_QUEUE_URL (for the fan-out), HUIXIN_BROWSER_PAGES (default 2), plus the
 * store config.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import { BrowserSubmitter } from '../../shared/adapters/browser/submitter.ts';
import { S3ObjectStore } from '../../shared/adapters/mail/s3-object-store.ts';
import { guardedFetch } from '../../shared/adapters/http/guarded-fetch.ts';
import { SqsQueue } from '../../shared/adapters/sqs/sqs-queue.ts';
import { checkChannel, fanOutChannelChecks, type ChannelCheck, type CheckBatch, type CheckChannelDeps } from '../../shared/app/check-channel.ts';
import type { Queue, SiteStore } from '../../shared/app/ports.ts';
import { loadConfig } from '../../shared/config.ts';
import { openStores } from '../../shared/local/runtime.ts';

const CheckRequestSchema = z.object({
  sites: z.array(z.object({ siteId: z.string().min(1), url: z.url().optional(), mode: z.enum(['auto', 'browser']).optional() })).min(1),
});
export type CheckRequest = z.infer<typeof CheckRequestSchema>;
const FanOutSchema = z.object({ task: z.literal('fan-out'), siteIds: z.array(z.string().min(1)).optional() });
export type FanOutRequest = z.infer<typeof FanOutSchema>;

export interface CheckHandlerDeps {
  check: CheckChannelDeps;
  sites: Pick<SiteStore, 'getSite' | 'listSites'>;
  /** Where the fan-out puts the batches (the check queue). */
  checkQueue?: Queue<CheckBatch>;
  log(message: string): void;
}

export function createHandler(getDeps: () => Promise<CheckHandlerDeps>) {
  return async (
    event: CheckRequest | FanOutRequest | SQSEvent,
  ): Promise<{ checks: Array<Pick<ChannelCheck, 'siteId' | 'status' | 'reason' | 'via'>>; fannedOut?: { sites: number; messages: number } }> => {
    const deps = await getDeps();
    const fanOut = 'Records' in event ? undefined : FanOutSchema.safeParse(event);
    if (fanOut?.success) {
      if (!deps.checkQueue) throw new Error('HUIXIN_CHECK_QUEUE_URL is not set: the daily fan-out has no queue');
      const fannedOut = await fanOutChannelChecks({ sites: deps.sites, queue: deps.checkQueue }, fanOut.data.siteIds ? { siteIds: fanOut.data.siteIds } : {});
      deps.log(JSON.stringify({ msg: 'check-channel fan-out', ...fannedOut }));
      return { checks: [], fannedOut };
    }
    const requests = 'Records' in event ? event.Records.map((r) => JSON.parse(r.body) as unknown) : [event];
    const checks: Array<Pick<ChannelCheck, 'siteId' | 'status' | 'reason' | 'via'>> = [];
    for (const raw of requests) {
      const parsed = CheckRequestSchema.safeParse(raw);
      if (!parsed.success) {
        deps.log(JSON.stringify({ msg: 'malformed check request dropped', error: parsed.error.issues[0]?.message }));
        continue;
      }
      const results = await Promise.all(
        parsed.data.sites.map(async (s) => {
          const url = s.url ?? (await deps.sites.getSite(s.siteId))?.consultUrl;
          if (!url) return { siteId: s.siteId, status: 'script-broken' as const, reason: 'no-consult-url', via: 'http' as const };
          const c = await checkChannel(deps.check, { siteId: s.siteId, url, ...(s.mode ? { mode: s.mode } : {}) });
          return { siteId: c.siteId, status: c.status, reason: c.reason, via: c.via };
        }),
      );
      checks.push(...results);
    }
    deps.log(JSON.stringify({ msg: 'check-channel', checks }));
    return { checks };
  };
}

let cached: Promise<CheckHandlerDeps> | undefined;

async function productionDeps(): Promise<CheckHandlerDeps> {
  const env = process.env;
  const bucket = env.HUIXIN_EVIDENCE_BUCKET;
  if (!bucket) throw new Error('HUIXIN_EVIDENCE_BUCKET is not set');
  const stores = await openStores(loadConfig(env));
  const objects = new S3ObjectStore(new S3Client({}), bucket);
  // launched lazily: most sites pass the HTTP pre-check and never need the browser
  let submitter: Promise<BrowserSubmitter> | undefined;
  const browser = () => (submitter ??= BrowserSubmitter.launch(objects, { pages: Number(env.HUIXIN_BROWSER_PAGES ?? 2) || 2 }));
  return {
    check: {
      objects,
      clock: { now: () => new Date() },
      events: stores.events,
      submitter: { submit: async (r) => (await browser()).submit(r), discover: async (u) => (await browser()).discover(u) },
      fetchImpl: guardedFetch,
    },
    sites: stores.sites,
    ...(env.HUIXIN_CHECK_QUEUE_URL ? { checkQueue: new SqsQueue<CheckBatch>(new SQSClient({}), env.HUIXIN_CHECK_QUEUE_URL) } : {}),
    log: (m) => console.log(m),
  };
}

export const handler = createHandler(() => (cached ??= productionDeps()));

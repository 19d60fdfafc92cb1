/**
 * publish-results: build the campaign's report from the store, verify it and publish it as the next immutable
 * version under s3://$REPORTS_BUCKET/$REPORTS_PREFIX/<campaignId>/vN/ (bucket versioning on; puts never overwrite).
 * Event: {"campaignId": "c…", "closedAt"?: ISO}. Thin: validation here, the work in shared/app/report.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { loadCalendar } from '../../shared/adapters/calendar-source.ts';
import { S3Publisher } from '../../shared/adapters/report/publish-s3.ts';
import { publishCampaignResults } from '../../shared/app/report.ts';
import { loadConfig } from '../../shared/config.ts';
import { InputError } from '../../shared/domain/errors.ts';
import { openStores } from '../../shared/local/runtime.ts';

const Event = z.object({ campaignId: z.string().min(1), closedAt: z.string().optional() });
const s3 = new S3Client({});

export async function handler(event: unknown): Promise<{ version: number; location: string; sitesTested: number }> {
  const parsed = Event.safeParse(event);
  if (!parsed.success) throw new InputError(`publish-results: bad event: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
  const bucket = process.env.REPORTS_BUCKET;
  if (!bucket) throw new Error('publish-results: REPORTS_BUCKET is not set');
  const prefix = `${(process.env.REPORTS_PREFIX ?? 'reports').replace(/\/+$/, '')}/${parsed.data.campaignId}`;
  const stores = await openStores(loadConfig());
  const workDir = await mkdtemp(path.join(tmpdir(), 'report-'));
  try {
    const r = await publishCampaignResults(stores, parsed.data.campaignId, new S3Publisher(s3, bucket, prefix), {
      calendar: loadCalendar(),
      clock: { now: () => new Date() },
      workDir,
      ...(parsed.data.closedAt ? { closedAt: parsed.data.closedAt } : {}),
    });
    return { version: r.version, location: r.location, sitesTested: r.summary.sitesTested };
  } finally {
    await rm(workDir, { recursive: true, force: true });
    await stores.close();
  }
}

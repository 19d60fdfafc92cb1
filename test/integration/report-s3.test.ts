import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startFauxqs } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCalendar } from '../../shared/adapters/calendar-source.ts';
import { sha256 } from '../../shared/adapters/report/files.ts';
import { S3Publisher } from '../../shared/adapters/report/publish-s3.ts';
import { buildReport, publishReport } from '../../shared/app/report.ts';
import { handMadeCampaign } from '../unit/report-fixture.ts';

const calendar = loadCalendar({ env: {} });
const clock = { now: () => new Date('2026-04-01T01:00:00Z') };

describe('publishing to S3 (fauxqs, the local S3-compatible server)', () => {
  let server: Awaited<ReturnType<typeof startFauxqs>>;
  let s3: S3Client;
  beforeAll(async () => {
    server = await startFauxqs({ port: 0, logger: false, host: '127.0.0.1' });
    server.createBucket('huixin-reports');
    s3 = new S3Client({ endpoint: server.address, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  });
  afterAll(async () => {
    s3?.destroy();
    await server?.stop();
  });

  it('publishing twice writes reports/<campaign>/v1/ and v2/ with manifests whose hashes match the stored objects', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'huixin-report-s3-'));
    await buildReport(dir, { input: handMadeCampaign(), calendar, clock });
    const publisher = new S3Publisher(s3, 'huixin-reports', 'reports/c2026q1');
    const a = await publishReport(dir, publisher, { calendar, clock });
    const b = await publishReport(dir, publisher, { calendar, clock });
    expect([a.location, b.location]).toEqual(['s3://huixin-reports/reports/c2026q1/v1/', 's3://huixin-reports/reports/c2026q1/v2/']);
    expect(await publisher.versions()).toEqual([1, 2]);
    for (const f of b.manifest.files) {
      const o = await s3.send(new GetObjectCommand({ Bucket: 'huixin-reports', Key: `reports/c2026q1/v1/${f.name}` }));
      expect(sha256(await o.Body!.transformToByteArray())).toBe(f.sha256);
    }
  });
});

/**
 * A restart of the embedded default mid-campaign (what Ctrl-C and `huixin serve` again do): data on disk — dynalite,
 * the persisted SQS server, the schedules — so nothing is lost and nothing is sent twice.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultFleet } from '../../sandbox/fleet.ts';
import { startSandbox, type Sandbox } from '../../sandbox/server.ts';
import { tableResolver } from '../../shared/adapters/mail/auth.ts';
import { DynamoMailStore } from '../../shared/adapters/mail/dynamo-mail.ts';
import { readRegistryFile } from '../../shared/adapters/registry-file.ts';
import { createCampaign } from '../../shared/app/campaigns.ts';
import { importSites } from '../../shared/app/import-sites.ts';
import { parseInstant } from '../../shared/domain/beijing-time.ts';
import { fastForward } from '../../shared/local/demo.ts';
import { ManualClock } from '../../shared/local/manual-clock.ts';
import { openLocalStores } from '../../shared/local/runtime.ts';
import { startLocalStack } from '../../shared/local/stack.ts';

describe('restarting the embedded default mid-campaign', () => {
  let dir: string;
  let sandbox: Sandbox | undefined;
  afterAll(async () => {
    await sandbox?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('loses nothing and sends nothing twice', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'huixin-restart-'));
    const dataDir = path.join(dir, 'data');
    const filesDir = path.join(dataDir, 'objects');
    const clock = new ManualClock('2026-10-12T08:00:00+08:00');
    const fleet = defaultFleet({ count: 12, seed: 3 });
    // The sites stay up across our restart, as real sites do.
    sandbox = await startSandbox({ sites: fleet.specs, clock, slowMs: 200, seed: 3 });

    let stack = await startLocalStack({ dataDir, filesDir, clock, browserPages: 2, allowPrivateHosts: true });
    const registry = path.join(dir, 'registry.csv');
    await writeFile(registry, fleet.registryCsv(sandbox));
    await importSites({ sites: stack.stores.sites, events: stack.stores.events, clock, read: readRegistryFile }, registry, { allowPrivateHosts: true }); // the sandbox is on 127.0.0.1
    const { campaign } = await createCampaign(stack.campaign, {
      name: '重启测试',
      sites: 'all',
      lettersPerSite: 2,
      workingDays: 1,
      window: { closesAt: '2026-11-20T17:30:00+08:00' },
      lateObservationWorkingDays: 5,
      start: '2026-10-12',
      seed: 3,
    });
    const total = (await stack.stores.letters.lettersOfCampaign(campaign.id)).length;
    expect(total).toBe(24);

    // Half way through: stop everything (the stack's processes and files are what a Ctrl-C leaves).
    expect(await fastForward(stack, sandbox, clock, campaign.id, { until: parseInstant('2026-10-30T12:00:00+08:00') })).toBe(false);
    const before = (await stack.stores.letters.lettersOfCampaign(campaign.id)).filter((l) => l.state !== 'planned' && l.state !== 'queued');
    expect(before.length).toBeGreaterThan(0);
    expect(before.length).toBeLessThan(total);
    await stack.close();

    // Start again on the same data folder and run to the end.
    stack = await startLocalStack({ dataDir, filesDir, clock, browserPages: 2, allowPrivateHosts: true });
    try {
      expect((await stack.stores.letters.lettersOfCampaign(campaign.id)).length).toBe(total);
      expect(await fastForward(stack, sandbox, clock, campaign.id, { until: parseInstant('2026-12-31T00:00:00+08:00') })).toBe(true);
      const letters = await stack.stores.letters.lettersOfCampaign(campaign.id);
      // Every letter reached an end state; none is stuck planned, queued or mid-submission.
      expect(letters.filter((l) => ['planned', 'queued', 'submitting'].includes(l.state))).toEqual([]);
      // Each letter that reached a site arrived exactly once: one accepted POST per letter, never two.
      const arrivals = new Map<string, number>();
      for (const p of sandbox.posts()) {
        if (p.outcome !== 'accepted') continue;
        const key = p.letter.email ?? '';
        arrivals.set(key, (arrivals.get(key) ?? 0) + 1);
      }
      const sent = letters.filter((l) => l.state === 'submitted' || l.state === 'unconfirmed');
      expect(sent.length).toBeGreaterThan(0);
      for (const l of sent) expect(arrivals.get(l.replyAddress), l.id).toBe(1);
      expect([...arrivals.values()].every((n) => n === 1)).toBe(true);
      // Letters sent before the restart kept their replies and verdict evidence.
      for (const l of before.filter((x) => x.state === 'submitted')) {
        const now = letters.find((x) => x.id === l.id)!;
        expect(now.submittedAt).toBe(l.submittedAt);
        if (l.firstReply) expect(now.firstReply).toEqual(l.firstReply);
      }
    } finally {
      await stack.close();
    }
  }, 400_000);
});

describe('a start that fails part way', () => {
  it('stops what it had started, so the data folder is free for the next start (the SMTP port taken)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'huixin-failed-start-'));
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const dataDir = path.join(dir, 'data');
      const smtpPort = (taken.address() as AddressInfo).port;
      const clock = new ManualClock('2026-10-12T08:00:00+08:00');
      await expect(startLocalStack({ dataDir, filesDir: path.join(dataDir, 'objects'), clock, smtpPort })).rejects.toMatchObject({ code: 'EADDRINUSE' });
      // the store's lock was released: the data folder opens again (else: "data dir in use by another huixin process")
      const stores = await openLocalStores({ dataDir });
      await stores.close();
    } finally {
      await new Promise((resolve) => taken.close(resolve));
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the stack\'s inbound mail', () => {
  it('computes SPF/DMARC with the DNS it is given (serve gives the machine\'s), not an empty table', async () => {
    const clock = new ManualClock('2026-10-12T08:00:00+08:00');
    // gz.gov.cn publishes that only 127.0.0.1 sends its mail, and asks receivers to reject the rest
    const mailDns = tableResolver({ 'gz.gov.cn': { TXT: [['v=spf1 ip4:127.0.0.1 -all']] }, '_dmarc.gz.gov.cn': { TXT: [['v=DMARC1; p=reject']] } });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'huixin-stack-dns-'));
    const stack = await startLocalStack({ filesDir: dir, clock, mailDns, env: { HUIXIN_MAIL_DOMAIN: 'reply.huixin.test' } });
    try {
      await nodemailer
        .createTransport({ host: '127.0.0.1', port: stack.smtp.port, secure: false, ignoreTLS: true })
        .sendMail({ envelope: { from: 'xxgk@gz.gov.cn', to: 'r-nosuchletter-0000000000@reply.huixin.test' }, from: 'xxgk@gz.gov.cn', to: 'r-nosuchletter-0000000000@reply.huixin.test', subject: '回复', text: '您好，来信收悉。' });
      const held = await new DynamoMailStore(stack.stores.client, stack.stores.tableName).listHeld();
      expect(held.map((m) => m.auth)).toEqual([expect.objectContaining({ spf: 'pass', dmarc: 'pass', source: 'mailauth' })]);
    } finally {
      await stack.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

/**
 * A small campaign for the dashboard tests, seeded through the real use cases and ports: B's site import, E's
 * createCampaign, the submitter's state changes and `letter.*` events (as C2's submitLetter writes them, with an
 * evidence screenshot in the object store), D's ingestMail for a matched reply and for a mail that lands in the
 * holding pen.
 */
import { createCampaign } from '../../shared/app/campaigns.ts';
import { ingestMail } from '../../shared/app/ingest-mail.ts';
import { ids } from '../../shared/app/ids.ts';
import { streamOf } from '../../shared/domain/events.ts';
import type { Letter, Site } from '../../shared/domain/model.ts';
import { parseInstant } from '../../shared/domain/beijing-time.ts';
import { campaignRuntime } from '../../shared/local/campaign-runtime.ts';
import type { DashboardWiring } from '../../shared/local/dashboard.ts';
import type { OpenStores } from '../../shared/local/runtime.ts';

export class MovableClock {
  constructor(private t: number) {}
  now() {
    return new Date(this.t);
  }
  set(iso: string) {
    this.t = parseInstant(iso);
  }
}

export const SEED_NOW = '2026-03-05T15:00:00+08:00'; // a Thursday
export const CAMPAIGN_ID = 'c0000000000dashb0001';

export const seedSites: Site[] = [
  { id: '6100000001', name: '陕西省人民政府', category: '省政府门户', region: '陕西省', homeUrl: 'http://www.shaanxi.gov.test/', consultUrl: 'http://www.shaanxi.gov.test/zx' },
  { id: '6100000002', name: '陕西省教育厅', category: '省级部门', region: '陕西省', homeUrl: 'http://jyt.shaanxi.gov.test/', consultUrl: 'http://jyt.shaanxi.gov.test/zx' },
  { id: '6101000003', name: '西安市人民政府', category: '市县政府门户', region: '陕西省西安市', homeUrl: 'http://www.xa.gov.test/', consultUrl: 'http://www.xa.gov.test/zx' },
  { id: '6101000004', name: '西安市人力资源和社会保障局', category: '市县部门', region: '陕西省西安市', homeUrl: 'http://rsj.xa.gov.test/', consultUrl: 'http://rsj.xa.gov.test/zx' },
  { id: '4401000005', name: '广州市人民政府', category: '市县政府门户', region: '广东省广州市', homeUrl: 'http://www.gz.gov.test/', consultUrl: 'http://www.gz.gov.test/zx' },
  { id: '4400000006', name: '广东省人民政府', category: '省政府门户', region: '广东省', homeUrl: 'http://www.gd.gov.test/', consultUrl: 'http://www.gd.gov.test/zx' },
];

export interface Seeded {
  campaignId: string;
  /** Submitted same day, replied by mail the same afternoon. */
  replied: Letter;
  /** Submitted, no reply, deadline passed. */
  overdue: Letter;
  /** Submitted yesterday, no reply yet: the held mail belongs to it. */
  awaiting: Letter;
  gated: Letter;
  unavailable: Letter;
  heldMailId: string;
  screenshotKey: string;
}

function rawMail(o: { from: string; to: string; subject: string; date: string; body: string; messageId: string; html?: string }): Uint8Array {
  const head = [`From: ${o.from}`, `To: ${o.to}`, `Subject: =?UTF-8?B?${Buffer.from(o.subject).toString('base64')}?=`, `Date: ${new Date(o.date).toUTCString()}`, `Message-ID: <${o.messageId}>`, 'MIME-Version: 1.0'];
  if (!o.html) {
    return new TextEncoder().encode([...head, 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64', '', Buffer.from(o.body).toString('base64'), ''].join('\r\n'));
  }
  const b = 'hxboundary42';
  return new TextEncoder().encode(
    [
      ...head,
      `Content-Type: multipart/alternative; boundary="${b}"`,
      '',
      `--${b}`,
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from(o.body).toString('base64'),
      `--${b}`,
      'Content-Type: text/html; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from(o.html).toString('base64'),
      `--${b}--`,
      '',
    ].join('\r\n'),
  );
}

export async function seedDashboard(stores: OpenStores, wiring: DashboardWiring, clock: MovableClock, screenshot: Uint8Array): Promise<Seeded> {
  clock.set('2026-03-02T08:00:00+08:00'); // Monday
  await stores.sites.importSites(seedSites, { source: 'dashboard-test', importedAt: '2026-03-01T10:00:00+08:00' });
  const { deps } = campaignRuntime({ ...stores }, { clock, env: {} });
  await createCampaign({ ...deps, letters: wiring.deps.campaign.letters }, {
    id: CAMPAIGN_ID,
    name: '2026年第一季度互动回应专项检查（测试）',
    sites: 'all',
    lettersPerSite: 2,
    workingDays: 1,
    window: { workingDays: 20 },
  });
  const letters = (await stores.letters.lettersOfCampaign(CAMPAIGN_ID)).sort((a, b) => (a.siteId + a.ordinal < b.siteId + b.ordinal ? -1 : 1));
  const pick = (siteId: string, ordinal = 1) => letters.find((l) => l.siteId === siteId && l.ordinal === ordinal)!;
  const L = wiring.deps.campaign.letters; // counted: the overview sees every change
  const events = stores.events;
  const objects = wiring.deps.objects;
  const shot = await objects.put(`evidence/${CAMPAIGN_ID}/screenshot-6100000001.png`, screenshot, 'image/png');

  async function submitted(l: Letter, at: string, queryCode: string, withShot: boolean): Promise<Letter> {
    clock.set(at);
    await L.updateLetter(l.id, ['planned'], { state: 'submitting', updatedAt: at });
    const deadlineAt = `${deps.calendar.addWorkingDays(at.slice(0, 10), 1)}T23:59:59+08:00`;
    const u = await L.updateLetter(l.id, ['submitting'], { state: 'submitted', submittedAt: at, queryCode, deadlineAt, updatedAt: at });
    await events.append({
      id: ids.event(clock.now()),
      stream: streamOf.letter(l.id),
      type: 'letter.submitted',
      at,
      recordedAt: at,
      actor: 'function:submit-letter',
      data: {
        outcome: 'submitted',
        queryCode,
        submittedAt: at,
        sent: true,
        evidence: { finalUrl: 'http://www.shaanxi.gov.test/zx/ok', formUrl: 'http://www.shaanxi.gov.test/zx', codes: { queryCode }, timings: {}, ...(withShot ? { screenshot: { key: shot.key, sha256: shot.sha256, size: shot.size } } : {}) },
      },
    });
    return u;
  }

  await submitted(pick('6100000001'), '2026-03-02T10:00:00+08:00', 'CX20260302A', true);
  const overdue = await submitted(pick('6100000002'), '2026-03-02T11:00:00+08:00', 'CX20260302B', false);
  const awaiting = await submitted(pick('6101000004'), '2026-03-04T09:30:00+08:00', 'CX20260304D', false);

  // A gated letter (captcha) and an unavailable channel, as the submitter records them.
  clock.set('2026-03-03T10:00:00+08:00');
  const g = pick('6101000003');
  await L.updateLetter(g.id, ['planned'], { state: 'gated', updatedAt: '2026-03-03T10:00:00+08:00' });
  await events.append({ id: ids.event(clock.now()), stream: streamOf.letter(g.id), type: 'letter.gated', at: '2026-03-03T10:00:00+08:00', recordedAt: '2026-03-03T10:00:00+08:00', actor: 'function:submit-letter', data: { reason: 'captcha' } });
  const u = pick('4401000005');
  await L.updateLetter(u.id, ['planned'], { state: 'unavailable', updatedAt: '2026-03-03T10:05:00+08:00' });
  await events.append({ id: ids.event(clock.now()), stream: streamOf.letter(u.id), type: 'letter.unavailable', at: '2026-03-03T10:05:00+08:00', recordedAt: '2026-03-03T10:05:00+08:00', actor: 'function:submit-letter', data: { reason: 'http 404 twice' } });
  await events.append({ id: ids.event(clock.now()), stream: streamOf.site(u.siteId), type: 'channel.broken', at: '2026-03-03T10:05:00+08:00', recordedAt: '2026-03-03T10:05:00+08:00', actor: 'function:check-channel', data: { reason: 'http 404 twice', url: 'http://www.gz.gov.test/zx' } });

  // D's ingest: a reply to the first letter's own address, and a mail nobody can match (the holding pen).
  const ingestDeps = { ...wiring.deps.holding, objects, replySecret: deps.mail.secret, mailDomain: deps.mail.domain };
  const replied = pick('6100000001');
  clock.set('2026-03-02T16:00:00+08:00');
  const r1 = await ingestMail(
    ingestDeps,
    rawMail({ from: 'xxgk@shaanxi.gov.test', to: replied.replyAddress, subject: `回复：${replied.title}`, date: '2026-03-02T16:00:00+08:00', body: '您好，您咨询的网约车驾驶员证办理问题答复如下：需年满二十一周岁，取得相应准驾车型驾驶证并具有三年以上驾驶经历，通过全国公共科目和区域科目考试后，向市交通运输局申请办理。', messageId: 'r1@shaanxi.gov.test' }),
    { receivedAt: '2026-03-02T16:00:00+08:00' },
  );
  if (!r1.letterId) throw new Error(`seed: the reply did not match (${r1.heldReason})`);
  clock.set('2026-03-05T11:00:00+08:00');
  const held = await ingestMail(
    ingestDeps,
    rawMail({
      from: 'noreply@mail.example.test',
      to: `inbox@${deps.mail.domain}`,
      subject: '关于您的留言的答复',
      date: '2026-03-05T11:00:00+08:00',
      body: '您好，关于社保转移的留言，答复如下：<script>alert(1)</script> 请携带身份证办理。',
      html: '<p>您好，关于社保转移的留言，答复如下：</p><script>window.parent.__pwned = 1</script><img src="http://tracker.example.test/p.gif"><p>请携带身份证办理。</p>',
      messageId: 'held1@mail.example.test',
    }),
    { receivedAt: '2026-03-05T11:00:00+08:00' },
  );
  if (!held.held) throw new Error('seed: the unmatched mail was not held');
  clock.set(SEED_NOW);
  const get = async (id: string) => (await stores.letters.getLetter(id))!;
  return {
    campaignId: CAMPAIGN_ID,
    replied: await get(replied.id),
    overdue: await get(overdue.id),
    awaiting: await get(awaiting.id),
    gated: await get(g.id),
    unavailable: await get(u.id),
    heldMailId: held.mailId,
    screenshotKey: shot.key,
  };
}

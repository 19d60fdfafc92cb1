/**
 * Alerts end to end on the real local components: dynalite, the sandbox's simulated sites, C2's checkChannel
 * (HTTP pre-check; a stub stands in for the browser dry-run and stores a screenshot), a real smtp-server receiving
 * the mails and a node:http listener receiving the DingTalk / WeCom / JSON webhooks. The clock is injected.
 */
import { createHmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAlertConfig } from '../../shared/adapters/alerts/config.ts';
import { alertDeps } from '../../shared/adapters/alerts/wiring.ts';
import { FsObjectStore } from '../../shared/adapters/object-store-fs.ts';
import { announceMaintenance, runAlerts, runDailyDigest, sendPending, type AlertDeps } from '../../shared/app/alerts.ts';
import { checkChannel, type CheckChannelDeps } from '../../shared/app/check-channel.ts';
import { submitLetter } from '../../shared/app/submit-letter.ts';
import type { FormSubmitter, SubmitResult } from '../../shared/domain/forms/submission.ts';
import type { Site } from '../../shared/domain/model.ts';
import { openLocalStores, type OpenStores } from '../../shared/local/runtime.ts';
import { startSandbox, type Sandbox } from '../../sandbox/server.ts';

const KEYS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'] as const;
const DING_SECRET = 'SECtest123';
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

let dir: string;
let stores: OpenStores;
let sandbox: Sandbox;
let smtp: SMTPServer;
let hooks: Server;
let deps: ReturnType<typeof alertDeps>;
let checkDeps: CheckChannelDeps;
let now = new Date('2026-03-02T01:00:00.000Z');
const clock = { now: () => now };
const advance = (ms: number) => (now = new Date(now.getTime() + ms));
const mails: ParsedMail[] = [];
const requests: { path: string; query: URLSearchParams; body: Record<string, unknown> }[] = [];
let failJson = 0;
const siteId = (k: string) => `61000000${String(KEYS.indexOf(k as (typeof KEYS)[number]) + 10)}`;

/** Stands in for the browser dry-run: looks at the page over HTTP and stores a "screenshot" for a broken one. */
const stubBrowser: FormSubmitter = {
  async submit(req) {
    const res = await fetch(req.url).catch(() => undefined);
    const broken = !res || res.status >= 400;
    const shot = broken ? await checkDeps.objects.put(`${req.evidencePrefix}/screenshot.png`, PNG, 'image/png') : undefined;
    const r: SubmitResult = {
      outcome: broken ? 'unavailable' : 'ready',
      reason: res ? (broken ? `http-${res.status}` : 'ready') : 'connection',
      queryCode: null,
      submittedAt: null,
      sent: false,
      channel: { kind: 'site-form', url: req.url },
      evidence: { finalUrl: req.url, formUrl: req.url, codes: {}, timings: {}, ...(shot ? { screenshot: shot } : {}) },
    };
    return r;
  },
  discover: async () => [],
};

const check = (k: string) => checkChannel(checkDeps, { siteId: siteId(k), url: sandbox.consultUrlOf(k) });
const run = (...keys: string[]) => runAlerts(deps, { siteIds: keys.map(siteId) });
const opsMails = () => mails.filter((m) => JSON.stringify(m.to).includes('ops@huixin.test'));
const hooksAt = (p: string) => requests.filter((r) => r.path === p);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'huixin-alerts-'));
  stores = await openLocalStores({ inMemory: true });
  sandbox = await startSandbox({ sites: KEYS.map((key) => ({ key, variant: 'jact' as const })), clock });
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, cb) {
      simpleParser(stream)
        .then((m) => {
          mails.push(m);
          cb();
        })
        .catch(cb);
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  hooks = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://x');
      if (u.pathname === '/json' && failJson > 0) {
        failJson--;
        res.writeHead(502).end('bad gateway');
        return;
      }
      requests.push({ path: u.pathname, query: u.searchParams, body: JSON.parse(body) as Record<string, unknown> });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ errcode: 0, errmsg: 'ok' }));
    });
  });
  await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
  const hp = (hooks.address() as AddressInfo).port;
  const sites: Site[] = KEYS.map((k) => ({
    id: siteId(k),
    name: `测试县${k}局网站`,
    category: '市县部门',
    region: '测试市',
    homeUrl: sandbox.urlOf(k),
    consultUrl: sandbox.consultUrlOf(k),
    ...(k === 'a' ? { supervisorEmail: 'zhuguan@gov.test' } : {}),
  }));
  await stores.sites.importSites(sites, { source: 'test', importedAt: now.toISOString() });
  const objects = new FsObjectStore(dir);
  checkDeps = { submitter: stubBrowser, objects, clock, events: stores.events };
  const config = loadAlertConfig({
    HUIXIN_SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
    HUIXIN_ALERT_EMAILS: 'ops@huixin.test',
    HUIXIN_ALERT_WEBHOOKS: JSON.stringify([
      { kind: 'dingtalk', url: `http://127.0.0.1:${hp}/dingtalk?access_token=tok`, secret: DING_SECRET },
      { kind: 'wecom', url: `http://127.0.0.1:${hp}/wecom?key=k` },
      { kind: 'json', url: `http://127.0.0.1:${hp}/json` },
    ]),
    HUIXIN_ALERT_SUPERVISORS: 'true',
    HUIXIN_ALERT_DIGEST_THRESHOLD: '3',
    HUIXIN_ALERT_REMINDER_DAYS: '3',
  });
  const recheck: AlertDeps['recheck'] = async (site) => {
    advance(5 * 60_000);
    await checkChannel(checkDeps, { siteId: site.id, url: site.consultUrl });
  };
  deps = alertDeps(stores, config, { objects, clock, recheck, sleep: async (ms) => void advance(ms) });
}, 60_000);

afterAll(async () => {
  deps?.senders.close();
  await new Promise<void>((r) => (smtp ? smtp.close(() => r()) : r()));
  await new Promise<void>((r) => (hooks ? hooks.close(() => r()) : r()));
  await sandbox?.close();
  await stores?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('alerts on broken sandbox channels', () => {
  it('a broken channel, confirmed by a re-check, produces exactly ONE alert: one mail to the operators (+ the 主管单位) and one call per webhook', async () => {
    sandbox.setBroken('a', 'not-found');
    expect((await check('a')).status).toBe('unavailable');
    const r = await run('a');
    expect(r.messages.map((m) => m.kind)).toEqual(['broken']);
    expect(await sendPending(deps)).toEqual({ sent: 5, failedAttempts: 0, gaveUp: 0 });

    // the next day's check and run: still broken, nothing new
    advance(3_600_000);
    await check('a');
    expect((await run('a')).messages).toEqual([]);
    expect((await sendPending(deps)).sent).toBe(0);

    expect(opsMails()).toHaveLength(1);
    const m = opsMails()[0]!;
    expect(m.subject).toBe('【回信】留言栏目不可用：测试县a局网站');
    expect(m.text).toContain(sandbox.consultUrlOf('a'));
    expect(m.text).toContain('http-404');
    expect(m.text).toContain('2026-03-02 09:00');
    expect(m.attachments.map((x) => x.contentType)).toEqual(['image/png']);
    expect(mails.filter((x) => JSON.stringify(x.to).includes('zhuguan@gov.test'))).toHaveLength(1);

    const [ding] = hooksAt('/dingtalk');
    expect(hooksAt('/dingtalk')).toHaveLength(1);
    expect(ding!.body).toMatchObject({ msgtype: 'markdown', markdown: { title: '【回信】留言栏目不可用：测试县a局网站' } });
    const ts = ding!.query.get('timestamp')!;
    expect(ding!.query.get('access_token')).toBe('tok');
    expect(ding!.query.get('sign')).toBe(createHmac('sha256', DING_SECRET).update(`${ts}\n${DING_SECRET}`).digest('base64'));
    expect(hooksAt('/wecom')).toHaveLength(1);
    expect(hooksAt('/wecom')[0]!.body).toMatchObject({ msgtype: 'markdown' });
    expect((hooksAt('/wecom')[0]!.body.markdown as { content: string }).content).toContain('http-404');
    expect(hooksAt('/json')).toHaveLength(1);
    expect(hooksAt('/json')[0]!.body).toMatchObject({ kind: 'broken', siteIds: [siteId('a')] });

    // the alert history is on the channel's (site's) timeline
    const sent = (await stores.events.stream(`site:${siteId('a')}`)).filter((e) => e.type === 'alert.sent');
    expect(sent.map((e) => e.data.target).sort()).toEqual(['dingtalk-1', 'json-3', 'operators', 'supervisor', 'wecom-2']);
  });

  it('a recovery notice when the channel works again', async () => {
    const before = opsMails().length;
    sandbox.recover('a');
    advance(3_600_000);
    expect((await check('a')).status).toBe('ready');
    const r = await run('a');
    expect(r.messages.map((m) => m.kind)).toEqual(['recovered']);
    await sendPending(deps);
    expect(opsMails()).toHaveLength(before + 1);
    expect(opsMails().at(-1)!.subject).toBe('【回信】留言栏目已恢复：测试县a局网站');
    expect(hooksAt('/json').at(-1)!.body).toMatchObject({ kind: 'recovered' });
    const incidents = await deps.alerts.listIncidents();
    expect(incidents.find((i) => i.siteId === siteId('a'))).toMatchObject({ state: 'recovered' });
  });

  it('no alert while the site is under announced maintenance', async () => {
    const before = { mails: mails.length, hooks: requests.length };
    await announceMaintenance(deps, { siteId: siteId('b'), from: new Date(now.getTime() - 60_000).toISOString(), to: new Date(now.getTime() + 6 * 3_600_000).toISOString(), reason: '系统升级公告', by: 'ops' });
    sandbox.setMaintenance('b', '系统升级中');
    expect((await check('b')).status).toBe('unavailable');
    const r = await run('b');
    expect(r.messages).toEqual([]);
    expect(r.suppressed).toHaveLength(1); // ignored: not even suspected, so no re-check either
    advance(3_600_000);
    await check('b');
    expect((await run('b')).messages).toEqual([]);
    await sendPending(deps);
    expect((await deps.alerts.listIncidents()).filter((i) => i.siteId === siteId('b'))).toEqual([]);
    expect({ mails: mails.length, hooks: requests.length }).toEqual(before);
    sandbox.setMaintenance('b', undefined);
  });

  it('a reminder after N days on the injected clock while the channel stays broken', async () => {
    sandbox.setBroken('c', 'server-error');
    await check('c');
    expect((await run('c')).messages.map((m) => m.kind)).toEqual(['broken']);
    await sendPending(deps);
    advance(2 * 86_400_000);
    await check('c');
    expect((await run('c')).messages).toEqual([]);
    advance(86_400_000);
    await check('c');
    const r = await run('c');
    expect(r.messages.map((m) => m.kind)).toEqual(['reminder']);
    await sendPending(deps);
    expect(opsMails().at(-1)!.subject).toBe('【回信】留言栏目仍不可用（提醒）：测试县c局网站');
    expect(opsMails().at(-1)!.text).toContain('http-500');
  });

  it('many channels breaking at once → one digest message, not a flood', async () => {
    const before = { ops: opsMails().length, json: hooksAt('/json').length };
    const keys = ['d', 'e', 'f', 'g', 'h'];
    for (const k of keys) sandbox.setBroken(k, 'not-found');
    for (const k of keys) await check(k);
    const r = await run(...keys);
    expect(r.notifications).toHaveLength(5);
    expect(r.messages).toHaveLength(1);
    expect(r.messages[0]).toMatchObject({ kind: 'digest', of: 'broken' });
    await sendPending(deps);
    expect(opsMails()).toHaveLength(before.ops + 1);
    expect(opsMails().at(-1)!.subject).toBe('【回信】5 个网站留言栏目不可用（汇总 digest）');
    for (const k of keys) expect(opsMails().at(-1)!.text).toContain(`测试县${k}局网站`);
    expect(hooksAt('/json')).toHaveLength(before.json + 1);
  });

  it('a failed webhook is retried with backoff (through the clock) and every attempt is recorded', async () => {
    sandbox.setBroken('i', 'not-found');
    await check('i');
    await run('i');
    failJson = 2;
    const t0 = now.getTime();
    const s = await sendPending(deps, { untilSettled: true });
    expect(s).toEqual({ sent: 4, failedAttempts: 2, gaveUp: 0 });
    expect(now.getTime() - t0).toBe(60_000 + 120_000);
    expect(hooksAt('/json').at(-1)!.body).toMatchObject({ kind: 'broken', siteIds: [siteId('i')] });
    const history = (await stores.events.stream(`site:${siteId('i')}`)).filter((e) => e.type.startsWith('alert.') && e.data.target === 'json-3');
    expect(history.map((e) => `${e.type}#${String(e.data.attempt)}`)).toEqual(['alert.failed#1', 'alert.failed#2', 'alert.sent#3']);
    expect(history[0]!.data.error).toContain('502');
  });

  it('a letter whose submission ended unavailable (after its retry) alerts at once, and the alert is on the letter’s timeline', async () => {
    sandbox.setBroken('j', 'server-error');
    await stores.letters.putLetters([
      {
        id: 'l-broken', campaignId: 'c-x', siteId: siteId('j'), channelId: 'ch', ordinal: 1, state: 'queued', plannedAt: now.toISOString(),
        replyAddress: 'l-broken@reply.test', title: '公积金', body: '您好', questionId: 'q', persona: { name: '张敏', phone: '13712345678', email: 'l-broken@reply.test' },
        version: 1, updatedAt: now.toISOString(),
      },
    ]);
    const submitDeps = { letters: stores.letters, events: stores.events, objects: checkDeps.objects, clock, submitter: stubBrowser, sites: stores.sites };
    expect((await submitLetter(submitDeps, { letterId: 'l-broken' })).status).toBe('retry');
    advance(300_000);
    expect(await submitLetter(submitDeps, { letterId: 'l-broken' })).toMatchObject({ status: 'recorded', outcome: 'unavailable' });
    const r = await run('j');
    expect(r.messages.map((m) => [m.kind, m.letterIds])).toEqual([['broken', ['l-broken']]]);
    await sendPending(deps);
    const m = opsMails().at(-1)!;
    expect(m.subject).toBe('【回信】留言栏目不可用：测试县j局网站');
    expect(m.text).toContain('l-broken');
    expect(m.attachments).toHaveLength(1);
    const onLetter = (await stores.events.stream('letter:l-broken')).filter((e) => e.type === 'alert.sent');
    expect(onLetter.map((e) => e.data.target).sort()).toEqual(['dingtalk-1', 'json-3', 'operators', 'wecom-2']);
  });

  it('the daily digest reaches the staff with the overdue letters from the store and the broken channels', async () => {
    await stores.letters.putLetters([
      {
        id: 'l-overdue', campaignId: 'c-x', siteId: siteId('a'), channelId: 'ch', ordinal: 1, state: 'submitted', plannedAt: '2026-02-20T02:00:00.000Z',
        submittedAt: '2026-02-20T10:00:00+08:00', deadlineAt: '2026-02-27T23:59:59+08:00', replyAddress: 'l-overdue@reply.test', title: '居住证办理材料',
        body: 'b', questionId: 'q', persona: { name: 'n', phone: 'p', email: 'e' }, version: 1, updatedAt: '2026-02-20T02:00:00.000Z',
      },
    ]);
    const before = opsMails().length;
    const { message, queued } = await runDailyDigest(deps, deps.sources);
    expect(queued).toBe(4); // operators + three webhooks (a digest never goes to a 主管单位)
    await sendPending(deps);
    expect(opsMails()).toHaveLength(before + 1);
    const m = opsMails().at(-1)!;
    expect(m.subject).toBe(message.subject);
    expect(m.subject).toMatch(/每日摘要 .*逾期未复 1/);
    expect(m.text).toContain('l-overdue');
    expect(m.text).toContain('测试县c局网站'); // still broken
    expect(m.text).toContain('测试县j局网站');
    expect((await runDailyDigest(deps, deps.sources)).queued).toBe(0); // once a day
  });
});

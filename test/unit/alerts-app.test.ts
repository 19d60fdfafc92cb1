import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemoryAlertStore } from '../../shared/adapters/alerts/memory.ts';
import { AlertSenders, dingTalkSignedUrl, SMTP_TIMEOUTS, truncateUtf8, webhookPayload, type AlertSender } from '../../shared/adapters/alerts/senders.ts';
import { loadAlertConfig } from '../../shared/adapters/alerts/config.ts';
import { MemoryEventStore, MemoryLetterStore } from '../../shared/adapters/mail/memory.ts';
import { announceMaintenance, runAlerts, runDailyDigest, sendPending, type AlertDeps } from '../../shared/app/alerts.ts';
import type { AlertMessage } from '../../shared/domain/alerts/messages.ts';
import type { AlertTarget } from '../../shared/domain/alerts/outbox.ts';
import type { DomainEvent } from '../../shared/domain/events.ts';
import type { Letter, Site } from '../../shared/domain/model.ts';
import { InputError } from '../../shared/domain/errors.ts';

function world(siteCount = 1) {
  let now = new Date('2026-03-02T01:00:00.000Z');
  const clock = { now: () => now };
  const sites: Site[] = Array.from({ length: siteCount }, (_, i) => ({
    id: `61000000${String(i).padStart(2, '0')}`,
    name: `测试网站${i}`,
    category: '市县部门',
    region: '西安市',
    homeUrl: `http://s${i}.example/`,
    consultUrl: `http://s${i}.example/consult`,
  }));
  const events = new MemoryEventStore();
  const letters = new MemoryLetterStore();
  const alerts = new MemoryAlertStore();
  const sent: { target: AlertTarget; message: AlertMessage }[] = [];
  let failNext = 0;
  const sender: AlertSender = {
    send: async (target, message) => {
      if (failNext > 0) {
        failNext--;
        throw new Error('HTTP 502 bad gateway');
      }
      sent.push({ target, message });
    },
  };
  const deps: AlertDeps = {
    alerts,
    events,
    letters,
    sites: { listSites: async () => sites, getSite: async (id) => sites.find((s) => s.id === id) },
    sender,
    clock,
    targets: [{ id: 'json-1', kind: 'json', url: 'http://hook.example/' }],
    policy: { confirmChecks: 2, reminderDays: 3, digestThreshold: 3 },
    sleep: async (ms) => {
      now = new Date(now.getTime() + ms);
    },
  };
  let seq = 0;
  const check = async (siteId: string, status: 'ready' | 'unavailable') => {
    seq++;
    const e: DomainEvent = {
      id: `e${String(now.getTime()).padStart(15, '0')}${String(seq).padStart(4, '0')}`,
      stream: `site:${siteId}`,
      type: 'channel.checked',
      at: now.toISOString(),
      recordedAt: now.toISOString(),
      actor: 'function:check-channel',
      data: { siteId, url: `http://x/${siteId}`, status, reason: status === 'ready' ? 'form-with-textarea' : 'http-404', evidence: status === 'ready' ? {} : { screenshot: { key: `shots/${siteId}.png`, sha256: 'ff' } } },
    };
    await events.append(e);
  };
  return {
    deps,
    sites,
    events,
    letters,
    alerts,
    sent,
    check,
    failTimes: (k: number) => (failNext = k),
    advance: (ms: number) => (now = new Date(now.getTime() + ms)),
    now: () => now,
  };
}

const HOUR = 3_600_000;

describe('runAlerts over the event streams', () => {
  it('a broken channel confirmed by its re-check → exactly one alert; further failures and runs add nothing; recovery → one notice', async () => {
    const w = world();
    const id = w.sites[0]!.id;
    await w.check(id, 'unavailable');
    const first = await runAlerts(w.deps);
    expect(first.messages).toEqual([]);
    expect(first.suspected).toEqual([id]);
    w.advance(HOUR);
    await w.check(id, 'unavailable');
    const second = await runAlerts(w.deps);
    expect(second.messages.map((m) => m.kind)).toEqual(['broken']);
    expect(second.messages[0]!.screenshots).toEqual([{ key: `shots/${id}.png`, sha256: 'ff' }]);
    w.advance(HOUR);
    await w.check(id, 'unavailable');
    expect((await runAlerts(w.deps)).messages).toEqual([]);
    expect((await runAlerts(w.deps)).messages).toEqual([]);
    await sendPending(w.deps);
    expect(w.sent).toHaveLength(1);
    w.advance(HOUR);
    await w.check(id, 'ready');
    const rec = await runAlerts(w.deps);
    expect(rec.messages.map((m) => m.kind)).toEqual(['recovered']);
    await sendPending(w.deps);
    expect(w.sent.map((s) => s.message.kind)).toEqual(['broken', 'recovered']);
  });

  it('with the dashboard\'s address configured, the alert links to the site\'s page there', async () => {
    const w = world();
    const id = w.sites[0]!.id;
    w.deps.dashboardUrl = 'https://huixin.example.gov.cn';
    await w.check(id, 'unavailable');
    await runAlerts(w.deps);
    w.advance(HOUR);
    await w.check(id, 'unavailable');
    const r = await runAlerts(w.deps);
    expect(r.messages[0]!.markdown).toContain(`(https://huixin.example.gov.cn/#/site/${id})`);
  });

  it('recovery and a new breakage read in the same run: both incidents are kept in the history', async () => {
    const w = world();
    const id = w.sites[0]!.id;
    await w.check(id, 'unavailable');
    w.advance(HOUR);
    await w.check(id, 'unavailable');
    await runAlerts(w.deps);
    w.advance(HOUR);
    await w.check(id, 'ready');
    w.advance(HOUR);
    await w.check(id, 'unavailable');
    const r = await runAlerts(w.deps);
    expect(r.messages.map((m) => m.kind)).toEqual(['recovered']);
    expect(r.suspected).toEqual([id]);
    expect((await w.alerts.listIncidents()).map((i) => i.state).sort()).toEqual(['recovered', 'suspected']);
  });

  it('a crash after the incident was saved but before its alert was queued loses nothing: the next run queues it', async () => {
    const w = world();
    const id = w.sites[0]!.id;
    await w.check(id, 'unavailable');
    await runAlerts(w.deps);
    w.advance(HOUR);
    await w.check(id, 'unavailable');
    const create = w.alerts.createDelivery.bind(w.alerts);
    w.alerts.createDelivery = async () => {
      throw new Error('process killed');
    };
    await expect(runAlerts(w.deps)).rejects.toThrow('process killed');
    w.alerts.createDelivery = create;
    const r = await runAlerts(w.deps);
    expect(r.messages.map((m) => m.kind)).toEqual(['broken']);
    expect((await w.alerts.getSiteState(id))?.unqueued).toBeUndefined();
    expect((await runAlerts(w.deps)).messages).toEqual([]);
    await sendPending(w.deps);
    expect(w.sent).toHaveLength(1);
  });

  it('a recheck wired in confirms within the same run', async () => {
    const w = world();
    const id = w.sites[0]!.id;
    w.deps.recheck = async (site) => {
      w.advance(5 * 60_000);
      await w.check(site.id, 'unavailable');
    };
    await w.check(id, 'unavailable');
    const r = await runAlerts(w.deps);
    expect(r.messages.map((m) => m.kind)).toEqual(['broken']);
    expect(r.suspected).toEqual([]);
  });

  it('a letter that ended unavailable alerts at once and the alert lands on the letter’s timeline too', async () => {
    const w = world();
    const id = w.sites[0]!.id;
    const letter: Letter = {
      id: 'l-1', campaignId: 'c', siteId: id, channelId: 'ch', ordinal: 1, state: 'unavailable', plannedAt: w.now().toISOString(),
      replyAddress: 'a@b', title: 't', body: 'b', questionId: 'q', persona: { name: 'n', phone: 'p', email: 'e' }, version: 2, updatedAt: w.now().toISOString(),
    };
    await w.letters.putLetters([letter]);
    await w.events.append({ id: 'e-unavail', stream: 'letter:l-1', type: 'letter.unavailable', at: w.now().toISOString(), recordedAt: w.now().toISOString(), actor: 'function:submit-letter', data: { reason: 'http-404', channel: { kind: 'site-form', url: 'http://x/form' }, evidence: { finalUrl: 'http://x/form', screenshot: { key: 'ev/l-1.png', sha256: 'aa' } } } });
    const r = await runAlerts(w.deps);
    expect(r.messages).toHaveLength(1);
    expect(r.messages[0]!.letterIds).toEqual(['l-1']);
    await sendPending(w.deps);
    const onLetter = (await w.events.stream('letter:l-1')).filter((e) => e.type === 'alert.sent');
    const onSite = (await w.events.stream(`site:${id}`)).filter((e) => e.type === 'alert.sent');
    expect(onLetter).toHaveLength(1);
    expect(onSite).toHaveLength(1);
  });

  it('many channels breaking in one run → one digest, not a flood', async () => {
    const w = world(6);
    for (const s of w.sites) await w.check(s.id, 'unavailable');
    await runAlerts(w.deps);
    w.advance(HOUR);
    for (const s of w.sites) await w.check(s.id, 'unavailable');
    const r = await runAlerts(w.deps);
    expect(r.notifications).toHaveLength(6);
    expect(r.messages).toHaveLength(1);
    expect(r.messages[0]).toMatchObject({ kind: 'digest', of: 'broken' });
    await sendPending(w.deps);
    expect(w.sent).toHaveLength(1);
  });

  it('a reminder every N days on the injected clock, and only one per period', async () => {
    const w = world();
    const id = w.sites[0]!.id;
    await w.check(id, 'unavailable');
    await runAlerts(w.deps);
    w.advance(HOUR);
    await w.check(id, 'unavailable');
    await runAlerts(w.deps);
    w.advance(2 * 24 * HOUR);
    expect((await runAlerts(w.deps)).messages).toEqual([]);
    w.advance(24 * HOUR);
    const r = await runAlerts(w.deps);
    expect(r.messages.map((m) => m.kind)).toEqual(['reminder']);
    expect((await runAlerts(w.deps)).messages).toEqual([]);
  });

  it('during announced maintenance failures are not alerted; maintenance needs a known site and a sane window', async () => {
    const w = world();
    const id = w.sites[0]!.id;
    await announceMaintenance(w.deps, { siteId: id, from: '2026-03-02T08:00:00+08:00', to: '2026-03-02T20:00:00+08:00', reason: '网站升级', by: 'ops' });
    await w.check(id, 'unavailable');
    w.advance(HOUR);
    await w.check(id, 'unavailable');
    const r = await runAlerts(w.deps);
    expect(r.messages).toEqual([]);
    expect(r.suppressed).toHaveLength(2);
    await expect(announceMaintenance(w.deps, { siteId: 'nope', from: '2026-03-02T08:00:00+08:00', to: '2026-03-02T20:00:00+08:00', reason: 'x', by: 'ops' })).rejects.toBeInstanceOf(InputError);
    await expect(announceMaintenance(w.deps, { siteId: id, from: '2026-03-02T08:00:00+08:00', to: '2026-03-01T20:00:00+08:00', reason: 'x', by: 'ops' })).rejects.toThrow(/after/);
  });
});

/** Count every call on an object's methods (and, for the feed, the events it returned). */
function counting<T extends object>(target: T, counts: Record<string, number>): T {
  return new Proxy(target, {
    get(t, prop, receiver) {
      const v = Reflect.get(t, prop, receiver);
      if (typeof v !== 'function') return v;
      return async (...args: unknown[]) => {
        counts[String(prop)] = (counts[String(prop)] ?? 0) + 1;
        const out = await (v as (...a: unknown[]) => Promise<unknown>).apply(t, args);
        if (prop === 'recordedBetween') counts.feedItems = (counts.feedItems ?? 0) + (out as unknown[]).length;
        return out;
      };
    },
  });
}

describe('runAlerts through the alert feed (after the first run)', () => {
  const letterOf = (w: ReturnType<typeof world>, id: string, siteId: string): Letter => ({
    id, campaignId: 'c', siteId, channelId: 'ch', ordinal: 1, state: 'unavailable', plannedAt: w.now().toISOString(),
    replyAddress: 'a@b', title: 't', body: 'b', questionId: 'q', persona: { name: 'n', phone: 'p', email: 'e' }, version: 2, updatedAt: w.now().toISOString(),
  });

  it('a run after 30 quiet days reads O(changes): no site history, no letter lists, no registry, only the sites that changed', async () => {
    const w = world(40);
    // 30 days of daily checks of every site, one run every 30 minutes of each check day's morning
    for (let day = 0; day < 30; day++) {
      for (const s of w.sites) await w.check(s.id, 'ready');
      await runAlerts(w.deps);
      w.advance(30 * 60_000);
      await runAlerts(w.deps);
      w.advance(24 * HOUR - 30 * 60_000);
    }
    expect(w.alerts.runCursor).toBeDefined();
    const counts: Record<string, number> = {};
    const deps: AlertDeps = { ...w.deps, events: counting(w.events, counts), letters: counting(w.letters, counts), sites: counting(w.deps.sites, counts), alerts: counting(w.alerts, counts) };
    // a day's checks, all fine: each checked site is visited (its state read), none is written
    for (const s of w.sites) await w.check(s.id, 'ready');
    await runAlerts(deps);
    expect(counts.getSiteState).toBe(40);
    expect(counts.putSiteState ?? 0).toBe(0);
    expect(counts.stream ?? 0).toBe(0);
    for (const k of Object.keys(counts)) delete counts[k];
    // a run with nothing new since the last (past the look-back): the feed is empty, no site is visited
    w.advance(30 * 60_000);
    await runAlerts(deps);
    for (const k of Object.keys(counts)) delete counts[k];
    w.advance(30 * 60_000);
    await runAlerts(deps);
    expect(counts.stream ?? 0).toBe(0);
    expect(counts.lettersOfSite ?? 0).toBe(0);
    expect(counts.listSites ?? 0).toBe(0);
    expect(counts.getSiteState ?? 0).toBe(0);
    expect(counts.recordedBetween).toBe(1);
    // one site breaks: only it is visited, and the feed holds only what was recorded since the last run (+ look-back)
    for (const k of Object.keys(counts)) delete counts[k];
    w.advance(30 * 60_000);
    await w.check(w.sites[7]!.id, 'unavailable');
    const r = await runAlerts(deps);
    expect(r.suspected).toEqual([w.sites[7]!.id]);
    expect(counts.feedItems).toBe(1);
    expect(counts.getSiteState).toBe(1);
    expect(counts.stream ?? 0).toBe(0);
    expect(counts.lettersOfSite ?? 0).toBe(0);
    expect(counts.listSites ?? 0).toBe(0);
    // the suspected site stays on the list of time-driven work until its re-check: visited, nothing else
    for (const k of Object.keys(counts)) delete counts[k];
    w.advance(30 * 60_000);
    await runAlerts(deps);
    expect(counts.getSiteState).toBe(1);
    expect(counts.stream ?? 0).toBe(0);
  });

  it('an observation recorded before a run but written after it (a late writer) is read by the next run', async () => {
    const w = world();
    const id = w.sites[0]!.id;
    await runAlerts(w.deps); // the first run: the feed cursor starts here
    w.advance(HOUR);
    await w.check(id, 'unavailable');
    await runAlerts(w.deps);
    w.advance(HOUR);
    const runAt = w.now().toISOString();
    await runAlerts(w.deps);
    // a check stamped 5 minutes before that run, whose write landed only after it
    const stamped = new Date(Date.parse(runAt) - 5 * 60_000).toISOString();
    await w.events.append({ id: 'e-late', stream: `site:${id}`, type: 'channel.checked', at: stamped, recordedAt: stamped, actor: 'function:check-channel', data: { url: 'http://x/', status: 'unavailable', reason: 'http-500' } });
    w.advance(30 * 60_000);
    const r = await runAlerts(w.deps);
    expect(r.messages.map((m) => m.kind)).toEqual(['broken']);
    expect((await w.alerts.getSiteState(id))?.incident?.eventIds).toContain('e-late');
    expect((await runAlerts(w.deps)).messages).toEqual([]);
  });

  it('a letter that ended unavailable reaches its site through the feed and alerts once', async () => {
    const w = world(3);
    const site = w.sites[2]!.id;
    await runAlerts(w.deps);
    w.advance(HOUR);
    await w.letters.putLetters([letterOf(w, 'l-9', site)]);
    await w.events.append({ id: 'e-l9', stream: 'letter:l-9', type: 'letter.unavailable', at: w.now().toISOString(), recordedAt: w.now().toISOString(), actor: 'function:submit-letter', data: { reason: 'http-404', channel: { kind: 'site-form', url: 'http://x/form' } } });
    const r = await runAlerts(w.deps);
    expect(r.messages.map((m) => [m.kind, m.siteIds, m.letterIds])).toEqual([['broken', [site], ['l-9']]]);
    w.advance(30 * 60_000);
    expect((await runAlerts(w.deps)).messages).toEqual([]);
  });

  it('a recheck wired in confirms within the same run (it reads the site’s newest check, not its history)', async () => {
    const w = world();
    const id = w.sites[0]!.id;
    await runAlerts(w.deps);
    w.advance(HOUR);
    w.deps.recheck = async (site) => {
      w.advance(5 * 60_000);
      await w.check(site.id, 'unavailable');
    };
    await w.check(id, 'unavailable');
    const r = await runAlerts(w.deps);
    expect(r.messages.map((m) => m.kind)).toEqual(['broken']);
    expect(r.suspected).toEqual([]);
  });

  it('maintenance announced days ahead still suppresses failures inside its window; after it, failures alert again', async () => {
    const w = world();
    const id = w.sites[0]!.id;
    await runAlerts(w.deps);
    await announceMaintenance(w.deps, { siteId: id, from: '2026-03-05T08:00:00+08:00', to: '2026-03-05T20:00:00+08:00', reason: '网站升级', by: 'ops' });
    w.advance(30 * 60_000);
    await runAlerts(w.deps);
    expect((await w.alerts.getSiteState(id))?.maintenance?.map((m) => m.reason)).toEqual(['网站升级']);
    w.advance(3 * 24 * HOUR); // 2026-03-05T01:30Z = 09:30 Beijing: inside the window, long after the announcement was read
    await w.check(id, 'unavailable');
    w.advance(HOUR);
    await w.check(id, 'unavailable');
    const r = await runAlerts(w.deps);
    expect(r.messages).toEqual([]);
    expect(r.suppressed).toHaveLength(2);
    w.advance(12 * HOUR);
    await w.check(id, 'unavailable');
    await runAlerts(w.deps);
    w.advance(HOUR);
    await w.check(id, 'unavailable');
    expect((await runAlerts(w.deps)).messages.map((m) => m.kind)).toEqual(['broken']);
  });

  it('runAlerts(deps, { siteIds }) handles only those sites and leaves the feed cursor where it was', async () => {
    const w = world(2);
    await runAlerts(w.deps);
    const cursor = w.alerts.runCursor;
    w.advance(HOUR);
    await w.check(w.sites[0]!.id, 'unavailable');
    await w.check(w.sites[1]!.id, 'unavailable');
    const r = await runAlerts(w.deps, { siteIds: [w.sites[1]!.id] });
    expect(r.suspected).toEqual([w.sites[1]!.id]);
    expect(w.alerts.runCursor).toEqual(cursor);
    const all = await runAlerts(w.deps);
    expect(all.suspected.sort()).toEqual([w.sites[0]!.id, w.sites[1]!.id]);
  });
});

describe('sendPending', () => {
  it('a failed send is retried after its backoff (through the injected sleep) and every attempt is recorded', async () => {
    const w = world();
    const id = w.sites[0]!.id;
    await w.check(id, 'unavailable');
    w.advance(HOUR);
    await w.check(id, 'unavailable');
    await runAlerts(w.deps);
    await runAlerts(w.deps);
    w.failTimes(2);
    const start = w.now().getTime();
    const r = await sendPending(w.deps, { untilSettled: true });
    expect(r).toEqual({ sent: 1, failedAttempts: 2, gaveUp: 0 });
    expect(w.now().getTime() - start).toBe(60_000 + 120_000);
    const types = (await w.events.stream(`site:${id}`)).filter((e) => e.type.startsWith('alert.')).map((e) => `${e.type}#${String(e.data.attempt)}`);
    expect(types).toEqual(['alert.failed#1', 'alert.failed#2', 'alert.sent#3']);
  });

  it('two senders running at once send each delivery once (the claim is a conditional write)', async () => {
    const w = world();
    await w.check(w.sites[0]!.id, 'unavailable');
    w.advance(HOUR);
    await w.check(w.sites[0]!.id, 'unavailable');
    await runAlerts(w.deps);
    const [a, b] = await Promise.all([sendPending(w.deps), sendPending(w.deps)]);
    expect(a.sent + b.sent).toBe(1);
    expect(w.sent).toHaveLength(1);
  });

  it('gives up after the last attempt and records a final alert.failed', async () => {
    const w = world();
    w.deps.retry = { maxAttempts: 2, baseDelayMs: 1000, maxDelayMs: 1000 };
    await w.check(w.sites[0]!.id, 'unavailable');
    w.advance(HOUR);
    await w.check(w.sites[0]!.id, 'unavailable');
    await runAlerts(w.deps);
    w.failTimes(5);
    const r = await sendPending(w.deps, { untilSettled: true });
    expect(r).toEqual({ sent: 0, failedAttempts: 2, gaveUp: 1 });
    const failed = (await w.events.stream(`site:${w.sites[0]!.id}`)).filter((e) => e.type === 'alert.failed');
    expect(failed.at(-1)?.data).toMatchObject({ final: true, error: 'HTTP 502 bad gateway' });
    expect((await w.alerts.listDeliveries())[0]?.status).toBe('failed');
  });
});

describe('daily digest', () => {
  it('gathers overdue, gated and held items into one message a day', async () => {
    const w = world();
    const sources = {
      overdue: async () => [{ id: 'l-late', siteId: w.sites[0]!.id, title: '社保', submittedAt: '2026-02-20T10:00:00+08:00', deadlineAt: '2026-02-27T23:59:59+08:00' } as Letter],
      gated: async () => [],
      held: async () => [],
    };
    const a = await runDailyDigest(w.deps, sources);
    const b = await runDailyDigest(w.deps, sources);
    expect(a.queued).toBe(1);
    expect(b.queued).toBe(0);
    expect(a.message.text).toContain('l-late');
  });
});

describe('senders and config', () => {
  it('mail from the SMTP URL gives up on a hung server in seconds, not nodemailer\'s minutes (a send pass must fit the run)', () => {
    const senders = AlertSenders.fromSmtpUrl('smtps://user:pass@smtp.example.gov.cn:465', { from: 'huixin@example.gov.cn' });
    const transport = (senders as unknown as { options: { transport: { options: Record<string, unknown> } } }).options.transport;
    expect(transport.options).toMatchObject({ host: 'smtp.example.gov.cn', port: 465, secure: true, ...SMTP_TIMEOUTS });
    expect(SMTP_TIMEOUTS.connectionTimeout + SMTP_TIMEOUTS.greetingTimeout + SMTP_TIMEOUTS.socketTimeout).toBeLessThan(2 * 60_000);
  });

  it('DingTalk 加签 = base64 HMAC-SHA256 of "timestamp\\nsecret", in the query', () => {
    const url = new URL(dingTalkSignedUrl('https://oapi.dingtalk.com/robot/send?access_token=abc', 'SEC123', 1700000000000));
    expect(url.searchParams.get('access_token')).toBe('abc');
    expect(url.searchParams.get('timestamp')).toBe('1700000000000');
    expect(url.searchParams.get('sign')).toBe(createHmac('sha256', 'SEC123').update('1700000000000\nSEC123').digest('base64'));
  });

  it('DingTalk and WeCom get markdown payloads within their size limits; JSON gets the structured message', () => {
    const m = { id: 'x', kind: 'broken', subject: '主题', markdown: '内'.repeat(5000), text: 't', siteIds: ['a'], letterIds: [], incidentIds: ['i'], screenshots: [], supervisorEmails: [], createdAt: 'now' } as AlertMessage;
    const wecom = webhookPayload('wecom', m) as { msgtype: string; markdown: { content: string } };
    expect(wecom.msgtype).toBe('markdown');
    expect(Buffer.byteLength(wecom.markdown.content)).toBeLessThanOrEqual(4000);
    expect(webhookPayload('dingtalk', m)).toMatchObject({ msgtype: 'markdown', markdown: { title: '主题' } });
    expect(webhookPayload('json', m)).toMatchObject({ id: 'x', kind: 'broken', siteIds: ['a'] });
    expect(truncateUtf8('abc', 10)).toBe('abc');
  });

  it('a robot answering HTTP 200 with a non-zero errcode is a failed send; so is a missing SMTP configuration', async () => {
    const m = { id: 'x', kind: 'broken', subject: 's', markdown: 'm', text: 't', siteIds: [], letterIds: [], incidentIds: [], screenshots: [], supervisorEmails: [], createdAt: 'now' } as AlertMessage;
    const answer = (body: string) => (async () => new Response(body, { status: 200 })) as unknown as typeof fetch;
    const ok = new AlertSenders({ from: 'a@b.cn', fetchImpl: answer('{"errcode":0,"errmsg":"ok"}') });
    await expect(ok.send({ id: 'w', kind: 'wecom', url: 'http://w/' }, m)).resolves.toBeUndefined();
    const refused = new AlertSenders({ from: 'a@b.cn', fetchImpl: answer('{"errcode":310000,"errmsg":"sign not match"}') });
    await expect(refused.send({ id: 'd', kind: 'dingtalk', url: 'http://d/', secret: 's' }, m)).rejects.toThrow(/310000 sign not match/);
    await expect(ok.send({ id: 'ops', kind: 'email', to: ['o@x.cn'] }, m)).rejects.toThrow(/no SMTP configured/);
  });

  it('config: operators, webhooks and policy from the environment; bad values are input errors', () => {
    const c = loadAlertConfig({
      HUIXIN_SMTP_URL: 'smtp://127.0.0.1:2525',
      HUIXIN_ALERT_EMAILS: 'a@x.cn, b@x.cn',
      HUIXIN_ALERT_WEBHOOKS: '[{"kind":"dingtalk","url":"https://oapi.dingtalk.com/robot/send?access_token=t","secret":"S"},{"kind":"wecom","url":"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"}]',
      HUIXIN_ALERT_REMINDER_DAYS: '7',
    });
    expect(c.targets.map((t) => t.id)).toEqual(['operators', 'dingtalk-1', 'wecom-2']);
    expect(c.policy.reminderDays).toBe(7);
    expect(c.from).toBe('huixin-alerts@huixin.local');
    expect(() => loadAlertConfig({ HUIXIN_ALERT_WEBHOOKS: '[{"kind":"slack","url":"https://x"}]' })).toThrow(InputError);
    expect(() => loadAlertConfig({ HUIXIN_ALERT_EMAILS: 'not-an-email' })).toThrow(InputError);
    expect(loadAlertConfig({ HUIXIN_ALERT_DASHBOARD_URL: 'https://huixin.example.gov.cn/' }).dashboardUrl).toBe('https://huixin.example.gov.cn');
    expect(() => loadAlertConfig({ HUIXIN_ALERT_DASHBOARD_URL: 'javascript:alert(1)' })).toThrow(InputError);
  });
});

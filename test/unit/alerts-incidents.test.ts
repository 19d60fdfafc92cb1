import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { observe, reminderDue, maintenanceWindows, observationOf, DEFAULT_POLICY, type ChannelObservation, type Incident } from '../../shared/domain/alerts/incidents.ts';
import { composeMessages, dailyDigest, type RenderContext } from '../../shared/domain/alerts/messages.ts';
import { afterFailure, afterSuccess, backoffMs, deliveriesFor, DEFAULT_RETRY } from '../../shared/domain/alerts/outbox.ts';
import type { DomainEvent } from '../../shared/domain/events.ts';

let n = 0;
const obs = (ok: boolean | null, at: string, extra: Partial<ChannelObservation> = {}): ChannelObservation => ({
  siteId: 's1',
  url: 'http://x/consult',
  at,
  ok,
  status: ok ? 'ready' : 'unavailable',
  reason: ok ? 'form' : 'http-404',
  source: 'check',
  confirmed: false,
  eventId: `e${++n}`,
  ...extra,
});

const ctx: RenderContext = {
  site: (id) => ({ id, name: `网站${id}`, supervisorEmail: `boss-${id}@gov.example` }),
  locate: (k) => `/files/${k}`,
  now: new Date('2026-03-02T02:00:00Z'),
};

describe('incident state machine', () => {
  it('one failed health check is only suspected (asks for a re-check), the second confirms it with ONE broken notification', () => {
    const a = observe(undefined, obs(false, '2026-03-02T01:00:00Z'), []);
    expect(a.incident?.state).toBe('suspected');
    expect(a.notifications).toEqual([]);
    expect(a.recheck).toBe(true);
    const b = observe(a.incident, obs(false, '2026-03-02T01:05:00Z', { screenshot: { key: 'shot.png', sha256: 'ab' } }), []);
    expect(b.incident?.state).toBe('open');
    expect(b.notifications.map((x) => x.kind)).toEqual(['broken']);
    expect(b.incident?.screenshot?.key).toBe('shot.png');
    const c = observe(b.incident, obs(false, '2026-03-02T02:00:00Z'), []);
    expect(c.notifications).toEqual([]);
    expect(c.incident?.state).toBe('open');
  });

  it('a blip (fail then ok) is dismissed without any notification', () => {
    const a = observe(undefined, obs(false, '2026-03-02T01:00:00Z'), []);
    const b = observe(a.incident, obs(true, '2026-03-02T01:05:00Z'), []);
    expect(b.incident?.state).toBe('dismissed');
    expect(b.notifications).toEqual([]);
  });

  it('a letter that ended unavailable (already retried by the submitter) opens the incident at once, with the letter', () => {
    const r = observe(undefined, obs(false, '2026-03-02T01:00:00Z', { source: 'submission', confirmed: true, letterId: 'l1' }), []);
    expect(r.incident).toMatchObject({ state: 'open', letterIds: ['l1'] });
    expect(r.notifications.map((x) => x.kind)).toEqual(['broken']);
  });

  it('an open incident recovers with one recovered notification; a replayed older failure does not reopen it', () => {
    const open = observe(undefined, obs(false, '2026-03-02T01:00:00Z', { confirmed: true }), []).incident;
    const rec = observe(open, obs(true, '2026-03-03T01:00:00Z'), []);
    expect(rec.incident?.state).toBe('recovered');
    expect(rec.notifications.map((x) => x.kind)).toEqual(['recovered']);
    const replay = observe(rec.incident, obs(false, '2026-03-02T12:00:00Z', { confirmed: true }), []);
    expect(replay.ignored).toBe('stale');
    expect(replay.notifications).toEqual([]);
  });

  it('failures inside an announced maintenance window are ignored; after the window they count', () => {
    const w = [{ siteId: 's1', from: '2026-03-02T00:00:00+08:00', to: '2026-03-02T18:00:00+08:00', reason: '系统升级', eventId: 'm1' }];
    const during = observe(undefined, obs(false, '2026-03-02T02:00:00Z', { confirmed: true }), w);
    expect(during).toMatchObject({ ignored: 'maintenance', incident: undefined, notifications: [] });
    const after = observe(undefined, obs(false, '2026-03-02T11:00:00Z', { confirmed: true }), w);
    expect(after.notifications.map((x) => x.kind)).toEqual(['broken']);
  });

  it('gated and script-broken checks say nothing about the site’s channel health except gated = works', () => {
    const e = (status: string): DomainEvent => ({ id: `ev-${status}`, stream: 'site:s1', type: 'channel.checked', at: '2026-03-02T01:00:00Z', recordedAt: '2026-03-02T01:00:00Z', actor: 'x', data: { status, reason: 'r', url: 'u', evidence: {} } });
    expect(observationOf(e('gated'), 's1')?.ok).toBe(true);
    expect(observationOf(e('script-broken'), 's1')?.ok).toBeNull();
    expect(observationOf(e('unavailable'), 's1')?.ok).toBe(false);
  });

  it('reminders come every N days while open, never inside maintenance', () => {
    const open = observe(undefined, obs(false, '2026-03-02T01:00:00Z', { confirmed: true }), []).incident as Incident;
    expect(reminderDue(open, new Date('2026-03-04T01:00:00Z'), [])).toBeUndefined();
    const r1 = reminderDue(open, new Date('2026-03-05T01:00:00Z'), []);
    expect(r1?.incident.reminders).toBe(1);
    expect(reminderDue(r1!.incident, new Date('2026-03-06T01:00:00Z'), [])).toBeUndefined();
    const w = [{ siteId: 's1', from: '2026-03-08T00:00:00Z', to: '2026-03-09T00:00:00Z', reason: 'x', eventId: 'm' }];
    expect(reminderDue(r1!.incident, new Date('2026-03-08T02:00:00Z'), w)).toBeUndefined();
  });

  it('reminders keep the time of day of the confirmation: runs every 30 minutes that start a little late do not push them into the night', () => {
    // confirmed 07:05 Beijing; the scheduled run comes every 30 minutes, the reminder is decided 0–3 minutes into it
    let inc = observe(undefined, obs(false, '2026-03-01T23:05:00Z', { confirmed: true }), []).incident as Incident;
    let seed = 7;
    const jitter = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) % 180) * 1000;
    const hours: string[] = [];
    for (let run = 0; run < 91 * 48; run++) {
      const now = new Date(Date.parse('2026-03-01T23:10:00Z') + run * 30 * 60_000 + jitter());
      const r = reminderDue(inc, now, []);
      if (r) {
        inc = r.incident;
        hours.push(new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(11, 13));
      }
    }
    expect(hours).toHaveLength(30);
    expect(new Set(hours)).toEqual(new Set(['07']));
  });

  it('property: whatever the sequence of observations, each incident yields at most one broken and one recovered notification', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ ok: fc.boolean(), confirmed: fc.boolean() }), { maxLength: 40 }), (seq) => {
        let inc: Incident | undefined;
        const counts = new Map<string, { broken: number; recovered: number }>();
        seq.forEach((s, i) => {
          const r = observe(inc, obs(s.ok, new Date(Date.UTC(2026, 2, 2, 0, i)).toISOString(), { confirmed: s.confirmed }), []);
          for (const x of r.notifications) {
            if (x.kind === 'reminder') continue;
            const c = counts.get(x.incident.id) ?? { broken: 0, recovered: 0 };
            c[x.kind]++;
            counts.set(x.incident.id, c);
          }
          inc = r.incident;
        });
        for (const c of counts.values()) {
          expect(c.broken).toBe(1);
          expect(c.recovered).toBeLessThanOrEqual(1);
        }
      }),
    );
  });

  it('maintenance windows are read from channel.maintenance events', () => {
    const ev: DomainEvent = { id: 'm1', stream: 'site:6100000001', type: 'channel.maintenance', at: 'x', recordedAt: 'x', actor: 'staff:a', data: { from: '2026-03-02T00:00:00+08:00', to: '2026-03-03T00:00:00+08:00', reason: '升级' } };
    expect(maintenanceWindows([ev])).toEqual([{ siteId: '6100000001', from: ev.data.from, to: ev.data.to, reason: '升级', eventId: 'm1' }]);
  });
});

describe('messages', () => {
  const broken = (site: string) => ({ kind: 'broken' as const, at: '2026-03-02T01:00:00Z', incident: { ...(observe(undefined, obs(false, '2026-03-02T01:00:00Z', { siteId: site, confirmed: true, screenshot: { key: `k-${site}`, sha256: 'x' } }), []).incident as Incident) } });

  it('up to K notifications → one message each, with site, channel, reason, Beijing time, screenshot and the 主管单位', () => {
    const ms = composeMessages([broken('a'), broken('b')], { digestThreshold: 5 }, ctx);
    expect(ms).toHaveLength(2);
    expect(ms[0]!.subject).toBe('【回信】留言栏目不可用：网站a');
    expect(ms[0]!.text).toContain('http://x/consult');
    expect(ms[0]!.text).toContain('http-404');
    expect(ms[0]!.text).toContain('2026-03-02 09:00');
    expect(ms[0]!.markdown).toContain('/files/k-a');
    expect(ms[0]!.screenshots).toEqual([{ key: 'k-a', sha256: 'x' }]);
    expect(ms[0]!.supervisorEmails).toEqual(['boss-a@gov.example']);
    expect(ms[0]!.text).toContain('HTTP 404（页面不存在）'); // the reason in words, its code beside it
    expect(ms[0]!.markdown).not.toContain('看板'); // no dashboard address configured: no link
  });

  it('links each alert to the site\'s page on the dashboard when its address is known', () => {
    const withDashboard: RenderContext = { ...ctx, sitePage: (id) => `https://huixin.example.gov.cn/#/site/${encodeURIComponent(id)}` };
    const [m] = composeMessages([broken('a b')], { digestThreshold: 5 }, withDashboard);
    expect(m!.markdown).toContain('[在看板中查看 open](https://huixin.example.gov.cn/#/site/a%20b)');
  });

  it('more than K in one run → ONE digest naming every site, operators only', () => {
    const ms = composeMessages(['a', 'b', 'c', 'd'].map(broken), { digestThreshold: 3 }, ctx).filter((m) => m.audience === undefined);
    expect(ms).toHaveLength(1);
    expect(ms[0]).toMatchObject({ kind: 'digest', of: 'broken', siteIds: ['a', 'b', 'c', 'd'], supervisorEmails: [] });
    expect(ms[0]!.subject).toContain('4 个网站');
  });

  it('a digest run still tells each 主管单位 about its own sites (when supervisors are configured), and the operators once', () => {
    const boss = (id: string) => (id === 'e' ? 'boss-e@gov.example' : 'boss-all@gov.example');
    const c: RenderContext = { ...ctx, site: (id) => ({ id, name: `网站${id}`, supervisorEmail: boss(id) }) };
    const ms = composeMessages(['a', 'b', 'c', 'd', 'e'].map(broken), { digestThreshold: 3 }, c);
    const targets = [{ id: 'operators', kind: 'email' as const, to: ['ops@x'] }, { id: 'dingtalk-1', kind: 'dingtalk' as const, url: 'http://d' }];
    const deliveries = ms.flatMap((m) => deliveriesFor(m, targets, { notifySupervisors: true, now: c.now }));
    const to = (t: string) => deliveries.filter((d) => d.target.id === t);
    // the operators: one digest per target
    expect(to('operators').map((d) => d.message.kind)).toEqual(['digest']);
    expect(to('dingtalk-1').map((d) => d.message.kind)).toEqual(['digest']);
    // boss-all oversees 4 sites (> K): its own digest of them; boss-e one message about site e
    const sup = to('supervisor').map((d) => ({ to: d.target.to, kind: d.message.kind, siteIds: d.message.siteIds }));
    expect(sup).toEqual([
      { to: ['boss-all@gov.example'], kind: 'digest', siteIds: ['a', 'b', 'c', 'd'] },
      { to: ['boss-e@gov.example'], kind: 'broken', siteIds: ['e'] },
    ]);
    expect(new Set(deliveries.map((d) => d.id)).size).toBe(deliveries.length);
    // not configured: the operators' digest only
    expect(ms.flatMap((m) => deliveriesFor(m, targets, { notifySupervisors: false, now: c.now })).map((d) => d.target.id)).toEqual(['operators', 'dingtalk-1']);
  });

  it('the daily digest lists overdue, gated, held and broken, and is one message per Beijing day', () => {
    const m = dailyDigest(
      {
        asOf: new Date('2026-03-02T01:00:00Z'),
        overdue: [{ letterId: 'l1', siteId: 'a', title: '居住证', submittedAt: '2026-02-20T02:00:00Z', deadlineAt: '2026-02-27T15:59:59Z' }],
        gated: [{ letterId: 'l2', siteId: 'b', reason: 'captcha', campaignName: '一季度' }],
        held: [{ mailId: 'm1', subject: '回复', from: 'x@y', receivedAt: '2026-03-01T01:00:00Z' }],
        openIncidents: [],
      },
      ctx,
    );
    expect(m.id).toBe('daily-2026-03-02');
    expect(m.subject).toContain('逾期未复 1');
    expect(m.text).toContain('l1');
    expect(m.text).toContain('需要图形验证码'); // the gate in words (reasonText), not its code
    expect(m.text).toContain('m1');
  });
});

describe('outbox', () => {
  it('every target gets a delivery, plus the 主管单位 when enabled; backoff doubles to a cap, then gives up', () => {
    const m = composeMessages([{ kind: 'broken', at: 'x', incident: observe(undefined, obs(false, '2026-03-02T01:00:00Z', { siteId: 'a', confirmed: true }), []).incident! }], DEFAULT_POLICY, ctx)[0]!;
    const targets = [{ id: 'operators', kind: 'email' as const, to: ['ops@x'] }, { id: 'dingtalk-1', kind: 'dingtalk' as const, url: 'http://d' }];
    expect(deliveriesFor(m, targets, { notifySupervisors: false, now: ctx.now }).map((d) => d.target.id)).toEqual(['operators', 'dingtalk-1']);
    const ds = deliveriesFor(m, targets, { notifySupervisors: true, now: ctx.now });
    expect(ds.map((d) => d.target.id)).toEqual(['operators', 'dingtalk-1', 'supervisor']);
    expect(backoffMs(1)).toBe(60_000);
    expect(backoffMs(2)).toBe(120_000);
    expect(backoffMs(20)).toBe(DEFAULT_RETRY.maxDelayMs);
    let d = ds[0]!;
    for (let i = 1; i < DEFAULT_RETRY.maxAttempts; i++) {
      d = afterFailure(d, ctx.now, 'boom');
      expect(d.status).toBe('pending');
    }
    d = afterFailure(d, ctx.now, 'boom');
    expect(d.status).toBe('failed');
    expect(afterSuccess(ds[1]!, ctx.now)).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('a delivery is not given up before a day of failures (an outage overnight still delivers the next morning)', () => {
    let waited = 0;
    for (let attempts = 1; attempts < DEFAULT_RETRY.maxAttempts; attempts++) waited += backoffMs(attempts);
    expect(waited).toBeGreaterThanOrEqual(24 * 3_600_000);
    expect(DEFAULT_RETRY.maxDelayMs).toBeLessThanOrEqual(3 * 3_600_000); // and tried at least every 3 hours meanwhile
  });
});

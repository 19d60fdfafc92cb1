/**
 * Campaigns on the real local components: dynalite (B's stores) and the in-process SQS server (the lead's
 * startLocalSqs), with a clock the test moves — as the demo will.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCalendar } from '../../shared/adapters/calendar-source.ts';
import { SqsQueue } from '../../shared/adapters/sqs/sqs-queue.ts';
import { deadlineBackfill } from '../../shared/app/after-submission.ts';
import {
  campaignStatus,
  cancelCampaign,
  closeCampaign,
  createCampaign,
  gatedQueue,
  pauseCampaign,
  recordSubmission,
  resumeCampaign,
} from '../../shared/app/campaigns.ts';
import { beijingDate, parseInstant } from '../../shared/domain/beijing-time.ts';
import type { Letter, Site } from '../../shared/domain/model.ts';
import { campaignRuntime } from '../../shared/local/campaign-runtime.ts';
import { drain, type SqsHandler } from '../../shared/local/event-source.ts';
import { openLocalStores, type OpenStores } from '../../shared/local/runtime.ts';
import { startLocalSqs, type LocalSqs, type QueuePair } from '../../shared/local/sqs.ts';
import { makeHandler as makeCloseHandler } from '../../functions/close-campaign/handler.ts';
import { makeHandler as makePlanHandler } from '../../functions/plan-campaign/handler.ts';

const site = (i: number): Site => ({
  id: String(6100000000 + i),
  name: i % 2 ? `西安市人力资源和社会保障局${i}` : `测试市人民政府${i}`,
  category: i % 2 ? '市县部门' : '市县政府门户',
  region: '陕西省西安市',
  homeUrl: `http://127.0.0.1:1/s${i}/`,
  consultUrl: `http://127.0.0.1:1/s${i}/zx`,
});

/** A plausible 2027 notice (元旦, 春节 with a 调休 Saturday, 清明, 劳动节) as a calendar file in holiday-cn's schema. */
function calendar2027(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'huixin-cal-'));
  dirs.push(dir);
  const off = ['2027-01-01', '2027-02-05', '2027-02-08', '2027-02-09', '2027-02-10', '2027-02-11', '2027-02-12', '2027-04-05', '2027-05-03'];
  const days = [...off.map((date) => ({ name: '假日', date, isOffDay: true })), { name: '春节', date: '2027-02-20', isOffDay: false }];
  const file = path.join(dir, '2027.json');
  writeFileSync(file, JSON.stringify({ year: 2027, days }));
  return file;
}

class MovableClock {
  constructor(private t: number) {}
  now() {
    return new Date(this.t);
  }
  set(iso: string) {
    this.t = parseInstant(iso);
  }
}

let sqs: LocalSqs;
let submitQ: QueuePair;
let closeQ: QueuePair;
let deadlineQ: QueuePair;
const dirs: string[] = [];

beforeAll(async () => {
  sqs = await startLocalSqs();
  submitQ = await sqs.queueWithDlq('campaign-test-submit');
  closeQ = await sqs.queueWithDlq('campaign-test-close');
  deadlineQ = await sqs.queueWithDlq('campaign-test-deadline');
});
afterAll(async () => {
  await sqs?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function queues() {
  return {
    submit: new SqsQueue<Record<string, unknown>>(sqs.client, submitQ.url),
    close: new SqsQueue<Record<string, unknown>>(sqs.client, closeQ.url),
    deadline: new SqsQueue<Record<string, unknown>>(sqs.client, deadlineQ.url),
  };
}

/** Receive everything on a queue, running `handler` on it as Lambda would; returns the bodies seen. */
async function drainBodies(url: string, handle?: (body: Record<string, unknown>) => Promise<void>): Promise<Record<string, unknown>[]> {
  const seen: Record<string, unknown>[] = [];
  const handler: SqsHandler = async (event) => {
    for (const r of event.Records) {
      const body = JSON.parse(r.body) as Record<string, unknown>;
      seen.push(body);
      await handle?.(body);
    }
  };
  await drain({ client: sqs.client, queueUrl: url, handler });
  return seen;
}

/** What C2's submitter does, reduced to the state changes: claim, then submitted (or gated). */
async function fakeSubmit(stores: OpenStores, letterId: string, at: string, outcome: 'submitted' | 'gated'): Promise<void> {
  await stores.letters.updateLetter(letterId, ['planned', 'queued'], { state: 'submitting' });
  if (outcome === 'submitted') {
    await stores.letters.updateLetter(letterId, ['submitting'], { state: 'submitted', submittedAt: at, queryCode: `Q${letterId.slice(-6)}`, deadlineAt: `${beijingDate(at)}T23:59:59+08:00` });
  } else {
    await stores.letters.updateLetter(letterId, ['submitting'], { state: 'gated' });
    await stores.events.append({ id: `e${letterId}g`, stream: `letter:${letterId}`, type: 'letter.gated', at, recordedAt: at, actor: 'function:submit-letter', data: { reason: 'captcha' } });
  }
}

describe('a campaign on dynalite + the local SQS server', () => {
  let stores: OpenStores;
  const clock = new MovableClock(parseInstant('2026-03-02T08:00:00+08:00')); // Monday
  beforeAll(async () => {
    stores = await openLocalStores({ inMemory: true });
    await stores.sites.importSites(Array.from({ length: 12 }, (_, i) => site(i)), { source: 'test', importedAt: '2026-03-01T10:00:00+08:00' });
  });
  afterAll(async () => stores?.close());

  it('create → status → fire sends → pause/resume → gated queue → record submission → cancel', async () => {
    const { deps, scheduler } = campaignRuntime(stores, { clock, queues: queues(), env: {} });
    const input = { id: 'c0000000000test00001', name: '2026年第一季度互动回应专项检查', sites: 'all' as const, lettersPerSite: 2, workingDays: 1, window: { workingDays: 20 } };

    const created = await createCampaign(deps, input);
    expect(created.created).toBe(true);
    expect(created.campaign.state).toBe('running');
    expect(created.letters).toBe(24);
    expect(created.campaign.method.workingDays).toBe(1);
    expect(created.campaign.method.calendar.source).toMatch(/^chinese-days@/);

    // a re-run (a retried Lambda, a re-run CLI) duplicates nothing
    const again = await createCampaign(deps, input);
    expect(again.created).toBe(false);
    const letters = await stores.letters.lettersOfCampaign(input.id);
    expect(letters).toHaveLength(24);
    expect(new Set(letters.map((l) => l.replyAddress)).size).toBe(24);

    let status = await campaignStatus(deps, input.id, '2026-03-02T08:00:00+08:00');
    expect(status.states.planned).toBe(24);
    expect(status.progress).toEqual({ sent: 0, total: 24 });
    expect(status.sites.pending).toBe(12);

    // Fire what is due by the end of the 3rd working day: each letter once, nothing early.
    const sorted = [...letters].sort((a, b) => parseInstant(a.plannedAt) - parseInstant(b.plannedAt));
    const cut = '2026-03-04T23:00:00+08:00';
    const dueBy = sorted.filter((l) => parseInstant(l.plannedAt) <= parseInstant(cut));
    expect(dueBy.length).toBeGreaterThan(0);
    clock.set(cut);
    const fired = await scheduler.fireDue(clock.now());
    expect(fired.fired.map((s) => s.target.body.letterId).sort()).toEqual(dueBy.map((l) => l.id).sort());
    expect((await scheduler.fireDue(clock.now())).fired).toHaveLength(0);
    const sent: string[] = [];
    await drainBodies(submitQ.url, async (b) => {
      const id = String(b.letterId);
      sent.push(id);
      await fakeSubmit(stores, id, '2026-03-04T10:00:00+08:00', sent.length === 1 ? 'gated' : 'submitted');
    });
    expect(sent.sort()).toEqual(dueBy.map((l) => l.id).sort());

    // Pause: nothing more goes out while paused, however far the clock moves.
    await pauseCampaign(deps, input.id, { actor: 'staff:王芳' });
    clock.set('2026-03-09T12:00:00+08:00');
    expect((await scheduler.fireDue(clock.now())).fired).toHaveLength(0);
    expect((await campaignStatus(deps, input.id, '2026-03-09T12:00:00+08:00')).state).toBe('paused');
    // Resume: letters whose time passed are moved to office hours from now and go out; the rest keep their time.
    await resumeCampaign(deps, input.id, { actor: 'staff:王芳' });
    const planned = await stores.letters.lettersOfCampaign(input.id, 'planned');
    expect(planned.length).toBeGreaterThan(0);
    for (const l of planned) {
      expect(parseInstant(l.plannedAt)).toBeGreaterThan(parseInstant('2026-03-09T12:00:00+08:00'));
      // every waiting letter has its send schedule back, at its (possibly moved) time
      const s = await scheduler.get(`send-${l.id}`, { group: `huixin-${input.id}` });
      expect(s?.state).toBe('pending');
      expect(s?.at).toBe(l.plannedAt);
    }
    clock.set('2026-03-09T23:00:00+08:00');
    const afterResume = await scheduler.fireDue(clock.now());
    const overdueWhilePaused = sorted.filter((l) => parseInstant(l.plannedAt) > parseInstant(cut) && parseInstant(l.plannedAt) <= parseInstant('2026-03-09T12:00:00+08:00'));
    expect(afterResume.fired.length).toBeGreaterThanOrEqual(overdueWhilePaused.length);
    await drainBodies(submitQ.url, (b) => fakeSubmit(stores, String(b.letterId), '2026-03-09T15:00:00+08:00', 'submitted'));

    // The staff queue: the gated letter, with its site and reason; staff submit it by hand.
    const queue = await gatedQueue(deps);
    expect(queue).toHaveLength(1);
    expect(queue[0]!.reason).toBe('captcha');
    expect(queue[0]!.site?.consultUrl).toMatch(/\/zx$/);
    const gatedId = queue[0]!.letter.id;
    const recorded = await recordSubmission(deps, gatedId, { submittedAt: '2026-03-09T16:20:00+08:00', queryCode: 'CX20260309001', by: '王芳' });
    expect(recorded.state).toBe('submitted');
    expect(recorded.queryCode).toBe('CX20260309001');
    expect(recorded.deadlineAt).toBe('2026-03-10T23:59:59+08:00');
    const ev = (await stores.events.stream(`letter:${gatedId}`)).find((e) => e.type === 'letter.submission-recorded');
    expect(ev?.actor).toBe('staff:王芳');
    expect(ev?.data).toMatchObject({ queryCode: 'CX20260309001', by: '王芳' });
    expect(await gatedQueue(deps)).toHaveLength(0);
    await expect(recordSubmission(deps, gatedId, { submittedAt: '2026-03-09T16:20:00+08:00', queryCode: 'X', by: '王芳' })).rejects.toThrow(/not gated/);
    // its deadline is a schedule too: the last reply-list poll, an hour before the deadline (a reply listed that day without a time counts in time)
    expect((await scheduler.get(`deadline-${gatedId}`, { group: `huixin-${input.id}` }))?.at).toBe('2026-03-10T22:59:59+08:00');

    // Status: per-state counts, verdicts so far, deadline pressure.
    status = await campaignStatus(deps, input.id, '2026-03-10T09:00:00+08:00');
    const submitted = status.states.submitted;
    expect(submitted).toBeGreaterThan(1);
    expect(status.verdicts.pending + status.verdicts.none + status.verdicts['on-time'] + status.verdicts['same-day'] + status.verdicts.late).toBe(submitted);
    expect(status.dueToday).toBeGreaterThanOrEqual(1); // the recorded letter is due 2026-03-10
    expect(status.progress.sent).toBe(submitted);

    // Cancel: unsent letters become cancelled, submitted ones stay; nothing fires afterwards.
    const cancelled = await cancelCampaign(deps, input.id, { actor: 'staff:李强', reason: '测试' });
    expect(cancelled.state).toBe('cancelled');
    const after = await stores.letters.lettersOfCampaign(input.id);
    expect(after.filter((l) => l.state === 'submitted')).toHaveLength(submitted);
    expect(after.filter((l) => l.state === 'cancelled')).toHaveLength(24 - submitted);
    expect(cancelled.cancelledLetters).toBe(24 - submitted);
    clock.set('2026-06-30T12:00:00+08:00');
    expect((await scheduler.fireDue(clock.now())).fired.filter((s) => s.target.queue !== 'deadline')).toHaveLength(0);
    await expect(pauseCampaign(deps, input.id)).rejects.toThrow(/cannot pause a campaign that is cancelled/);
    await drainBodies(deadlineQ.url);
  });

  it('the window-close schedule closes the campaign through the close-campaign handler; unanswered letters are none', async () => {
    const c2 = new MovableClock(parseInstant('2026-04-01T08:00:00+08:00'));
    const { deps, scheduler } = campaignRuntime(stores, { clock: c2, queues: queues(), env: {} });
    const id = 'c0000000000test00002';
    const r = await createCampaign(deps, { id, name: '2026年4月小范围测试', sites: ['6100000001', '6100000002'], lettersPerSite: 1, workingDays: 1, window: { closesAt: '2026-04-10' } });
    expect(r.campaign.windowClosesAt).toBe('2026-04-10T23:59:59+08:00');
    // every letter gets sent the day it is due and never answered
    c2.set('2026-04-09T23:00:00+08:00');
    await scheduler.fireDue(c2.now());
    const sentAt: Record<string, string> = Object.fromEntries((await stores.letters.lettersOfCampaign(id)).map((l: Letter) => [l.id, l.plannedAt]));
    await drainBodies(submitQ.url, (b) => fakeSubmit(stores, String(b.letterId), sentAt[String(b.letterId)]!, 'submitted'));
    await expect(closeCampaign(deps, id)).rejects.toThrow(/not yet/);

    c2.set('2026-04-11T00:00:00+08:00');
    const fired = await scheduler.fireDue(c2.now());
    expect(fired.fired.map((s) => s.name)).toEqual([`close-${id}`]);
    const close = makeCloseHandler(async () => deps);
    await drain({ client: sqs.client, queueUrl: closeQ.url, handler: close });
    const status = await campaignStatus(deps, id, '2026-04-11T00:00:00+08:00');
    expect(status.state).toBe('closed');
    expect(status.verdicts.none).toBe(2);
    expect(status.sites.none).toBe(2);
    // closing again is a no-op
    expect((await closeCampaign(deps, id)).campaign.state).toBe('closed');
  });

  /**
   * A one-letter campaign closing on 2026-12-31, whose letter was gated and then submitted by hand on that day at
   * `submittedAt` (so its deadline lies in 2027, a year with no calendar here): the clock, runtime and recorded letter.
   */
  async function handSubmittedAtYearEnd(id: string, siteId: string, workingDays: number, submittedAt: string, queryCode: string) {
    const clock = new MovableClock(parseInstant('2026-12-14T08:00:00+08:00'));
    const { deps, scheduler } = campaignRuntime(stores, { clock, queues: queues(), env: {} });
    await createCampaign(deps, { id, name: `2026年12月年末测试 ${id}`, sites: [siteId], lettersPerSite: 1, workingDays, window: { closesAt: '2026-12-31' } });
    const [planned] = await stores.letters.lettersOfCampaign(id);
    clock.set('2026-12-31T17:00:00+08:00');
    await scheduler.fireDue(clock.now());
    await drainBodies(submitQ.url, (b) => fakeSubmit(stores, String(b.letterId), '2026-12-31T10:00:00+08:00', 'gated'));
    const recorded = await recordSubmission(deps, planned!.id, { submittedAt, queryCode, by: '王芳' });
    return { clock, deps, scheduler, letter: recorded };
  }

  it("a hand submission whose deadline lies in a year with no calendar yet is recorded, without a deadline (never a guessed one)", async () => {
    const id = 'c0000000000test00004';
    // staff submitted it by hand on the last day of the covered year: the deadline (N = 1) lies in 2027
    const { clock: c4, deps, scheduler, letter: recorded } = await handSubmittedAtYearEnd(id, '6100000003', 1, '2026-12-31T16:20:00+08:00', 'CX20261231001');
    const letter = recorded;
    expect(recorded).toMatchObject({ state: 'submitted', queryCode: 'CX20261231001' });
    expect(recorded.deadlineAt).toBeUndefined();
    const ev = (await stores.events.stream(`letter:${letter!.id}`)).find((e) => e.type === 'letter.submission-recorded');
    expect(ev?.data.deadlineAt).toBeNull();
    expect(await scheduler.get(`deadline-${letter!.id}`, { group: `huixin-${id}` })).toBeUndefined();

    // The office loads the 2027 notice: the next poll of the letter gives it its deadline (2027-01-01 a holiday, then a
    // weekend: the end of Monday 01-04), schedules its deadline poll and says so on its timeline — once.
    const calendar = loadCalendar({ env: {}, files: [calendar2027()] });
    c4.set('2027-01-02T08:00:00+08:00');
    const backfill = deadlineBackfill({ ...stores, scheduler, calendar, clock: c4, actor: 'function:poll-reply-lists' });
    const withDeadline = await backfill((await stores.letters.getLetter(letter!.id))!);
    expect(withDeadline.deadlineAt).toBe('2027-01-04T23:59:59+08:00');
    expect((await stores.letters.getLetter(letter!.id))!.deadlineAt).toBe('2027-01-04T23:59:59+08:00');
    expect(await scheduler.get(`deadline-${letter!.id}`, { group: `huixin-${id}` })).toMatchObject({ at: '2027-01-04T22:59:59+08:00' });
    expect(await backfill(withDeadline)).toBe(withDeadline); // nothing left to do
    const set = (await stores.events.stream(`letter:${letter!.id}`)).filter((e) => e.type === 'letter.deadline-set');
    expect(set).toHaveLength(1);
    expect(set[0]!.data).toMatchObject({ deadlineAt: '2027-01-04T23:59:59+08:00', submittedAt: '2026-12-31T16:20:00+08:00', calendar: calendar.ref });
    await cancelCampaign(deps, id);
  });

  it('a deadline set after its poll time has passed is recorded without a schedule (the poll that set it looks at the list then); a year still uncovered leaves the letter as it was', async () => {
    const id = 'c0000000000test00005';
    const { clock: c5, deps, scheduler, letter } = await handSubmittedAtYearEnd(id, '6100000005', 1, '2026-12-31T15:00:00+08:00', 'CX20261231002');
    expect(letter.deadlineAt).toBeUndefined();

    const uncovered = deadlineBackfill({ ...stores, scheduler, calendar: loadCalendar({ env: {} }), clock: c5, actor: 't' });
    expect(await uncovered(letter)).toBe(letter);

    c5.set('2027-01-05T09:00:00+08:00'); // the notice came late: the deadline (01-04) has passed
    const late = deadlineBackfill({ ...stores, scheduler, calendar: loadCalendar({ env: {}, files: [calendar2027()] }), clock: c5, actor: 't' });
    expect((await late(letter)).deadlineAt).toBe('2027-01-04T23:59:59+08:00');
    expect(await scheduler.get(`deadline-${letter.id}`, { group: `huixin-${id}` })).toBeUndefined();
    await cancelCampaign(deps, id);
  });

  it('a backfill cut short — a campaign read that failed, a crash before the letter was written — is mended by the next poll: the deadline of N working days, one event', async () => {
    const id = 'c0000000000test00006';
    const { clock: c6, deps, scheduler, letter } = await handSubmittedAtYearEnd(id, '6100000006', 3, '2026-12-31T15:00:00+08:00', 'CX20261231003');
    expect(letter.deadlineAt).toBeUndefined();

    let campaignReadFails = true;
    let crashBeforeLetter = true;
    const backfill = deadlineBackfill({
      ...stores,
      campaigns: {
        getCampaign: async (campaignId) => {
          if (campaignReadFails) {
            campaignReadFails = false;
            throw new Error('ProvisionedThroughputExceededException');
          }
          return stores.campaigns.getCampaign(campaignId);
        },
      },
      letters: {
        updateLetter: async (...args) => {
          if (crashBeforeLetter) {
            crashBeforeLetter = false;
            throw new Error('Task timed out');
          }
          return stores.letters.updateLetter(...args);
        },
      },
      scheduler,
      calendar: loadCalendar({ env: {}, files: [calendar2027()] }),
      clock: c6,
      actor: 'function:poll-reply-lists',
    });
    c6.set('2027-01-02T08:00:00+08:00');
    await expect(backfill(letter)).rejects.toThrow(/Throughput/); // one failed read is not remembered…
    await expect(backfill(letter)).rejects.toThrow(/timed out/); // …the schedule and the event are written, the letter is not
    c6.set('2027-01-03T08:00:00+08:00'); // the next day's poll
    // 2027-01-01 a holiday, 01-02/03 a weekend: the third working day after the submission is Wednesday 01-06
    expect((await backfill(letter)).deadlineAt).toBe('2027-01-06T23:59:59+08:00');
    expect((await stores.letters.getLetter(letter.id))!.deadlineAt).toBe('2027-01-06T23:59:59+08:00');
    expect(await scheduler.get(`deadline-${letter.id}`, { group: `huixin-${id}` })).toMatchObject({ at: '2027-01-06T22:59:59+08:00' });
    const set = (await stores.events.stream(`letter:${letter.id}`)).filter((e) => e.type === 'letter.deadline-set');
    expect(set).toHaveLength(1);
    expect(set[0]).toMatchObject({ at: '2026-12-31T15:00:00+08:00', data: { deadlineAt: '2027-01-06T23:59:59+08:00' } });
    // it is open now: past its deadline it is in the overdue index
    expect((await stores.letters.overdueLetters('2027-01-07T00:00:00+08:00')).map((l) => l.id)).toContain(letter.id);
    await cancelCampaign(deps, id);
  });

  it('the plan-campaign handler creates a campaign once per name and day (a retried invocation duplicates nothing)', async () => {
    const c3 = new MovableClock(parseInstant('2026-05-06T07:30:00+08:00'));
    const { deps } = campaignRuntime(stores, { clock: c3, env: {} });
    const plan = makePlanHandler(async () => deps);
    const event = { name: '2026年第二季度（定时创建）', sites: { category: '市县部门' }, lettersPerSite: 2, window: { workingDays: 20 } };
    const first = await plan(event);
    expect(first).toMatchObject({ ok: true, created: true, letters: 12 });
    c3.set('2026-05-06T07:35:00+08:00');
    const retry = await plan(event);
    expect(retry).toMatchObject({ ok: true, created: false, campaignId: first.campaignId, letters: 12 });
    expect(await stores.letters.lettersOfCampaign(first.campaignId!)).toHaveLength(12);
    expect(await plan({ name: '坏输入', sites: 'all', window: { workingDays: 0 } })).toMatchObject({ ok: false });
    await cancelCampaign(deps, first.campaignId!);
  });

  it('refuses bad input as InputError: unknown site, window too short, unknown calendar year', async () => {
    const { deps } = campaignRuntime(stores, { clock, env: {} });
    await expect(createCampaign(deps, { name: 'x', sites: ['6199999999'], window: { workingDays: 20 } })).rejects.toThrow(/not in the site registry/);
    // A filter that matches nothing says so (the registry is there: importing it again is not the remedy).
    await expect(createCampaign(deps, { name: 'x', sites: { region: '火星' }, window: { workingDays: 20 } })).rejects.toThrow(/都不符合所选条件/);
    await expect(createCampaign(deps, { name: 'x', sites: 'all', window: { workingDays: 2 } })).rejects.toThrow(/room for only/);
    await expect(createCampaign(deps, { name: 'x', sites: 'all', window: { workingDays: 20 }, start: '2031-03-03' })).rejects.toThrow(/2031/);
    await expect(createCampaign(deps, { name: '', sites: 'all', window: { workingDays: 20 } })).rejects.toThrow(/name/);
    // named as the option staff typed, in Chinese first
    await expect(createCampaign(deps, { name: 'x', sites: 'all', lettersPerSite: 0, window: { workingDays: 20 } })).rejects.toThrow(/^每站信件数 --letters: 数值过小.* \/ Too small/);
  });
});

describe('the local scheduler across a restart (dynalite on disk)', () => {
  it('fires each due schedule exactly once, before and after the store is reopened', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'huixin-sched-'));
    dirs.push(dir);
    const clock = new MovableClock(parseInstant('2026-03-02T08:00:00+08:00'));
    let stores = await openLocalStores({ dataDir: dir });
    let rt = campaignRuntime(stores, { clock, queues: queues(), env: {} });
    for (let i = 0; i < 6; i++) {
      await rt.scheduler.scheduleAt(`send-r${i}`, `2026-03-0${2 + (i % 3)}T10:00:00+08:00`, { queue: 'submit', body: { letterId: `r${i}` } }, { group: 'huixin-restart' });
    }
    clock.set('2026-03-02T12:00:00+08:00');
    expect((await rt.scheduler.fireDue(clock.now())).fired).toHaveLength(2);
    await stores.close();

    stores = await openLocalStores({ dataDir: dir });
    rt = campaignRuntime(stores, { clock, queues: queues(), env: {} });
    expect((await rt.scheduler.fireDue(clock.now())).fired).toHaveLength(0);
    expect(await rt.scheduler.nextDueAt()).toBe('2026-03-03T10:00:00+08:00');
    clock.set('2026-03-05T12:00:00+08:00');
    expect((await rt.scheduler.fireDue(clock.now())).fired).toHaveLength(4);
    expect((await rt.scheduler.fireDue(clock.now())).fired).toHaveLength(0);
    await stores.close();

    const bodies = await drainBodies(submitQ.url);
    expect(bodies.map((b) => b.letterId).sort()).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5']);
  });
});

import { beforeEach, describe, expect, it } from 'vitest';
import type { SQSEvent } from 'aws-lambda';
import { ConflictError } from '../../shared/domain/errors.ts';
import type { DomainEvent } from '../../shared/domain/events.ts';
import type { FormSubmitter, SubmitRequest, SubmitResult } from '../../shared/domain/forms/submission.ts';
import type { Letter, LetterState, Site } from '../../shared/domain/model.ts';
import type { EventStore, LetterPatch, LetterStore, ObjectStore, StoredObject } from '../../shared/app/ports.ts';
import { submitLetter, type SubmitLetterDeps } from '../../shared/app/submit-letter.ts';
import { checkChannel, precheckChannel } from '../../shared/app/check-channel.ts';
import { createHandler } from '../../functions/submit-letter/handler.ts';

class FakeLetters implements LetterStore {
  readonly items = new Map<string, Letter>();
  async putLetters(ls: readonly Letter[]) {
    for (const l of ls) if (!this.items.has(l.id)) this.items.set(l.id, { ...l });
  }
  async getLetter(id: string) {
    const l = this.items.get(id);
    return l ? { ...l } : undefined;
  }
  async updateLetter(id: string, from: readonly LetterState[], patch: LetterPatch) {
    const l = this.items.get(id);
    if (!l || !from.includes(l.state)) throw new ConflictError(`letter ${id} is ${l?.state}`);
    const next = { ...l, ...patch, version: l.version + 1, updatedAt: patch.updatedAt ?? l.updatedAt } as Letter;
    this.items.set(id, next);
    return { ...next };
  }
  async lettersOfCampaign() {
    return [...this.items.values()];
  }
  async lettersOfSite() {
    return [...this.items.values()];
  }
  async overdueLetters() {
    return [];
  }
}
class FakeEvents implements EventStore {
  readonly all: DomainEvent[] = [];
  async append(e: DomainEvent) {
    if (!this.all.some((x) => x.id === e.id)) this.all.push(e);
  }
  async stream(s: string) {
    return this.all.filter((e) => e.stream === s);
  }
  async latest(s: string, type: DomainEvent['type']) {
    return this.all.filter((e) => e.stream === s && e.type === type).at(-1);
  }
}
class FakeObjects implements ObjectStore {
  readonly files = new Map<string, Uint8Array>();
  async put(key: string, body: Uint8Array | string, contentType: string): Promise<StoredObject> {
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    this.files.set(key, bytes);
    return { key, sha256: 'x'.repeat(64), size: bytes.byteLength, contentType };
  }
  async get(key: string) {
    return this.files.get(key);
  }
  locate(key: string) {
    return `mem://${key}`;
  }
}

function result(outcome: SubmitResult['outcome'], p: Partial<SubmitResult> = {}): SubmitResult {
  const sent = outcome === 'submitted' || outcome === 'unconfirmed';
  return {
    outcome,
    reason: outcome === 'submitted' ? 'confirmed' : outcome === 'unavailable' ? 'http-500' : outcome,
    queryCode: outcome === 'submitted' ? 'Q1W2E3' : null,
    submittedAt: sent ? '2026-03-02T02:00:00.000Z' : null,
    sent,
    channel: { kind: 'site-form', url: 'https://www.example.gov.cn/write' },
    evidence: {
      finalUrl: 'https://www.example.gov.cn/write',
      formUrl: 'https://www.example.gov.cn/write',
      codes: outcome === 'submitted' ? { 查询码: 'Q1W2E3' } : {},
      timings: { totalMs: 1 },
      screenshot: { key: 'evidence/s.png', sha256: 'a'.repeat(64), size: 10, contentType: 'image/png' },
      html: { key: 'evidence/p.html', sha256: 'b'.repeat(64), size: 10, contentType: 'text/html' },
    },
    ...p,
  };
}

class ScriptedSubmitter implements FormSubmitter {
  readonly calls: SubmitRequest[] = [];
  readonly discovered: string[] = [];
  constructor(
    public script: (req: SubmitRequest) => SubmitResult,
    public links: string[] = [],
  ) {}
  async submit(req: SubmitRequest) {
    this.calls.push(req);
    return this.script(req);
  }
  async discover(home: string) {
    this.discovered.push(home);
    return this.links;
  }
}

const site: Site = { id: '6108000039', name: '某市人民政府', category: '市县政府门户', region: '陕西', homeUrl: 'https://www.example.gov.cn/', consultUrl: 'https://www.example.gov.cn/write' };
const letter = (p: Partial<Letter> = {}): Letter => ({
  id: 'l1',
  campaignId: 'c1',
  siteId: site.id,
  channelId: 'ch1',
  ordinal: 1,
  state: 'queued',
  plannedAt: '2026-03-02T01:00:00.000Z',
  replyAddress: 'l1@reply.example.cn',
  title: '办理居住证需要哪些材料？',
  body: '您好，请问办理居住证需要哪些材料？',
  questionId: 'gen-01',
  persona: { name: '王伟', phone: '13812345678', email: 'l1@reply.example.cn' },
  version: 1,
  updatedAt: '2026-03-02T01:00:00.000Z',
  ...p,
});

let now: Date;
let letters: FakeLetters;
let events: FakeEvents;
let submitter: ScriptedSubmitter;
let deps: SubmitLetterDeps;
beforeEach(async () => {
  now = new Date('2026-03-02T02:00:00.000Z');
  letters = new FakeLetters();
  events = new FakeEvents();
  submitter = new ScriptedSubmitter(() => result('submitted'));
  deps = { letters, events, objects: new FakeObjects(), clock: { now: () => now }, submitter, sites: { getSite: async () => site }, retryDelaySeconds: 120 };
});

describe('submitLetter: claim → submit → record', () => {
  it('records a confirmed submission with its 查询码, submittedAt and an event carrying the evidence hashes', async () => {
    await letters.putLetters([letter()]);
    const r = await submitLetter(deps, { letterId: 'l1' });
    expect(r).toMatchObject({ status: 'recorded', outcome: 'submitted', queryCode: 'Q1W2E3' });
    const stored = letters.items.get('l1')!;
    expect(stored).toMatchObject({ state: 'submitted', queryCode: 'Q1W2E3', submittedAt: '2026-03-02T02:00:00.000Z' });
    expect(submitter.calls[0]!.url).toBe(site.consultUrl);
    expect(submitter.calls[0]!.content).toMatchObject({ name: '王伟', email: 'l1@reply.example.cn', title: letter().title });
    const types = events.all.map((e) => e.type);
    expect(types).toEqual(['letter.claimed', 'letter.submitted']);
    expect(events.all[1]!.data).toMatchObject({ queryCode: 'Q1W2E3', evidence: { screenshot: { sha256: 'a'.repeat(64) }, html: { sha256: 'b'.repeat(64) } } });
  });

  it('sets the deadline through the injected rule when the letter is submitted', async () => {
    await letters.putLetters([letter()]);
    await submitLetter({ ...deps, deadlineFor: () => '2026-03-03T23:59:59+08:00' }, { letterId: 'l1' });
    expect(letters.items.get('l1')!.deadlineAt).toBe('2026-03-03T23:59:59+08:00');
  });

  it('does nothing when another delivery already claimed the letter (ConflictError on the claim)', async () => {
    await letters.putLetters([letter({ state: 'submitting', updatedAt: now.toISOString() })]);
    const r = await submitLetter(deps, { letterId: 'l1' });
    expect(r).toEqual({ status: 'skipped', reason: 'in-flight', state: 'submitting' });
    expect(submitter.calls).toHaveLength(0);
    expect(letters.items.get('l1')!.state).toBe('submitting');
  });

  it('marks a stale claim (crash between claim and record) unconfirmed for staff and never resends', async () => {
    await letters.putLetters([letter({ state: 'submitting', updatedAt: '2026-03-02T01:00:00.000Z' })]);
    const r = await submitLetter(deps, { letterId: 'l1' });
    expect(r).toEqual({ status: 'recovered', outcome: 'unconfirmed', reason: 'crashed-after-claim' });
    expect(submitter.calls).toHaveLength(0);
    expect(letters.items.get('l1')!.state).toBe('unconfirmed');
    expect(events.all.map((e) => e.type)).toEqual(['letter.unconfirmed']);
  });

  it('skips letters already recorded (a duplicate delivery after success)', async () => {
    await letters.putLetters([letter({ state: 'submitted' })]);
    expect(await submitLetter(deps, { letterId: 'l1' })).toMatchObject({ status: 'skipped', reason: 'not-claimable', state: 'submitted' });
    expect(submitter.calls).toHaveLength(0);
  });

  it('retries an unavailable channel once through the queue, leaving the letter claimable', async () => {
    await letters.putLetters([letter()]);
    submitter.script = () => result('unavailable');
    const r = await submitLetter(deps, { letterId: 'l1' });
    expect(r).toEqual({ status: 'retry', delaySeconds: 120, reason: 'http-500' });
    expect(letters.items.get('l1')!.state).toBe('queued');
    expect(events.all.map((e) => e.type)).toEqual(['letter.claimed', 'letter.retry-scheduled']);
  });

  it('a site that answered the POST saying it failed (提交失败: site-error) did not take the letter: one retry', async () => {
    await letters.putLetters([letter()]);
    submitter.script = () => result('unavailable', { sent: true, reason: 'site-error', submittedAt: '2026-03-02T02:00:00.000Z' });
    expect(await submitLetter(deps, { letterId: 'l1' })).toMatchObject({ status: 'retry', reason: 'site-error' });
    expect(await submitLetter(deps, { letterId: 'l1' })).toMatchObject({ status: 'recorded', outcome: 'unavailable' });
  });

  it('a channel that failed after the letter was sent (HTTP 500 after the POST) is never retried: unconfirmed, one submission', async () => {
    await letters.putLetters([letter()]);
    submitter.script = () => result('unavailable', { sent: true, submittedAt: '2026-03-02T02:00:00.000Z' });
    const r = await submitLetter(deps, { letterId: 'l1' });
    expect(r).toMatchObject({ status: 'recorded', outcome: 'unconfirmed', reason: 'sent-then-http-500' });
    expect(letters.items.get('l1')!.state).toBe('unconfirmed');
    expect(await submitLetter(deps, { letterId: 'l1' })).toMatchObject({ status: 'skipped' });
    expect(submitter.calls).toHaveLength(1);
  });

  it('on the retry, no other address is tried once one took the letter and then failed', async () => {
    await letters.putLetters([letter()]);
    submitter.script = () => result('unavailable');
    await submitLetter(deps, { letterId: 'l1' });
    submitter.script = (req) => (req.url.endsWith('/hdjl/xxx') ? result('unavailable', { sent: true, submittedAt: '2026-03-02T02:05:00.000Z' }) : result('unavailable'));
    submitter.links = ['https://www.example.gov.cn/hdjl/xxx', 'https://www.example.gov.cn/hdjl/yyy'];
    const r = await submitLetter(deps, { letterId: 'l1' });
    expect(r).toMatchObject({ status: 'recorded', outcome: 'unconfirmed' });
    expect(submitter.calls.map((c) => c.url)).toEqual([site.consultUrl, site.consultUrl, 'https://www.example.gov.cn/hdjl/xxx']);
  });

  it('each attempt gets a deadline within the budget, and no other address is tried without time for it', async () => {
    await letters.putLetters([letter()]);
    submitter.script = () => result('unavailable');
    await submitLetter(deps, { letterId: 'l1', budgetMs: 150_000 });
    expect(submitter.calls[0]!.deadlineMs).toBe(60_000);
    submitter.links = ['https://www.example.gov.cn/hdjl/xxx', 'https://www.example.gov.cn/hdjl/yyy'];
    const r = await submitLetter(deps, { letterId: 'l1', budgetMs: 19_000 });
    expect(r).toMatchObject({ status: 'recorded', outcome: 'unavailable' });
    // the retry's own attempt fits in the budget; with under 20 s left no rediscovered address is tried
    expect(submitter.calls[1]!.deadlineMs).toBeLessThanOrEqual(19_000);
    expect(submitter.calls).toHaveLength(2);
  });

  it('keeps the 查询密码 a site gives with the 查询码 on the letter', async () => {
    await letters.putLetters([letter()]);
    submitter.script = () => result('submitted', { queryPassword: '8842' });
    await submitLetter(deps, { letterId: 'l1' });
    expect(letters.items.get('l1')).toMatchObject({ queryCode: 'Q1W2E3', queryPassword: '8842' });
  });

  it('on the retry, rediscovers the column from the home page before declaring unavailable', async () => {
    await letters.putLetters([letter()]);
    submitter.script = (req) => (req.url.endsWith('/hdjl/xxx') ? result('submitted') : result('unavailable'));
    submitter.links = ['https://www.example.gov.cn/write', 'https://www.example.gov.cn/hdjl/xxx'];
    await submitLetter(deps, { letterId: 'l1' });
    const r = await submitLetter(deps, { letterId: 'l1' });
    expect(r).toMatchObject({ status: 'recorded', outcome: 'submitted' });
    expect(submitter.discovered).toEqual([site.homeUrl]);
    expect(submitter.calls.map((c) => c.url)).toEqual([site.consultUrl, site.consultUrl, 'https://www.example.gov.cn/hdjl/xxx']);
    expect(events.all.at(-1)!.data).toMatchObject({ rediscoveredUrl: 'https://www.example.gov.cn/hdjl/xxx', attempt: 2 });
  });

  it('declares unavailable after the retry and the rediscovery both fail', async () => {
    await letters.putLetters([letter()]);
    submitter.script = () => result('unavailable');
    await submitLetter(deps, { letterId: 'l1' });
    const r = await submitLetter(deps, { letterId: 'l1' });
    expect(r).toMatchObject({ status: 'recorded', outcome: 'unavailable' });
    expect(letters.items.get('l1')!.state).toBe('unavailable');
  });

  it.each([
    ['gated', 'gated'],
    ['script-broken', 'script-broken'],
    ['unconfirmed', 'unconfirmed'],
  ] as const)('records %s as state %s without a retry', async (outcome, state) => {
    await letters.putLetters([letter()]);
    submitter.script = () => result(outcome);
    const r = await submitLetter(deps, { letterId: 'l1' });
    expect(r).toMatchObject({ status: 'recorded', outcome });
    expect(letters.items.get('l1')!.state).toBe(state);
    expect(events.all.at(-1)!.type).toBe(`letter.${outcome}`);
  });
});

describe('submit-letter handler (SQS partial batch failures)', () => {
  const event = (...bodies: string[]): SQSEvent => ({ Records: bodies.map((body, i) => ({ messageId: `m${i}`, body }) as SQSEvent['Records'][number]) });
  it('requeues retries with their delay, reports in-flight and failing records, drops malformed ones', async () => {
    const requeued: Array<[string, number]> = [];
    const logs: string[] = [];
    const handler = createHandler(async () => ({
      submit: async ({ letterId }) => {
        if (letterId === 'a') return { status: 'retry', delaySeconds: 300, reason: 'timeout' };
        if (letterId === 'b') return { status: 'skipped', reason: 'in-flight' };
        if (letterId === 'c') throw new Error('store down');
        return { status: 'skipped', reason: 'not-claimable' };
      },
      requeue: async (m, d) => void requeued.push([m.letterId, d]),
      log: (m) => void logs.push(m),
    }));
    const r = await handler(event('{"letterId":"a"}', '{"letterId":"b"}', '{"letterId":"c"}', 'not json', '{"letterId":"d"}'));
    expect(r.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['m1', 'm2']);
    expect(requeued).toEqual([['a', 300]]);
    expect(logs.some((l) => l.includes('malformed'))).toBe(true);
  });

  it("gives each record the function's remaining time, less a margin, as its budget", async () => {
    const budgets: Array<number | undefined> = [];
    const handler = createHandler(async () => ({
      submit: async (input) => {
        budgets.push(input.budgetMs);
        return { status: 'skipped', reason: 'not-claimable' };
      },
      requeue: async () => {},
      log: () => {},
    }));
    await handler(event('{"letterId":"a"}', '{"letterId":"b"}'), { getRemainingTimeInMillis: () => 179_000 });
    expect(budgets).toEqual([164_000, 164_000]);
  });
});

describe('check-channel', () => {
  const html = (body: string, charset = 'utf-8') => new Response(`<html><head><meta charset="${charset}"></head><body>${body}</body></html>`, { status: 200, headers: { 'content-type': 'text/html' } });
  it('the HTTP pre-check vouches for a plain form with a textarea, so no browser is needed', async () => {
    const sub = new ScriptedSubmitter(() => result('ready'));
    const c = await checkChannel(
      { submitter: sub, objects: new FakeObjects(), clock: { now: () => now }, events, fetchImpl: async () => html('<form><input name="xm"><textarea name="nr"></textarea></form>') },
      { siteId: site.id, url: site.consultUrl },
    );
    expect(c).toMatchObject({ status: 'ready', via: 'http' });
    expect(sub.calls).toHaveLength(0);
    expect(events.all.at(-1)).toMatchObject({ type: 'channel.checked', stream: `site:${site.id}` });
  });
  it('falls back to the browser dry-run (never submitting) when the HTML shows a captcha or no textarea', async () => {
    const sub = new ScriptedSubmitter(() => result('gated', { reason: 'captcha' }));
    const c = await checkChannel(
      { submitter: sub, objects: new FakeObjects(), clock: { now: () => now }, fetchImpl: async () => html('<form><textarea></textarea>验证码<input name="yzm"></form>') },
      { siteId: site.id, url: site.consultUrl },
    );
    expect(c).toMatchObject({ status: 'gated', reason: 'captcha', via: 'browser' });
    expect(sub.calls[0]!.dryRun).toBe(true);
  });
  it('decodes GBK pages and reports unreachable hosts', async () => {
    const iconv = (await import('iconv-lite')).default;
    const gbk = iconv.encode('<html><head><meta charset="gbk"></head><body><form><textarea></textarea>我要写信</form></body></html>', 'gbk');
    const ok = await precheckChannel('http://x/', { fetchImpl: async () => new Response(new Uint8Array(gbk), { status: 200, headers: { 'content-type': 'text/html; charset=GBK' } }) });
    expect(ok.status).toBe('form');
    expect(ok.html).toContain('我要写信');
    const down = await precheckChannel('http://x/', { fetchImpl: async () => Promise.reject(new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED') })) });
    expect(down).toMatchObject({ status: 'unreachable', reason: 'connection' });
  });
});

/**
 * The submit-letter use case over the real local stores (dynalite) and the sandbox, with real Chromium:
 * the claim is a conditional write, so duplicate deliveries POST once, and a crash after the claim is never resent.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserSubmitter } from '../../shared/adapters/browser/submitter.ts';
import { FsObjectStore } from '../../shared/adapters/object-store-fs.ts';
import { submitLetter, type SubmitLetterDeps } from '../../shared/app/submit-letter.ts';
import type { FormSubmitter } from '../../shared/domain/forms/submission.ts';
import type { Letter } from '../../shared/domain/model.ts';
import { openLocalStores, type OpenStores } from '../../shared/local/runtime.ts';
import { startSandbox, type Sandbox } from '../../sandbox/server.ts';

let dir: string;
let stores: OpenStores;
let sandbox: Sandbox;
let submitter: BrowserSubmitter;
let now = new Date('2026-03-02T02:00:00.000Z');
const clock = { now: () => now };

const letter = (id: string): Letter => ({
  id,
  campaignId: 'c-int',
  siteId: '6100000001',
  channelId: 'ch-1',
  ordinal: 1,
  state: 'queued',
  plannedAt: '2026-03-02T01:00:00.000Z',
  replyAddress: `${id}@reply.example.cn`,
  title: '公积金贷款需要满足哪些条件？',
  body: '您好，我准备首次购房。请问申请住房公积金贷款需要连续缴存多久，最高能贷多少？',
  questionId: 'zj-06',
  persona: { name: '张敏', phone: '13712345678', email: `${id}@reply.example.cn` },
  version: 1,
  updatedAt: '2026-03-02T01:00:00.000Z',
});

function deps(s: FormSubmitter = submitter): SubmitLetterDeps {
  return { letters: stores.letters, events: stores.events, objects: new FsObjectStore(dir), clock, submitter: s, staleClaimMs: 10 * 60_000 };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'huixin-submit-store-'));
  stores = await openLocalStores({ inMemory: true });
  sandbox = await startSandbox({ sites: [{ key: 'a', variant: 'jact' }, { key: 'b', variant: 'jact' }] });
  submitter = await BrowserSubmitter.launch(new FsObjectStore(dir), { pages: 2, allowPrivateHosts: true });
}, 60_000);

afterAll(async () => {
  await submitter?.close();
  await sandbox?.close();
  await stores?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('submit-letter over dynalite and the sandbox', () => {
  it('two concurrent deliveries of the same letter → exactly one POST at the site, one recorded submission', async () => {
    await stores.letters.putLetters([letter('l-concurrent')]);
    const url = sandbox.consultUrlOf('a');
    const [r1, r2] = await Promise.all([submitLetter(deps(), { letterId: 'l-concurrent', url }), submitLetter(deps(), { letterId: 'l-concurrent', url })]);
    expect([r1.status, r2.status].sort()).toEqual(['recorded', 'skipped']);
    expect(sandbox.posts('a')).toHaveLength(1);
    const stored = await stores.letters.getLetter('l-concurrent');
    expect(stored).toMatchObject({ state: 'submitted', queryCode: sandbox.posts('a')[0]!.queryCode });
    const events = await stores.events.stream('letter:l-concurrent');
    expect(events.filter((e) => e.type === 'letter.submitted')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'letter.claimed')).toHaveLength(1);
  });

  it('a crash between claim and record → the redelivery marks it unconfirmed, no second POST', async () => {
    await stores.letters.putLetters([letter('l-crash')]);
    const url = sandbox.consultUrlOf('b');
    // the delivery submits for real, then dies before recording (the process is killed)
    const dying: FormSubmitter = {
      submit: async (req) => {
        await submitter.submit(req);
        throw new Error('killed after submit, before record');
      },
      discover: async () => [],
    };
    await expect(submitLetter(deps(dying), { letterId: 'l-crash', url })).rejects.toThrow('killed');
    expect(sandbox.posts('b')).toHaveLength(1);
    expect((await stores.letters.getLetter('l-crash'))!.state).toBe('submitting');

    // SQS redelivers after the visibility timeout
    now = new Date(now.getTime() + 15 * 60_000);
    const r = await submitLetter(deps(), { letterId: 'l-crash', url });
    expect(r).toEqual({ status: 'recovered', outcome: 'unconfirmed', reason: 'crashed-after-claim' });
    expect(sandbox.posts('b')).toHaveLength(1);
    expect((await stores.letters.getLetter('l-crash'))!.state).toBe('unconfirmed');
    // and any further delivery does nothing
    expect(await submitLetter(deps(), { letterId: 'l-crash', url })).toMatchObject({ status: 'skipped', reason: 'not-claimable' });
    expect(sandbox.posts('b')).toHaveLength(1);
  });
});

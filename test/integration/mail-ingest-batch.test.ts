import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../shared/domain/events.ts';
import type { Letter } from '../../shared/domain/model.ts';
import { replyAddress } from '../../shared/domain/mail/reply-address.ts';
import { openLocalStores, type OpenStores } from '../../shared/local/runtime.ts';
import { DynamoBatcher, DynamoLetterFinder, eventItem } from '../../shared/adapters/mail/dynamo-mail.ts';
import { MemoryObjectStore } from '../../shared/adapters/mail/memory.ts';
import { mailDeps } from '../../shared/adapters/mail/wiring.ts';
import { ingestMail, type IngestDeps, type IngestResult } from '../../shared/app/ingest-mail.ts';

const SECRET = 'batch-secret';
const DOMAIN = 'reply.huixin.test';
const LETTERS = ['l01kqzbatch0001aaaa', 'l01kqzbatch0002bbbb', 'l01kqzbatch0003cccc'];

function letter(id: string): Letter {
  return {
    id, campaignId: 'c1', siteId: '4401000001', channelId: 'ch1', ordinal: 1, state: 'submitted',
    plannedAt: '2026-11-23T09:00:00+08:00', submittedAt: '2026-11-23T09:30:00+08:00', deadlineAt: '2026-11-27T23:59:59+08:00',
    replyAddress: replyAddress(id, SECRET, DOMAIN), title: '关于办理居住证需要哪些材料', body: '请问？', questionId: 'q1',
    persona: { name: '张三', phone: '13800000000', email: 'x@y.z' }, version: 1, updatedAt: '2026-11-23T09:30:00+08:00',
  };
}

/** The i-th mail: replies, acknowledgements and a forged address, to three letters. */
function mail(i: number): { raw: Buffer; receivedAt: string } {
  const id = LETTERS[i % 3]!;
  const to = i % 7 === 6 ? `r-${id}-0000000000@${DOMAIN}` : replyAddress(id, SECRET, DOMAIN);
  const text = i % 3 === 1 ? '您的来信已收到，我们将尽快处理。此邮件为系统自动发送，请勿直接回复。' : `您好，来信收悉。关于办理居住证所需材料，现答复如下：申请人需携带本人居民身份证和近期照片到派出所办理（第${i}号）。`;
  const raw = Buffer.from(
    [`From: office${i}@gz.gov.cn`, `To: ${to}`, `Subject: 答复 ${i}`, `Date: Tue, 24 Nov 2026 10:${String(i % 60).padStart(2, '0')}:00 +0800`,
      `Message-ID: <batch-${i}@gz.gov.cn>`, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', text, ''].join('\r\n'),
  );
  // Later mails arrive earlier for some letters, so first replies move.
  return { raw, receivedAt: new Date(Date.UTC(2026, 10, 24, 2, 0, 0) + ((i * 37) % 30) * 60_000).toISOString() };
}

function counted(stores: OpenStores): { calls: () => number } {
  let n = 0;
  stores.client.middlewareStack.add((next) => async (args) => (n++, next(args)), { step: 'initialize', name: `count${Math.random()}` });
  return { calls: () => n };
}

const depsOf = (stores: OpenStores) => {
  const d = mailDeps(stores, { replySecret: SECRET, mailDomain: DOMAIN, maxBytes: 200_000 }, { objects: new MemoryObjectStore(), authenticate: false, now: () => new Date('2026-11-24T03:00:00Z') });
  d.log = () => {};
  return d;
};

let one: OpenStores;
let batched: OpenStores;

beforeAll(async () => {
  [one, batched] = await Promise.all([openLocalStores({ inMemory: true }), openLocalStores({ inMemory: true })]);
  await one.letters.putLetters(LETTERS.map(letter));
  await batched.letters.putLetters(LETTERS.map(letter));
});

afterAll(async () => {
  await one?.close();
  await batched?.close();
});

const timeline = async (stores: OpenStores, id: string) => {
  const { letter: l, events } = await stores.letters.letterWithEvents(id);
  return { firstReply: l?.firstReply, events: events.map((e) => ({ id: e.id, type: e.type, at: e.at, data: e.data })) };
};

describe('ingest with group commit (DynamoBatcher)', () => {
  it('concurrent ingests record the same events, first replies and holding pen as one-at-a-time ingests, in fewer DynamoDB calls', async () => {
    const N = 30;
    // One at a time, without the batcher: plain GetItem for letters, conditional PutItem for every event.
    const base = depsOf(one);
    const plain: IngestDeps = { ...base, letters: one.letters, finder: new DynamoLetterFinder(one.client, one.tableName, one.letters, one.sites, () => new Date('2026-11-24T03:00:00Z')) };
    delete plain.appendNew;
    const c1 = counted(one);
    const a: IngestResult[] = [];
    for (let i = 0; i < N; i++) {
      const m = mail(i);
      a.push(await ingestMail(plain, m.raw, { receivedAt: m.receivedAt }));
    }
    // All at once, through mailDeps (batched letter reads and new-event puts).
    const deps = depsOf(batched);
    const c2 = counted(batched);
    const b = await Promise.all(Array.from({ length: N }, (_, i) => ingestMail(deps, mail(i).raw, { receivedAt: mail(i).receivedAt })));

    // Which mail moved a first reply depends on the order they finished in; the outcome (timelines below) does not.
    const outcome = ({ firstReplyChanged: _, ...r }: IngestResult) => r;
    expect(b.map(outcome)).toEqual(a.map(outcome));
    expect(b.filter((r) => r.held)).toHaveLength(a.filter((r) => r.held).length);
    expect(a.some((r) => r.held) && a.some((r) => r.kind === 'reply') && a.some((r) => r.kind === 'auto-ack')).toBe(true);
    for (const id of LETTERS) expect(await timeline(batched, id)).toEqual(await timeline(one, id));
    expect((await deps.mails.listHeld()).map((m) => m.id)).toEqual((await plain.mails.listHeld()).map((m) => m.id));
    expect(c2.calls()).toBeLessThan(c1.calls());
  });

  it('the same mail ingested twice at once is recorded once, with one event', async () => {
    const deps = depsOf(batched);
    const m = mail(100);
    const [x, y] = await Promise.all([ingestMail(deps, m.raw, { receivedAt: m.receivedAt }), ingestMail(deps, m.raw, { receivedAt: m.receivedAt })]);
    expect([x.duplicate, y.duplicate].sort()).toEqual([false, true]);
    expect(x.mailId).toBe(y.mailId);
    const events = (await batched.letters.letterWithEvents(LETTERS[100 % 3]!)).events.filter((e) => (e.data as { mailId?: string }).mailId === x.mailId);
    expect(events).toHaveLength(1);
  });

  it('an event put through the batcher is exactly the item the event store appends (and a later append is a no-op)', async () => {
    const ev: DomainEvent = {
      id: 'e01kqzbatchevent0001', stream: `letter:${LETTERS[0]}`, type: 'ack.seen', at: '2026-11-24T02:00:00.000Z', recordedAt: '2026-11-24T03:00:00.000Z',
      actor: 'function:ingest-mail', data: { source: 'mail', mailId: 'mx', reasons: ['text:ack:来信收悉'], auth: { spf: 'none' } },
    };
    const batcher = new DynamoBatcher(batched.client, batched.tableName);
    await batcher.put(eventItem(ev));
    await batched.events.append(ev);
    expect((await batched.events.stream(ev.stream)).filter((e) => e.id === ev.id)).toEqual([ev]);
  });

  it('batched reads answer each caller (missing items, the same key twice); puts of one key never share a batch', async () => {
    const batcher = new DynamoBatcher(batched.client, batched.tableName);
    const keys = [...LETTERS, 'l-missing', LETTERS[0]!].map((id) => ({ pk: `LETTER#${id}`, sk: 'LETTER' }));
    const got = await Promise.all(keys.map((k) => batcher.get(k)));
    expect(got.map((i) => i?.id?.S)).toEqual([...LETTERS, undefined, LETTERS[0]]);
    const item = (v: string) => ({ pk: { S: 'TEST#batch' }, sk: { S: 'ONE' }, v: { S: v } });
    await Promise.all([batcher.put(item('first')), batcher.put(item('second'))]);
    const after = await batcher.get({ pk: 'TEST#batch', sk: 'ONE' });
    expect(after?.v?.S).toBe('second');
  });

  it('the shared DynamoDB client does no per-call logging or user-agent work (and still talks to the store)', async () => {
    const names = batched.client.middlewareStack.identify().join('\n');
    expect(names).not.toMatch(/loggerMiddleware|getUserAgentMiddleware/);
    expect(names).toMatch(/httpSigningMiddleware/);
    expect((await batched.letters.getLetter(LETTERS[0]!))?.id).toBe(LETTERS[0]);
  });
});

import { readFileSync } from 'node:fs';
import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createDailyHandler, createDeadlineHandler, type PollDeps } from '../../functions/poll-reply-lists/handler.ts';
import { MemoryEventStore, MemoryLetterFinder, MemoryLetterStore } from '../../shared/adapters/mail/memory.ts';
import type { Fetcher } from '../../shared/app/reply-lists.ts';
import type { Campaign, Letter, Site } from '../../shared/domain/model.ts';

const fx = (name: string) => readFileSync(new URL(`../fixtures/reply-lists/${name}`, import.meta.url));

const base: Letter = {
  id: 'l1', campaignId: 'c1', siteId: 'jact', channelId: 'ch', ordinal: 1, state: 'submitted',
  plannedAt: '2026-11-23T09:00:00+08:00', submittedAt: '2026-11-23T09:30:00+08:00', queryCode: 'AB12CD',
  replyAddress: 'x', title: '关于办理居住证需要哪些材料', body: 'b', questionId: 'q', persona: { name: 'n', phone: 'p', email: 'e' },
  version: 1, updatedAt: '2026-11-23T09:30:00+08:00',
};

const SITES: Record<string, string> = {
  jact: 'http://jact.test/jact/front/mailwrite.do',
  down: 'http://down.test/jact/front/mailwrite.do',
  unknown: 'http://unknown.test/contact/form.html',
  portal: 'http://portal.test/hudong/write',
};
/** An unknown platform whose consultation page carries a GET query form for the 查询码. */
const PORTAL_PAGE = '<html><body><form method="get" action="/hudong/query"><input type="hidden" name="sysid" value="7">查询码：<input type="text" name="cxm"><input type="submit" value="查询"></form></body></html>';

async function setup() {
  const letters = new MemoryLetterStore();
  await letters.putLetters([
    base, // replied on its list (date-only row) → recorded
    { ...base, id: 'l2', queryCode: 'NOTYET' }, // not on the list yet
    { ...base, id: 'l3', siteId: 'unknown' }, // no guessable reply list
    { ...base, id: 'l4', campaignId: 'c2' }, // closed campaign: not polled
    { ...base, id: 'l5', firstReply: { at: '2026-11-24T00:00:00+08:00', source: 'mail', precision: 'instant', eventId: 'e0' } } as Letter, // already replied
    { ...base, id: 'l6', state: 'planned', submittedAt: undefined } as unknown as Letter, // not submitted
    { ...base, id: 'l7', siteId: 'down' }, // its site fails
    { ...base, id: 'l8', siteId: 'portal', queryCode: 'PQ77' }, // unknown platform: its query form is discovered
  ]);
  const fetched: string[] = [];
  const fetch: Fetcher = async (url) => {
    fetched.push(url);
    if (url.startsWith('http://down.test/')) throw new Error('connect ECONNREFUSED');
    if (url.includes('searchcode=AB12CD')) return { status: 200, contentType: null, body: fx('date-only-list.html'), url };
    if (url === SITES.portal) return { status: 200, contentType: 'text/html; charset=utf-8', body: new TextEncoder().encode(PORTAL_PAGE), url };
    return { status: 404, contentType: 'text/html', body: new Uint8Array(), url };
  };
  const events = new MemoryEventStore();
  const logs: string[] = [];
  const deps: PollDeps = {
    campaigns: { listCampaigns: async () => [{ id: 'c1', state: 'running' }, { id: 'c2', state: 'closed' }, { id: 'c3', state: 'paused' }] as Campaign[] },
    letters,
    sites: { getSite: async (id) => (SITES[id] ? ({ id, consultUrl: SITES[id] } as Site) : undefined) },
    reply: { events, finder: new MemoryLetterFinder(letters, () => []), clock: { now: () => new Date('2026-11-25T01:00:00Z') }, fetch },
    concurrency: 2,
    log: (m) => logs.push(m),
  };
  return { deps, letters, events, fetched, logs };
}

describe('poll-reply-lists daily handler', () => {
  it('polls every submitted, unreplied letter of running/paused campaigns on its list (guessed or discovered), records replies, and survives a failing site', async () => {
    const { deps, letters, fetched } = await setup();
    const summary = await createDailyHandler(async () => deps)();
    expect(summary).toEqual({ campaigns: 2, open: 5, polled: 3, noProfile: 1, replies: 1, failed: 1 });
    expect((await letters.getLetter('l1'))!.firstReply).toMatchObject({ source: 'reply-list', at: '2026-11-24T00:00:00+08:00', precision: 'day' });
    expect(fetched.some((u) => u.includes('searchcode=AB12CD'))).toBe(true);
    // the unknown platform: its query form found on the consultation page, the letter looked up by its 查询码
    expect(fetched).toContain('http://portal.test/hudong/query?sysid=7&cxm=PQ77');
    // a site that links no list or query page: its pages were looked at, nothing polled
    expect(fetched.filter((u) => u.startsWith('http://unknown.test/')).every((u) => u === SITES.unknown || u === 'http://unknown.test/')).toBe(true);
    // l4 (closed campaign), l5 (replied) and l6 (planned) were never looked up
    expect(fetched.filter((u) => u.includes('jact.test')).length).toBeGreaterThan(0);
    expect((await letters.getLetter('l4'))!.firstReply).toBeUndefined();
  });

  it('records nothing new on a second run the same day (the reply is already known)', async () => {
    const { deps, events } = await setup();
    const daily = createDailyHandler(async () => deps);
    await daily();
    const second = await daily();
    expect(second.replies).toBe(0);
    expect(second.open).toBe(4);
    expect(await events.stream('letter:l1')).toHaveLength(1);
  });
});

describe('poll-reply-lists daily handler in AWS: the fan-out', () => {
  it('puts every open letter on the poll queue, one message each, and polls nothing itself', async () => {
    const { deps, fetched } = await setup();
    const sent: unknown[] = [];
    deps.pollQueue = { send: async (m) => void sent.push(m) };
    const summary = await createDailyHandler(async () => deps)();
    expect(summary).toMatchObject({ campaigns: 2, open: 5, polled: 0, queued: 5 });
    expect(sent).toHaveLength(5);
    expect(sent).toContainEqual({ letterId: 'l8', daily: true });
    expect(sent).not.toContainEqual(expect.objectContaining({ letterId: 'l4' })); // closed campaign
    expect(fetched).toEqual([]);
  });
});

describe('poll-reply-lists deadline handler (deadline queue consumer)', () => {
  const event = (...bodies: string[]): SQSEvent => ({ Records: bodies.map((body, i) => ({ messageId: `m${i}`, body })) }) as unknown as SQSEvent;

  it('polls the one letter of each message; a failing site is a partial batch failure, a malformed or unknown message is not', async () => {
    const { deps, letters } = await setup();
    const r = await createDeadlineHandler(async () => deps)(
      event(JSON.stringify({ letterId: 'l1' }), 'not json', JSON.stringify({ letterId: 'l7' }), JSON.stringify({ letterId: 'nope' }), JSON.stringify({ letterId: 'l5' })),
    );
    expect(r.batchItemFailures).toEqual([{ itemIdentifier: 'm2' }]);
    expect((await letters.getLetter('l1'))!.firstReply).toMatchObject({ source: 'reply-list' });
  });

  it('gives an open letter its deadline (backfillDeadline) before polling it, and never one that is replied or not submitted', async () => {
    const { deps, letters } = await setup();
    const seen: string[] = [];
    deps.backfillDeadline = async (letter) => {
      seen.push(letter.id);
      return letters.updateLetter(letter.id, ['submitted'], { deadlineAt: '2026-11-24T23:59:59+08:00' });
    };
    await createDeadlineHandler(async () => deps)(event(JSON.stringify({ letterId: 'l1' }), JSON.stringify({ letterId: 'l5' }), JSON.stringify({ letterId: 'l6' })));
    expect(seen).toEqual(['l1']);
    expect((await letters.getLetter('l1'))!).toMatchObject({ deadlineAt: '2026-11-24T23:59:59+08:00', firstReply: { source: 'reply-list' } });
  });

  it('a backfill that fails (the scheduler down) is logged; the letter is polled all the same, its reply recorded', async () => {
    const { deps, letters, logs } = await setup();
    deps.backfillDeadline = async () => {
      throw new Error('ThrottlingException: Rate exceeded');
    };
    const r = await createDeadlineHandler(async () => deps)(event(JSON.stringify({ letterId: 'l1' })));
    expect(r.batchItemFailures).toEqual([]);
    expect((await letters.getLetter('l1'))!.firstReply).toMatchObject({ source: 'reply-list' });
    expect(logs.some((m) => m.includes('deadline backfill failed') && m.includes('Rate exceeded'))).toBe(true);
  });

  it('a daily poll whose site fails is logged and left to tomorrow, not retried into the dead-letter queue', async () => {
    const { deps, letters, logs } = await setup();
    const r = await createDeadlineHandler(async () => deps)(event(JSON.stringify({ letterId: 'l7', daily: true }), JSON.stringify({ letterId: 'l1', daily: true })));
    expect(r.batchItemFailures).toEqual([]);
    expect(logs.some((l) => l.includes('"daily poll failed"') && l.includes('"l7"'))).toBe(true);
    expect((await letters.getLetter('l1'))!.firstReply).toMatchObject({ source: 'reply-list' });
  });

  it('polls the letters of one batch side by side: a slow site does not hold the rest of the batch', async () => {
    const { deps } = await setup();
    const fetch = deps.reply.fetch;
    let release!: () => void;
    const slowSite = new Promise<void>((r) => (release = r));
    let othersDone = 0;
    deps.reply.fetch = async (url) => {
      if (url.startsWith('http://portal.test/')) await slowSite; // held until every other letter of the batch is done
      return fetch(url);
    };
    const logged = deps.log;
    deps.log = (m) => {
      logged(m);
      if (m.includes('"deadline poll"') && !m.includes('"l8"') && ++othersDone === 2) release();
    };
    const r = await createDeadlineHandler(async () => deps)(event(JSON.stringify({ letterId: 'l8' }), JSON.stringify({ letterId: 'l1' }), JSON.stringify({ letterId: 'l2' })));
    expect(othersDone).toBe(2);
    expect(r.batchItemFailures).toEqual([]);
  });
});

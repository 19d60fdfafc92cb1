import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError } from '../../shared/domain/errors.ts';
import type { DomainEvent } from '../../shared/domain/events.ts';
import type { Campaign, Letter, Site } from '../../shared/domain/model.ts';
import { openLocalStores, type OpenStores } from '../../shared/local/runtime.ts';
import { testLetter } from '../letter-fixture.ts';

const T0 = '2026-03-02T09:00:00+08:00';

function letter(id: string, over: Partial<Letter> = {}): Letter {
  const persona = { name: '张三', phone: '13800000000', email: 'a@b.test' };
  return testLetter(id, { state: 'planned', plannedAt: T0, replyAddress: `r+${id}@huixin.test`, questionId: 'q1', persona, version: 0, updatedAt: T0, ...over });
}

function event(id: string, stream: string, at: string): DomainEvent {
  return { id, stream, type: 'letter.planned', at, recordedAt: at, actor: 'system', data: { n: 1 } };
}

const site = (id: string, name: string): Site => ({
  id,
  name,
  category: '省级部门',
  region: '陕西省',
  homeUrl: 'https://example.gov.cn/',
  consultUrl: 'https://example.gov.cn/zx',
});

describe('DynamoDB store adapters against real dynalite (in memory)', () => {
  let s: OpenStores;
  beforeAll(async () => {
    s = await openLocalStores({ inMemory: true });
  });
  afterAll(async () => {
    await s.close();
  });

  it('a conditional letter update wins once; the concurrent loser gets ConflictError', async () => {
    await s.letters.putLetters([letter('l-race', { state: 'queued' })]);
    const results = await Promise.allSettled([
      s.letters.updateLetter('l-race', ['queued'], { state: 'submitting' }),
      s.letters.updateLetter('l-race', ['queued'], { state: 'submitting' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason).toBeInstanceOf(ConflictError);
    const stored = await s.letters.getLetter('l-race');
    expect(stored?.state).toBe('submitting');
    expect(stored?.version).toBe(1);
  });

  it("an update from the caller's copy skips the read when it is current, and re-reads when it is stale", async () => {
    await s.letters.putLetters([letter('l-known', { state: 'planned' })]);
    const copy = (await s.letters.getLetter('l-known'))!;
    // current copy: applied on its version
    const queued = await s.letters.updateLetter('l-known', ['planned'], { state: 'queued' }, copy);
    expect(queued.version).toBe(copy.version + 1);
    // stale copy (still says planned): the store re-reads, sees queued, and the write lands on the current version
    const submitting = await s.letters.updateLetter('l-known', ['planned', 'queued'], { state: 'submitting' }, copy);
    expect(submitting.version).toBe(copy.version + 2);
    expect((await s.letters.getLetter('l-known'))?.state).toBe('submitting');
    // stale copy whose state is allowed, but the stored one is not: still a conflict
    await expect(s.letters.updateLetter('l-known', ['planned'], { state: 'queued' }, copy)).rejects.toBeInstanceOf(ConflictError);
  });

  it('putLetters is idempotent: an existing letter is left as it is', async () => {
    await s.letters.putLetters([letter('l-idem')]);
    await s.letters.updateLetter('l-idem', ['planned'], { state: 'queued' });
    await s.letters.putLetters([letter('l-idem')]);
    expect((await s.letters.getLetter('l-idem'))?.state).toBe('queued');
  });

  it('appending the same event id twice stores it once; a stream reads back in time order across offsets', async () => {
    const stream = 'letter:l-ev';
    await s.events.append(event('e2', stream, '2026-03-02T10:00:00+08:00'));
    await s.events.append(event('e1', stream, '2026-03-02T01:30:00Z')); // 09:30 Beijing: before e2
    await s.events.append(event('e2', stream, '2026-03-02T10:00:00+08:00'));
    const got = await s.events.stream(stream);
    expect(got.map((e) => e.id)).toEqual(['e1', 'e2']);
    expect(got[1]).toEqual(event('e2', stream, '2026-03-02T10:00:00+08:00'));
  });

  it('latest(stream, type) finds the newest event of a type behind many newer events of other types', async () => {
    const stream = 'site:latest';
    await s.events.append({ ...event('lc-1', stream, '2026-03-01T10:00:00+08:00'), type: 'channel.checked', data: { n: 1 } });
    await s.events.append({ ...event('lc-2', stream, '2026-03-02T10:00:00+08:00'), type: 'channel.checked', data: { n: 2 } });
    for (let i = 0; i < 45; i++) await s.events.append({ ...event(`lo-${String(i).padStart(2, '0')}`, stream, `2026-03-03T10:${String(i).padStart(2, '0')}:00+08:00`), type: 'alert.sent' });
    expect((await s.events.latest(stream, 'channel.checked'))?.data).toEqual({ n: 2 });
    expect((await s.events.latest(stream, 'alert.sent'))?.id).toBe('lo-44');
    expect(await s.events.latest(stream, 'letter.submitted')).toBeUndefined();
  });

  it("a letter and its timeline come back from one Query of the letter's partition", async () => {
    await s.letters.putLetters([letter('l-tl')]);
    await s.events.append(event('e-tl', 'letter:l-tl', T0));
    const { letter: l, events } = await s.letters.letterWithEvents('l-tl');
    expect(l?.id).toBe('l-tl');
    expect(events.map((e) => e.id)).toEqual(['e-tl']);
  });

  it('lists letters of a campaign by state, all of them, and letters of a site across campaigns in planned order', async () => {
    await s.letters.putLetters([
      letter('la1', { campaignId: 'cq1', siteId: 'S1', state: 'planned', plannedAt: '2026-04-01T09:00:00+08:00' }),
      letter('la2', { campaignId: 'cq1', siteId: 'S2', state: 'submitted' }),
      letter('la3', { campaignId: 'cq1', siteId: 'S1', state: 'planned', plannedAt: '2026-04-02T09:00:00+08:00' }),
      letter('lb1', { campaignId: 'cq2', siteId: 'S1', state: 'planned', plannedAt: '2026-01-05T09:00:00+08:00' }),
    ]);
    expect((await s.letters.lettersOfCampaign('cq1', 'planned')).map((l) => l.id).sort()).toEqual(['la1', 'la3']);
    expect((await s.letters.lettersOfCampaign('cq1', 'submitted')).map((l) => l.id)).toEqual(['la2']);
    expect((await s.letters.lettersOfCampaign('cq1')).map((l) => l.id).sort()).toEqual(['la1', 'la2', 'la3']);
    expect((await s.letters.lettersOfSite('S1')).map((l) => l.id)).toEqual(['lb1', 'la1', 'la3']);
    await s.letters.updateLetter('la1', ['planned'], { state: 'queued' });
    expect((await s.letters.lettersOfCampaign('cq1', 'planned')).map((l) => l.id)).toEqual(['la3']);
  });

  it('overdue = submitted, no reply, deadline before asOf; a reply takes a letter out of the index', async () => {
    const sub = (id: string, deadlineAt: string) =>
      letter(id, { campaignId: 'cod', state: 'submitted', submittedAt: T0, deadlineAt });
    await s.letters.putLetters([
      sub('lo1', '2026-03-03T23:59:59+08:00'),
      sub('lo2', '2026-03-04T23:59:59+08:00'),
      sub('lo3', '2026-03-10T23:59:59+08:00'),
      letter('lo4', { campaignId: 'cod', state: 'planned', deadlineAt: '2026-03-01T23:59:59+08:00' }),
    ]);
    const asOf = '2026-03-05T00:00:00+08:00';
    expect((await s.letters.overdueLetters(asOf)).map((l) => l.id)).toEqual(['lo1', 'lo2']);
    await s.letters.updateLetter('lo1', ['submitted'], {
      firstReply: { at: '2026-03-04T10:00:00+08:00', source: 'mail', precision: 'instant', eventId: 'e9' },
    });
    expect((await s.letters.overdueLetters(asOf)).map((l) => l.id)).toEqual(['lo2']);
    // The deadline instant itself is not yet overdue.
    expect((await s.letters.overdueLetters('2026-03-04T23:59:59+08:00')).map((l) => l.id)).toEqual([]);
  });

  it('campaign state changes are conditional: from the wrong state → ConflictError', async () => {
    const c: Campaign = {
      id: 'camp1',
      name: '2026年第一季度',
      state: 'planned',
      method: {
        rulesVersion: '1',
        workingDays: 1,
        calendar: { source: 'chinese-days@1.5.7', years: [2004, 2026] },
        siteResultOrder: ['unavailable', 'none', 'late', 'on-time'],
        honourList: 'every-letter-same-day',
        unavailableStates: ['unavailable'],
        gatedTreatment: 'staff-submits-then-judged',
      },
      createdAt: T0,
      windowClosesAt: '2026-04-30T23:59:59+08:00',
      siteIds: ['6108000039'],
      lettersPerSite: 2,
    };
    await s.campaigns.createCampaign(c);
    await expect(s.campaigns.createCampaign(c)).rejects.toBeInstanceOf(ConflictError);
    expect((await s.campaigns.setCampaignState('camp1', ['planned'], 'running')).state).toBe('running');
    await expect(s.campaigns.setCampaignState('camp1', ['planned'], 'running')).rejects.toBeInstanceOf(ConflictError);
    expect(await s.campaigns.getCampaign('camp1')).toEqual({ ...c, state: 'running' });
    expect((await s.campaigns.listCampaigns()).map((x) => x.id)).toContain('camp1');
  });

  it('every Query is paginated: > 1 MB of letters in one campaign all come back', async () => {
    const big = 'x'.repeat(6000);
    const many = Array.from({ length: 250 }, (_, i) => letter(`lp${String(i).padStart(4, '0')}`, { campaignId: 'cbig', body: big }));
    await s.letters.putLetters(many);
    let pages = 0;
    const realSend = s.client.send.bind(s.client);
    const spy = s.client as unknown as { send: (c: unknown) => Promise<unknown> };
    spy.send = (cmd: unknown) => {
      if (cmd instanceof QueryCommand) pages++;
      return realSend(cmd as QueryCommand);
    };
    try {
      const got = await s.letters.lettersOfCampaign('cbig');
      expect(got).toHaveLength(250);
      expect(pages).toBeGreaterThan(1);
    } finally {
      spy.send = realSend as never;
    }
  });

  it('the registry reads through its pointer: an import adds and updates, keeping sites not in the file', async () => {
    const first = await s.sites.importSites([site('6100000001', '甲'), site('6100000002', '乙')], {
      source: 'a.csv',
      importedAt: T0,
    });
    expect(first).toMatchObject({ added: 2, updated: 0 });
    const second = await s.sites.importSites([site('6100000002', '乙（新）'), site('6100000003', '丙')], {
      source: 'b.csv',
      importedAt: '2026-03-03T09:00:00+08:00',
    });
    expect(second).toMatchObject({ added: 1, updated: 1 });
    expect((await s.sites.listSites()).map((x) => `${x.id}${x.name}`)).toEqual(['6100000001甲', '6100000002乙（新）', '6100000003丙']);
    expect((await s.sites.getSite('6100000002'))?.name).toBe('乙（新）');
  });
});

describe('dynalite on disk', () => {
  it('keeps data across a restart', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'huixin-store-'));
    try {
      const a = await openLocalStores({ dataDir: dir });
      await a.letters.putLetters([letter('l-disk')]);
      await a.sites.importSites([site('6100000009', '持久')], { source: 'x', importedAt: T0 });
      await a.close();
      const b = await openLocalStores({ dataDir: dir });
      try {
        expect((await b.letters.getLetter('l-disk'))?.title).toBe('办理居住证需要哪些材料？');
        expect((await b.sites.listSites()).map((x) => x.name)).toEqual(['持久']);
      } finally {
        await b.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

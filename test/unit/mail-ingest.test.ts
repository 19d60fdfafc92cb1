import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Letter, Site } from '../../shared/domain/model.ts';
import { replyAddress } from '../../shared/domain/mail/reply-address.ts';
import {
  MemoryEventStore,
  MemoryLetterFinder,
  MemoryLetterStore,
  MemoryMailStore,
  MemoryObjectStore,
} from '../../shared/adapters/mail/memory.ts';
import { attachHeldMail, discardHeldMail, ingestMail, type IngestDeps } from '../../shared/app/ingest-mail.ts';

const SECRET = 's3cret';
const DOMAIN = 'reply.huixin.test';
const fx = (name: string) => readFileSync(new URL(`../fixtures/mail/${name}`, import.meta.url));

function letter(id: string, siteId: string, over: Partial<Letter> = {}): Letter {
  return {
    id,
    campaignId: 'c1',
    siteId,
    channelId: 'ch1',
    ordinal: 1,
    state: 'submitted',
    plannedAt: '2026-11-23T09:00:00+08:00',
    submittedAt: '2026-11-23T09:30:00+08:00',
    replyAddress: replyAddress(id, SECRET, DOMAIN),
    title: '关于办理居住证需要哪些材料',
    body: '请问办理居住证需要哪些材料？',
    questionId: 'q1',
    persona: { name: '张三', phone: '13800000000', email: 'x@y.z' },
    version: 1,
    updatedAt: '2026-11-23T09:30:00+08:00',
    ...over,
  };
}

const sites: Site[] = [
  { id: '4401000001', name: '广州', category: '市县政府门户', region: '广东', homeUrl: 'https://www.gz.gov.cn/', consultUrl: 'https://www.gz.gov.cn/hdjlpt/' },
  { id: '3201000001', name: '南京', category: '市县政府门户', region: '江苏', homeUrl: 'https://www.nanjing.gov.cn/', consultUrl: 'https://www.nanjing.gov.cn/x' },
];

/** Replace the fixture's (unsigned) reply address with a real one for `letterId`. */
function withAddress(raw: Buffer, letterId: string, mac?: string): Buffer {
  const addr = mac ? `r-${letterId}-${mac}@${DOMAIN}` : replyAddress(letterId, SECRET, DOMAIN);
  return Buffer.from(raw.toString('latin1').replaceAll('r-l01kqz8m3n4abcdefgh-0123456789@reply.huixin.test', addr).replaceAll('R-L01KQZ8M3N4ABCDEFGH-0123456789@REPLY.HUIXIN.TEST', addr), 'latin1');
}

let deps: IngestDeps & { letters: MemoryLetterStore; finder: MemoryLetterFinder; mails: MemoryMailStore; events: MemoryEventStore; objects: MemoryObjectStore };
let now: Date;

beforeEach(async () => {
  now = new Date('2026-11-24T02:20:00Z');
  const letters = new MemoryLetterStore();
  await letters.putLetters([letter('la1', '4401000001'), letter('la2', '4401000001', { title: '关于社保卡补办的咨询' }), letter('lb1', '3201000001')]);
  deps = {
    letters,
    finder: new MemoryLetterFinder(letters, () => sites),
    mails: new MemoryMailStore(),
    events: new MemoryEventStore(),
    objects: new MemoryObjectStore(),
    clock: { now: () => now },
    replySecret: SECRET,
    mailDomain: DOMAIN,
    log: () => {},
  };
});

describe('ingestMail', () => {
  it('an acknowledgement that repeats the letter it matched does not stop the clock (judged again with the letter)', async () => {
    const body = '您好，我想咨询一下：外地户籍人员在本市办理居住证需要准备哪些材料？在哪里办理？多久可以拿到？谢谢！';
    await deps.letters.putLetters([letter('la9', '4401000001', { body })]);
    const raw = Buffer.from(
      [
        'From: xxgk@gz.gov.cn',
        `To: ${replyAddress('la9', SECRET, DOMAIN)}`,
        'Subject: =?UTF-8?B?' + Buffer.from('留言提交成功').toString('base64') + '?=',
        'Date: Tue, 24 Nov 2026 10:16:00 +0800',
        'Message-ID: <echo-1@gz.gov.cn>',
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from(`您好，您的留言已收到。\n${body}\n我们将尽快处理。`).toString('base64'),
        '',
      ].join('\r\n'),
    );
    const r = await ingestMail(deps, raw, { receivedAt: '2026-11-24T10:16:00+08:00' });
    expect(r).toMatchObject({ kind: 'auto-ack', letterId: 'la9', held: false, firstReplyChanged: false });
    expect((await deps.letters.getLetter('la9'))!.firstReply).toBeUndefined();
  });

  it('attaches a reply sent to the exact reply address, records reply.seen with evidence, and sets firstReply', async () => {
    const r = await ingestMail(deps, withAddress(fx('reply-gbk-base64.eml'), 'la1'), { receivedAt: '2026-11-24T10:16:00+08:00' });
    expect(r).toMatchObject({ kind: 'reply', letterId: 'la1', match: 'reply-address', held: false, duplicate: false, firstReplyChanged: true });
    const events = await deps.events.stream('letter:la1');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'reply.seen', at: '2026-11-24T10:16:00+08:00' });
    expect(events[0]!.data).toMatchObject({ source: 'mail', kind: 'reply', subject: '回复：关于办理居住证需要哪些材料的咨询', from: 'xxgk@gz.gov.cn' });
    expect((await deps.letters.getLetter('la1'))!.firstReply).toEqual({ at: '2026-11-24T10:16:00+08:00', source: 'mail', precision: 'instant', eventId: r.eventId });
    const stored = [...deps.objects.objects.values()][0]!.meta;
    expect(stored.key).toMatch(/^mail\/raw\/[0-9a-f]{64}\.eml$/);
  });

  it('is idempotent: the same mail twice records once', async () => {
    const raw = withAddress(fx('reply-gbk-base64.eml'), 'la1');
    await ingestMail(deps, raw);
    now = new Date('2026-11-24T03:00:00Z');
    const again = await ingestMail(deps, Buffer.concat([Buffer.from('Received: from relay by mx; Tue, 24 Nov 2026 11:00:00 +0800\r\n'), raw]));
    expect(again.duplicate).toBe(true);
    expect(await deps.events.stream('letter:la1')).toHaveLength(1);
    expect(deps.mails.mails.size).toBe(1);
  });

  it('an auto-ack is recorded as ack.seen and does not stop the clock', async () => {
    const r = await ingestMail(deps, withAddress(fx('ack-auto-submitted.eml'), 'la1'));
    expect(r.kind).toBe('auto-ack');
    expect((await deps.events.stream('letter:la1'))[0]!.type).toBe('ack.seen');
    expect((await deps.letters.getLetter('la1'))!.firstReply).toBeUndefined();
  });

  it('the earliest reply wins: a later reply does not replace firstReply, an earlier one does', async () => {
    await ingestMail(deps, withAddress(fx('reply-gbk-base64.eml'), 'la1'), { receivedAt: '2026-11-24T12:00:00+08:00' });
    const later = await ingestMail(deps, withAddress(fx('reply-qp-utf8.eml'), 'la1'), { receivedAt: '2026-11-25T09:00:00+08:00' });
    expect(later.firstReplyChanged).toBe(false);
    const earlier = await ingestMail(deps, withAddress(fx('reply-polite-quoted.eml'), 'la1'), { receivedAt: '2026-11-24T09:00:00+08:00' });
    expect(earlier.firstReplyChanged).toBe(true);
    expect((await deps.letters.getLetter('la1'))!.firstReply!.at).toBe('2026-11-24T09:00:00+08:00');
  });

  it('a forged mac goes to the holding pen with a mail.held event; staff attach it with one recorded action', async () => {
    const r = await ingestMail(deps, withAddress(fx('reply-html-only.eml'), 'lb1', 'deadbeef00'));
    expect(r).toMatchObject({ held: true, letterId: null });
    const held = await deps.mails.listHeld();
    expect(held.map((m) => m.id)).toEqual([r.mailId]);
    expect((await deps.events.stream(`mail:${r.mailId}`))[0]!.type).toBe('mail.held');
    now = new Date('2026-11-26T08:00:00Z');
    const a = await attachHeldMail(deps, r.mailId, 'lb1', 'wang', '电话核实');
    expect(a.firstReplyChanged).toBe(true);
    expect(await deps.mails.listHeld()).toEqual([]);
    const mailEvents = await deps.events.stream(`mail:${r.mailId}`);
    expect(mailEvents.map((e) => [e.type, e.actor])).toEqual([['mail.held', 'function:ingest-mail'], ['mail.attached', 'staff:wang']]);
    const letterEvents = await deps.events.stream('letter:lb1');
    expect(letterEvents[0]).toMatchObject({ type: 'reply.seen', actor: 'staff:wang' });
    await expect(attachHeldMail(deps, r.mailId, 'lb1', 'li')).rejects.toThrow(/not held/);
  });

  it('staff discard a held mail, recorded with who and when', async () => {
    const r = await ingestMail(deps, fx('spam-invoice.eml'));
    expect(r).toMatchObject({ held: true, kind: 'other' });
    const d = await discardHeldMail(deps, r.mailId, 'li');
    expect(d).toMatchObject({ status: 'discarded', decidedBy: 'li', decidedAt: now.toISOString() });
    expect((await deps.events.stream(`mail:${r.mailId}`)).map((e) => e.type)).toEqual(['mail.held', 'mail.discarded']);
  });

  it('matches by In-Reply-To / References to a Message-ID we sent', async () => {
    deps.finder.index('lb1', { messageIds: ['<sent-1@huixin.test>'] });
    const raw = fx('reply-attachment.eml'); // Cc holds an unsigned address → no exact match
    const r = await ingestMail(deps, raw);
    expect(r).toMatchObject({ letterId: 'lb1', match: 'message-id' });
  });

  it('matches by the 查询码 in the body', async () => {
    deps.finder.index('la2', { queryCode: 'HZ20261123001' });
    const r = await ingestMail(deps, fx('ack-auto-submitted.eml'));
    expect(r).toMatchObject({ letterId: 'la2', match: 'query-code', kind: 'auto-ack' });
  });

  it('matches by the sender domain narrowed by the letter title; two open letters and no title → held with candidates', async () => {
    const r = await ingestMail(deps, fx('reply-gbk-base64.eml')); // from xxgk@gz.gov.cn, subject carries la1's title
    expect(r).toMatchObject({ letterId: 'la1', match: 'site-domain+title' });
    const raw = Buffer.from(fx('reply-polite-quoted.eml').toString('utf8').replace('zxts@sz.gov.cn', 'zxts@gz.gov.cn'));
    const h = await ingestMail(deps, raw);
    expect(h).toMatchObject({ held: true, candidates: ['la1', 'la2'] });
  });

  it('a reply failing DMARC is held for staff instead of stopping the clock', async () => {
    const r = await ingestMail(deps, withAddress(fx('reply-gbk-base64.eml'), 'la1'), {
      auth: { spf: 'fail', dkim: 'none', dmarc: 'fail', source: 'ses' },
    });
    expect(r).toMatchObject({ held: true, heldReason: 'DMARC fail', candidates: ['la1'] });
    expect((await deps.letters.getLetter('la1'))!.firstReply).toBeUndefined();
  });
});

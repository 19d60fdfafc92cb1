import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Letter } from '../../shared/domain/model.ts';
import { replyAddress } from '../../shared/domain/mail/reply-address.ts';
import { MemoryEventStore, MemoryLetterFinder, MemoryLetterStore, MemoryMailStore, MemoryObjectStore } from '../../shared/adapters/mail/memory.ts';
import { ingestMail, KnownLetters, type IngestDeps } from '../../shared/app/ingest-mail.ts';

const SECRET = 's3cret';
const DOMAIN = 'reply.huixin.test';
const fx = (name: string) => readFileSync(new URL(`../fixtures/mail/${name}`, import.meta.url));

function letter(id: string): Letter {
  return {
    id, campaignId: 'c1', siteId: '4401000001', channelId: 'ch1', ordinal: 1, state: 'submitted',
    plannedAt: '2026-11-23T09:00:00+08:00', submittedAt: '2026-11-23T09:30:00+08:00', replyAddress: replyAddress(id, SECRET, DOMAIN),
    title: '关于办理居住证需要哪些材料', body: '请问？', questionId: 'q1', persona: { name: '张三', phone: '13800000000', email: 'x@y.z' },
    version: 1, updatedAt: '2026-11-23T09:30:00+08:00',
  };
}

function addressed(name: string, letterId: string, salt: string): Buffer {
  const addr = replyAddress(letterId, SECRET, DOMAIN);
  return Buffer.from(
    fx(name).toString('latin1')
      .replaceAll('r-l01kqz8m3n4abcdefgh-0123456789@reply.huixin.test', addr)
      .replaceAll('R-L01KQZ8M3N4ABCDEFGH-0123456789@REPLY.HUIXIN.TEST', addr)
      .replace(/^Message-ID:.*$/im, `Message-ID: <${salt}@gz.gov.cn>`),
    'latin1',
  );
}

/** A letter store that counts its reads. */
class CountingLetters extends MemoryLetterStore {
  reads = 0;
  override async getLetter(id: string) {
    this.reads++;
    return super.getLetter(id);
  }
}

async function setup(known?: KnownLetters) {
  const letters = new CountingLetters();
  await letters.putLetters([letter('la1')]);
  const deps: IngestDeps = {
    letters, finder: new MemoryLetterFinder(letters, () => []), mails: new MemoryMailStore(), events: new MemoryEventStore(),
    objects: new MemoryObjectStore(), clock: { now: () => new Date('2026-11-24T02:20:00Z') }, replySecret: SECRET, mailDomain: DOMAIN, log: () => {},
    ...(known ? { knownLetters: known } : {}),
  };
  return { letters, deps };
}

describe('ingestMail with a cache of letters known to exist', () => {
  it('matches a later non-reply mail for a known letter without reading the letter again, with the same result', async () => {
    const cached = await setup(new KnownLetters());
    const plain = await setup();
    const mails = [addressed('ack-auto-submitted.eml', 'la1', 'a1'), addressed('ooo-chinese.eml', 'la1', 'a2'), addressed('ack-polite-only.eml', 'la1', 'a3')];
    for (const raw of mails) {
      const a = await ingestMail(cached.deps, raw, { receivedAt: '2026-11-24T10:16:00+08:00' });
      const b = await ingestMail(plain.deps, raw, { receivedAt: '2026-11-24T10:16:00+08:00' });
      expect(a).toEqual(b);
      expect(a).toMatchObject({ letterId: 'la1', match: 'reply-address', held: false });
    }
    expect(plain.letters.reads).toBe(3);
    expect(cached.letters.reads).toBe(1); // only the first mail read it
    expect(await cached.deps.events.stream('letter:la1')).toEqual(await plain.deps.events.stream('letter:la1'));
  });

  it('still reads the letter for a reply (its first reply is decided on the stored letter) and sets firstReply', async () => {
    const { letters, deps } = await setup(new KnownLetters());
    await ingestMail(deps, addressed('ack-auto-submitted.eml', 'la1', 'b1'), { receivedAt: '2026-11-24T10:00:00+08:00' });
    expect(letters.reads).toBe(1);
    const r = await ingestMail(deps, addressed('reply-gbk-base64.eml', 'la1', 'b2'), { receivedAt: '2026-11-24T10:16:00+08:00' });
    expect(r).toMatchObject({ kind: 'reply', letterId: 'la1', firstReplyChanged: true });
    expect(letters.reads).toBeGreaterThan(1); // the known id did not stand in for the letter
    expect((await letters.getLetter('la1'))?.firstReply?.at).toBe('2026-11-24T10:16:00+08:00');
  });

  it('holds a mail signed for an unknown letter, cache or not, and forgets the oldest id past its bound', async () => {
    const { deps } = await setup(new KnownLetters());
    const r = await ingestMail(deps, addressed('ack-auto-submitted.eml', 'lnope', 'c1'), { receivedAt: '2026-11-24T10:00:00+08:00' });
    expect(r).toMatchObject({ held: true, heldReason: 'reply address of an unknown letter' });
    const k = new KnownLetters(2);
    k.add('a');
    k.add('b');
    k.add('c');
    expect([k.has('a'), k.has('b'), k.has('c')]).toEqual([false, true, true]);
  });
});

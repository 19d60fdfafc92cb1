import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Letter } from '../../shared/domain/model.ts';
import { replyAddress } from '../../shared/domain/mail/reply-address.ts';
import { loadCalendar } from '../../shared/adapters/calendar-source.ts';
import { MemoryEventStore, MemoryLetterFinder, MemoryLetterStore, MemoryMailStore, MemoryObjectStore } from '../../shared/adapters/mail/memory.ts';
import { ingestMail, type IngestDeps } from '../../shared/app/ingest-mail.ts';
import { buildTimeline, earliestReply, letterTimeline, recordStaffReply, undoStaffEdit } from '../../shared/app/letter-timeline.ts';
import { createHandler } from '../../functions/ingest-mail/handler.ts';

const SECRET = 's';
const DOMAIN = 'reply.huixin.test';
const calendar = loadCalendar({ env: {} });
const L = 'lt1';
const letter: Letter = {
  id: L,
  campaignId: 'c1',
  siteId: 's1',
  channelId: 'ch',
  ordinal: 1,
  state: 'submitted',
  plannedAt: '2026-11-23T09:00:00+08:00',
  submittedAt: '2026-11-23T09:30:00+08:00', // Monday
  replyAddress: replyAddress(L, SECRET, DOMAIN),
  title: 't',
  body: 'b',
  questionId: 'q',
  persona: { name: 'n', phone: 'p', email: 'e' },
  version: 1,
  updatedAt: '2026-11-23T09:30:00+08:00',
};
const replyRaw = () =>
  Buffer.from(
    readFileSync(new URL('../fixtures/mail/reply-gbk-base64.eml', import.meta.url))
      .toString('latin1')
      .replace('r-l01kqz8m3n4abcdefgh-0123456789@reply.huixin.test', replyAddress(L, SECRET, DOMAIN)),
    'latin1',
  );

let deps: IngestDeps & { letters: MemoryLetterStore; events: MemoryEventStore; finder: MemoryLetterFinder; objects: MemoryObjectStore };
let now = new Date('2026-11-25T02:00:00Z');
beforeEach(async () => {
  now = new Date('2026-11-25T02:00:00Z');
  const letters = new MemoryLetterStore();
  await letters.putLetters([letter]);
  deps = {
    letters,
    events: new MemoryEventStore(),
    finder: new MemoryLetterFinder(letters, () => []),
    mails: new MemoryMailStore(),
    objects: new MemoryObjectStore(),
    clock: { now: () => now },
    replySecret: SECRET,
    mailDomain: DOMAIN,
    log: () => {},
  };
});

describe('letter timeline and verdict', () => {
  it('no reply yet → pending before the deadline, none after the window closes', async () => {
    const t = await letterTimeline({ ...deps, calendar }, L, '2026-11-24T12:00:00+08:00');
    expect(t.judgement?.verdict).toBe('pending');
    expect(t.judgement?.deadline).toBe('2026-11-24T23:59:59+08:00');
    expect(t.reply).toBeNull();
  });

  it('a mail reply the next working day is on-time, and the timeline names its source', async () => {
    await ingestMail(deps, replyRaw(), { receivedAt: '2026-11-24T10:16:00+08:00' });
    const t = await letterTimeline({ ...deps, calendar }, L, '2026-11-30T00:00:00+08:00');
    expect(t.judgement?.verdict).toBe('on-time');
    expect(t.reply).toMatchObject({ source: 'mail', at: '2026-11-24T10:16:00+08:00' });
    expect(t.entries.map((e) => e.type)).toEqual(['reply.seen']);
  });

  it('a staff-recorded phone reply the same day wins (same-day); undoing it restores the mail reply', async () => {
    await ingestMail(deps, replyRaw(), { receivedAt: '2026-11-24T10:16:00+08:00' });
    const staff = await recordStaffReply(
      deps,
      L,
      { repliedAt: '2026-11-23T16:00:00+08:00', channel: 'phone', staff: 'wang', evidence: { name: '录音.mp3', body: new Uint8Array([1, 2, 3]), contentType: 'audio/mpeg' } },
    );
    expect(staff).toMatchObject({ type: 'staff.edit', actor: 'staff:wang' });
    expect((staff.data.evidence as { sha256: string }).sha256).toMatch(/^[0-9a-f]{64}$/);
    let t = await letterTimeline({ ...deps, calendar }, L, '2026-11-30T00:00:00+08:00');
    expect(t.judgement?.verdict).toBe('same-day');
    expect(t.reply).toMatchObject({ source: 'staff', eventId: staff.id });
    expect((await deps.letters.getLetter(L))!.firstReply!.source).toBe('staff');
    now = new Date('2026-11-25T03:00:00Z');
    await undoStaffEdit(deps, L, staff.id, 'li');
    t = await letterTimeline({ ...deps, calendar }, L, '2026-11-30T00:00:00+08:00');
    expect(t.judgement?.verdict).toBe('on-time');
    expect(t.reply?.source).toBe('mail');
    expect(t.entries.find((e) => e.eventId === staff.id)?.undone).toBe(true);
    expect((await deps.letters.getLetter(L))!.firstReply!.source).toBe('mail');
  });

  it('a day-precise reply-list date on the submission day counts as earliest over a later instant', () => {
    const ev = (id: string, at: string, source: string, precision: string) => ({
      id, stream: `letter:${L}`, type: 'reply.seen' as const, at, recordedAt: at, actor: 'system', data: { source, precision },
    });
    const r = earliestReply([ev('e2', '2026-11-23T18:00:00+08:00', 'mail', 'instant'), ev('e1', '2026-11-23', 'reply-list', 'day')]);
    expect(r).toMatchObject({ eventId: 'e1', precision: 'day', source: 'reply-list' });
  });

  it('rejects a staff record with an unknown channel or a future time', async () => {
    await expect(recordStaffReply(deps, L, { repliedAt: '2026-11-23T16:00:00+08:00', channel: 'pigeon', staff: 'w' })).rejects.toThrow(/channel/);
    await expect(recordStaffReply(deps, L, { repliedAt: '2027-01-01T00:00:00+08:00', channel: 'sms', staff: 'w' })).rejects.toThrow(/future/);
  });

  it('rejects a staff reply before the letter was submitted, or for a letter with no submission time; a date on the submission day is fine', async () => {
    await expect(recordStaffReply(deps, L, { repliedAt: '2026-11-23T09:00:00+08:00', channel: 'phone', staff: 'w' })).rejects.toThrow(/before the letter was submitted/);
    await expect(recordStaffReply(deps, L, { repliedAt: '2026-11-22', channel: 'phone', staff: 'w' })).rejects.toThrow(/before the letter was submitted/);
    await expect(recordStaffReply(deps, L, { repliedAt: '2026-11-23', channel: 'phone', staff: 'w' })).resolves.toMatchObject({ type: 'staff.edit' });
    await deps.letters.putLetters([{ ...letter, id: 'lgated', state: 'gated', submittedAt: undefined }]);
    await expect(recordStaffReply(deps, 'lgated', { repliedAt: '2026-11-24T10:00:00+08:00', channel: 'phone', staff: 'w' })).rejects.toThrow(/no submission time/);
    expect(await deps.events.stream('letter:lgated')).toEqual([]);
  });

  it('says a submission outcome\'s reason in words on the timeline', () => {
    const ev = { id: 'e9', stream: `letter:${L}`, type: 'letter.unavailable' as const, at: '2026-11-23T09:31:00+08:00', recordedAt: '2026-11-23T09:31:00+08:00', actor: 'function:submit-letter', data: { reason: 'http-404' } };
    expect(buildTimeline(letter, [ev], calendar, '2026-11-24T12:00:00+08:00').entries[0]!.summary).toBe('栏目不可用 unavailable: HTTP 404（页面不存在）');
  });

  it('a closed campaign\'s letter is judged at the close, whoever looks later (the same verdict as the campaign shows)', () => {
    const campaign = { state: 'closed' as const, windowClosesAt: '2026-11-27T23:59:59+08:00', method: { workingDays: 1 } };
    const running = { ...campaign, state: 'running' as const };
    // asked a week after the close: no reply, the window closed → none; still running at that time → none as well;
    // asked before the close, a closed (force-closed) campaign's letter is judged at its close, not "pending"
    expect(buildTimeline(letter, [], calendar, '2026-12-04T12:00:00+08:00', campaign).judgement?.verdict).toBe('none');
    expect(buildTimeline(letter, [], calendar, '2026-11-24T12:00:00+08:00', running).judgement?.verdict).toBe('pending');
    expect(buildTimeline(letter, [], calendar, '2026-11-24T12:00:00+08:00', campaign).judgement?.verdict).toBe('none');
  });
});

describe('ingest-mail Lambda handler', () => {
  const event = (action: Record<string, unknown>) =>
    ({
      Records: [
        {
          eventSource: 'aws:ses',
          eventVersion: '1.0',
          ses: {
            mail: { messageId: 'abc123', timestamp: '2026-11-24T02:16:00.000Z', source: 'xxgk@gz.gov.cn' },
            receipt: {
              timestamp: '2026-11-24T02:16:00.000Z',
              recipients: [replyAddress(L, SECRET, DOMAIN)],
              spfVerdict: { status: 'PASS' },
              dkimVerdict: { status: 'GRAY' },
              dmarcVerdict: { status: 'PROCESSING_FAILED' },
              action,
            },
          },
        },
      ],
    }) as never;

  it('reads the raw mail from the S3 key, maps the SES verdicts and ingests', async () => {
    const reads: string[] = [];
    const h = createHandler(async () => ({
      bucket: 'raw-bucket',
      prefix: 'inbound/',
      log: () => {},
      readRaw: async (b, k) => {
        reads.push(`${b}/${k}`);
        return replyRaw();
      },
      ingest: (raw, env) => ingestMail(deps, raw, env),
    }));
    const out = await h(event({ type: 'Lambda', functionArn: 'arn' }));
    expect(reads).toEqual(['raw-bucket/inbound/abc123']);
    expect(out.results[0]).toMatchObject({ letterId: L, kind: 'reply', held: false });
    const ev = (await deps.events.stream(`letter:${L}`))[0]!;
    expect(ev.data.auth).toEqual({ spf: 'pass', dkim: 'none', dmarc: 'temperror', source: 'ses' });
    expect(ev.at).toBe('2026-11-24T02:16:00.000Z');
  });

  it('throws on a storage failure so Lambda retries; drops a refused mail with a log line', async () => {
    const logs: string[] = [];
    const failing = createHandler(async () => ({
      bucket: 'b', prefix: '', log: (m) => logs.push(m),
      readRaw: async () => { throw new Error('S3 down'); },
      ingest: (raw, env) => ingestMail(deps, raw, env),
    }));
    await expect(failing(event({ type: 'S3', bucketName: 'x', objectKey: 'y' }))).rejects.toThrow('S3 down');
    const refusing = createHandler(async () => ({
      bucket: 'b', prefix: '', log: (m) => logs.push(m),
      readRaw: async () => Buffer.from('not mail at all'),
      ingest: (raw, env) => ingestMail(deps, raw, env),
    }));
    const out = await refusing(event({ type: 'S3', bucketName: 'x', objectKey: 'y' }));
    expect(out.results[0]).toEqual({ refused: 'not-mail' });
    expect(logs.some((l) => l.includes('mail refused'))).toBe(true);
    await expect(refusing({ Records: [] } as never)).rejects.toThrow(/SES receipt/);
  });
});

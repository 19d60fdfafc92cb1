/**
 * Against Engineer C1's sandbox: a JACT-style site replies by mail (GBK or QP) through our SMTP gateway and on its
 * public list; a TRS-style site replies only on its list. The mail lands on the right letter by its signed reply
 * address; the list poller reads the stated reply time by 查询码.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Letter } from '../../shared/domain/model.ts';
import { replyAddress } from '../../shared/domain/mail/reply-address.ts';
import { startInboundSmtp, type InboundServer } from '../../shared/adapters/mail/smtp-inbound.ts';
import { httpFetcher } from '../../shared/adapters/mail/http-fetch.ts';
import { MemoryEventStore, MemoryLetterFinder, MemoryLetterStore, MemoryMailStore, MemoryObjectStore } from '../../shared/adapters/mail/memory.ts';
import { ingestMail, type IngestDeps, type IngestResult } from '../../shared/app/ingest-mail.ts';
import { discoverReplyListProfile, pollReplyList } from '../../shared/app/reply-lists.ts';
import { ASPNET_SUBMIT_TARGET, EVENTVALIDATION, VIEWSTATE } from '../../sandbox/variants/aspnet.ts';
import { guessReplyListProfile } from '../../shared/domain/reply-lists/profile.ts';
import { startSandbox, type Sandbox } from '../../sandbox/server.ts';

const SECRET = 'sandbox-secret';
const DOMAIN = 'reply.huixin.test';
let now = new Date('2026-11-23T01:30:00Z'); // Monday 09:30 Beijing
const clock = { now: () => now };
let sb: Sandbox;
let smtp: InboundServer;
let deps: IngestDeps & { letters: MemoryLetterStore; events: MemoryEventStore };
const ingested: IngestResult[] = [];

function letter(id: string, siteId: string, queryCode: string): Letter {
  return {
    id, campaignId: 'c1', siteId, channelId: 'ch', ordinal: 1, state: 'submitted',
    plannedAt: '2026-11-23T09:00:00+08:00', submittedAt: now.toISOString(), queryCode,
    replyAddress: replyAddress(id, SECRET, DOMAIN), title: '关于办理居住证需要哪些材料', body: '请问办理居住证需要哪些材料？',
    questionId: 'q1', persona: { name: '张三', phone: '13800138000', email: replyAddress(id, SECRET, DOMAIN) },
    version: 1, updatedAt: now.toISOString(),
  };
}

async function submit(siteKey: string, path: string, fields: Record<string, string>): Promise<string> {
  const url = new URL(sb.consultUrlOf(siteKey));
  url.pathname = url.pathname.replace(/\/[^/]+$/, `/${path}`);
  url.search = '';
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
  expect(res.status).toBe(200);
  const post = sb.posts(siteKey).at(-1)!;
  expect(post.queryCode).toBeTruthy();
  return post.queryCode!;
}

beforeAll(async () => {
  const letters = new MemoryLetterStore();
  deps = {
    letters,
    finder: new MemoryLetterFinder(letters, () => []),
    mails: new MemoryMailStore(),
    events: new MemoryEventStore(),
    objects: new MemoryObjectStore(),
    clock,
    replySecret: SECRET,
    mailDomain: DOMAIN,
    log: () => {},
  };
  smtp = await startInboundSmtp({ mailDomain: DOMAIN, clock: () => now, onMail: async (raw, env) => ingested.push(await ingestMail(deps, raw, env)) });
  sb = await startSandbox({
    sites: [
      { key: 'jact1', variant: 'jact', reply: { reply: { afterWorkingDays: 1 }, via: 'both', ackFirst: true }, mailStyle: 'gbk' },
      { key: 'trs1', variant: 'trs', reply: { reply: 'same-day', via: 'list' } },
      { key: 'asp1', variant: 'aspnet', reply: { reply: 'same-day', via: 'list' } },
    ],
    clock,
    smtp: { host: '127.0.0.1', port: smtp.port },
  });
});

afterAll(async () => {
  await sb?.close();
  await smtp?.close();
});

describe('replies from the sandbox', () => {
  it('JACT site: the auto-ack and the GBK reply mail reach the letter by its reply address; the list shows the stated time', async () => {
    const email = replyAddress('lsbjact1', SECRET, DOMAIN);
    const code = await submit('jact1', 'mailsubmit.do', { xm: '张三', lxdh: '13800138000', yx: email, xjlx: '咨询', sfgk: '是', bt: '关于办理居住证需要哪些材料', nr: '请问办理居住证需要哪些材料？' });
    await deps.letters.putLetters([letter('lsbjact1', 'jact1', code)]);
    now = new Date('2026-11-24T03:00:00Z'); // Tuesday 11:00 Beijing: ack and reply are both due
    await sb.tick(now);
    const kinds = ingested.filter((r) => r.letterId === 'lsbjact1').map((r) => r.kind).sort();
    expect(kinds).toEqual(['auto-ack', 'reply']);
    expect(ingested.every((r) => r.match === 'reply-address')).toBe(true);
    const l = await deps.letters.getLetter('lsbjact1');
    expect(l!.firstReply).toMatchObject({ source: 'mail', precision: 'instant' });

    const profile = guessReplyListProfile(sb.consultUrlOf('jact1'));
    expect(profile?.platform).toBe('jact');
    const polled = await pollReplyList({ ...deps, fetch: httpFetcher({ allowPrivateHosts: true }) }, l!, profile!);
    expect(polled).toMatchObject({ found: true, recorded: true });
    expect(polled.entry!.repliedAt).toMatch(/^2026-11-24T10:30:00\+08:00$/);
    // The mail came at 11:00 (when we ticked); the list states 10:30 — earlier, so the list now decides.
    expect((await deps.letters.getLetter('lsbjact1'))!.firstReply).toMatchObject({ source: 'reply-list', at: '2026-11-24T10:30:00+08:00' });
  });

  it('TRS site: a list-only same-day reply is found by 查询码 on the query page', async () => {
    now = new Date('2026-11-25T01:00:00Z'); // Wednesday 09:00
    const code = await submit('trs1', 'submit.jsp', { name: '李四', tel: '13800138001', email: 'li@example.com', lettertype: '咨询', title: '关于社保卡补办', content: '社保卡丢了怎么补办？', isopen: '是' });
    const l = { ...letter('lsbtrs1', 'trs1', code), title: '关于社保卡补办' };
    await deps.letters.putLetters([l]);
    now = new Date('2026-11-25T06:00:00Z');
    await sb.tick(now);
    const profile = guessReplyListProfile(sb.consultUrlOf('trs1'));
    expect(profile?.platform).toBe('trs');
    const polled = await pollReplyList({ ...deps, fetch: httpFetcher({ allowPrivateHosts: true }) }, l, profile!);
    expect(polled).toMatchObject({ found: true, recorded: true });
    expect(polled.entry!.precision).toBe('instant');
    expect(polled.entry!.repliedAt!.startsWith('2026-11-25T')).toBe(true);
    expect(polled.entry!.content).toContain('来信收悉');
  });

  it('ASP.NET site: the reply is looked up through its postback form (page state and session cookie), found from its pages', async () => {
    now = new Date('2026-11-26T01:00:00Z'); // Thursday 09:00
    const P = 'ctl00$ContentPlaceHolder1$';
    const code = await submit('asp1', 'LeaderMail.aspx', {
      __EVENTTARGET: ASPNET_SUBMIT_TARGET, __EVENTARGUMENT: '', __VIEWSTATE: VIEWSTATE, __EVENTVALIDATION: EVENTVALIDATION,
      [`${P}txtName`]: '王五', [`${P}txtMobile`]: '13800138002', [`${P}txtEmail`]: 'wang@example.com', [`${P}ddlDept`]: '市民政局',
      [`${P}ddlType`]: '咨询', [`${P}txtTitle`]: '关于低保申请', [`${P}txtContent`]: '请问低保申请需要什么材料？',
    });
    const l = { ...letter('lsbasp1', 'asp1', code), title: '关于低保申请' };
    await deps.letters.putLetters([l]);
    now = new Date('2026-11-26T07:00:00Z');
    await sb.tick(now);
    // a code in the URL finds nothing on this site: only the form does
    expect(await (await fetch(`${sb.consultUrlOf('asp1').replace(/LeaderMail\.aspx.*$/, 'MailQuery.aspx')}?code=${code}`)).text()).not.toContain('关于低保申请');
    const fetcher = httpFetcher({ allowPrivateHosts: true });
    const profile = await discoverReplyListProfile(fetcher, sb.consultUrlOf('asp1'));
    expect(profile?.queryPage).toMatch(/\/Web\/MailQuery\.aspx$/);
    const polled = await pollReplyList({ ...deps, fetch: fetcher }, l, { queryPage: profile!.queryPage! });
    expect(polled).toMatchObject({ found: true, recorded: true });
    expect(polled.url).toMatch(/\/Web\/MailQuery\.aspx$/);
    expect(polled.entry!.content).toContain('来信收悉'); // the answer itself: only the looked-up detail shows it
    expect(polled.entry!.repliedAt).toBe('2026-11-26'); // this site states dates only
  });
});

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Letter } from '../../shared/domain/model.ts';
import { replyAddress } from '../../shared/domain/mail/reply-address.ts';
import { openLocalStores, type OpenStores } from '../../shared/local/runtime.ts';
import { startInboundSmtp, type InboundServer } from '../../shared/adapters/mail/smtp-inbound.ts';
import { mailDeps } from '../../shared/adapters/mail/wiring.ts';
import { MemoryObjectStore } from '../../shared/adapters/mail/memory.ts';
import { ingestMail, type Envelope, type IngestResult } from '../../shared/app/ingest-mail.ts';

const SECRET = 'integration-secret';
const DOMAIN = 'reply.huixin.test';
const run = promisify(execFile);

function letter(id: string): Letter {
  return {
    id,
    campaignId: 'c1',
    siteId: '4401000001',
    channelId: 'ch1',
    ordinal: 1,
    state: 'submitted',
    plannedAt: '2026-11-23T09:00:00+08:00',
    submittedAt: '2026-11-23T09:30:00+08:00',
    deadlineAt: '2026-11-24T23:59:59+08:00',
    replyAddress: replyAddress(id, SECRET, DOMAIN),
    title: '关于办理居住证需要哪些材料',
    body: '请问办理居住证需要哪些材料？',
    questionId: 'q1',
    persona: { name: '张三', phone: '13800000000', email: 'x@y.z' },
    version: 1,
    updatedAt: '2026-11-23T09:30:00+08:00',
  };
}

let stores: OpenStores;
let smtp: InboundServer;
const results: IngestResult[] = [];
const objects = new MemoryObjectStore();

beforeAll(async () => {
  stores = await openLocalStores({ inMemory: true });
  await stores.letters.putLetters([letter('l01kqzsmtp0001aaaa'), letter('l01kqzsmtp0002bbbb')]);
  const deps = mailDeps(stores, { replySecret: SECRET, mailDomain: DOMAIN, maxBytes: 200_000 }, { objects });
  deps.log = () => {};
  smtp = await startInboundSmtp({
    mailDomain: DOMAIN,
    maxBytes: 200_000,
    onMail: async (raw, envelope) => results.push(await ingestMail(deps, raw, envelope)),
  });
});

afterAll(async () => {
  await smtp?.close();
  await stores?.close();
});

function transport() {
  return nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true, tls: { rejectUnauthorized: false } });
}

describe('inbound SMTP → ingest', () => {
  it('a reply sent by nodemailer to the exact reply address reaches the right letter and sets its first reply', async () => {
    const to = replyAddress('l01kqzsmtp0002bbbb', SECRET, DOMAIN);
    await transport().sendMail({
      from: '"广州市政务服务数据管理局" <xxgk@gz.gov.cn>',
      to,
      subject: '回复：关于办理居住证需要哪些材料',
      text: '您好，来信收悉。办理居住证需携带居民身份证、近期免冠照片和住所证明，到居住地派出所申请，十五个工作日内发证。',
    });
    const r = results.at(-1)!;
    expect(r).toMatchObject({ letterId: 'l01kqzsmtp0002bbbb', match: 'reply-address', kind: 'reply', held: false });
    expect(r.auth.source).toBe('mailauth');
    const l = await stores.letters.getLetter('l01kqzsmtp0002bbbb');
    expect(l!.firstReply).toMatchObject({ source: 'mail', precision: 'instant', eventId: r.eventId });
    const events = await stores.events.stream('letter:l01kqzsmtp0002bbbb');
    expect(events.map((e) => e.type)).toEqual(['reply.seen']);
    expect((await stores.letters.getLetter('l01kqzsmtp0001aaaa'))!.firstReply).toBeUndefined();
  });

  it('a forged mac lands in the holding pen (DynamoDB-backed) and not on any letter', async () => {
    const forged = `r-l01kqzsmtp0001aaaa-0000000000@${DOMAIN}`;
    await transport().sendMail({ from: 'someone@example.com', to: forged, subject: '你好', text: '这是一封伪造地址的邮件，内容足够长，看起来像是一封回复但不是。' });
    const r = results.at(-1)!;
    expect(r.held).toBe(true);
    const held = await mailDeps(stores, { replySecret: SECRET, mailDomain: DOMAIN, maxBytes: 1 }, { objects }).mails.listHeld();
    expect(held.map((m) => m.id)).toContain(r.mailId);
    expect(await stores.events.stream('letter:l01kqzsmtp0001aaaa')).toEqual([]);
  });

  it('refuses mail for other domains and mail over the size limit', async () => {
    await expect(transport().sendMail({ from: 'a@b.c', to: 'someone@elsewhere.test', subject: 'x', text: 'x' })).rejects.toThrow(/550|relay/i);
    const before = results.length;
    await expect(
      transport().sendMail({ from: 'a@b.c', to: replyAddress('l01kqzsmtp0001aaaa', SECRET, DOMAIN), subject: 'big', text: 'x'.repeat(300_000) }),
    ).rejects.toThrow(/552|size/i);
    expect(results.length).toBe(before);
  });
});

describe('inbound SMTP with the office\'s certificate (serve --smtp-tls-key/--smtp-tls-cert)', () => {
  it('offers STARTTLS and takes a reply over TLS; without a certificate it offers none', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'huixin-smtp-tls-'));
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', `/CN=mx.${DOMAIN}`]);
    const received: Envelope[] = [];
    const tls = await startInboundSmtp({
      mailDomain: DOMAIN,
      tls: { key: await readFile(key), cert: await readFile(cert) },
      onMail: async (_raw, envelope) => received.push(envelope),
    });
    try {
      const to = replyAddress('l01kqzsmtp0001aaaa', SECRET, DOMAIN);
      // requireTLS: the client refuses to send unless STARTTLS is offered and succeeds, as a careful MTA does
      const over = (port: number) =>
        nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, requireTLS: true, tls: { rejectUnauthorized: false } }).sendMail({ from: 'xxgk@gz.gov.cn', to, subject: '回复', text: '您好' });
      const info = await over(tls.port);
      expect(info.response).toMatch(/^250/);
      expect(received).toEqual([expect.objectContaining({ rcptTo: [to] })]);
      await expect(over(smtp.port)).rejects.toThrow(/STARTTLS/i); // no certificate given: no STARTTLS offered
    } finally {
      await tls.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('huixin mail parse (CLI, child process)', () => {
  it('prints JSON with kind, letter from the signed To address, and exits 0; a non-mail file exits 2 with one line', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'huixin-mail-'));
    try {
      const raw = (await readFile(new URL('../fixtures/mail/reply-gbk-base64.eml', import.meta.url))).toString('latin1');
      const file = path.join(dir, 'r.eml');
      await writeFile(file, raw.replace('r-l01kqz8m3n4abcdefgh-0123456789@reply.huixin.test', replyAddress('l01kqzsmtp0001aaaa', SECRET, DOMAIN)), 'latin1');
      const env = { ...process.env, HUIXIN_REPLY_SECRET: SECRET, HUIXIN_MAIL_DOMAIN: DOMAIN };
      const bin = path.resolve('bin/huixin.js');
      const { stdout } = await run(process.execPath, [bin, 'mail', 'parse', file, '--json'], { env });
      const out = JSON.parse(stdout) as Record<string, unknown>;
      expect(out).toMatchObject({ kind: 'reply', letter: 'l01kqzsmtp0001aaaa', from: 'xxgk@gz.gov.cn', date: '2026-11-24T02:15:00.000Z', forwarded: null });
      expect(out.subject).toBe('回复：关于办理居住证需要哪些材料的咨询');
      expect(Array.isArray(out.reasons)).toBe(true);
      const noSecret = await run(process.execPath, [bin, 'mail', 'parse', file, '--json'], { env: { ...process.env, HUIXIN_REPLY_SECRET: '' } });
      expect(JSON.parse(noSecret.stdout).letter).toBeNull();
      const bad = path.join(dir, 'bad.eml');
      await writeFile(bad, 'just some text\nnot a mail\n');
      const err = await run(process.execPath, [bin, 'mail', 'parse', bad, '--json'], { env }).catch((e: { code: number; stderr: string }) => e);
      expect((err as { code: number }).code).toBe(2);
      expect((err as { stderr: string }).stderr.trim().split('\n')).toHaveLength(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('huixin mail ingest / held / discard and letters show (CLI on the embedded store)', () => {
  it('ingests a reply onto its letter, holds spam, lists and discards it, and shows the letter’s timeline and verdict', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'huixin-mail-cli-'));
    try {
      const local = await openLocalStores({ dataDir: dir });
      await local.letters.putLetters([letter('l01kqzcli00001aaaa')]);
      await local.close();
      const env = { ...process.env, HUIXIN_DATA_DIR: dir, HUIXIN_REPLY_SECRET: SECRET, HUIXIN_MAIL_DOMAIN: DOMAIN, HUIXIN_STORE: 'embedded', DYNAMODB_ENDPOINT: '' };
      const bin = path.resolve('bin/huixin.js');
      const cli = (...args: string[]) => run(process.execPath, [bin, ...args], { env });
      const raw = (await readFile(new URL('../fixtures/mail/reply-gbk-base64.eml', import.meta.url))).toString('latin1');
      const replyFile = path.join(dir, 'reply.eml');
      await writeFile(replyFile, raw.replace('r-l01kqz8m3n4abcdefgh-0123456789@reply.huixin.test', replyAddress('l01kqzcli00001aaaa', SECRET, DOMAIN)), 'latin1');
      const matched = JSON.parse((await cli('mail', 'ingest', replyFile, '--json')).stdout) as IngestResult;
      expect(matched).toMatchObject({ letterId: 'l01kqzcli00001aaaa', match: 'reply-address', kind: 'reply' });

      const spam = JSON.parse((await cli('mail', 'ingest', 'test/fixtures/mail/spam-invoice.eml', '--json')).stdout) as IngestResult;
      expect(spam).toMatchObject({ held: true, kind: 'other' });
      const held = JSON.parse((await cli('mail', 'held', '--json')).stdout) as Array<{ id: string }>;
      expect(held.map((m) => m.id)).toEqual([spam.mailId]);
      expect((await cli('mail', 'discard', spam.mailId, '--staff', 'wang')).stdout).toContain('discarded');

      const shown = JSON.parse((await cli('letters', 'show', 'l01kqzcli00001aaaa', '--json', '--as-of', '2026-11-30T00:00:00+08:00')).stdout) as {
        judgement: { verdict: string };
        reply: { source: string };
        entries: Array<{ type: string }>;
      };
      expect(shown.reply.source).toBe('mail');
      expect(shown.entries.map((e) => e.type)).toEqual(['reply.seen']);
      expect(['same-day', 'on-time', 'late']).toContain(shown.judgement.verdict);
      const missing = await cli('letters', 'show', 'nosuchletter').catch((e: { code: number }) => e);
      expect((missing as { code: number }).code).toBe(2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

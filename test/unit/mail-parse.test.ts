import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { parseMail, precheckRaw, DEFAULT_MAIL_LIMITS } from '../../shared/adapters/mail/parse.ts';
import { MailRejectedError } from '../../shared/domain/mail/errors.ts';

const fx = (name: string) => readFileSync(new URL(`../fixtures/mail/${name}`, import.meta.url));
const quiet = { log: () => {} };

describe('parseMail', () => {
  it('decodes a GBK base64 body and a GB2312 RFC 2047 subject and From name', async () => {
    const m = await parseMail(fx('reply-gbk-base64.eml'), quiet);
    expect(m.subject).toBe('回复：关于办理居住证需要哪些材料的咨询');
    expect(m.from).toEqual({ address: 'xxgk@gz.gov.cn', name: '广州市政务服务数据管理局' });
    expect(m.text).toContain('合法稳定住所证明');
    expect(m.date).toBe('2026-11-24T02:15:00.000Z');
    expect(m.messageId).toBe('<20261124101500.1@gz.gov.cn>');
    expect(m.inReplyTo).toBe('<sent-1@huixin.test>');
    expect(m.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('decodes quoted-printable UTF-8 and a GB2312 quoted-printable body', async () => {
    expect((await parseMail(fx('reply-qp-utf8.eml'), quiet)).text).toContain('制卡周期一般为7个工作日');
    const ack = await parseMail(fx('ack-gb2312-qp-xautoreply.eml'), quiet);
    expect(ack.text).toContain('已收到您的来信');
    expect(ack.headers.xAutoreply).toBe('yes');
  });

  it('turns HTML-only GB18030 mail into text without the contents of <script> and <style>, keeping the HTML flagged unsafe', async () => {
    const m = await parseMail(fx('reply-html-only.eml'), quiet);
    expect(m.subject).toBe('关于您来信的答复');
    expect(m.text).toContain('婚姻登记可通过“天府通办”平台提前7日预约');
    expect(m.text).not.toContain('STOLEN-COOKIE');
    expect(m.text).not.toContain('font-family');
    expect(m.text).not.toContain('alert');
    expect(m.html?.unsafe).toBe(true);
    expect(m.html?.content).toContain('<script');
  });

  it('keeps attachments with sha256 and size, and References as a list', async () => {
    const m = await parseMail(fx('reply-attachment.eml'), quiet);
    expect(m.attachments).toHaveLength(1);
    expect(m.attachments[0]).toMatchObject({ filename: 'dafu.pdf', contentType: 'application/pdf' });
    expect(m.attachments[0]!.size).toBe(Buffer.from('%PDF-1.4\n% huixin test attachment\n').length);
    expect(m.attachments[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(m.references).toEqual(['<sent-0@huixin.test>', '<sent-1@huixin.test>']);
    expect(m.cc).toContain('r-l01kqz8m3n4abcdefgh-0123456789@reply.huixin.test');
  });

  it('reads the headers that matter: multipart/report, Auto-Submitted, Return-Path', async () => {
    const m = await parseMail(fx('bounce-dsn.eml'), quiet);
    expect(m.headers.contentType).toBe('multipart/report');
    expect(m.headers.reportType).toBe('delivery-status');
    expect(m.headers.autoSubmitted).toBe('auto-replied');
    const r = await parseMail(fx('reply-gbk-base64.eml'), quiet);
    expect(r.returnPath).toBe('xxgk@gz.gov.cn');
  });

  it('refuses a 40 MB mail before parsing, with a typed error that is logged', async () => {
    const big = Buffer.alloc(40 * 1024 * 1024, 0x41);
    Buffer.from('From: a@b.c\r\nSubject: big\r\n\r\n').copy(big);
    const logged: string[] = [];
    const err = await parseMail(big, { log: (m) => logged.push(m) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MailRejectedError);
    expect((err as MailRejectedError).reason).toBe('too-large');
    expect(logged[0]).toMatch(/too-large/);
  });

  it('honours a configurable size limit', async () => {
    await expect(parseMail(fx('reply-gbk-base64.eml'), { ...quiet, limits: { maxBytes: 100 } })).rejects.toMatchObject({ reason: 'too-large' });
  });

  it('refuses MIME bombs: too many parts and too deep nesting', () => {
    let many = 'From: a@b.c\r\nContent-Type: multipart/mixed; boundary="B"\r\n\r\n';
    for (let i = 0; i < 500; i++) many += '--B\r\nContent-Type: text/plain\r\n\r\nx\r\n';
    many += '--B--\r\n';
    expect(() => precheckRaw(Buffer.from(many))).toThrow(/more than 200 MIME parts/);
    let deep = 'From: a@b.c\r\nContent-Type: multipart/mixed; boundary="B0"\r\n\r\n';
    for (let i = 1; i < 30; i++) deep += `--B${i - 1}\r\nContent-Type: multipart/mixed; boundary="B${i}"\r\n\r\n`;
    deep += '--B29\r\nContent-Type: text/plain\r\n\r\nx\r\n';
    expect(() => precheckRaw(Buffer.from(deep), DEFAULT_MAIL_LIMITS)).toThrow(/deeper than 10/);
  });

  it('refuses a mail whose decoded parts exceed the decoded-size limit', async () => {
    await expect(parseMail(fx('reply-attachment.eml'), { ...quiet, limits: { maxDecodedBytes: 100 } })).rejects.toMatchObject({ reason: 'mime-bomb' });
  });

  it('gives no date for an unreadable Date header, the same on every parse (mailparser would say "now")', async () => {
    const raw = Buffer.from('From: a@gz.gov.cn\r\nTo: b@reply.huixin.test\r\nSubject: x\r\nDate: Tue, 24 Nov 2026 10:100:00 +0800\r\nMessage-ID: <d@gz.gov.cn>\r\n\r\n答复\r\n');
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(new Date('2026-11-24T03:00:00Z'));
      const a = await parseMail(raw, quiet);
      vi.setSystemTime(new Date('2026-11-25T03:00:00Z'));
      const b = await parseMail(raw, quiet);
      expect(a.date).toBeNull();
      expect(b).toEqual(a);
    } finally {
      vi.useRealTimers();
    }
    const folded = Buffer.from('From: a@gz.gov.cn\r\nSubject: x\r\nDate: Tue, 24 Nov 2026\r\n 10:15:00 +0800\r\n\r\nx\r\n');
    expect((await parseMail(folded, quiet)).date).toBe('2026-11-24T02:15:00.000Z');
  });

  it('refuses a file that is not mail', async () => {
    await expect(parseMail(fx('not-mail.eml'), quiet)).rejects.toMatchObject({ reason: 'not-mail' });
    await expect(parseMail(Buffer.from('hello world\n'), quiet)).rejects.toBeInstanceOf(MailRejectedError);
  });
});

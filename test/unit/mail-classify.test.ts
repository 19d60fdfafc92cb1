import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { parseMail } from '../../shared/adapters/mail/parse.ts';
import { classifyMail, substantiveText, type MailKind } from '../../shared/domain/mail/classify.ts';

const dir = new URL('../fixtures/mail/', import.meta.url);
const EXPECTED: Record<string, MailKind> = {
  'reply-gbk-base64.eml': 'reply',
  'reply-qp-utf8.eml': 'reply',
  'reply-polite-quoted.eml': 'reply',
  'reply-html-only.eml': 'reply',
  'reply-attachment.eml': 'reply',
  'reply-system-footer.eml': 'reply',
  'ack-auto-submitted.eml': 'auto-ack',
  'ack-gb2312-qp-xautoreply.eml': 'auto-ack',
  'ack-polite-only.eml': 'auto-ack',
  'ack-html-script.eml': 'auto-ack',
  'bounce-dsn.eml': 'bounce',
  'bounce-chinese.eml': 'bounce',
  'ooo-chinese.eml': 'out-of-office',
  'ooo-english.eml': 'out-of-office',
  'spam-invoice.eml': 'other',
  'spam-advert.eml': 'other',
};

async function classifyFile(name: string) {
  const m = await parseMail(readFileSync(new URL(name, dir)), { log: () => {} });
  return classifyMail({ ...m, from: m.from?.address ?? null, sender: m.sender?.address ?? null });
}

describe('classifyMail on the hand-written corpus', () => {
  it('has an expectation for every fixture', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.eml') && f !== 'not-mail.eml');
    expect(files.sort()).toEqual(Object.keys(EXPECTED).sort());
  });
  for (const [file, kind] of Object.entries(EXPECTED)) {
    it(`classifies ${file} as ${kind}, with reasons`, async () => {
      const c = await classifyFile(file);
      expect(c.kind).toBe(kind);
      expect(c.reasons.length).toBeGreaterThan(0);
    });
  }
});

describe('classifyMail rules', () => {
  const base = { from: 'x@gov.cn', headers: { contentType: 'text/plain' } };
  it('a polite opening followed by an answer is a reply; the same opening alone is an auto-ack', () => {
    const reply = classifyMail({ ...base, subject: 'Re: 咨询', text: '您好，来信收悉。办理居住证需携带身份证、照片和租房合同到社区服务站申请，十五个工作日内发证。' });
    expect(reply.kind).toBe('reply');
    expect(reply.reasons).toContain('text:ack:来信收悉');
    const ack = classifyMail({ ...base, subject: 'Re: 咨询', text: '您好，来信收悉。我们将尽快处理，请耐心等待。谢谢！' });
    expect(ack.kind).toBe('auto-ack');
  });
  it('quoted text and signatures do not count as an answer', () => {
    const text = '您的来信已收悉，我们将尽快处理。\n-- \n某某局 电话12345678 地址某某路一号办公楼三楼\n> 请问居住证怎么办理需要哪些材料在哪里办理多久能拿到';
    expect(substantiveText(text)).toBe('');
    expect(classifyMail({ ...base, subject: '', text }).kind).toBe('auto-ack');
  });
  it('an auto-submitted mail that carries the actual answer is a reply (systems mail their replies)', () => {
    const c = classifyMail({
      ...base,
      subject: '办结通知',
      text: '答复内容：新生儿落户可在出生后一个月内持出生医学证明和户口簿到派出所办理。此邮件为系统自动发送，请勿直接回复。',
      headers: { contentType: 'text/plain', autoSubmitted: 'auto-generated' },
    });
    expect(c.kind).toBe('reply');
  });
  it('counts letters and digits of any script as substantive (Latin, Greek, CJK Extension B), punctuation and blanks not', () => {
    const kind = (text: string) => classifyMail({ ...base, subject: '', text }).kind;
    // 20 letters/digits is an answer, 19 is not: ASCII, accented Latin, Greek, astral ideographs (one each, not two).
    expect(kind('Ab1 éΩ𠀀𠀁，。！ xyz 234 ÀÉ ΨΛ 𠀂 𠀃𠀄')).toBe('reply');
    expect(kind('Ab1 éΩ𠀀𠀁，。！ xyz 234 ÀÉ ΨΛ 𠀂 𠀃')).toBe('other');
  });
  it('vacation wording without an automatic signal is not out-of-office (a reply may discuss 年假)', () => {
    const c = classifyMail({ ...base, subject: 'Re: 年休假咨询', text: '您好，职工累计工作已满1年不满10年的，年休假5天；已满10年不满20年的，年休假10天。' });
    expect(c.kind).toBe('reply');
  });
});

describe('classifyMail properties', () => {
  const ackLines = ['您好，来信收悉。', '您的来信已收到，我们将尽快处理。', '请耐心等待。', '此邮件为系统自动发送，请勿直接回复。', '感谢您对我们工作的支持！', '谢谢！'];
  const question = fc.stringMatching(/^[\u4e00-\u9fa5]{10,200}$/);
  test.prop([fc.subarray(ackLines, { minLength: 1 }), question])(
    'acknowledgement boilerplate plus any quoted original is never a reply',
    (acks, q) => {
      const text = `${acks.join('\n')}\n\n-----Original Message-----\n${q}\n> ${q}`;
      expect(classifyMail({ subject: 'Re: 咨询', text, from: 'x@gov.cn', headers: { contentType: 'text/plain' } }).kind).not.toBe('reply');
    },
  );
  test.prop([fc.subarray(ackLines, { minLength: 1 }), fc.stringMatching(/^[\u4e00-\u9fa5]{30,200}$/)])(
    'the same boilerplate followed by a substantive answer is a reply',
    (acks, answer) => {
      const text = `${acks[0]}\n${answer}。\n${acks.slice(1).join('\n')}`;
      expect(classifyMail({ subject: 'Re: 咨询', text, from: 'x@gov.cn', headers: { contentType: 'text/plain' } }).kind).toBe('reply');
    },
  );
});

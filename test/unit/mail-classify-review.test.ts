/**
 * Mail as real Chinese government systems and mail servers send it, written by a reviewer who had not seen the
 * classifier (test/fixtures/mail/review): Coremail / Exchange / QQ / 163 auto-replies, Chinese NDRs, read receipts,
 * system mails that carry the real answer, acknowledgements that echo the letter, replies sent as a document.
 * Each expectation is the domain's (only a real answer is a `reply`), not the code's.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMail } from '../../shared/adapters/mail/parse.ts';
import { classifyParsedMail } from '../../shared/app/ingest-mail.ts';
import type { MailKind } from '../../shared/domain/mail/classify.ts';

const dir = new URL('../fixtures/mail/review/', import.meta.url);

const EXPECTED: Record<string, { kind: MailKind; why: string }> = {
  '163-autoreply.eml': { kind: 'auto-ack', why: '自动回复 subject, a promise to verify and answer within three working days' },
  'ack-echo-multiline-letter.eml': { kind: 'auto-ack', why: 'the echoed 信件内容 runs over several lines: the citizen’s words, not an answer' },
  'ack-long-standard-text.eml': { kind: 'auto-ack', why: 'Auto-Submitted, "已进入办理流程… 5个工作日内…答复", no answer' },
  'coremail-autoreply.eml': { kind: 'auto-ack', why: '自动回复 subject, "您的邮件我已收到…第一时间处理"' },
  'coremail-fasongshibai.eml': { kind: 'bounce', why: 'postmaster, 发送失败' },
  'coremail-tuixin.eml': { kind: 'bounce', why: '系统退信' },
  'dsn-delayed.eml': { kind: 'other', why: 'a delivery-status report that only says "Action: delayed": not a failure' },
  'exchange-ndr-chinese.eml': { kind: 'bounce', why: 'Exchange NDR in Chinese as multipart/mixed: 未能送达, 550 5.1.10' },
  'exchange-ndr-report.eml': { kind: 'bounce', why: 'Exchange NDR as multipart/report' },
  'exchange-ooo-chinese.eml': { kind: 'out-of-office', why: '自动答复, "本人…在外地学习，期间不能及时查看邮件"' },
  'foxmail-polite-reply-qp-gbk.eml': { kind: 'reply', why: 'a polite opening, then the answer, then the quoted letter' },
  'outlook-automatic-reply.eml': { kind: 'out-of-office', why: '"Automatic reply:", "currently traveling… when I return"' },
  'outlook-html-ack-quote.eml': { kind: 'auto-ack', why: 'an acknowledgement above an Outlook quote header block' },
  'pdf-only-multipart.eml': { kind: 'reply', why: 'an empty text part and 答复函.pdf: the reply is the document' },
  'pdf-only-singlepart.eml': { kind: 'reply', why: 'the whole mail is 答复函.pdf' },
  'postfix-dsn-chinese.eml': { kind: 'bounce', why: 'postfix DSN, MAILER-DAEMON' },
  'qq-exmail-holiday.eml': { kind: 'out-of-office', why: 'X-Autoreply and a holiday note' },
  'read-receipt-mdn.eml': { kind: 'other', why: 'a read receipt (disposition-notification) is no answer' },
  'referral-only.eml': { kind: 'auto-ack', why: '"已…转交…调查处理，处理结果将由承办单位直接答复您": says who will answer, answers nothing' },
  'referral-plus-answer.eml': { kind: 'reply', why: 'a referral notice that also answers' },
  'reply-dashed-separator.eml': { kind: 'reply', why: 'the answer framed by lines of dashes (not a quote separator)' },
  'reply-subject-with-bounce-words.eml': { kind: 'reply', why: '"Re: 关于快递无法投递…" names the letter; bounce words in the quote' },
  'rfc2231-filename-see-attachment.eml': { kind: 'reply', why: '"答复意见详见附件" with the 答复函 PDF' },
  'rfc822-ack-with-original.eml': { kind: 'auto-ack', why: 'an acknowledgement with the original attached' },
  'rfc822-reply-with-original.eml': { kind: 'reply', why: 'an answer with the original attached' },
  'spam-kaipiao.eml': { kind: 'other', why: '增值税专用票, 税点, V信' },
  'spam-loan.eml': { kind: 'other', why: '低息贷款, 放款, 月息, 微信同号: "请咨询王经理" is no answer' },
  'system-reply-about-leave.eml': { kind: 'reply', why: 'a system-mailed answer about 带薪年休假 (Auto-Submitted, Precedence: bulk)' },
  'system-reply-fajianren-field.eml': { kind: 'reply', why: 'a 发件人 field at the top of a system reply, not a quote header' },
  'system-reply-waichu.eml': { kind: 'reply', why: 'subject 自动回复, but "答复如下" about 外出务工人员' },
  'html-ack-blockquote-letter.eml': { kind: 'auto-ack', why: 'an HTML acknowledgement with the letter in a <blockquote>' },
  'html-ack-textarea-echo.eml': { kind: 'auto-ack', why: 'a JACT-style HTML acknowledgement with the letter in a <textarea>' },
  'html-unclosed-head.eml': { kind: 'reply', why: 'an HTML answer whose <head> is never closed' },
  'nocharset-8bit-gbk.eml': { kind: 'reply', why: 'an 8-bit GBK answer with no charset label, decoded as GB18030' },
  'plain-placeholder-html-ack.eml': { kind: 'auto-ack', why: 'a "此邮件为HTML格式" text part; the HTML part is an acknowledgement' },
  'uuencode-inline-answer.eml': { kind: 'reply', why: '"依申请公开答复书见附件" with the answer uuencoded inline (dfs.txt)' },
  'tnef-winmail.eml': { kind: 'reply', why: 'Outlook’s winmail.dat holds the whole message: a document, not nothing' },
};

describe('classification of the review corpus', () => {
  it('has an expectation for every file', () => {
    expect(readdirSync(dir).filter((f) => f.endsWith('.eml')).sort()).toEqual(Object.keys(EXPECTED).sort());
  });
  for (const [file, { kind, why }] of Object.entries(EXPECTED)) {
    it(`${file} is ${kind}: ${why}`, async () => {
      const c = classifyParsedMail(await parseMail(readFileSync(new URL(file, dir)), { log: () => {} }));
      expect(c.kind, c.reasons.join(' ')).toBe(kind);
    });
  }
});

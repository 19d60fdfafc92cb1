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
  it('"passed to the department" is an acknowledgement, whatever the department is called; the department\'s answer after it is a reply', () => {
    const ack = classifyMail({ ...base, subject: 'Re: 咨询', text: '您好，您的来信已转市公安局办理。请耐心等待。' });
    expect(ack.kind).toBe('auto-ack');
    const ack2 = classifyMail({ ...base, subject: 'Re: 咨询', text: '网友您好！您反映的问题已转至西安市雁塔区城市管理和综合执法局处理。' });
    expect(ack2.kind).toBe('auto-ack');
    const reply = classifyMail({ ...base, subject: 'Re: 咨询', text: '您的来信已转市城管局处理，该局已于11月25日派人清理，现场已恢复整洁，后续将加强巡查。' });
    expect(reply.kind).toBe('reply');
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

describe('classifyMail: automatic mail, quotes, echoes and documents', () => {
  const base = { from: 'x@gov.cn', headers: { contentType: 'text/plain' } };
  const letter = '关于子女入学的咨询\n您好，我是本市居民，想咨询一下外地户籍的子女在本市上小学需要哪些材料？社保需要连续缴纳多久？谢谢！';

  it('an acknowledgement that repeats the letter without a label is not a reply once the letter is known', () => {
    const text = '您好，您的留言已收到。\n您好，我是本市居民，想咨询一下外地户籍的子女在本市上小学需要哪些材料？社保需要连续缴纳多久？谢谢！\n我们将尽快处理。';
    expect(classifyMail({ ...base, subject: '留言提交成功', text }).kind).toBe('reply'); // the letter unknown: its words look like an answer
    const c = classifyMail({ ...base, subject: '留言提交成功', text, letterText: letter });
    expect(c.kind).toBe('auto-ack');
    expect(c.substantive).toBe('');
  });

  it('an answer that quotes part of the letter still counts, its own sentences kept', () => {
    const text = '您好！您咨询的外地户籍子女入学问题，答复如下：需提供户口簿、居住证和父母一方连续缴纳12个月社保的证明，于每年5月在区教育局网站申请。';
    const c = classifyMail({ ...base, subject: 'Re: 关于子女入学的咨询', text, letterText: letter });
    expect(c.kind).toBe('reply');
    expect(c.substantive).toContain('居住证');
  });

  it('an automatic mail with a short text and no mark of an answer is an acknowledgement; with a mark, a reply', () => {
    const auto = { contentType: 'text/plain', autoSubmitted: 'auto-replied' };
    expect(classifyMail({ ...base, headers: auto, subject: '自动回复', text: '本机构收到信息后会安排专人跟进，感谢来函，如需帮助可以访问本单位网站了解。' }).kind).toBe('auto-ack');
    expect(classifyMail({ ...base, headers: auto, subject: '自动回复', text: '经核实，该路段的施工许可已于11月20日到期，已责令施工单位停止夜间作业。' }).kind).toBe('reply');
  });

  it('only the writer’s own absence makes an automatic mail out-of-office', () => {
    const auto = { contentType: 'text/plain', autoSubmitted: 'auto-replied' };
    expect(classifyMail({ ...base, headers: auto, subject: '自动回复', text: '我本周在北京出差，邮件回来后处理。' }).kind).toBe('out-of-office');
    const answer = '答复如下：我局根据《职工带薪年休假条例》规定，职工累计工作已满1年不满10年的，年休假5天。';
    expect(classifyMail({ ...base, headers: auto, subject: '自动回复', text: answer }).kind).toBe('reply');
  });

  it('a line of dashes frames text; a named separator, or a From line followed by the header block, starts a quote', () => {
    const answer = '经市交通局核实，快1线早高峰发车间隔已由5分钟调整为3分钟，自12月1日起执行。';
    expect(classifyMail({ ...base, subject: '办结', text: `办理结果如下：\n${'-'.repeat(40)}\n${answer}\n${'-'.repeat(40)}` }).kind).toBe('reply');
    expect(classifyMail({ ...base, subject: 'Re', text: `您好，来信收悉。\n-----原始邮件-----\n${answer}` }).kind).toBe('auto-ack');
    expect(classifyMail({ ...base, subject: 'Re', text: `您好，来信收悉。\n发件人: a@b.cn\n发送时间: 2026年11月24日\n主题: 咨询\n${answer}` }).kind).toBe('auto-ack');
    expect(classifyMail({ ...base, subject: '已回复', text: `发件人：某某省长信箱\n回复内容：\n${answer}` }).kind).toBe('reply');
  });

  it('a bounce is told by its report, its sender or its subject — not by bounce words a reply quotes or names', () => {
    const answer = '您好，关于您反映的快递无法投递问题，经核实，系快递网点地址登记错误，已督促整改并重新派送。';
    expect(classifyMail({ ...base, subject: 'Re: 关于快递无法投递的投诉', text: `${answer}\n> 快递显示投递失败并退信` }).kind).toBe('reply');
    expect(classifyMail({ ...base, subject: '未能送达: 咨询', text: '传递到这些收件人或组失败' }).kind).toBe('bounce');
    expect(classifyMail({ ...base, from: 'microsoftexchange329e71ec88ae4615bbc36ab6ce41109e@x.gov.cn', subject: '咨询', text: '邮件无法送达' }).kind).toBe('bounce');
  });

  it('a read receipt and a delay notice are neither replies nor bounces', () => {
    expect(classifyMail({ ...base, headers: { contentType: 'multipart/report', reportType: 'disposition-notification' }, subject: '已读: 咨询', text: '您的邮件已于2026年11月25日读取。' }).kind).toBe('other');
    const dsn = { contentType: 'multipart/report', reportType: 'delivery-status' };
    expect(classifyMail({ ...base, from: 'postmaster@x.cn', headers: dsn, subject: 'Delivery Status Notification (Delay)', text: 'Action: delayed\nStatus: 4.4.1' }).kind).toBe('other');
    expect(classifyMail({ ...base, from: 'postmaster@x.cn', headers: dsn, subject: 'Delivery Status Notification', text: 'Action: failed\nStatus: 5.1.1' }).kind).toBe('bounce');
  });

  it('a document answers when the text is empty or points to it; a receipt of acceptance does not', () => {
    const pdf = (filename: string) => [{ filename, contentType: 'application/pdf' }];
    expect(classifyMail({ ...base, subject: '答复', text: '', attachments: pdf('答复函.pdf') }).kind).toBe('reply');
    expect(classifyMail({ ...base, subject: '答复', text: '来信收悉。答复意见详见附件。', attachments: pdf('答复意见.pdf') }).kind).toBe('reply');
    expect(classifyMail({ ...base, subject: '受理', text: '来信收悉。', attachments: pdf('受理回执.pdf') }).kind).toBe('auto-ack');
    // an acknowledgement that carries some document without pointing to it is still an acknowledgement
    expect(classifyMail({ ...base, subject: 'Re', text: '您的来信已收到，我们将尽快处理。', attachments: pdf('a.pdf') }).kind).toBe('auto-ack');
    expect(classifyMail({ ...base, subject: '答复', text: '来信收悉。', attachments: [{ filename: 'logo.png', contentType: 'image/png' }] }).kind).toBe('auto-ack');
    // a scanned signed reply letter, and the 告知书 that answers a 依申请公开 request
    expect(classifyMail({ ...base, subject: '答复', text: '', attachments: [{ filename: '答复函（扫描件）.jpg', contentType: 'image/jpeg' }] }).kind).toBe('reply');
    expect(classifyMail({ ...base, subject: '答复', text: '答复告知书见附件。', attachments: pdf('政府信息公开申请答复告知书.pdf') }).kind).toBe('reply');
  });

  it('spam that invites "请咨询" is still spam; a reply about invoices that answers the letter is a reply', () => {
    expect(classifyMail({ ...base, subject: '低息贷款', text: '本公司办理企业信用贷款，月息低至3厘，当天放款，请咨询王经理13800008888（微信同号）。' }).kind).toBe('other');
    const tax = '您好，您咨询的增值税发票开具问题，答复如下：小规模纳税人可自行开具增值税专用发票，开票时选择征收率3%。';
    expect(classifyMail({ ...base, subject: 'Re: 发票咨询', text: tax }).kind).toBe('reply');
  });
});

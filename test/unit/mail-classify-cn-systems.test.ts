/**
 * Mail as Chinese mail providers and government systems send it, parsed from raw bytes and classified — the second
 * adversarial review: provider bounces that are no multipart/report (阿里邮箱 发信失败, 21CN 退回的邮件, a 退回: prefix),
 * out-of-office notes with no header signal at all (Foxmail, a hand-set note), 12345 hotline notices (受理 with a
 * 工单编号, 交由 / 交办 / 派单, 已办结 with "请登录查看办理结果", 满意度回访), and a system mail whose answer sits under a
 * label line (答复内容：). Each expectation is the domain's: only a real answer is a `reply`. The tests of answers that must
 * stay replies (a 退回 title, a trip mentioned in an answer, a referral clause that says what was done) are guards.
 */
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { parseMail } from '../../shared/adapters/mail/parse.ts';
import { classifyParsedMail } from '../../shared/app/ingest-mail.ts';

const CRLF = '\r\n';
const LETTER = '您好，我想咨询一下办理居住证需要哪些材料？在哪里办理？多长时间可以拿到？谢谢！';
const gbk = (s: string) => iconv.encode(s, 'gbk');
const b64 = (b: Buffer) => b.toString('base64').replace(/(.{76})/g, `$1${CRLF}`);
/** An RFC 2047 encoded word. */
const word = (s: string, cs = 'gbk') => `=?${cs}?B?${iconv.encode(s, cs).toString('base64')}?=`;

/** A mail from a sender, a subject, extra headers and a body (GBK, base64). */
function mail(from: string, subject: string, body: string, headers: string[] = []): Buffer {
  const head = [`From: ${from}`, 'To: r-x@reply.huixin.test', `Subject: ${word(subject)}`, 'Date: Wed, 25 Nov 2026 16:40:12 +0800', 'Message-ID: <cn@mail.gov.cn>', 'MIME-Version: 1.0', ...headers];
  return Buffer.from([...head, 'Content-Type: text/plain; charset=gbk', 'Content-Transfer-Encoding: base64', '', b64(gbk(body)), ''].join(CRLF));
}

const kindOf = async (raw: Buffer) => {
  const c = classifyParsedMail(await parseMail(raw, { log: () => {} }));
  return `${c.kind} ${c.reasons.join(' ')}`;
};

/** Each body, mailed from `from` under `subject`, is classified `kind`. */
async function expectEach(kind: string, from: string, subject: string, bodies: string[]): Promise<void> {
  for (const body of bodies) expect(await kindOf(mail(from, subject, body)), body).toMatch(new RegExp(`^${kind} `));
}

describe('provider bounces that are not multipart/report', () => {
  it('is a bounce by its subject and text, from a sender that is no postmaster, the undelivered letter quoted below', async () => {
    expect(await kindOf(mail('"阿里邮箱" <noreply@service.aliyun.com>', '发信失败通知', `您发送给 a@b.gov.cn 的邮件发信失败，原因：对方服务器拒绝。\n原邮件：\n${LETTER}`))).toMatch(/^bounce /);
    expect(await kindOf(mail('"21CN" <service@21cn.com>', '退回的邮件：咨询', `邮件退回通知\n您的邮件无法送达下列收件人\n${LETTER}`))).toMatch(/^bounce /);
    expect(await kindOf(mail('"Mail System" <system@mail.hz.gov.cn>', '退回：关于居住证的咨询', `邮件未能送达以下收件人：\nx@hz.gov.cn\n${LETTER}`))).toMatch(/^bounce /);
  });

  it('does not take a letter title about returned goods for a bounce: 退回 only as a prefix or 退回的邮件', async () => {
    const answer = '您好，关于多缴社保费退回的问题，经核实，多缴部分将于12月底前原路退回您的社保卡银行账户，无需另行申请。';
    expect(await kindOf(mail('shebao@hz.gov.cn', '关于多缴社保费退回的答复', answer))).toMatch(/^reply /);
  });
});

describe('out-of-office notes', () => {
  it('is out-of-office with no header signal when the text is nothing but the writer’s own absence and return', async () => {
    await expectEach('out-of-office', 'li@abc.gov.cn', 'Re: 咨询', [
      '您好，我目前不在办公室，将于12月1日返回。如有急事，请拨打0571-87654321。',
      '您好！本人于2026年11月23日至2026年12月4日休假，休假期间无法及时处理邮件，将于返岗后尽快回复，谢谢！',
      '我正在出差，暂时无法查看邮件，回来后再与您联系。',
      'I am currently out of the office and will return on Monday 30 November. I will respond to your email when I return.',
    ]);
  });

  it('stays a reply when the writer mentions a trip and answers, or the answer is about leave or trips', async () => {
    await expectEach('reply', 'li@abc.gov.cn', 'Re: 咨询', [
      '您好，我上周出差，回来后才看到您的邮件，抱歉回复晚了。办理居住证需携带身份证、照片和租房合同到社区警务室申请，十五个工作日内发证。',
      '您好，出差期间的伙食补助按每人每天100元包干使用，出差人员返回后凭票据报销住宿费。',
      '您好，职工在年休假期间享受与正常工作期间相同的工资收入，单位不能安排休假的应按日工资的300%支付报酬。',
    ]);
  });

  it('reads an Exchange note away on a trip abroad (出国访问, 回复可能延迟) as out-of-office, not an acknowledgement', async () => {
    const raw = mail('li@abc.gov.cn', '自动答复: 咨询', '我将于11月25日至11月30日出国访问，期间邮件回复可能延迟。紧急事务请联系王科长，电话010-12345678。', ['X-Auto-Response-Suppress: All', 'Auto-Submitted: auto-generated']);
    expect(await kindOf(raw)).toMatch(/^out-of-office /);
  });
});

describe('12345 hotline and OA notices', () => {
  it('an acceptance with a 工单编号, a 交由/交办/派单 notice and a satisfaction survey are acknowledgements', async () => {
    await expectEach('auto-ack', '12345@gd.gov.cn', '工单办理通知', [
      '您好！您于2026年11月25日通过12345政务服务便民热线网站提交的诉求（工单编号：GD2026112500123）已受理，我们将在5个工作日内办理并答复。',
      '您好！您反映的关于居住证办理的诉求已交由天河区政务服务数据管理局办理，承办单位将在5个工作日内与您联系，请保持电话畅通。',
      '市民您好，您的诉求（工单号GD2026112500123）已派单至天河区人民政府办理，办理期限为5个工作日，办理情况将通过短信或电话告知您。',
      '您好，您的来信已交办至市公安局，请您耐心等候承办单位的答复。',
      '您好，您反映的诉求已办理完毕，请您对承办单位的办理结果进行评价：回复1满意，2基本满意，3不满意。',
    ]);
  });

  it('"已办结，请登录查看办理结果" names the answer without giving it: an acknowledgement, even auto-submitted', async () => {
    const raw = mail('12345@gd.gov.cn', '工单办结通知', '您好，您的工单（编号GD2026112500123）已办结，请登录广东12345网站查看办理结果，并对本次服务进行满意度评价。', ['Auto-Submitted: auto-generated']);
    expect(await kindOf(raw)).toMatch(/^auto-ack /);
  });

  it('an auto-submitted 办结 notice with the answer under a 答复内容： line is a reply', async () => {
    const body = '您好！您的信件已办结。\n信件编号：GZ2026112500012\n办理状态：已办结\n办理单位：广州市公安局\n答复内容：\n您好，居住证申领需携带本人身份证、近期免冠照片和居住证明材料，到居住地派出所办理，15个工作日内发证。\n此邮件为系统自动发送，请勿直接回复。';
    expect(await kindOf(mail('szxx@gz.gov.cn', '信件办结通知', body, ['Auto-Submitted: auto-generated']))).toMatch(/^reply .*content:answer:答复内容/);
  });

  it('a referral clause that ends in what was done is not cut away: the answer stays', async () => {
    const answer = '您好，经核实，该问题已交由属地街道处理完毕，现场垃圾已于11月26日全部清运，后续将安排专人每日巡查保洁。';
    expect(await kindOf(mail('cg@hz.gov.cn', 'Re: 咨询', answer))).toMatch(/^reply /);
  });
});

describe('forwards', () => {
  const ANSWER = '您好，办理居住证需携带本人身份证、一寸免冠照片和租房合同，到居住地社区警务室申请，15个工作日内可领取。';
  const letter = { title: '关于办理居住证的咨询', body: LETTER };
  const forwarded = (separator: string, note = '') =>
    `${note}\n\n${separator}\n发件人："市公安局" <gaj@hz.gov.cn>\n发送日期：2026-11-25 10:11:12\n收件人："市长信箱" <xinxiang@hz.gov.cn>\n主题：关于居住证咨询的答复\n\n${ANSWER}\n\n-----原始邮件-----\n发件人: 张三\n发送时间: 2026-11-24\n主题: ${letter.title}\n${LETTER}\n`;

  it('reads the answer a forward carries (163 转发邮件信息, QQ 原始邮件, Outlook, Gmail), under a note like 请查收; the letter it quotes is still cut', async () => {
    for (const [subject, separator, note] of [
      ['转发：关于居住证咨询的答复', '-------- 转发邮件信息 --------', ''],
      ['转发：答复', '------------------ 原始邮件 ------------------', '请查收。'],
      ['FW: 答复', '________________________________', ''],
      ['Fwd: 答复', '---------- Forwarded message ---------', ''],
    ] as const) {
      const parsed = await parseMail(mail('xinxiang@hz.gov.cn', subject, forwarded(separator, note)), { log: () => {} });
      const c = classifyParsedMail(parsed, letter);
      expect(c.kind, separator).toBe('reply');
      expect(c.substantive).toContain('社区警务室');
      expect(c.substantive).not.toContain('多长时间');
    }
  });

  it('a forward of the letter under an acknowledgement stays an acknowledgement; the letter forwarded alone is no reply once known', async () => {
    const fwdLetter = (note: string) => `${note}\n\n-------- 转发邮件信息 --------\n发件人："张三" <r-x@reply.huixin.test>\n发送日期：2026-11-24 09:00\n主题：${letter.title}\n\n${LETTER}\n`;
    expect(await kindOf(mail('xinxiang@hz.gov.cn', `转发：${letter.title}`, fwdLetter('您好，您的来信已转交市公安局办理。')))).toMatch(/^auto-ack /);
    const alone = await parseMail(mail('xinxiang@hz.gov.cn', `转发：${letter.title}`, fwdLetter('')), { log: () => {} });
    expect(classifyParsedMail(alone, letter).kind).not.toBe('reply');
  });
});

describe('a message forwarded as an attachment (message/rfc822)', () => {
  const ANSWER = '您好，来信收悉。经核实，办理居住证需携带本人身份证、近期照片和住所证明，到居住地派出所户籍窗口申请，10个工作日内办结。';
  const letter = { title: '关于办理居住证的咨询', body: LETTER };
  const inner = (body: string) =>
    [`From: ${word('市公安局')} <gaj@hz.gov.cn>`, 'To: xinxiang@hz.gov.cn', `Subject: ${word('关于居住证咨询的答复')}`, 'Date: Wed, 25 Nov 2026 10:00:00 +0800', 'Message-ID: <in@hz.gov.cn>', 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=gbk', 'Content-Transfer-Encoding: base64', '', b64(gbk(body)), ''].join(CRLF);
  const outer = (note: string, attached: string, type = 'multipart/mixed', subject = '转发：关于居住证咨询的答复') =>
    Buffer.from(
      [`From: xinxiang@hz.gov.cn`, 'To: r-x@reply.huixin.test', `Subject: ${word(subject)}`, 'Date: Wed, 25 Nov 2026 11:00:00 +0800', 'Message-ID: <out@hz.gov.cn>', 'MIME-Version: 1.0', `Content-Type: ${type}; boundary="B"`, '',
        '--B', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', note,
        '--B', 'Content-Type: message/rfc822', 'Content-Disposition: attachment; filename="reply.eml"', '', attached, '--B--', ''].join(CRLF),
    );

  it('is read as what the attached message says when the forwarder adds only a note; the text that names the mail is its own', async () => {
    for (const note of ['请查收。', '']) {
      const m = await parseMail(outer(note, inner(ANSWER)), { log: () => {} });
      expect(m.forwarded).toMatchObject({ from: 'gaj@hz.gov.cn', subject: '关于居住证咨询的答复', date: '2026-11-25T02:00:00.000Z' });
      expect(m.text).toBe(note); // the mail's id is made from its own text, as before
      const c = classifyParsedMail(m, letter);
      expect(c.kind, note).toBe('reply');
      expect(c.substantive).toContain('户籍窗口');
    }
  });

  it('an acknowledgement above it stays one; the letter itself attached is no reply; a delivery report is a bounce, its message unread', async () => {
    expect(await kindOf(outer('您好，您的来信已收到，我们将尽快处理。', inner(ANSWER)))).toMatch(/^auto-ack /);
    const echoed = await parseMail(outer('', inner(LETTER)), { log: () => {} });
    expect(classifyParsedMail(echoed, letter).kind).not.toBe('reply');
    const report = await parseMail(outer('Delivery to the following recipient failed permanently: a@b.gov.cn', inner(ANSWER), 'multipart/report; report-type=delivery-status', 'Undelivered Mail Returned to Sender'), { log: () => {} });
    expect(report.forwarded).toBeNull();
    expect(classifyParsedMail(report).kind).toBe('bounce');
  });
});

describe('an answer in an attachment named as one', () => {
  const withFile = (body: string, filename: string, type: string) =>
    Buffer.from(
      ['From: xinxiang@hz.gov.cn', 'To: r-x@reply.huixin.test', `Subject: ${word('关于居住证咨询的答复')}`, 'Date: Wed, 25 Nov 2026 11:00:00 +0800', 'Message-ID: <att@hz.gov.cn>', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="B"', '',
        '--B', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', body,
        '--B', `Content-Type: ${type}; name="${word(filename, 'utf-8')}"`, `Content-Disposition: attachment; filename="${word(filename, 'utf-8')}"`, 'Content-Transfer-Encoding: base64', '', 'UEsDBBQAAAAIAA==', '--B--', ''].join(CRLF),
    );
  it('a spreadsheet or an archive named 办理结果/答复 under 详见附件 is a reply; one named otherwise, or a 受理回执, is not', async () => {
    expect(await kindOf(withFile('您好，详见附件。', '居住证咨询办理结果.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'))).toMatch(/^reply /);
    expect(await kindOf(withFile('详见附件', '答复材料.zip', 'application/zip'))).toMatch(/^reply /);
    expect(await kindOf(withFile('详见附件', '统计表.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'))).not.toMatch(/^reply /);
    expect(await kindOf(withFile('详见附件', '受理回执.zip', 'application/zip'))).not.toMatch(/^reply /);
  });
});

describe('a letter title with delivery words in it', () => {
  it('an answer titled 关于快递无法投递的咨询的回复 (no Re: prefix) is a reply, not a bounce; a 退信 notice still is one', async () => {
    const answer = '您好，经核实，快递无法投递是因为收件地址不完整，请补充门牌号后联系快递公司重新派送。';
    for (const subject of ['关于快递无法投递的咨询的回复', '关于邮件无法送达问题的答复函']) {
      expect(await kindOf(mail('xinxiang@hz.gov.cn', subject, answer)), subject).toMatch(/^reply /);
    }
    expect(await kindOf(mail('postmaster@163.com', '系统退信', `您发送的邮件无法投递。\n${LETTER}`))).toMatch(/^bounce /);
  });
});

/**
 * parseMail on mail that breaks the rules the way Chinese government systems do (the mail-parsing review, items 2, 6,
 * 13, 14, 15, 17, 19): placeholder text parts, careless HTML, missing or wrong charset labels, raw 8-bit headers, and
 * Date headers in China Standard Time, uuencoded files (16). Each test fails on the parser as it was before the fix it
 * pins, except the one that pins what htmlToText keeps outside a mail.
 */
import { createHash } from 'node:crypto';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { parseMail } from '../../shared/adapters/mail/parse.ts';
import { htmlToText } from '../../shared/domain/mail/html-text.ts';

const quiet = { log: () => {} };
const CRLF = '\r\n';

const ANSWER = '您好，来信收悉。经核实，根据《广州市流动人员IC卡居住证管理规定》，您在本市连续居住满半年且有合法稳定住所的，可携带身份证和租赁合同到居住地派出所申请办理居住证。';

/** A mail from header lines and a body; strings are UTF-8 (or ASCII), Buffers go in as they are (raw 8-bit bytes). */
function mail(headers: (string | Buffer)[], body: string | Buffer): Buffer {
  const base = ['From: zwfw@gz.gov.cn', 'To: r-x@reply.huixin.test', 'Message-ID: <robust@gz.gov.cn>', 'MIME-Version: 1.0'];
  const has = (name: string) => headers.some((h) => h.toString('latin1').toLowerCase().startsWith(`${name}:`));
  const lines = [...base.filter((h) => !has(h.slice(0, h.indexOf(':')).toLowerCase())), ...(has('date') ? [] : ['Date: Wed, 25 Nov 2026 16:40:12 +0800']), ...headers];
  return Buffer.concat([...lines.flatMap((l) => [Buffer.from(l), Buffer.from(CRLF)]), Buffer.from(CRLF), Buffer.from(body)]);
}

const gbk = (s: string) => iconv.encode(s, 'gbk');
const b64 = (b: Buffer) => b.toString('base64').replace(/(.{76})/g, `$1${CRLF}`);
const html = (body: string, head = '') => `<html><head>${head}</head><body>${body}</body></html>`;

function alternative(plain: string, htmlBody: string): Buffer {
  return mail(
    ['Subject: Re: x', 'Content-Type: multipart/alternative; boundary="ALT"'],
    ['--ALT', 'Content-Type: text/plain; charset=utf-8', '', plain, '--ALT', 'Content-Type: text/html; charset=utf-8', '', htmlBody, '--ALT--', ''].join(CRLF),
  );
}

describe('text/plain placeholders (review 6)', () => {
  it('takes the text from the HTML part when the plain part only says to read the HTML', async () => {
    const zh = await parseMail(alternative('此邮件为HTML格式，请使用支持HTML的邮件客户端查看。', html(`<p>${ANSWER}</p>`)), quiet);
    expect(zh.text).toBe(ANSWER);
    const en = await parseMail(alternative('Your email client does not support HTML. Please view this email in an HTML-capable client.', html('<p>已收到</p>')), quiet);
    expect(en.text).toBe('已收到');
  });

  it('takes the HTML text when the plain part is far shorter than it, and keeps an equivalent plain part', async () => {
    const short = await parseMail(alternative('答复见正文。', html(`<p>${ANSWER}</p>`)), quiet);
    expect(short.text).toBe(ANSWER);
    const same = await parseMail(alternative(`${ANSWER}\n-- plain`, html(`<div style="font-family:SimSun">${ANSWER}</div><p>--</p>`)), quiet);
    expect(same.text).toBe(`${ANSWER}\n-- plain`);
  });
});

describe('HTML to text in a mail (review 2, 13, 19)', () => {
  it('keeps the body of HTML whose <head> is never closed, still without the title, script and style', async () => {
    const body = '<html><head><meta charset="utf-8"><title>答复标题</title><style>p{color:red}</style><script>var leak=1;</script>\r\n<body><p>' + ANSWER + '</p></body></html>';
    const m = await parseMail(mail(['Subject: x', 'Content-Type: text/html; charset=utf-8'], body), quiet);
    expect(m.text).toBe(ANSWER);
  });

  it('drops elements hidden by an inline display:none (preheader text), nested ones included, and keeps what follows', () => {
    const h = html('<div style="display: none; max-height:0">预览文字<div>内层</div>仍隐藏</div><p>正文</p><span style=\'color:red;display:none\'>x</span><p>结尾</p>');
    expect(htmlToText(h, { mail: true })).toBe('正文\n结尾');
  });

  it('turns <blockquote> lines into "> " quoted lines, one mark per level', () => {
    const h = html('<p>来信收悉，已转交相关部门办理。</p><blockquote><p>我的来信第一行</p><p>第二行</p><blockquote>更早的引文</blockquote></blockquote><p>谢谢</p>');
    expect(htmlToText(h, { mail: true })).toBe('来信收悉，已转交相关部门办理。\n\n> 我的来信第一行\n> 第二行\n\n> > 更早的引文\n\n谢谢');
  });

  it('drops form controls — a letter echoed in a <textarea>, <select> options, <input> values, <button> labels', async () => {
    const h = html('<p>您的留言已收到。</p><form><textarea name="content">我的来信全文</textarea><select><option>咨询<option selected>投诉</select><input value="张三"><button>提交</button></form><p>我们将尽快处理。</p>');
    const m = await parseMail(mail(['Subject: x', 'Content-Type: text/html; charset=utf-8'], h), quiet);
    expect(m.text).toBe('您的留言已收到。\n我们将尽快处理。');
  });

  it('leaves form controls, hidden elements and blockquotes as plain text outside a mail (reply-list pages show answers in them)', () => {
    expect(htmlToText(html('<p><textarea readonly>答复内容</textarea></p><blockquote>引文</blockquote><div style="display:none">展开</div>'))).toBe('答复内容\n引文\n展开');
  });
});

describe('charsets that are missing, wrong or unknown (review 14)', () => {
  it('reads an unlabelled 8-bit GBK body as GBK', async () => {
    const m = await parseMail(mail(['Subject: x', 'Content-Type: text/plain', 'Content-Transfer-Encoding: 8bit'], gbk(ANSWER)), quiet);
    expect(m.text).toBe(ANSWER);
  });

  it('reads GBK bytes labelled UTF-8 as GBK, and quoted-printable GBK with no label', async () => {
    const labelled = await parseMail(mail(['Subject: x', 'Content-Type: text/plain; charset=UTF-8', 'Content-Transfer-Encoding: 8bit'], gbk(ANSWER)), quiet);
    expect(labelled.text).toBe(ANSWER);
    const qp = gbk(ANSWER).toString('hex').replace(/(..)/g, '=$1').toUpperCase().replace(/(.{72})/g, `$1=${CRLF}`);
    const unlabelled = await parseMail(mail(['Subject: x', 'Content-Transfer-Encoding: quoted-printable'], qp), quiet);
    expect(unlabelled.text).toBe(ANSWER);
  });

  it('reads a part in a charset iconv-lite does not know (x-mac-chinesesimp, GB18030-2022) from its bytes', async () => {
    for (const cs of ['x-mac-chinesesimp', 'GB18030-2022', 'x-unknown-cs']) {
      const m = await parseMail(mail(['Subject: x', `Content-Type: text/plain; charset="${cs}"`, 'Content-Transfer-Encoding: base64'], b64(gbk(ANSWER))), quiet);
      expect(m.text, cs).toBe(ANSWER);
    }
  });

  it('honours a <meta> charset when the MIME header names none: GBK, and Big5 (which a GB18030 guess would garble)', async () => {
    const meta = (cs: string) => `<meta http-equiv="Content-Type" content="text/html; charset=${cs}">`;
    const g = await parseMail(mail(['Subject: x', 'Content-Type: text/html', 'Content-Transfer-Encoding: 8bit'], gbk(html(`<p>${ANSWER}</p>`, meta('gbk')))), quiet);
    expect(g.text).toBe(ANSWER);
    const big5Text = '您好，來信收悉。有關居留證延期的查詢，答覆如下。';
    const b = await parseMail(mail(['Subject: x', 'Content-Type: text/html', 'Content-Transfer-Encoding: base64'], b64(iconv.encode(html(`<p>${big5Text}</p>`, '<meta charset="big5">'), 'big5'))), quiet);
    expect(b.text).toBe(big5Text);
  });

  it('fixes only the mislabelled part of a multipart mail; the attachments stay as they were', async () => {
    const pdf = Buffer.alloc(3000, 7);
    const raw = mail(
      ['Subject: x', 'Content-Type: multipart/mixed; boundary="MIX"'],
      Buffer.concat([
        Buffer.from(['--MIX', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', ''].join(CRLF)),
        gbk(ANSWER),
        Buffer.from([
          '', '--MIX', 'Content-Type: text/plain; charset=utf-8', '', '附言：此件为系统发送。', '--MIX',
          'Content-Type: application/pdf; name="a.pdf"', 'Content-Disposition: attachment; filename="a.pdf"', 'Content-Transfer-Encoding: base64', '', b64(pdf), '--MIX--', '',
        ].join(CRLF)),
      ]),
    );
    const m = await parseMail(raw, quiet);
    expect(m.text).toBe(`${ANSWER}\n附言：此件为系统发送。`);
    expect(m.attachments).toEqual([{ filename: 'a.pdf', contentType: 'application/pdf', size: 3000, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
    expect(m.attachments[0]!.sha256).toBe(createHash('sha256').update(pdf).digest('hex'));
  });
});

describe('raw 8-bit header bytes (review 15)', () => {
  it('keeps the last character of a raw UTF-8 Subject ending in byte 0xA0 (映 = E6 98 A0)', async () => {
    const m = await parseMail(mail([Buffer.from('Subject: Re: 关于道路积水问题的反映'), 'Content-Type: text/plain; charset=utf-8'], '答复'), quiet);
    expect(m.subject).toBe('Re: 关于道路积水问题的反映');
  });

  it('reads a raw GBK Subject and From display name as GBK', async () => {
    const raw = mail([Buffer.concat([Buffer.from('From: '), gbk('广州市公安局'), Buffer.from(' <gaj@gz.gov.cn>')]), Buffer.concat([Buffer.from('Subject: Re: '), gbk('关于居住证办理的咨询')]), 'Content-Type: text/plain; charset=gbk'], gbk(ANSWER));
    const m = await parseMail(raw, quiet);
    expect(m.subject).toBe('Re: 关于居住证办理的咨询');
    expect(m.from).toEqual({ address: 'gaj@gz.gov.cn', name: '广州市公安局' });
  });

  it('decodes the encoded words of a raw 8-bit header too, and an encoded word in a charset iconv-lite does not know', async () => {
    const mixed = mail([Buffer.concat([Buffer.from('Subject: '), gbk('回复：'), Buffer.from(` =?GB2312?B?${gbk('关于居住证').toString('base64')}?= =?GB2312?B?${gbk('的咨询').toString('base64')}?=`)])], '答复');
    expect((await parseMail(mixed, quiet)).subject).toBe('回复： 关于居住证的咨询');
    const unknown = mail([`Subject: =?x-unknown-cs?B?${gbk('Re: 居住证').toString('base64')}?=`], '答复');
    expect((await parseMail(unknown, quiet)).subject).toBe('Re: 居住证');
  });
});

describe('Date headers from Chinese systems (review 17)', () => {
  const dateOf = async (date: string) => (await parseMail(mail([`Date: ${date}`, 'Subject: x'], '答复'), quiet)).date;

  it('reads CST as China Standard Time (+0800): Java Date.toString() and RFC 5322 style', async () => {
    expect(await dateOf('Wed Nov 25 16:40:12 CST 2026')).toBe('2026-11-25T08:40:12.000Z');
    expect(await dateOf('Wed, 25 Nov 2026 23:40:12 CST')).toBe('2026-11-25T15:40:12.000Z');
    expect(await dateOf('Wed, 25 Nov 2026 23:40:12 +0800 (CST)')).toBe('2026-11-25T15:40:12.000Z');
  });

  it('reads a Date with no zone as Beijing time, whatever zone the machine is in; stated zones and unreadable dates unchanged', async () => {
    const tz = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      expect(await dateOf('Wed, 25 Nov 2026 23:40:12')).toBe('2026-11-25T15:40:12.000Z');
      expect(await dateOf('Wed Nov 25 16:40:12 2026')).toBe('2026-11-25T08:40:12.000Z');
      expect(await dateOf('2026-11-25 23:40:12')).toBe('2026-11-25T15:40:12.000Z');
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
    expect(await dateOf('Wed, 25 Nov 2026 23:40:12 -0500')).toBe('2026-11-26T04:40:12.000Z');
    expect(await dateOf('Wed, 25 Nov 2026 23:40:12 GMT')).toBe('2026-11-25T23:40:12.000Z');
    expect(await dateOf('2026年11月25日 星期三 下午4:40')).toBeNull();
  });
});

describe('uuencoded files (review 16)', () => {
  /** uuencode as `uuencode(1)` writes it: a length character, then 4 characters for every 3 bytes, 45 bytes a line. */
  const uuencode = (bytes: Buffer) => {
    const ch = (v: number) => String.fromCharCode(v === 0 ? 96 : v + 32);
    const lines: string[] = [];
    for (let i = 0; i < bytes.length; i += 45) {
      const chunk = bytes.subarray(i, i + 45);
      let line = ch(chunk.length);
      for (let j = 0; j < chunk.length; j += 3) {
        const [a = 0, b = 0, c = 0] = chunk.subarray(j, j + 3);
        line += ch(a >> 2) + ch(((a & 3) << 4) | (b >> 4)) + ch(((b & 15) << 2) | (c >> 6)) + ch(c & 63);
      }
      lines.push(line);
    }
    return [...lines, '`'].join(CRLF);
  };

  it('takes an inline "begin 644 … end" block out of the text and keeps it as an attachment', async () => {
    const file = gbk('依申请公开答复：您申请公开的2025年度财政预算表已于2026年1月在本网站主动公开。');
    const body = Buffer.concat([gbk('您好，来信收悉。答复书见附件。'), Buffer.from(`${CRLF}${CRLF}begin 644 dfs.txt${CRLF}${uuencode(file)}${CRLF}end${CRLF}`)]);
    const m = await parseMail(mail(['Subject: x', 'Content-Type: text/plain; charset=gbk', 'Content-Transfer-Encoding: 8bit'], body), quiet);
    expect(m.text).toBe('您好，来信收悉。答复书见附件。');
    expect(m.attachments).toEqual([
      { filename: 'dfs.txt', contentType: 'application/octet-stream', size: file.length, sha256: createHash('sha256').update(file).digest('hex') },
    ]);
  });

  it('reads a text/plain body sent with Content-Transfer-Encoding: x-uuencode as its text', async () => {
    const body = `begin 644 reply.txt${CRLF}${uuencode(Buffer.from(ANSWER))}${CRLF}end${CRLF}`;
    const m = await parseMail(mail(['Subject: x', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: x-uuencode'], body), quiet);
    expect(m.text).toBe(ANSWER);
    expect(m.attachments).toEqual([]);
  });
});

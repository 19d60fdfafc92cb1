import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { parseMail } from '../../shared/adapters/mail/parse.ts';

const quiet = { log: () => {} };
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** What mailparser alone reports for the attachments (its own decoding and hashing of the original bytes). */
async function byMailparser(raw: Buffer) {
  const p = await simpleParser(raw, { checksumAlgo: 'sha256', skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true, skipTextLinks: true });
  return p.attachments.map((a) => ({ filename: a.filename ?? null, contentType: a.contentType, size: a.size, sha256: a.checksum }));
}

function wrap(b64: string, width: number, eol = '\r\n'): string {
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += width) lines.push(b64.slice(i, i + width));
  return lines.join(eol);
}

function mixed(parts: string[], boundary = 'MIX'): Buffer {
  return Buffer.from(
    [
      'From: office@gz.gov.cn',
      'To: r-x@reply.huixin.test',
      'Subject: =?UTF-8?B?' + Buffer.from('答复').toString('base64') + '?=',
      'Date: Tue, 24 Nov 2026 10:00:00 +0800',
      'Message-ID: <att@gz.gov.cn>',
      'MIME-Version: 1.0',
      `Content-Type: multipart/mixed; boundary="${boundary}"`,
      '',
      ...parts.flatMap((p) => [`--${boundary}`, p]),
      `--${boundary}--`,
      '',
    ].join('\r\n'),
    'latin1',
  );
}

const textPart = 'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n' + Buffer.from('关于居住证的答复：请携带身份证办理。').toString('latin1');
const pdfPart = (content: Buffer, name = 'a.pdf', width = 76) =>
  `Content-Type: application/pdf; name="${name}"\r\nContent-Disposition: attachment; filename="${name}"\r\nContent-Transfer-Encoding: base64\r\n\r\n${wrap(content.toString('base64'), width)}`;

describe('parseMail: big base64 attachments are hashed before mailparser runs, with the same result', () => {
  it('reports the size and sha256 of the decoded content, and still decodes the text part', async () => {
    const content = Buffer.alloc(45_000, 7);
    const raw = mixed([textPart, pdfPart(content)]);
    const m = await parseMail(raw, quiet);
    expect(m.text).toBe('关于居住证的答复：请携带身份证办理。');
    expect(m.attachments).toEqual([{ filename: 'a.pdf', contentType: 'application/pdf', size: 45_000, sha256: sha(content) }]);
    expect(m.attachments).toEqual(await byMailparser(raw));
  });

  it('agrees with mailparser for any content, line width, line ending and number of attachments', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.oneof(fc.uint8Array({ maxLength: 1000 }), fc.uint8Array({ minLength: 760, maxLength: 6000, size: 'max' })), fc.integer({ min: 4, max: 200 })), { minLength: 1, maxLength: 3 }),
        fc.constantFrom('\r\n', '\n'),
        async (atts, eol) => {
          const parts = [textPart, ...atts.map(([c, w], i) => pdfPart(Buffer.from(c), `f${i}.pdf`, w))];
          const raw = Buffer.from(mixed(parts).toString('latin1').replaceAll('\r\n', eol), 'latin1');
          const m = await parseMail(raw, quiet);
          expect(m.attachments).toEqual(await byMailparser(raw));
          expect(m.attachments.map((a) => a.sha256)).toEqual(atts.map(([c]) => sha(Buffer.from(c))));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('leaves base64 it cannot vouch for to mailparser: padding mid-body, stray characters, a text part', async () => {
    const a = Buffer.alloc(3000, 1);
    const padded = `Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n${[a.subarray(0, 1000), a.subarray(1000, 2001), a.subarray(2001)].map((x) => x.toString('base64')).join('\r\n')}`;
    const stray = `Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n${wrap(a.toString('base64'), 76)}\r\n-- not base64 --`;
    const text = `Content-Type: text/plain; charset=utf-8\r\nContent-Disposition: attachment; filename="t.txt"\r\nContent-Transfer-Encoding: base64\r\n\r\n${wrap(Buffer.alloc(3000, 0x41).toString('base64'), 76)}`;
    for (const part of [padded, stray, text]) {
      const raw = mixed([textPart, part]);
      expect((await parseMail(raw, quiet)).attachments).toEqual(await byMailparser(raw));
    }
  });

  it('agrees with mailparser on base64 at the edges: no padding, split padding, blanks and tabs, a form feed, a stray last character', async () => {
    const a = Buffer.alloc(2000);
    for (let i = 0; i < a.length; i++) a[i] = (i * 37) & 255;
    const b64 = wrap(a.subarray(0, 1999).toString('base64'), 76); // 1999 bytes: ends in "="
    const bodies = [
      b64.replace(/=+$/, ''), // unpadded
      b64.replace(/=$/, '\r\n='), // padding split over a line break
      `${b64}\r\n \t\r\n`, // trailing blank lines
      b64.replaceAll('\r\n', ' \t\r\n'), // blanks before every line break
      b64.replace('\r\n', '\f\r\n'), // a form feed
      `${b64.replace(/=+$/, '')}A`, // a length of 1 mod 4
    ];
    for (const body of bodies) {
      const raw = mixed([textPart, `Content-Type: application/pdf; name="e.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n${body}`]);
      expect((await parseMail(raw, quiet)).attachments).toEqual(await byMailparser(raw));
    }
  });

  it('parses the original bytes again when a placeholder does not come back as one attachment (an attached message)', async () => {
    const inner = mixed([textPart, pdfPart(Buffer.alloc(5000, 3))], 'INNER').toString('latin1');
    const raw = mixed([textPart, `Content-Type: message/rfc822\r\nContent-Disposition: attachment; filename="fwd.eml"\r\n\r\n${inner}`]);
    const m = await parseMail(raw, quiet);
    expect(m.attachments).toEqual(await byMailparser(raw));
    expect(m.attachments).toHaveLength(1);
    expect(m.attachments[0]!.contentType).toBe('message/rfc822');
  });

  it('counts the decoded attachment size against the decoded-size limit', async () => {
    const raw = mixed([textPart, pdfPart(Buffer.alloc(45_000, 9))]);
    await expect(parseMail(raw, { ...quiet, limits: { maxDecodedBytes: 40_000 } })).rejects.toMatchObject({ reason: 'mime-bomb' });
  });

  it('reads a file name written as raw GBK bytes in the header as the name it is; a Latin-1 name stays as it is', async () => {
    // the mail up to its second part's header block, which is written here byte by byte
    const upToPart = mixed([textPart, 'X-Part: here']);
    const named = (name: Buffer) =>
      Buffer.concat([
        upToPart.subarray(0, upToPart.indexOf('X-Part')),
        Buffer.from('Content-Type: application/pdf; name="'), name, Buffer.from('"\r\nContent-Disposition: attachment; filename="'), name,
        Buffer.from('"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--MIX--\r\n'),
      ]);
    const iconv = (await import('iconv-lite')).default;
    expect((await parseMail(named(iconv.encode('关于居住证的答复函.pdf', 'gbk')), quiet)).attachments[0]!.filename).toBe('关于居住证的答复函.pdf');
    expect((await parseMail(named(Buffer.from('答复函.pdf', 'utf8')), quiet)).attachments[0]!.filename).toBe('答复函.pdf');
    expect((await parseMail(named(Buffer.from('résumé.pdf', 'latin1')), quiet)).attachments[0]!.filename).toBe('résumé.pdf');
  });
});

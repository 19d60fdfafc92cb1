import { generateKeyPairSync } from 'node:crypto';
import { authenticate } from 'mailauth';
import { dkimSign } from 'mailauth/lib/dkim/sign.js';
import { describe, expect, it } from 'vitest';
import { authenticateMail, authInput, tableResolver, type DnsTable } from '../../shared/adapters/mail/auth.ts';
import { toAuthResult } from '../../shared/domain/mail/auth.ts';

const DOMAIN = 'gz.gov.cn';
const SELECTOR = 'mail2026';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pub = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const DNS: DnsTable = {
  [`${SELECTOR}._domainkey.${DOMAIN}`]: { TXT: [[`v=DKIM1; k=rsa; p=${pub}`]] },
  [`_dmarc.${DOMAIN}`]: { TXT: [['v=DMARC1; p=reject']] },
  [DOMAIN]: { TXT: [['v=spf1 ip4:10.0.0.1 -all']] },
};

function mail(body: string, from = `office@${DOMAIN}`): Buffer {
  return Buffer.from(
    [`From: ${from}`, 'To: r-l1@reply.huixin.test', 'Subject: =?UTF-8?B?562U5aSN?=', 'Date: Tue, 24 Nov 2026 10:00:00 +0800', 'Message-ID: <a1@gz.gov.cn>', 'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8', '', body, ''].join('\r\n'),
  );
}

async function signed(raw: Buffer): Promise<Buffer> {
  const r = await dkimSign(raw, {
    canonicalization: 'relaxed/relaxed',
    // the runtime takes a list of signatures (the published typings only describe the single-signature form)
    signatureData: [{ signingDomain: DOMAIN, selector: SELECTOR, privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string }],
  } as unknown as Parameters<typeof dkimSign>[1]);
  expect(r.signatures).toMatch(/^DKIM-Signature:/);
  return Buffer.concat([Buffer.from(r.signatures), raw]);
}

/** mailauth on the whole raw mail, as before the header-only shortcut: the reference the verdicts must equal. */
async function reference(raw: Buffer, ip?: string) {
  const r = (await authenticate(raw, { ...(ip ? { ip, sender: `office@${DOMAIN}` } : {}), mta: 'huixin.local', resolver: tableResolver(DNS), disableArc: true, disableBimi: true } as Parameters<typeof authenticate>[1])) as unknown as {
    spf?: { status?: { result?: string } } | false;
    dkim?: { results?: Array<{ status?: { result?: string } }> };
    dmarc?: { status?: { result?: string } } | false;
  };
  const d = r.dkim?.results ?? [];
  return {
    spf: r.spf ? toAuthResult(r.spf.status?.result) : 'none',
    dkim: d.some((x) => x.status?.result === 'pass') ? 'pass' : toAuthResult(d[0]?.status?.result ?? 'none'),
    dmarc: r.dmarc ? toAuthResult(r.dmarc.status?.result) : 'none',
    source: 'mailauth',
  };
}

describe('mail authentication (mailauth, offline resolver)', () => {
  it('checks an unsigned mail on its header block only, and the verdicts equal those over the whole mail', async () => {
    const raw = mail('关于居住证的答复。'.repeat(2000));
    const input = authInput(raw);
    expect(input.toString('latin1').endsWith('\r\n\r\n')).toBe(true);
    expect(input.length).toBeLessThan(400);
    for (const ip of ['10.0.0.1', '10.9.9.9']) {
      const got = await authenticateMail(raw, { ip, sender: `office@${DOMAIN}`, resolver: tableResolver(DNS) });
      expect(got).toEqual(await reference(raw, ip));
    }
    expect((await authenticateMail(raw, { ip: '10.0.0.1', sender: `office@${DOMAIN}`, resolver: tableResolver(DNS) })).spf).toBe('pass');
    expect((await authenticateMail(raw, { ip: '10.9.9.9', sender: `office@${DOMAIN}`, resolver: tableResolver(DNS) })).dmarc).toBe('fail');
  });

  it('keeps the whole body for a DKIM-signed mail: a valid signature passes and a changed body fails', async () => {
    const raw = await signed(mail('关于居住证的答复：请携带身份证到派出所办理。'));
    expect(authInput(raw).length).toBe(raw.length);
    const ok = await authenticateMail(raw, { resolver: tableResolver(DNS) });
    expect(ok).toMatchObject({ dkim: 'pass', dmarc: 'pass' });
    expect(ok).toEqual(await reference(raw));
    const tampered = Buffer.from(raw.toString('utf8').replace('派出所', '居委会'));
    const bad = await authenticateMail(tampered, { resolver: tableResolver(DNS) });
    expect(bad.dkim).not.toBe('pass'); // mailauth: body hash mismatch → neutral
    expect(bad.dmarc).toBe('fail');
    expect(bad).toEqual(await reference(tampered));
  });

  it('treats a lower-case dkim-signature header as a signature and a mail without a blank line as a whole', () => {
    const raw = Buffer.from('dkim-signature: v=1; d=x\r\nFrom: a@b.cn\r\n\r\nbody\r\n');
    expect(authInput(raw).length).toBe(raw.length);
    const noBody = Buffer.from('From: a@b.cn\nSubject: x\n');
    expect(authInput(noBody).length).toBe(noBody.length);
    const lf = Buffer.from('From: a@b.cn\nSubject: x\n\nbody text\n');
    expect(authInput(lf).toString()).toBe('From: a@b.cn\nSubject: x\n\n');
  });
});

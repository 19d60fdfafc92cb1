/**
 * Alert senders: e-mail through nodemailer (SES's SMTP interface in AWS, any SMTP server locally) and webhooks by
 * `fetch` with a timeout in the formats offices use — DingTalk group robot (markdown, optional 加签 HMAC-SHA256),
 * WeCom group robot (markdown) and plain JSON. A send either resolves or throws (the use case retries and records).
 */
import { createHmac } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import type { ObjectStore } from '../../app/ports.ts';
import type { AlertMessage } from '../../domain/alerts/messages.ts';
import type { AlertTarget } from '../../domain/alerts/outbox.ts';

export interface AlertSender {
  send(target: AlertTarget, message: AlertMessage): Promise<void>;
}

/** DingTalk 加签: sign = base64(HMAC-SHA256(secret, `${timestamp}\n${secret}`)), both as query parameters. */
export function dingTalkSignedUrl(url: string, secret: string, timestampMs: number): string {
  const sign = createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
  const u = new URL(url);
  u.searchParams.set('timestamp', String(timestampMs));
  u.searchParams.set('sign', sign);
  return u.toString();
}

/** Cut a string to at most `maxBytes` of UTF-8 without splitting a character. */
export function truncateUtf8(s: string, maxBytes: number): string {
  if (Buffer.byteLength(s) <= maxBytes) return s;
  const suffix = '\n……（已截断 truncated）';
  let out = '';
  let bytes = Buffer.byteLength(suffix);
  for (const ch of s) {
    const b = Buffer.byteLength(ch);
    if (bytes + b > maxBytes) break;
    out += ch;
    bytes += b;
  }
  return out + suffix;
}

/** The request body each webhook format expects. */
export function webhookPayload(kind: 'dingtalk' | 'wecom' | 'json', m: AlertMessage): unknown {
  if (kind === 'dingtalk') return { msgtype: 'markdown', markdown: { title: m.subject.slice(0, 60), text: truncateUtf8(m.markdown, 18_000) } };
  if (kind === 'wecom') return { msgtype: 'markdown', markdown: { content: truncateUtf8(m.markdown, 4_000) } };
  return {
    id: m.id,
    kind: m.kind,
    ...(m.of ? { of: m.of } : {}),
    subject: m.subject,
    text: m.text,
    siteIds: m.siteIds,
    letterIds: m.letterIds,
    incidentIds: m.incidentIds,
    createdAt: m.createdAt,
  };
}

export interface SenderOptions {
  /** nodemailer transport; absent → e-mail targets fail with "no SMTP configured". */
  transport?: Transporter;
  from: string;
  /** To attach screenshots to mails. */
  objects?: ObjectStore;
  fetchImpl?: typeof fetch;
  timeoutMs?: number;
  now?: () => Date;
}

/** Per mail: connect (DNS included), the server's greeting, and silence on the socket. */
export const SMTP_TIMEOUTS = { connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 60_000 } as const;

export class AlertSenders implements AlertSender {
  constructor(private readonly options: SenderOptions) {}

  /**
   * Mail through the SMTP URL, with timeouts that fit a run: nodemailer's defaults (2 minutes to connect, 10 of socket
   * silence) would let one hung mail server hold the whole send pass — and the webhooks behind it — past the Lambda's
   * 10 minutes, killed before the failed attempt is even counted.
   */
  static fromSmtpUrl(smtpUrl: string | undefined, options: Omit<SenderOptions, 'transport'>): AlertSenders {
    const transport = smtpUrl ? nodemailer.createTransport({ url: smtpUrl, ...SMTP_TIMEOUTS }) : undefined;
    return new AlertSenders({ ...options, ...(transport ? { transport } : {}) });
  }

  async send(target: AlertTarget, message: AlertMessage): Promise<void> {
    if (target.kind === 'email') return this.mail(target, message);
    if (!target.url) throw new Error(`target ${target.id}: no url`);
    const now = (this.options.now ?? (() => new Date()))();
    const url = target.kind === 'dingtalk' && target.secret ? dingTalkSignedUrl(target.url, target.secret, now.getTime()) : target.url;
    const f = this.options.fetchImpl ?? fetch;
    const res = await f(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(webhookPayload(target.kind, message)),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
    });
    const text = await res.text().catch(() => '');
    if (!res.ok) throw new Error(`${target.kind} webhook: HTTP ${res.status} ${text.slice(0, 200)}`);
    // DingTalk and WeCom answer 200 with {"errcode": …, "errmsg": …}: non-zero is a failure
    if (target.kind !== 'json') {
      let body: { errcode?: unknown; errmsg?: unknown } = {};
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        throw new Error(`${target.kind} webhook: not a JSON answer: ${text.slice(0, 200)}`);
      }
      if (body.errcode !== 0) throw new Error(`${target.kind} webhook: errcode ${String(body.errcode)} ${String(body.errmsg ?? '')}`);
    }
  }

  private async mail(target: AlertTarget, m: AlertMessage): Promise<void> {
    const transport = this.options.transport;
    if (!transport) throw new Error('no SMTP configured (HUIXIN_SMTP_URL)');
    if (!target.to?.length) throw new Error(`target ${target.id}: no recipients`);
    const attachments = [];
    for (const [i, s] of m.screenshots.entries()) {
      const body = await this.options.objects?.get(s.key).catch(() => undefined);
      if (body) attachments.push({ filename: `screenshot-${i + 1}.png`, content: Buffer.from(body), contentType: 'image/png' });
    }
    await transport.sendMail({
      from: this.options.from,
      to: target.to,
      subject: m.subject,
      text: m.text,
      headers: { 'X-Huixin-Alert': m.id },
      attachments,
    });
  }

  close(): void {
    this.options.transport?.close();
  }
}

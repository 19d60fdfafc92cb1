/**
 * The reply engine: when each letter's acknowledgement and reply are due (office hours, N official working days
 * after the submission date), and how a site's reply mail looks (Re: subjects, GBK / base64 / quoted-printable,
 * HTML-only, auto-acks with Auto-Submitted, In-Reply-To sometimes absent).
 */
import iconv from 'iconv-lite';
import type { SendMailOptions } from 'nodemailer';
import { UnknownCalendarYearError } from '../shared/domain/errors.ts';
import type { MailStyle, ReplyPlan, WorkingDayAdder } from './types.ts';
import type { StoredLetter } from './variant.ts';
import { atBeijing, bjDate, esc } from './util.ts';

export interface ScheduledItem {
  kind: 'ack' | 'reply';
  dueAt: Date;
  mail: boolean;
  list: boolean;
  done: boolean;
}

const MINUTE = 60_000;

/** Every item a site will deliver for a letter received at `receivedAt`. Pure. */
export function scheduleFor(receivedAt: Date, plan: ReplyPlan | undefined, calendar: WorkingDayAdder): ScheduledItem[] {
  if (!plan) return [];
  const mail = plan.via !== 'list';
  const list = plan.via !== 'mail';
  const items: ScheduledItem[] = [];
  if (plan.ackFirst || plan.reply === 'auto-ack-only') {
    // an auto-ack is a mail; a list-only site instead shows the letter as 已受理
    items.push({ kind: 'ack', dueAt: new Date(receivedAt.getTime() + 2 * MINUTE), mail, list, done: false });
  }
  if (plan.reply === 'same-day') {
    const endOfDay = atBeijing(bjDate(receivedAt), 23, 50);
    let due = new Date(Math.min(receivedAt.getTime() + 90 * MINUTE, endOfDay.getTime()));
    if (due.getTime() <= receivedAt.getTime()) due = new Date(receivedAt.getTime() + 5_000);
    items.push({ kind: 'reply', dueAt: due, mail, list, done: false });
  } else if (typeof plan.reply === 'object') {
    const n = plan.reply.afterWorkingDays;
    const day = n <= 0 ? bjDate(receivedAt) : addWorkingDaysOrWeekdays(calendar, bjDate(receivedAt), n);
    let due = atBeijing(day, 10, 30);
    if (due.getTime() <= receivedAt.getTime()) due = new Date(receivedAt.getTime() + 30 * MINUTE);
    items.push({ kind: 'reply', dueAt: due, mail, list, done: false });
  }
  return items;
}

/**
 * A simulated site keeps replying past the last year with official data (the platform's verdicts refuse such
 * years; a site does not): there it counts plain Monday–Friday.
 */
function addWorkingDaysOrWeekdays(calendar: WorkingDayAdder, date: string, n: number): string {
  try {
    return calendar.addWorkingDays(date, n);
  } catch (err) {
    if (!(err instanceof UnknownCalendarYearError)) throw err;
    const d = new Date(`${date}T00:00:00Z`);
    for (let left = n; left > 0; ) {
      d.setUTCDate(d.getUTCDate() + 1);
      if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) left--;
    }
    return d.toISOString().slice(0, 10);
  }
}

export function replyText(l: StoredLetter, office: string, at: Date): string {
  const topic = l.letter.title ?? '相关';
  return `您好，来信收悉。关于您咨询的“${topic}”问题，答复如下：
经核实，您所咨询的事项可通过本地政务服务网在线办理，也可携带本人有效身份证件到就近的政务服务中心窗口办理，所需材料以政务服务网公布的办事指南为准。如有疑问，可拨打12345政务服务便民热线咨询。
感谢您对我们工作的关注和支持！

${office}
${bjDate(at)}`;
}

export const ACK_TEXT = '您的来信已收到，我们将尽快处理。此邮件为系统自动发送，请勿回复。';

function b64Header(s: string, charset: 'GBK' | 'UTF-8'): string {
  const bytes = charset === 'GBK' ? iconv.encode(s, 'gbk') : Buffer.from(s, 'utf8');
  return `=?${charset}?B?${bytes.toString('base64')}?=`;
}

function wrap76(s: string): string {
  return s.replace(/.{1,76}/g, '$&\r\n');
}

export interface MailContext {
  siteKey: string;
  siteName: string;
  office: string;
  style: MailStyle;
  noInReplyTo: boolean;
}

/** The nodemailer message for a delivery. `raw` is used for GBK mails (nodemailer writes UTF-8 only). */
export function composeMail(kind: 'ack' | 'reply', l: StoredLetter, m: MailContext, at: Date): SendMailOptions & { messageId: string } {
  const domain = `${m.siteKey}.sandbox.gov.cn`;
  const fromAddr = kind === 'ack' ? `noreply@${domain}` : `xfb@${domain}`;
  const to = l.letter.email ?? '';
  const subject = kind === 'ack' ? `Re: ${l.letter.title ?? ''}（自动回复）` : `Re: ${l.letter.title ?? ''}`;
  const text = kind === 'ack' ? `${ACK_TEXT}\n信件编号：${l.letterNo}` : replyText(l, m.office, at);
  const messageId = `<${kind}.${l.letterNo}.${at.getTime()}@${domain}>`;
  const inReplyTo = m.noInReplyTo ? undefined : `<${l.letterNo}@${domain}>`;
  const headers: Record<string, string> = { 'X-Mailer': 'JCMS Mail 5.0' };
  if (kind === 'ack') {
    headers['Auto-Submitted'] = 'auto-replied';
    headers['X-Auto-Response-Suppress'] = 'All';
  }
  if (m.style === 'gbk') {
    const lines = [
      `From: ${b64Header(m.office, 'GBK')} <${fromAddr}>`,
      `To: ${to}`,
      `Subject: ${b64Header(subject, 'GBK')}`,
      `Date: ${at.toUTCString().replace('GMT', '+0000')}`,
      `Message-ID: ${messageId}`,
      ...(inReplyTo ? [`In-Reply-To: ${inReplyTo}`, `References: ${inReplyTo}`] : []),
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset="GBK"',
      'Content-Transfer-Encoding: base64',
      '',
      wrap76(iconv.encode(text.replace(/\n/g, '\r\n'), 'gbk').toString('base64')),
    ];
    return { envelope: { from: fromAddr, to }, raw: lines.join('\r\n'), messageId };
  }
  const base: SendMailOptions & { messageId: string } = {
    from: { name: kind === 'ack' ? `${m.siteName}` : m.office, address: fromAddr },
    to,
    subject,
    date: at,
    messageId,
    headers,
    ...(inReplyTo ? { inReplyTo, references: inReplyTo } : {}),
  };
  if (m.style === 'html-only') {
    base.html = `<html><body><div style="font-family:SimSun">${text
      .split('\n')
      .map((p) => `<p>${esc(p)}</p>`)
      .join('')}</div></body></html>`;
    return base;
  }
  base.text = text;
  base.textEncoding = m.style === 'utf8-qp' ? 'quoted-printable' : 'base64';
  return base;
}

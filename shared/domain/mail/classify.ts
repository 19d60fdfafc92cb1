/**
 * What kind of mail is this? Pure. Only a `reply` stops a letter's clock.
 *
 * The decision is by content, not keyword presence alone: after removing quoted text, signatures, echoed
 * letter fields and acknowledgement boilerplate, does substantive text remain? A polite opening
 * (您好，来信收悉) followed by an answer is a reply; the same opening followed by nothing is an auto-ack.
 */
export const MAIL_KINDS = ['reply', 'auto-ack', 'bounce', 'out-of-office', 'other'] as const;
export type MailKind = (typeof MAIL_KINDS)[number];

export interface ClassifyInput {
  subject: string;
  text: string;
  from: string | null;
  sender?: string | null;
  returnPath?: string | null;
  headers: MailHeaders;
}

/** The headers the classifier and the matcher look at (lower-cased names, raw values). */
export interface MailHeaders {
  autoSubmitted?: string;
  xAutoreply?: string;
  xAutoResponseSuppress?: string;
  precedence?: string;
  /** e.g. `multipart/report` */
  contentType: string;
  /** The `report-type` parameter of a multipart/report (e.g. `delivery-status`). */
  reportType?: string;
  xFailedRecipients?: string;
}

export interface Classification {
  kind: MailKind;
  /** The rules that fired, e.g. `header:auto-submitted=auto-replied`, `text:ack:您的来信已收到`. */
  reasons: string[];
  /** The substantive text left after removing boilerplate, quotes and signatures. */
  substantive: string;
}

/** Minimum number of letters/CJK characters that count as an actual answer. */
export const SUBSTANTIVE_MIN_CHARS = 20;

const ACK_PHRASES = [
  '您的来信已收到',
  '您的来信已收悉',
  '来信收悉',
  '来信已收悉',
  '已收到您的来信',
  '已收到您的留言',
  '您的留言已收到',
  '我们将尽快处理',
  '我们会尽快处理',
  '将尽快答复',
  '予以答复',
  '请耐心等待',
  '此邮件为系统自动发送',
  '系统自动发送',
  '请勿直接回复',
  '已受理',
];

/** Prefilters: does any phrase occur at all? (The phrases are plain CJK text: nothing to escape.) */
const ANY_ACK_PHRASE = new RegExp(ACK_PHRASES.join('|'));
const BOUNCE_SUBJECT = /(退信|投递失败|无法投递|发送失败|Undeliver(ed|able)|Delivery Status Notification|Mail delivery failed|Returned mail|failure notice|Delivery Failure)/i;
const BOUNCE_TEXT = /(投递失败|无法投递|退信|could not be delivered|User unknown|does not exist|Recipient address rejected|mailbox unavailable)/i;
const DAEMON = /^(mailer-daemon|postmaster|mail-daemon|mailerdaemon)@/i;
const VACATION = /(休假|年假|不在办公室|外出|出差|Out of (the )?Office|on vacation|on leave|away from (the )?office)/i;
const AUTO_SUBJECT = /^\s*(自动回复|自动答复|Auto(matic)?[ -]?(reply|response)|Auto:|Out of Office|休假)/i;
const SPAM_WORDS = ['代开', '发票', '推广', '广告', '优惠', '促销', '贷款', '中奖', '博彩', '加微信', '退订', '刷单', '兼职', '点数'];
const ANY_SPAM_WORD = new RegExp(SPAM_WORDS.join('|'));
const SPAM_STRONG = /(代开|开发票|博彩|刷单)/;

/** Sentences that are courtesy or acknowledgement, not an answer. Matched after trimming punctuation. */
const BOILERPLATE = [
  /^(尊敬的)?[^，,。]{0,12}(您好|你好)[!！,，:：]?$/,
  /^尊敬的[^，,。：:]{0,12}[:：]?$/,
  /^(您好|你好)$/,
  /^(来信|留言)(已)?收悉$/,
  /(您的)?来信(已)?(收到|收悉)/,
  /已收到您的(来信|留言)/,
  /您的留言已收到/,
  /(感谢|谢谢)您?(的)?(来信|关注|支持|留言|信任)/,
  /^(谢谢|感谢)[!！]?$/,
  /^(非常)?(感谢|谢谢)您?对.{0,16}(支持|关注|理解|信任|监督)/,
  /(我们|我单位|本单位)?(将|会)(在规定时限内)?尽快(处理|答复|办理|回复)/,
  /(在规定时限内)?予以(答复|回复|办理)/,
  /请(您)?耐心等待/,
  /已(将您的来信)?转(交|办)(相关|有关)?(部门|单位)/,
  /系统自动发送/,
  /请勿(直接)?回复/,
  /^此致$/,
  /^敬礼$/,
  /^祝[^。]{0,10}(愉快|顺利|健康)$/,
  /(查询码|受理编号|信件编号)(为|是)?[:：]?\s*[A-Za-z0-9-]+/,
  /可凭查询码查询/,
  /^[^，,。]{2,30}(局|厅|委|办|办公室|中心|政府|部门|信箱|热线)$/,
  /^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$/,
  /^\d{4}-\d{1,2}-\d{1,2}$/,
  /(如有疑问|如有问题)?[,，]?(请)?(拨打|致电|联系)[^。]{0,20}\d{3,}/,
  /^(电话|联系电话|传真|地址|邮编)[:：]/,
  /(现|特)?(将有关情况)?(答复|回复)如下$/,
];

/** `BOILERPLATE.some((re) => re.test(t))` as one regex (one call instead of up to 27). */
const ANY_BOILERPLATE = new RegExp(BOILERPLATE.map((re) => `(?:${re.source})`).join('|'));

/** Labelled fields many systems echo back from the letter: never an answer. */
const ECHO_LABEL = /^(留言标题|留言内容|来信标题|来信内容|信件标题|信件内容|您的留言|您的来信内容|提交时间|留言时间|标题|内容)[:：]/;
const QUOTE_START = /^(-{2,}\s*(原始邮件|Original Message|Forwarded message|转发的邮件)\s*-{2,}|-{5,}.*-{5,}|在\s.+写道[:：]?$|On .+ wrote:$|发件人[:：]|From:\s)/i;

const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u;

/**
 * Letters and digits (Unicode code points), what `s.match(/[\p{L}\p{N}]/gu).length` counts, without building the
 * array: ASCII and the CJK Unified Ideographs block are decided by range, anything else by the same property test.
 */
function countSubstantive(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x4e00 && c <= 0x9fff) n++;
    else if (c < 0x80) {
      if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39)) n++;
    } else {
      const cp = s.codePointAt(i)!;
      if (cp > 0xffff) i++;
      if (LETTER_OR_DIGIT.test(String.fromCodePoint(cp))) n++;
    }
  }
  return n;
}

/** Remove quoted text, signatures and echoed fields; returns the lines that the sender actually wrote. */
export function authoredText(text: string): string {
  const out: string[] = [];
  for (const raw of (text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text).split('\n')) {
    const line = raw.trim();
    // A quoted line can be neither a quote header nor a signature delimiter: skipped before those tests.
    if (line.startsWith('>') || line.startsWith('＞')) continue;
    if (QUOTE_START.test(line)) break;
    if (raw === '-- ' || line === '--' || line === '——') break; // signature delimiter
    if (ECHO_LABEL.test(line)) continue;
    out.push(line);
  }
  return out.join('\n');
}

/** Authored text minus courtesy/acknowledgement sentences: what answers the question, if anything. */
export function substantiveText(text: string): string {
  const kept: string[] = [];
  for (const para of authoredText(text).split('\n')) {
    for (const sentence of para.split(/(?<=[。！!？?；;\n])/)) {
      // Split further on commas only to strip a leading courtesy clause ("您好，来信收悉，…").
      const clauses = sentence.split(/(?<=[，,])/);
      let i = 0;
      while (i < clauses.length && isBoilerplate(clauses[i]!)) i++;
      const rest = clauses.slice(i).join('');
      if (rest && !isBoilerplate(rest)) kept.push(rest.trim());
    }
  }
  return kept.join('\n').trim();
}

function isBoilerplate(s: string): boolean {
  const t = s.trim().replace(/^[\s,，。.!！:：;；、]+|[\s,，。.!！:：;；、]+$/g, '');
  if (!t) return true;
  return ANY_BOILERPLATE.test(t) && countSubstantive(t.replace(/^.*?(答复如下|如下)[:：]?/, '')) < 40;
}

/**
 * The phrases that occur in `text`, in list order; `any` (all of them as one regex) rules most texts out in one pass.
 * Always a fresh array from the same literal: one array shape for the optimizing compiler (an empty `[]` literal
 * against `filter`'s result made classifyMail deoptimize and recompile).
 */
function phrasesIn(text: string, phrases: readonly string[], any: RegExp): string[] {
  const hits: string[] = [];
  if (any.test(text)) for (const p of phrases) if (text.includes(p)) hits.push(p);
  return hits;
}

export function classifyMail(mail: ClassifyInput): Classification {
  const reasons: string[] = [];
  const h = mail.headers;
  const subject = mail.subject ?? '';
  const text = mail.text ?? '';
  const from = (mail.from ?? '').toLowerCase();
  const head = `${subject}\n${text.slice(0, 2000)}`;

  // 1. Bounces.
  let bounce = 0;
  if (h.contentType === 'multipart/report' && (h.reportType ?? 'delivery-status') === 'delivery-status') {
    reasons.push('header:multipart/report;delivery-status');
    bounce += 2;
  }
  if (DAEMON.test(from) || DAEMON.test((mail.sender ?? '').toLowerCase())) {
    reasons.push(`sender:${from.split('@')[0]}`);
    bounce += 2;
  }
  if (h.xFailedRecipients) {
    reasons.push('header:x-failed-recipients');
    bounce += 2;
  }
  const bs = BOUNCE_SUBJECT.exec(subject);
  if (bs) {
    reasons.push(`subject:bounce:${bs[0]}`);
    bounce += 2;
  }
  const bt = BOUNCE_TEXT.exec(text.slice(0, 4000));
  if (bt) {
    reasons.push(`text:bounce:${bt[0]}`);
    bounce += 1;
  }
  if (mail.returnPath === '' ) bounce += 1;
  if (bounce >= 2) return { kind: 'bounce', reasons, substantive: '' };
  reasons.length = 0;

  // Automatic-mail signals.
  const autoSignals: string[] = [];
  if (h.autoSubmitted && !/^\s*no\b/i.test(h.autoSubmitted)) autoSignals.push(`header:auto-submitted=${h.autoSubmitted.trim()}`);
  if (h.xAutoreply) autoSignals.push(`header:x-autoreply=${h.xAutoreply.trim()}`);
  if (h.xAutoResponseSuppress) autoSignals.push(`header:x-auto-response-suppress=${h.xAutoResponseSuppress.trim()}`);
  if (h.precedence && /^(auto_reply|bulk|junk|list)/i.test(h.precedence.trim())) autoSignals.push(`header:precedence=${h.precedence.trim()}`);
  const autoSubject = AUTO_SUBJECT.exec(subject);
  if (autoSubject) autoSignals.push(`subject:auto:${autoSubject[1]}`);

  // 2. Out of office: an automatic mail with vacation wording.
  const vac = VACATION.exec(head);
  if (vac && autoSignals.length > 0) {
    return { kind: 'out-of-office', reasons: [...autoSignals, `text:vacation:${vac[0]}`], substantive: '' };
  }

  const substantive = substantiveText(text);
  const chars = countSubstantive(substantive);

  // 3. Spam / adverts.
  const spamHits = phrasesIn(head, SPAM_WORDS, ANY_SPAM_WORD);
  const strong = SPAM_STRONG.exec(head);
  const looksLikeAnswer = /(来信|留言|咨询|答复|回复如下|办理)/.test(substantive) && !strong;
  if ((strong || spamHits.length >= 2) && !looksLikeAnswer) {
    const spam: string[] = [];
    for (const w of spamHits) spam.push(`text:spam:${w}`);
    if (strong && !spamHits.includes(strong[0])) spam.push(`text:spam:${strong[0]}`);
    return { kind: 'other', reasons: spam, substantive };
  }

  // 4. Acknowledgement vs reply.
  const ackHits = phrasesIn(head, ACK_PHRASES, ANY_ACK_PHRASE);
  reasons.push(...autoSignals);
  for (const p of ackHits) reasons.push(`text:ack:${p}`);
  if (chars >= SUBSTANTIVE_MIN_CHARS) {
    reasons.push(`content:substantive(${chars} chars)`);
    return { kind: 'reply', reasons, substantive };
  }
  reasons.push(`content:no-substantive-text(${chars} chars)`);
  if (ackHits.length > 0 || autoSignals.length > 0) return { kind: 'auto-ack', reasons, substantive };
  return { kind: 'other', reasons, substantive };
}

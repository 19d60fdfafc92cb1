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
  /** The mail's attachments: a formal reply often comes as a document (答复函.pdf) with little or no text. */
  attachments?: ReadonlyArray<{ filename: string | null; contentType: string }>;
  /**
   * The text of the letter the mail answers (title and body), when known: sentences of it echoed back (an
   * acknowledgement that repeats the letter) are the citizen's words, never an answer.
   */
  letterText?: string;
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
  '已进入办理流程',
  '转交',
  '转办',
  '已转',
  '交办',
  '交由',
  '派单',
  '派发',
  '转派',
  '已办结',
  '办理完毕',
  '评价',
  '自动回复',
];

/** Prefilters: does any phrase occur at all? (The phrases are plain CJK text: nothing to escape.) */
const ANY_ACK_PHRASE = new RegExp(ACK_PHRASES.join('|'));
const BOUNCE_SUBJECT =
  /(退信|投递失败|无法投递|发送失败|发信失败|未能送达|无法送达|未送达|传递失败|邮件被退回|邮件退回|退回的邮件|^\s*退回\s*[:：]|Undeliver(ed|able)|Delivery Status Notification|Mail delivery failed|Returned mail|failure notice|Delivery Failure)/i;
/** A subject that answers or forwards (Re: 关于快递无法投递的投诉) names the letter, not a delivery failure. */
const REPLY_PREFIX = /^\s*(re|aw|回复|答复|fw|fwd|转发)\s*[:：]/i;
/** …and so does one that ends as an answer's title does (关于快递无法投递的咨询的回复, …答复函, …办理结果). */
const ANSWER_TITLE_END = /(回复|答复|复函|回函|答复意见|办理结果)\s*$/;
const BOUNCE_TEXT =
  /(投递失败|无法投递|无法送达|未能(成功)?(送达|投递)|发信失败|邮件被退回|退信|传递到这些收件人或组失败|could not be delivered|User unknown|does not exist|Recipient address rejected|RecipientNotFound|mailbox unavailable|\b55[0-4][ -]5\.\d\.\d{1,3}\b)/i;
const DAEMON = /^(mailer-daemon|postmaster|mail-daemon|mailerdaemon|microsoftexchange[0-9a-f]{32})@/i;
/** A delivery-status report that only says the mail is delayed (it may still arrive): not a failure. */
const DSN_DELAYED = /^Action:\s*delayed/im;
const DSN_FAILED = /^Action:\s*failed/im;
/** A read receipt (message disposition notification). */
const READ_RECEIPT_SUBJECT = /^\s*(已读|已阅读|Read)\s*[:：]/i;
/**
 * The writer's own absence, as out-of-office notes put it — not a word about leave in an answer (a reply about
 * 带薪年休假 or 外出务工 is a reply): first person (not 我局/我单位…), or the fixed phrases of such notes.
 */
const SELF_ABSENCE =
  /((本人|我)(?![局厅委办单们司处科部市省县区镇街中院所站队])[^。，,；;]{0,30}(休假|年假|出差|外出|出国|出访|不在(办公室|单位|岗|座位)|在外地|外地学习|学习|培训|开会|请假|产假|病假|探亲)|\bI(?: am|'m| will be)(?: currently)? (?:out of (?:the )?office|away|on (?:annual )?leave|on vacation|travell?ing))/i;
const ABSENCE = new RegExp(
  `${SELF_ABSENCE.source}|(不在办公室|(休假|出差|外出|学习|培训)期间|期间(不能|无法)(及时)?(查看|回复|处理)|期间[^。]{0,12}(延迟|推迟)|返回后[^。]{0,10}(回复|处理|联系)|Out of (the )?Office|on vacation|on (annual )?leave|away from (the )?office|currently (traveling|travelling|out of|away)|when I return)`,
  'i',
);
/** What an absence note says besides the absence: when the writer is back, that mail waits till then, whom to call meanwhile. */
const ABSENCE_AFTERWORD =
  /(返回|回来|返岗|回到(办公室|单位)|上班后|销假|(无法|不能|不便)(及时)?(查看|查收|回复|处理|收到)|延迟|推迟|急事|紧急|will (return|be back)|when I return|back (on|in)|limited access|thank(s| you)|urgent|please contact|regards)/i;
const AUTO_SUBJECT = /^\s*(自动回复|自动答复|Auto(matic)?[ -]?(reply|response)|Auto:|Out of Office|休假)/i;
const SPAM_WORDS = ['代开', '发票', '推广', '广告', '优惠', '促销', '贷款', '中奖', '博彩', '加微信', '退订', '刷单', '兼职', '点数', '税点', '开票', '专用票', 'V信', '微信同号', '放款', '月息', '低息'];
const ANY_SPAM_WORD = new RegExp(SPAM_WORDS.join('|'));
const SPAM_STRONG = /(代开|开发票|博彩|刷单)/;
/** Words of an answer to the citizen's letter (spam asks to be consulted: 请咨询, 欢迎来电咨询). */
const ANSWERS_THE_LETTER = /(来信|留言|答复|回复如下|您(所)?(咨询|反映|提出|询问)的)/;
/**
 * Marks of an actual answer. An automatic mail (自动回复, Auto-Submitted) with a short text is an acknowledgement
 * unless its text carries one of these: systems do mail the real answer ("答复内容：…", "经核实，…").
 */
const ANSWER_MARK =
  /(答复如下|回复如下|答复内容|回复内容|答复意见|办理结果|处理结果[:：]|现(将有关情况|就有关问题)?(答复|回复)|经(核实|查|调查|研究|了解|核查|审核)|根据[^。]{0,40}(规定|条例|办法|通知|意见|文件|法)|依据[^。]{0,40}(规定|条例|办法|法)|按照[^。]{0,30}(规定|要求|政策)|您(所)?(咨询|反映|提出|询问)的)/;
/** A label line a system puts above the answer it mails (办理状态：已办结 / 答复内容： / 答复意见…). */
const ANSWER_LABEL = /^(?:答复|回复)(?:内容|意见)[:：]?$|^(?:办理|处理)结果[:：]?$/m;
/** An automatic mail with at least this much substantive text is taken as carrying an answer even without a mark. */
const AUTO_ANSWER_MIN_CHARS = 80;

/** Documents a formal reply comes in (答复函.pdf, .docx, .ofd; Outlook's winmail.dat holds the whole message). */
const DOCUMENT_TYPE = /^application\/(pdf|msword|vnd\.openxmlformats-officedocument\.wordprocessingml\.document|vnd\.ms-word|ofd|vnd\.ms-works|wps-office\.\w+|vnd\.ms-tnef|ms-tnef|rtf)$/i;
const DOCUMENT_NAME = /(\.(pdf|docx?|wps|ofd|rtf|txt)$|^winmail\.dat$)/i;
/** A file named as the answer is one whatever its format: a scan of the signed letter (答复函.jpg), a spreadsheet or an
 * archive of the answer's documents (办理结果.xlsx, 答复材料.zip). */
const REPLY_SCAN = /(答复|回复|复函|告知书|办理结果|处理结果|办理意见)[^/]*\.(jpe?g|png|tiff?|xlsx?|et|zip|rar|7z)$/i;
/** A document that is a receipt or notice of acceptance, not the answer (受理通知书, 回执). */
const RECEIPT_NAME = /(受理|回执|回单)/;
/** Text that points to the attachment for the answer. */
const SEE_ATTACHMENT = /(详见附件|见附件|附件为|详见附|请查收|附件[:：])/;

/** Sentences that are courtesy or acknowledgement, not an answer. Matched after trimming punctuation. */
const BOILERPLATE = [
  /^(尊敬的)?[^，,。]{0,12}(您好|你好)[!！,，:：]?$/,
  /^尊敬的[^，,。：:]{0,12}[:：]?$/,
  /^(您好|你好)$/,
  /^(来信|留言)(已)?收悉$/,
  /(您的)?来信(已)?(收到|收悉)/,
  /已收到您的(来信|留言)/,
  /您的留言已收到/,
  /(您的)?(邮件|来信|留言|信件)(我|我们)?(已经?)(收到|收悉|受理)/,
  /(这是|此为|本邮件为)一?封?自动(回复|答复|发送)的?(邮件)?/,
  /(感谢|谢谢)您?(的)?(来信|关注|支持|留言|信任|理解|配合)/,
  /^(谢谢|感谢)[!！]?$/,
  /^(非常)?(感谢|谢谢)您?对.{0,16}(支持|关注|理解|信任|监督)/,
  /(我们|我单位|本单位)?(将|会)(在规定时限内)?尽快(处理|答复|办理|回复)/,
  /(将|会)在[^。，,]{0,16}(工作日|小时|天|日)内[^。]{0,30}(处理|答复|回复|办理|办结|核实|联系)/,
  /第一时间(处理|回复|答复|联系)/,
  /已进入(办理|处理)(流程|程序)/,
  /查询(办理|处理)(进度|结果|情况)/,
  /(在规定时限内)?予以(答复|回复|办理)/,
  /请(您)?耐心等(待|候)/,
  /已(将您的来信)?转(交|办)(相关|有关)?(部门|单位)/,
  /转(交|办|送)[^。，,]{0,30}(办理|处理|调查|核实)/,
  /已转(?:至|到|给)?[^。，,；;]{1,20}(办理|处理|调查|核实)/,
  // 12345 hotlines: 已交由/交办/派单/派发/转派 … (办理), a notice of which office will answer
  /(交由|交办|派单|派发|转派|分派)(至|到|给)?[^。，,；;]{1,30}(局|委|办|厅|中心|政府|街道|办事处|部门|单位|所|队|站|院|镇|乡|区|县|市|办理|处理|调查|核实|答复)$/,
  /(处理|办理)结果将由[^。，,]{0,20}(答复|回复|反馈|告知)/,
  /(处理|办理)(情况|结果|进度)将[^。]{0,30}(告知|反馈|答复|回复|通知)/,
  /^办理(期限|时限)[为是:：]?[^。，,]{0,12}(工作日|天|日)$/,
  /(诉求|工单|来信|留言|信件|邮件|咨询|建议|投诉|申请)[^。，,；;]{0,30}已(被)?(受理|登记|收到|收悉)/,
  /(诉求|工单|来信|留言|信件|问题|事项)[^。，,；;]{0,30}已(办结|办理完毕|处理完毕)/,
  /(查询|查看|登录)[^。，,]{0,30}(办理|处理|答复|回复)(进度|结果|情况|内容)/,
  /对[^。，,]{0,30}(进行)?(满意度)?评价|满意度(评价|调查|回访)|回复\s*\d[^。]{0,6}满意/,
  /^请(您)?保持(电话|手机|联系方式)畅通$/,
  /^(您|你)(所)?(反映|咨询|提出|询问)的[^，,。]{0,40}(问题|事项|情况)(已收悉)?$/,
  /系统自动发送/,
  /请勿(直接)?回复/,
  /^此致$/,
  /^敬礼$/,
  /^祝[^。]{0,10}(愉快|顺利|健康)$/,
  /(查询码|查询编号|受理编号|受理号|信件编号|留言编号|工单编号|工单号|诉求编号)(为|是)?[:：]?\s*[A-Za-z0-9-]+/,
  /可凭查询码查询/,
  /^[^，,。]{2,30}(局|厅|委|办|办公室|中心|政府|部门|信箱|热线)$/,
  /^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$/,
  /^\d{4}-\d{1,2}-\d{1,2}$/,
  /(如有疑问|如有问题)?[,，]?(请)?(拨打|致电|联系)[^。]{0,20}\d{3,}/,
  /(如有)?急事[^。]{0,6}(请)?(拨打|致电|联系)/,
  /^(电话|联系电话|传真|地址|邮编)[:：]/,
  /^(回复|答复|办理|处理|发布|提交|受理|发送)?(时间|日期)[:：]/,
  /^(回复|答复)(内容|意见)[:：]?$/,
  /(现|特)?(将有关情况)?(答复|回复)如下$/,
];

/** `BOILERPLATE.some((re) => re.test(t))` as one regex (one call instead of one per pattern). */
const ANY_BOILERPLATE = new RegExp(BOILERPLATE.map((re) => `(?:${re.source})`).join('|'));

/** Labelled fields many systems echo back from the letter: never an answer. */
const ECHO_LABEL = /^(留言标题|留言内容|来信标题|来信内容|信件标题|信件内容|您的留言|您的来信内容|提交时间|留言时间|标题|内容)[:：]/;
/** A labelled field line (标签：…), which ends an echoed field's value. */
const FIELD_LABEL = /^[\u4e00-\u9fa5]{2,8}[:：]/;
/** The first line of a quoted original (its header, or a separator that names it). */
const QUOTE_START = /^(-{2,}\s*(原始邮件|原邮件|邮件原文|Original Message|Forwarded message|转发的邮件)\s*-{2,}|_{5,}$|在\s.+写道[:：]?$|On .+ wrote:$)/i;
/** A From line that starts a quoted header block when the block's other fields follow (Outlook, Foxmail, Coremail). */
const QUOTE_FROM = /^(发件人|From)\s*[:：]/i;
const QUOTE_HEADER_FIELD = /^(发送时间|发送日期|时间|日期|收件人|抄送|主题|Sent|Date|To|Cc|Subject)\s*[:：]/i;
/** A separator that names a forward (163: 转发邮件信息; Gmail, Thunderbird: Forwarded message), and a forward's subject. */
const FORWARD_SEPARATOR = /(转发邮件信息|转发的邮件|Forwarded message)/i;
const FORWARD_SUBJECT = /^\s*(fw|fwd|转发)\s*[:：]/i;

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

/**
 * Remove quoted text, signatures and echoed fields; returns the lines that the sender actually wrote. An echoed field
 * (信件内容：…) runs on over the following lines until a blank line, another field, a courtesy line or an answer mark.
 * A forward (`forward`: its subject says so; or its separator does) whose sender added no more than a note (请查收) —
 * no acknowledgement, nothing substantive — says what the forwarded message says: that message's body is read (past
 * its header block), and its own quotes (of the letter) are cut as any.
 */
export function authoredText(text: string, forward = false): string {
  const out: string[] = [];
  const lines = (text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text).split('\n');
  let echo = false;
  let opened = false;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const line = raw.trim();
    // A quoted line can be neither a quote header nor a signature delimiter: skipped before those tests.
    if (line.startsWith('>') || line.startsWith('＞')) continue;
    const quoteStart = QUOTE_START.test(line);
    if (quoteStart || (QUOTE_FROM.test(line) && quoteHeaderFollows(lines, i))) {
      if (opened || !(forward || FORWARD_SEPARATOR.test(line)) || !onlyANote(out)) break;
      opened = true;
      i = forwardedHeaderEnd(lines, quoteStart ? i + 1 : i) - 1;
      continue;
    }
    if (QUOTE_FROM.test(line)) continue; // a sender field of a system mail (发件人：某某信箱), not an answer
    if (raw === '-- ' || line === '--' || line === '——') break; // signature delimiter
    if (ECHO_LABEL.test(line)) {
      echo = true;
      continue;
    }
    if (echo) {
      if (!line || FIELD_LABEL.test(line) || isBoilerplate(line) || ANSWER_MARK.test(line)) echo = false;
      else continue;
    }
    out.push(line);
  }
  return out.join('\n');
}

/** Lines a forwarder adds above a forwarded message that leave it the message: nothing substantive, no acknowledgement. */
function onlyANote(lines: readonly string[]): boolean {
  const t = lines.join('\n');
  return !ANY_ACK_PHRASE.test(t) && countSubstantive(substantiveOf(t)) < SUBSTANTIVE_MIN_CHARS;
}

/** The first line after a forwarded message's header block (发件人/From, 发送时间/Date, 收件人/To, 主题/Subject…) starting at `from`. */
function forwardedHeaderEnd(lines: readonly string[], from: number): number {
  let j = from;
  while (j < lines.length && (!lines[j]!.trim() || QUOTE_FROM.test(lines[j]!.trim()) || QUOTE_HEADER_FIELD.test(lines[j]!.trim()))) j++;
  return j;
}

function quoteHeaderFollows(lines: readonly string[], at: number): boolean {
  for (let j = at + 1; j < Math.min(lines.length, at + 5); j++) if (QUOTE_HEADER_FIELD.test(lines[j]!.trim())) return true;
  return false;
}

/** Text without blanks and punctuation, for finding a sentence inside the letter it may echo. */
function squeezed(s: string): string {
  return s.replace(/[\s\p{P}\p{S}]+/gu, '');
}

/**
 * Authored text minus courtesy/acknowledgement clauses and minus sentences echoed from the letter (`letterText`):
 * what answers the question, if anything.
 */
export function substantiveText(text: string, letterText?: string): string {
  return substantiveOf(authoredText(text), letterText);
}

/** `substantiveText` from the authored text already taken out. */
function substantiveOf(authored: string, letterText?: string): string {
  const letter = letterText ? squeezed(letterText) : '';
  const kept: string[] = [];
  for (const para of authored.split('\n')) {
    for (const sentence of para.split(/(?<=[。！!？?；;\n])/)) {
      if (letter) {
        const sq = squeezed(sentence);
        if (sq.length >= 6 && letter.includes(sq)) continue;
      }
      // Courtesy clauses ("您好，来信收悉，…", "…，处理结果将由承办单位答复您") go; the rest of the sentence stays.
      const clauses = sentence.split(/(?<=[，,])/);
      if (clauses.length === 1) {
        if (!isBoilerplate(sentence)) kept.push(sentence.trim());
        continue;
      }
      const rest = clauses.filter((c) => !isBoilerplate(c)).join('');
      if (rest && !isBoilerplate(rest)) kept.push(rest.trim());
    }
  }
  return kept.join('\n').trim();
}

/**
 * The writer's own absence (first person: 我/本人…, "I am out of the office"), when that is all the text says — every
 * sentence is the absence, when they are back, or whom to call meanwhile: what it matched, or null. An answer that
 * mentions the writer's trip (我上周出差，回来才看到您的来信。办理居住证需要…) has sentences of its own.
 */
function absenceNote(authored: string, substantive: string): string | null {
  const self = SELF_ABSENCE.exec(authored);
  if (!self || !ABSENCE_AFTERWORD.test(authored)) return null;
  let rest = 0;
  for (const sentence of substantive.split(/(?<=[。！!？?；;\n]|\.\s)/)) {
    if (!ABSENCE.test(sentence) && !ABSENCE_AFTERWORD.test(sentence)) rest += countSubstantive(sentence);
  }
  return rest < SUBSTANTIVE_MIN_CHARS ? self[0] : null;
}

/** What does not make a courtesy clause long: bracketed asides (（工单编号：GD2026…）), dates, reference numbers. */
const NOT_WORDS = /[（(][^（）()]{0,40}[）)]|\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[A-Za-z0-9-]{5,}/g;

function isBoilerplate(s: string): boolean {
  const t = s.trim().replace(/^[\s,，。.!！:：;；、]+|[\s,，。.!！:：;；、]+$/g, '');
  if (!t) return true;
  return ANY_BOILERPLATE.test(t) && countSubstantive(t.replace(/^.*?(答复如下|如下)[:：]?/, '').replace(NOT_WORDS, '')) < 40;
}

function isDocument(a: { filename: string | null; contentType: string }): boolean {
  return DOCUMENT_TYPE.test(a.contentType) || DOCUMENT_NAME.test(a.filename ?? '') || REPLY_SCAN.test(a.filename ?? '');
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
  const authored = authoredText(text.slice(0, 20_000), FORWARD_SUBJECT.test(subject));

  // 1. Bounces (and the automatic reports that are not: a delay notice, a read receipt).
  const report = h.contentType === 'multipart/report' ? (h.reportType ?? 'delivery-status') : null;
  if (report === 'disposition-notification' || READ_RECEIPT_SUBJECT.test(subject)) {
    return { kind: 'other', reasons: [report === 'disposition-notification' ? 'header:multipart/report;disposition-notification' : 'subject:read-receipt'], substantive: '' };
  }
  if (report === 'delivery-status' && DSN_DELAYED.test(text) && !DSN_FAILED.test(text)) {
    return { kind: 'other', reasons: ['header:multipart/report;delivery-status', 'text:dsn:delayed'], substantive: '' };
  }
  let bounce = 0;
  if (report === 'delivery-status') {
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
  const bs = REPLY_PREFIX.test(subject) || ANSWER_TITLE_END.test(subject) ? null : BOUNCE_SUBJECT.exec(subject);
  if (bs) {
    reasons.push(`subject:bounce:${bs[0]}`);
    bounce += 2;
  }
  // Quoted text is left out: a reply may quote a letter about a parcel that 无法投递.
  const bt = BOUNCE_TEXT.exec(authored.slice(0, 4000));
  if (bt) {
    reasons.push(`text:bounce:${bt[0]}`);
    bounce += 1;
  }
  if (mail.returnPath === '') bounce += 1;
  if (bounce >= 2) return { kind: 'bounce', reasons, substantive: '' };
  reasons.length = 0;

  // Automatic-mail signals. Strong: the sender's system says the mail is an automatic reply.
  const autoSignals: string[] = [];
  let strongAuto = false;
  if (h.autoSubmitted && !/^\s*no\b/i.test(h.autoSubmitted)) {
    autoSignals.push(`header:auto-submitted=${h.autoSubmitted.trim()}`);
    strongAuto = true;
  }
  if (h.xAutoreply) {
    autoSignals.push(`header:x-autoreply=${h.xAutoreply.trim()}`);
    strongAuto = true;
  }
  if (h.xAutoResponseSuppress) autoSignals.push(`header:x-auto-response-suppress=${h.xAutoResponseSuppress.trim()}`);
  if (h.precedence && /^(auto_reply|bulk|junk|list)/i.test(h.precedence.trim())) autoSignals.push(`header:precedence=${h.precedence.trim()}`);
  const autoSubject = AUTO_SUBJECT.exec(subject);
  if (autoSubject) {
    autoSignals.push(`subject:auto:${autoSubject[1]}`);
    strongAuto = true;
  }

  const substantive = substantiveOf(authored, mail.letterText);
  const chars = countSubstantive(substantive);
  // A label on its own line (答复内容：) is boilerplate to the substantive text, yet says the lines after it answer.
  const answered = ANSWER_MARK.exec(substantive) ?? (chars >= SUBSTANTIVE_MIN_CHARS ? ANSWER_LABEL.exec(authored) : null);

  // 2. Out of office: an automatic mail in which the writer says they are away — and that does not answer.
  const away = autoSignals.length > 0 && !answered ? ABSENCE.exec(`${subject}\n${authored.slice(0, 2000)}`) : null;
  if (away) return { kind: 'out-of-office', reasons: [...autoSignals, `text:vacation:${away[0]}`], substantive: '' };
  // Without a header signal (Foxmail, a hand-set note) only a note that is nothing but the writer's own absence.
  const self = autoSignals.length === 0 && !answered ? absenceNote(authored.slice(0, 2000), substantive) : null;
  if (self) return { kind: 'out-of-office', reasons: [`text:vacation:${self}`, 'content:nothing-but-the-absence'], substantive: '' };

  // 3. Spam / adverts.
  const spamHits = phrasesIn(head, SPAM_WORDS, ANY_SPAM_WORD);
  const strong = SPAM_STRONG.exec(head);
  const looksLikeAnswer = ANSWERS_THE_LETTER.test(substantive) && !strong;
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
    if (!strongAuto || answered || chars >= AUTO_ANSWER_MIN_CHARS) {
      reasons.push(`content:substantive(${chars} chars)`);
      if (answered) reasons.push(`content:answer:${answered[0]}`);
      return { kind: 'reply', reasons, substantive };
    }
    reasons.push(`content:automatic-without-an-answer(${chars} chars)`);
    return { kind: 'auto-ack', reasons, substantive };
  }
  // A formal reply as a document (答复函.pdf), the mail's text empty or pointing to it; not a receipt of acceptance,
  // nor a document under an acknowledgement that does not mention it.
  const doc = strongAuto ? undefined : (mail.attachments ?? []).find((a) => isDocument(a) && !RECEIPT_NAME.test(a.filename ?? ''));
  if (doc && (countSubstantive(authored) === 0 || SEE_ATTACHMENT.test(authored))) {
    reasons.push(`attachment:${doc.filename ?? doc.contentType}`);
    return { kind: 'reply', reasons, substantive };
  }
  reasons.push(`content:no-substantive-text(${chars} chars)`);
  if (ackHits.length > 0 || autoSignals.length > 0) return { kind: 'auto-ack', reasons, substantive };
  return { kind: 'other', reasons, substantive };
}

/**
 * Public reply lists (信件选登 / 答复列表 / 查询结果), parsed without a browser. Pure; page text is untrusted data
 * (never executed; the page, each value and the answer are cut to fixed sizes; every pattern runs in linear time).
 * The shapes covered, by the way platforms draw them:
 * - header tables (序号 | 标题 | 来信时间 | 答复时间 | 状态), one row per letter, often linking to a detail page
 *   (JACT mailpublist.do, TRS list.jsp, ASP.NET GridView);
 * - label/value records: `<th>答复时间</th><td>…</td>`, `<dt>…</dt><dd>…</dd>`, spans, lines `答复时间：…`, a label
 *   alone over its value, 来信 / 回复 blocks with generic labels (时间, 内容) — one record per page (a detail or query
 *   result) or many (card lists: ul/li, div + p), the letter's record being the one around its 查询码 or title;
 * - a 办理过程 table (受理 → 转办 → 答复 → 办结): the 答复 step is the reply, whichever department gave it;
 * - JSON query results and lists (12345 platforms: hfsj / hfnr / blzt, replyTime, epoch milliseconds).
 * Only the 回复/答复 time is a reply time: a list that shows only 来信时间 states none (the first-seen time decides).
 * Relative (今天, 昨天, 3小时前) and yearless (11-25) times are read against `ctx.now`, the fetch time, and are dropped
 * without it. An answer that is only an acknowledgement (您的来信已收到，我们将尽快处理) or a placeholder (正在办理)
 * is not a reply; nor is a transfer notice (已转市公安局办理，请耐心等待). An answer published only as a picture (a scan
 * of the reply letter in the 答复内容 cell) is an answer; icons, spacers and logos are no text.
 * Status icons (`<img alt="已回复">`, `<span class="st yhf">`) read as their status; traditional labels (回覆時間) as
 * simplified ones; full-width digits (２０２６年１１月２５日) and runs like 20261125143000 as times; 下午 3:40 / 3:40 PM,
 * ISO offsets (…Z, …+0000: Beijing time is 8 hours on), /Date(ms)/ and spans (… 至 …: the end) likewise.
 * Of several answers (a 补充答复 after the 答复; newest-first step tables and reply lists) the earliest real one counts.
 */
import { substantiveText } from '../mail/classify.ts';
import { decodeEntities, htmlToText } from '../mail/html-text.ts';

export interface ReplyListEntry {
  /** The stated reply time as ISO-8601: `YYYY-MM-DDTHH:mm:ss+08:00` (precision instant) or `YYYY-MM-DD` (day). */
  repliedAt: string | null;
  precision: 'instant' | 'day' | null;
  content: string | null;
  status: string | null;
  /** Whether the page says the letter has been answered. */
  replied: boolean;
  queryCode: string | null;
  title: string | null;
  /** Link to the letter's detail page, when the row had one (absolute or relative to the page). */
  detailHref: string | null;
  /** The site's own time for the letter (来信/留言时间), as repliedAt; not a reply time. */
  askedAt: string | null;
  /** Who answered (回复单位 / 答复部门 / the 答复 step's department), when the page says. */
  replier: string | null;
}

/** What identifies our letter on a page. */
export interface LetterKey {
  queryCode?: string;
  title?: string;
  /** When we submitted it: a row with the same title asked before that day is someone else's. */
  submittedAt?: string;
}

export interface ParseContext {
  /** When the page was fetched: the reference for 今天 / 昨天 / 3小时前 and for dates without a year. */
  now?: Date;
  /**
   * The page is known to be about our letter (the answer to a query for its 查询码, or its row's detail link): one
   * record is taken even when the page does not repeat the code or the whole title.
   */
  ours?: boolean;
}

/** Limits on untrusted input. */
export const MAX_PAGE_CHARS = 2_000_000;
const MAX_VALUE_CHARS = 300;
export const MAX_CONTENT_CHARS = 20_000;
const MAX_JSON_NODES = 50_000;

type Field = 'repliedAt' | 'content' | 'status' | 'queryCode' | 'title' | 'askedAt' | 'replier' | 'question';
type Fields = Partial<Record<Field, string>>;

const LABELS: Array<[Field, RegExp]> = [
  ['repliedAt', /^(答复|回复|办结|反馈|处理|办理|回复办理|答复办理)(时间|日期)$/],
  ['askedAt', /^(来信|留言|提问|写信|提交|咨询|诉求|来电|投诉|反映|信件|发信|登记|受理|发布)(时间|日期)$/],
  ['content', /^(答复|回复|办理|处理)(内容|意见|结果)$|^(答复|回复)$/],
  ['question', /^(来信|留言|信件|咨询|诉求|问题|投诉|建议)(内容|描述|详情)$|^(网友|群众)?(来信|留言)$|^(诉求|问题)$/],
  ['status', /^(办理|处理|答复|回复|信件|受理|工单|办件)?(状态|进度)$/],
  ['queryCode', /^(查询码|查询编号|信件编号|受理编号|编号|信件编码|工单编号|工单号|诉求编号|留言编号|受理号|信件号)$/],
  ['title', /^(信件|来信|留言|诉求|咨询)?(标题|主题)$|^主旨$/],
  ['replier', /^(答复|回复|办理|承办|处理|答复办理)(单位|部门|机关|机构)$/],
];
/** Labels whose meaning depends on the block they are in (来信 / 回复). */
const GENERIC: Array<[RegExp, Field, Field | null]> = [
  [/^(时间|日期)$/, 'repliedAt', 'askedAt'],
  [/^(内容|正文)$/, 'content', 'question'],
  [/^(单位|部门)$/, 'replier', null],
];
const ASK_HEADING = /^(网友|群众|市民)?(来信|留言|诉求|咨询|提问)(信息|详情)?$|^问$/;
const REPLY_HEADING = /^(部门|单位|官方|领导)?(回复|答复)(信息|详情)?$|^答$|^(办理|处理)(结果|情况)$/;
/** Multi-line values: they run on until the next label. */
const MULTILINE = new Set<Field>(['content', 'question']);

const REPLIED = /(已回复|已答复|已办结|已处理|办结|已反馈|答复完毕|已完成|已结案|已评价|回复完毕|已公开)/;
const NOT_REPLIED = /(未回复|未答复|办理中|处理中|待处理|待答复|待回复|已受理|未办结|受理中|已转办|转办中|已交办|交办中|已签收|正在办理|正在处理|审核中|待审核|待受理|未受理|不予受理|未处理|已转交|待办理|未办理)/;
/** Answers that are not one: the site has nothing to say yet. */
const PLACEHOLDER = /^([-—–_/\\.。·\s]*|无|暂无|暂无回复|暂无答复|未回复|未答复|待回复|待答复|尚未回复|尚未答复|正在办理中?|正在处理中?|办理中|处理中|null|undefined|none|success|ok|true|false|fail|error|成功|操作成功|查询成功|请求成功)[。.！!]*$/i;
/** Chrome of a detail page that must not run on into an answer. */
const CHROME = /^[【\[]?(打印|关闭|返回|打印本页|关闭窗口|返回列表|上一篇|下一篇|分享到|扫一扫|收藏)|^(主办单位|承办单位|版权所有|网站标识码|ICP|技术支持)/;
const STEP = /^(办理|处理)?(环节|步骤|节点|流程|操作|动作)$|^(办理|处理)(过程|流程)$/;

/** Traditional characters of the labels, statuses and acknowledgements read here (回覆時間, 處理狀態, 已回覆, 辦理中). */
const TRADITIONAL: Record<string, string> = {
  覆: '复', 復: '复', 時: '时', 間: '间', 處: '处', 辦: '办', 來: '来', 狀: '状', 態: '态', 單: '单', 門: '门', 見: '见',
  結: '结', 內: '内', 題: '题', 詢: '询', 碼: '码', 編: '编', 號: '号', 問: '问', 諮: '咨', 議: '议', 訴: '诉', 報: '报',
  機: '机', 構: '构', 轉: '转', 審: '审', 簽: '签', 記: '记', 發: '发', 請: '请', 將: '将', 盡: '尽', 們: '们', 謝: '谢',
  經: '经', 電: '电', 話: '话', 進: '进', 無: '无', 暫: '暂', 維: '维', 護: '护', 過: '过', 應: '应', 稱: '称',
  關: '关', 於: '于', 該: '该', 為: '为', 繫: '系', 聯: '联', 係: '系',
};
const TRADITIONAL_RE = new RegExp(`[${Object.keys(TRADITIONAL).join('')}]`, 'g');

/** Traditional → simplified for the words matched here (labels, statuses, acknowledgements); other text unchanged. */
function simplified(s: string): string {
  return s.replace(TRADITIONAL_RE, (c) => TRADITIONAL[c] ?? c);
}

/** Full-width digits, letters and punctuation (２０２６年１１月２５日　１４：０５, ＺＸ２０２６…) → ASCII. */
function halfWidth(s: string): string {
  return s.replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ');
}

function normLabel(s: string): string {
  return simplified(s.replace(/[\s:：　*＊]/g, ''));
}

function fieldOf(label: string): Field | null {
  const l = normLabel(label);
  if (l.length > 10) return null;
  for (const [f, re] of LABELS) if (re.test(l)) return f;
  return null;
}

/* ------------------------------------------------------------------ times */

const p2 = (v: number) => String(v).padStart(2, '0');

function validDate(y: number, m: number, d: number): boolean {
  if (y < 2000 || y > 2100 || m < 1 || m > 12 || d < 1) return false;
  const dim = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
  return d <= dim;
}

/** The Beijing calendar date and clock of an instant. */
function beijing(ms: number): { y: number; m: number; d: number; h: number; mi: number; s: number } {
  const t = new Date(ms + 8 * 3_600_000);
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate(), h: t.getUTCHours(), mi: t.getUTCMinutes(), s: t.getUTCSeconds() };
}

function instantIso(ms: number): string {
  const b = beijing(ms);
  return `${b.y}-${p2(b.m)}-${p2(b.d)}T${p2(b.h)}:${p2(b.mi)}:${p2(b.s)}+08:00`;
}

function dayIso(ms: number): string {
  const b = beijing(ms);
  return `${b.y}-${p2(b.m)}-${p2(b.d)}`;
}

type Stated = { iso: string; precision: 'instant' | 'day' };

function withClock(date: string, h?: string, mi?: string, s?: string, meridiem?: Meridiem): Stated | null {
  if (h === undefined) return { iso: date, precision: 'day' };
  const hour = meridiem ? hour24(Number(h), meridiem) : Number(h);
  if (hour === null || hour > 23 || Number(mi) > 59 || Number(s ?? 0) > 59) return null;
  return { iso: `${date}T${p2(hour)}:${p2(Number(mi))}:${p2(Number(s ?? 0))}+08:00`, precision: 'instant' };
}

/** 上午/下午 (and AM/PM) beside a 12-hour clock: 2026/11/25 下午 3:40 (Windows zh-CN), 2026-11-25 3:40 PM. */
type Meridiem = 'am' | 'pm' | 'noon';
const MERIDIEM_WORDS: Record<string, Meridiem> = { 上午: 'am', 凌晨: 'am', 早上: 'am', 早晨: 'am', 下午: 'pm', 晚上: 'pm', 傍晚: 'pm', 中午: 'noon', am: 'am', pm: 'pm' };
const MERIDIEM_BEFORE = /(上午|凌晨|早上|早晨|下午|晚上|傍晚|中午|[AaPp]\.?[Mm]\.?)\s*(?=\d{1,2}\s*[:：时点])/;
const MERIDIEM_AFTER = /(\d{1,2}\s*[:：]\s*\d{2}(?:\s*[:：]\s*\d{2})?)\s*(上午|下午|[AaPp]\.?[Mm]\.?)(?![A-Za-z])/;

/** The 24-hour hour of a 12-hour clock; null when the two contradict (上午 15:40). */
function hour24(h: number, m: Meridiem): number | null {
  if (h > 12) return m === 'am' ? null : h; // 下午 15:40 is written both ways
  if (m === 'am') return h === 12 ? 0 : h;
  if (m === 'noon') return h <= 5 ? h + 12 : h; // 中午12:30, 中午1:30
  return h === 12 ? 12 : h + 12;
}

const CLOCK = String.raw`(?:[\sT]*(\d{1,2})\s*[:：时点]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2}))?)?`;
const FULL_DATE = new RegExp(String.raw`(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?${CLOCK}`);
/** Every full date of a text (matchAll copies it: safe to share). */
const FULL_DATES = new RegExp(FULL_DATE.source, 'g');
/** What may follow an ISO time: fractions of a second and its offset (2026-11-25T07:40:00.000Z, …+0000, …+08:00). */
const ISO_TAIL = /^(?:\.\d{1,9})?(Z|[+-]\d{2}(?::?\d{2})?)(?![\d:])/i;
/** A span of time (2026-11-25 至 2026-11-26): the two ends and what is between them. */
const RANGE_SEP = /^\s*(至|到|~|～|—{1,2}|-{1,2}|－)\s*$/;
/** ASP.NET's JSON date, epoch milliseconds (UTC whatever offset follows): /Date(1764054000000+0800)/. */
const MS_DATE = /^\\?\/?Date\((-?\d{1,15})(?:[+-]\d{4})?\)\\?\/?$/;
/** Java's Date.toString() in a JSON API on a Beijing server: Wed Nov 25 15:40:00 CST 2026. */
const JAVA_DATE = /^[A-Z][a-z]{2} ([A-Z][a-z]{2}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (?:CST|GMT\+0?8:00) (\d{4})$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** A value that is only digits: 20261125, 202611251405, 20261125140500 (a longer or shorter run is not a time). */
const COMPACT = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?$/;
const YEARLESS = new RegExp(String.raw`^(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?${CLOCK}\s*$`);
const RELATIVE_DAY = new RegExp(String.raw`^(今天|今日|昨天|昨日|前天)${CLOCK}\s*$`);
const AGO = /^(\d{1,4})\s*(秒|分钟|小时|天)前$|^(刚刚|刚才)$/;

/** A full date (and clock) found at `m` in `s`: Beijing time, unless an ISO offset follows it (…Z, …+0000). */
function fullDate(s: string, m: RegExpExecArray, meridiem?: Meridiem): Stated | null {
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!validDate(y, mo, d)) return null;
  const t = withClock(`${y}-${p2(mo)}-${p2(d)}`, m[4], m[5], m[6], meridiem);
  // only after an ISO clock (2026-11-25T15:40, or with seconds): 15:40-16:30 is a span of the day, not an offset
  const iso = m[6] !== undefined || m[0].includes('T');
  const offset = t?.precision === 'instant' && iso ? ISO_TAIL.exec(s.slice(m.index + m[0].length))?.[1] : undefined;
  if (!t || !offset) return t;
  const o = /^([+-])(\d{2}):?(\d{2})?$/.exec(offset);
  const minutes = o ? (o[1] === '-' ? -1 : 1) * (Number(o[2]) * 60 + Number(o[3] ?? 0)) : 0;
  if (Math.abs(minutes) > 14 * 60) return null;
  return { iso: instantIso(Date.parse(`${t.iso.slice(0, 19)}Z`) - minutes * 60_000), precision: 'instant' };
}

/**
 * A stated time → ISO with +08:00 (Beijing) or a bare date. Null when it is not a time. Relative and yearless
 * times need `now` (the fetch time): 昨天 is the Beijing date before it, 3小时前 the date three hours before it
 * (day precision: "3 hours ago" is not an instant), 11-25 the latest 25 November not after it. A time with an ISO
 * offset (…Z, …+0000: a JSON API's UTC) is that instant; a span (2026-11-24 至 2026-11-25) is its end, the latest
 * the answer can have been given (its start would date the answer before the work was done).
 */
export function parseStatedTime(raw: string, now?: Date): Stated | null {
  let s = halfWidth(raw.slice(0, MAX_VALUE_CHARS)).trim();
  const c = COMPACT.exec(s);
  if (c) {
    const [y, mo, d] = [Number(c[1]), Number(c[2]), Number(c[3])];
    return validDate(y, mo, d) ? withClock(`${y}-${p2(mo)}-${p2(d)}`, c[4], c[5], c[6]) : null;
  }
  const ms = MS_DATE.exec(s);
  if (ms) {
    const v = Number(ms[1]);
    return v > 946_684_800_000 && v < 4_102_444_800_000 ? { iso: instantIso(v), precision: 'instant' } : null;
  }
  const java = JAVA_DATE.exec(s);
  if (java) s = `${java[6]}-${MONTHS.indexOf(java[1]!) + 1}-${java[2]} ${java[3]}:${java[4]}:${java[5]}`;
  let meridiem: Meridiem | undefined;
  const before = MERIDIEM_BEFORE.exec(s);
  const after = before ? null : MERIDIEM_AFTER.exec(s);
  if (before) {
    meridiem = MERIDIEM_WORDS[before[1]!.replace(/\./g, '').toLowerCase()];
    s = `${s.slice(0, before.index)} ${s.slice(before.index + before[0].length)}`;
  } else if (after) {
    meridiem = MERIDIEM_WORDS[after[2]!.replace(/\./g, '').toLowerCase()];
    s = `${s.slice(0, after.index)}${after[1]}${s.slice(after.index + after[0].length)}`;
  }
  const all = [...s.matchAll(FULL_DATES)].slice(0, 2);
  if (all.length === 2 && RANGE_SEP.test(s.slice(all[0]!.index + all[0]![0].length, all[1]!.index))) return fullDate(s, all[1]!);
  if (all.length === 1 && /^\s*(至|到|~|～)/.test(s.slice(all[0]!.index + all[0]![0].length))) return null; // 2026-11-24 至今: no end yet
  const m = FULL_DATE.exec(s);
  if (m) return fullDate(s, m, meridiem);
  if (!now || !Number.isFinite(now.getTime())) return null;
  const nowMs = now.getTime();
  const r = RELATIVE_DAY.exec(s.trim());
  if (r) {
    const back = r[1]!.startsWith('今') ? 0 : r[1]!.startsWith('昨') ? 1 : 2;
    return withClock(dayIso(nowMs - back * 86_400_000), r[2], r[3], r[4], meridiem);
  }
  const a = AGO.exec(s.replace(/\s+/g, ''));
  if (a) {
    const unit = { 秒: 1_000, 分钟: 60_000, 小时: 3_600_000, 天: 86_400_000 }[a[2] as '秒'] ?? 0;
    return { iso: dayIso(nowMs - (a[3] ? 0 : Number(a[1]) * unit)), precision: 'day' };
  }
  const y = YEARLESS.exec(s.trim());
  if (y) {
    const [mo, d] = [Number(y[1]), Number(y[2])];
    const today = beijing(nowMs);
    let year = today.y;
    if (mo > today.m || (mo === today.m && d > today.d)) year--;
    if (!validDate(year, mo, d)) return null;
    return withClock(`${year}-${p2(mo)}-${p2(d)}`, y[3], y[4], y[5], meridiem);
  }
  return null;
}

/** A time in JSON: a string as above, or epoch seconds / milliseconds. */
function jsonTime(v: unknown, now?: Date): Stated | null {
  if (typeof v === 'number' && Number.isFinite(v)) {
    const ms = v > 1e12 ? v : v > 1e9 ? v * 1000 : NaN;
    return Number.isFinite(ms) && ms < 4_102_444_800_000 ? { iso: instantIso(ms), precision: 'instant' } : null;
  }
  // epoch seconds (10 digits) or milliseconds (13); 20261125 and 20261125143000 are dates written without separators
  if (typeof v === 'string') return /^(\d{10}|\d{13})$/.test(v.trim()) ? jsonTime(Number(v), now) : parseStatedTime(v, now);
  return null;
}

/* ------------------------------------------------------------------ html */

/**
 * The page made safe for the regex passes: cut to MAX_PAGE_CHARS, and a `<` that opens no tag before the next `<`
 * written as text (so that no tag pattern scans the rest of the page from each of a million stray `<`).
 */
function bounded(html: string): string {
  return iconText(html.slice(0, MAX_PAGE_CHARS).replace(/<([^<>]*)(?=<|$)/g, '&lt;$1'));
}

/** Status icon classes (拼音 initials or English) that say replied / not yet, as lists draw them with no text. */
const ICON_REPLIED = /^(yhf|yihuifu|ydf|yidafu|ybj|yibanjie|replied|answered)$/i;
const ICON_PENDING = /^(whf|weihuifu|wdf|weidafu|blz|banlizhong|clz|chulizhong|dcl|daichuli|unreplied|unanswered|pending|processing|handling)$/i;

/** What an image in the page says when it is a picture of a document (a scanned reply letter): a few words of text. */
const PICTURE_TEXT = '［图片］';
/** Images that are page furniture, by their file name (the last part of the path): never an answer. */
const FURNITURE_IMAGE = /icon|ico_|spacer|blank|dot|line|arrow|logo|btn|button|bg|banner|top|bottom|nav|menu|bullet|loading|qrcode|ewm|share|print|close|search/i;
const DOCUMENT_IMAGE = /\.(?:jpe?g|png|bmp|tiff?|webp)(?:[?#]|$)|[?&](?:id|file|fid|path)=/i;

/** Whether an <img> tag (no status alt) is a picture of a document: a photo-type file or a file served by id, not furniture or tiny. */
function isDocumentImage(tag: string): boolean {
  const attr = (name: string) => new RegExp(`\\b${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  const m = attr('src');
  const src = decodeEntities(m?.[1] ?? m?.[2] ?? m?.[3] ?? '')
    .trim()
    .slice(0, 2_000);
  const path = src.replace(/[?#][\s\S]*$/, '');
  const file = path.slice(path.lastIndexOf('/') + 1);
  if (!src || /^data:/i.test(src) || FURNITURE_IMAGE.test(file) || !DOCUMENT_IMAGE.test(src)) return false;
  const small = ['width', 'height'].some((d) => {
    const v = attr(d);
    const n = Number.parseInt(v?.[1] ?? v?.[2] ?? v?.[3] ?? '', 10);
    return Number.isFinite(n) && n < 100;
  });
  return !small;
}

/**
 * Images as text: a status icon (`<img alt="已回复">`, or its title) as the status it shows, and an empty
 * `<span|i|em class="st yhf">` whose class is a status likewise, so that a 状态 cell or line drawn as an icon reads as
 * its status; a picture of a document (a scan of the reply letter in the 答复内容 cell) as PICTURE_TEXT, so that an
 * answer published only as an image is an answer. Other images (icons, spacers, logos) stay as they are: no text.
 * Runs on a bounded page: every `<` has its `>` before the next `<`, so each tag is scanned once.
 */
function iconText(html: string): string {
  return html
    .replace(/<img\b[^>]*>/gi, (tag) => {
      for (const m of tag.matchAll(/\b(?:alt|title)\s*=\s*(?:"([^"]*)"|'([^']*)')/gi)) {
        const v = simplified(decodeEntities(m[1] ?? m[2] ?? '').trim());
        if (v.length <= 8 && (REPLIED.test(v) || NOT_REPLIED.test(v))) return ` ${v} `;
      }
      return isDocumentImage(tag) ? ` ${PICTURE_TEXT} ` : tag;
    })
    .replace(/<(span|i|em)\b([^>]*)>(\s*)<\/\1\s*>/gi, (tag, _n: string, attrs: string) => {
      const cls = /\bclass\s*=\s*(?:"([^"]*)"|'([^']*)')/i.exec(attrs);
      const tokens = (cls?.[1] ?? cls?.[2] ?? '').split(/[\s_]+|-(?=[a-z])/i).filter(Boolean);
      const pending = tokens.some((t) => ICON_PENDING.test(t));
      if (pending) return ' 办理中 ';
      return tokens.some((t) => ICON_REPLIED.test(t)) ? ' 已回复 ' : tag;
    });
}

function cellText(html: string): string {
  return htmlToText(html).replace(/\s+/g, ' ').trim();
}

interface Row {
  cells: string[];
  html: string[];
  header: boolean;
}

const NO_SCRIPT = /<(script|style|textarea)\b[^>]*>[\s\S]*?(<\/\1\s*>|$)/gi;

/** The outermost tables of a (bounded, script-free) page: where each is and its rows (an inner table's rows stay in it). */
function tableSpans(html: string): Array<{ start: number; end: number; rows: Row[] }> {
  const spans: Array<{ start: number; end: number; rows: Row[] }> = [];
  let depth = 0;
  let start = 0;
  let open = 0;
  const push = (end: number, bodyEnd: number) => spans.push({ start: open, end, rows: rowsOf(html.slice(start, bodyEnd)) });
  for (const m of html.matchAll(/<(\/?)table\b[^>]*>/gi)) {
    if (!m[1]) {
      if (depth === 0) {
        open = m.index;
        start = m.index + m[0].length;
      }
      depth++;
    } else if (depth > 0 && --depth === 0) push(m.index + m[0].length, m.index);
  }
  if (depth > 0) push(html.length, html.length);
  return spans;
}

function rowsOf(body: string): Row[] {
  const rows: Row[] = [];
  const flat = body.replace(/<\/?(table|tbody|thead|tfoot)\b[^>]*>/gi, '');
  for (const r of flat.split(/<tr\b[^>]*>/i).slice(1)) {
    const cellsHtml: string[] = [];
    let header = true;
    const inner = r.replace(/<\/tr\s*>[\s\S]*$/i, '');
    for (const c of inner.split(/(?=<t[dh]\b)/i)) {
      const open = /^<(t[dh])\b[^>]*>/i.exec(c);
      if (!open) continue;
      if (open[1]!.toLowerCase() === 'td') header = false;
      cellsHtml.push(c.slice(open[0].length).replace(/<\/t[dh]\s*>[\s\S]*$/i, ''));
    }
    if (cellsHtml.length) rows.push({ cells: cellsHtml.map(cellText), html: cellsHtml, header });
  }
  return rows;
}

/** Tables (an inner table's rows stay in the table around it), in one pass over the page. */
function tablesOf(page: string): Row[][] {
  if (lastTables?.page === page) return lastTables.tables; // one page is read by several passes
  const tables = tableSpans(bounded(page).replace(NO_SCRIPT, '')).map((t) => t.rows).filter((rows) => rows.length > 0);
  lastTables = { page, tables };
  return tables;
}
let lastTables: { page: string; tables: Row[][] } | undefined;

/** The page without its column tables (lists, 办理过程): their header labels name columns, not values. */
function withoutColumnTables(page: string): string {
  const html = bounded(page).replace(NO_SCRIPT, '');
  let out = '';
  let from = 0;
  for (const t of tableSpans(html)) {
    if (!t.rows.some((r) => isHeaderRow(r) || r.cells.some((c) => STEP.test(normLabel(c))))) continue;
    out += `${html.slice(from, t.start)}<br>`;
    from = t.end;
  }
  return out + html.slice(from);
}

/** Lines of text, each table cell, dt/dd and list item on a line of its own. */
function pageLines(html: string): string[] {
  const spaced = bounded(html).replace(/<(td|th|dt|dd|li|label|h[1-6]|p|div)\b/gi, '<br><$1');
  return htmlToText(spaced)
    .split('\n')
    .flatMap((l) => splitEmbedded(l.trim()))
    .filter(Boolean);
}

/* ------------------------------------------------------------------ keys */

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The code as a whole token: XF2026110002 is not in XF20261100021. */
function codeRe(code: string): RegExp {
  return new RegExp(`(^|[^A-Za-z0-9])${escapeRe(code.trim())}(?![A-Za-z0-9])`, 'i');
}

function hasCode(text: string, code: string | undefined): boolean {
  return !!code && code.trim().length >= 3 && codeRe(code).test(halfWidth(text));
}

/** The title, whole or cut short by the list (咨询办理居住证需要携带哪些...). */
function hasTitle(text: string, title: string | undefined): boolean {
  if (!title) return false;
  const t = title.trim();
  if (t.length < 4) return false;
  if (text.includes(t)) return true;
  const cut = /([^\s>]{6,})(\.{2,}|…+)/.exec(text);
  return !!cut && t.startsWith(cut[1]!) && text.trim().length <= cut[0].length + 4;
}

function attrValues(html: string): string {
  return [...html.matchAll(/\b(?:href|title|value|data-[\w-]+)\s*=\s*("([^"]*)"|'([^']*)')/gi)].map((m) => decodeEntities(m[2] ?? m[3] ?? '')).join(' ');
}

/* ------------------------------------------------------------------ entries */

function clip(s: string | undefined, n = MAX_VALUE_CHARS): string | null {
  const t = s?.trim();
  return t ? t.slice(0, n) : null;
}

/**
 * A clause that only says where the letter is (已转市公安局办理, 已受理, 正在核实) — what a 处理意见 or 办理结果 field
 * holds while a letter is on its way, which the mail acknowledgements (classify) do not all name.
 */
const IN_PROGRESS_CLAUSE = /已(转|交|转交|转办|交办|转送|移交)(至|给|到)?[^。，,；;]{0,24}(办理|处理|答复|回复|核实|调查|研究)|^[^。，,；;]{0,12}已(受理|签收|登记|转办|交办)[。.！!]?$|正在(办理|处理|核实|调查|研究)/;

/** The answer, when it is one: a placeholder (正在办理) or only an acknowledgement is none. */
function answerOf(content: string | null): { text: string | null; ackOnly: boolean } {
  const simple = content ? simplified(content) : '';
  if (!content || PLACEHOLDER.test(simple)) return { text: null, ackOnly: false };
  const rest = substantiveText(simple)
    .split(/(?<=[。！!？?；;，,\n])/)
    .filter((c) => !IN_PROGRESS_CLAUSE.test(c.trim()) && /[\u4e00-\u9fa5A-Za-z0-9]/.test(c));
  return { text: content, ackOnly: rest.length === 0 };
}

function finish(fields: Fields, detailHref: string | null, now?: Date): ReplyListEntry {
  const t = fields.repliedAt ? parseStatedTime(fields.repliedAt, now) : null;
  const asked = fields.askedAt ? parseStatedTime(fields.askedAt, now) : null;
  const status = clip(fields.status, 40);
  const answer = answerOf(clip(fields.content, MAX_CONTENT_CHARS));
  const simpleStatus = status ? simplified(status) : null;
  const statusSays = simpleStatus ? (NOT_REPLIED.test(simpleStatus.replace(/已办结/g, '')) ? false : REPLIED.test(simpleStatus) ? true : null) : null;
  let replied: boolean;
  if (answer.ackOnly) replied = false; // 您的来信已收到，我们将尽快处理: whatever the status says, nothing is answered yet
  else if (statusSays !== null) replied = statusSays;
  else if (answer.text) replied = true;
  else replied = !!t && fields.content === undefined; // a list with a filled 回复时间 column and no status or answer column
  return {
    repliedAt: replied || t ? (t?.iso ?? null) : null,
    precision: t?.precision ?? null,
    content: answer.ackOnly ? null : answer.text,
    status,
    replied,
    queryCode: clip(fields.queryCode, 80),
    title: clip(fields.title, 200),
    detailHref,
    askedAt: asked?.iso ?? null,
    replier: clip(fields.replier, 80),
  };
}

function onOrAfterDay(asked: string | null, submittedAt: string | undefined): boolean {
  if (!asked || !submittedAt) return true;
  const sub = Date.parse(submittedAt);
  if (!Number.isFinite(sub)) return true;
  return asked.slice(0, 10) >= dayIso(sub);
}

/** How far before our submission a site may date our letter (its clock, a submission time staff typed in). */
const ASKED_SLACK_MS = 3_600_000;

/**
 * How well a row found by title fits our letter: null when the site says it was asked before we submitted (on an
 * earlier day, or — to the minute — more than ASKED_SLACK_MS earlier: another citizen's letter of the same title),
 * else how far its 来信时间 is from our submission (0 when either is only a day, or unstated).
 */
function askedGap(asked: string | null, submittedAt: string | undefined): number | null {
  if (!onOrAfterDay(asked, submittedAt)) return null;
  const sub = submittedAt ? Date.parse(submittedAt) : NaN;
  if (!asked || asked.length === 10 || !Number.isFinite(sub)) return 0;
  const gap = Date.parse(asked) - sub;
  return gap < -ASKED_SLACK_MS ? null : Math.abs(gap);
}

/** Rows found by title: the one whose 来信时间 is nearest our submission (a letter sent twice: the one we record). */
class TitleHits {
  private best: { entry: ReplyListEntry; gap: number } | null = null;
  constructor(private readonly submittedAt: string | undefined) {}
  offer(entry: ReplyListEntry): void {
    const gap = askedGap(entry.askedAt, this.submittedAt);
    if (gap !== null && (!this.best || gap < this.best.gap)) this.best = { entry, gap };
  }
  get entry(): ReplyListEntry | null {
    return this.best?.entry ?? null;
  }
}

/** A header row names columns: two or more labels, at least half its cells, no value (a time, a code, a sentence,
 * a `标签：`) and not label | value | label | value. */
function isHeaderRow(r: Row): boolean {
  const filled = r.cells.filter(Boolean);
  const labels = filled.filter((c) => fieldOf(c) !== null).length;
  const pairs = r.cells.length % 2 === 0 && r.cells.every((c, i) => (i % 2 === 0) === (fieldOf(c) !== null) || (i % 2 === 0 && !c));
  return (
    !pairs &&
    labels >= 2 &&
    labels * 2 >= filled.length &&
    !filled.some((c) => /[：:]$/.test(c) || FULL_DATE.test(c) || (fieldOf(c) === null && (c.length > 8 || /\d{3}/.test(c))))
  );
}

/** A header table: find the row of the letter (by 查询码, else by title) and map its cells by the header labels. */
function findInList(html: string, key: LetterKey, ctx: ParseContext = {}): ReplyListEntry | null {
  const titleHits = new TitleHits(key.submittedAt);
  for (const rows of tablesOf(html)) {
    const headerIdx = rows.findIndex(isHeaderRow);
    if (headerIdx < 0) continue;
    const header = rows[headerIdx]!.cells.map(fieldOf);
    if (rows[headerIdx]!.cells.some((c) => STEP.test(normLabel(c)))) continue; // a 办理过程 table: see processStep
    for (const r of rows.slice(headerIdx + 1)) {
      if (r.cells.length < 2) continue;
      const byCode = hasCode(`${r.cells.join(' ')} ${attrValues(r.html.join(' '))}`, key.queryCode);
      const byTitle = !byCode && (r.cells.some((c) => hasTitle(c, key.title)) || hasTitle(attrValues(r.html.join(' ')), key.title));
      if (!byCode && !byTitle) continue;
      const fields: Fields = {};
      header.forEach((f, i) => {
        if (f && r.cells[i] !== undefined && fields[f] === undefined) fields[f] = r.cells[i]!;
      });
      const href = /<a\b[^>]*href\s*=\s*["']([^"']+)["']/i.exec(r.html.join(' '))?.[1];
      const entry = finish(fields, href && !/^javascript:/i.test(href) ? decodeEntities(href) : null, ctx.now);
      if (byCode) return entry;
      // by title: someone else may have asked the same; a row asked before our letter is not ours
      titleHits.offer(entry);
    }
  }
  return titleHits.entry;
}

/** The 答复 step of a 办理过程 table (受理 → 转办 → 答复 → 办结): its time, department and opinion. */
function processStep(html: string, now?: Date): Fields | null {
  for (const rows of tablesOf(html)) {
    const hi = rows.findIndex((r) => r.cells.some((c) => STEP.test(normLabel(c))));
    if (hi < 0) continue;
    const h = rows[hi]!.cells.map(normLabel);
    const step = h.findIndex((c) => STEP.test(c));
    const time = h.findIndex((c) => /(时间|日期)$/.test(c));
    const opinion = h.findIndex((c) => /(意见|内容|结果|说明)$/.test(c));
    const dept = h.findIndex((c) => /(单位|部门)$/.test(c));
    if (time < 0) continue;
    const steps: Array<{ f: Fields; at: string }> = [];
    for (const r of rows.slice(hi + 1)) {
      const s = r.cells[step] ?? '';
      if (!/(答复|回复|反馈)/.test(s) || /(转办|受理|交办|签收)/.test(s)) continue;
      const t = parseStatedTime(r.cells[time] ?? '', now);
      if (!t) continue;
      const f: Fields = { repliedAt: r.cells[time]! };
      if (opinion >= 0 && r.cells[opinion]) f.content = r.cells[opinion]!;
      if (dept >= 0 && r.cells[dept]) f.replier = r.cells[dept]!;
      steps.push({ f, at: t.iso });
    }
    const found = earliestAnswer(steps);
    if (found) return found;
  }
  return null;
}

/**
 * Of several answers (答复, then 补充答复; a JSON list of replies), the earliest real one — by its stated time, not by
 * where the page puts it (newest first is common) — an acknowledgement step (您的来信已收到) being no answer. With
 * none real, the earliest, so that what it says (an acknowledgement) is read as such.
 */
function earliestAnswer(answers: ReadonlyArray<{ f: Fields; at: string }>): Fields | null {
  const byTime = [...answers].sort((a, b) => compareStated(a.at, b.at));
  const real = byTime.find((a) => a.f.content === undefined || (answerOf(a.f.content).text !== null && !answerOf(a.f.content).ackOnly));
  return (real ?? byTime[0])?.f ?? null;
}

/** Stated times in order; a bare date (day precision) sorts at its day's start. */
function compareStated(a: string, b: string): number {
  const ms = (t: string) => Date.parse(t.length === 10 ? `${t}T00:00:00+08:00` : t);
  const [x, y] = [ms(a), ms(b)].map((v) => (Number.isFinite(v) ? v : Infinity)) as [number, number];
  return x === y ? 0 : x < y ? -1 : 1; // an answer with no time comes last
}

/* ------------------------------------------------------------------ label/value records */

interface Item {
  line: number;
  field: Field | null;
  value: string;
}

/** A line as a label and its value: `标签：值`, `标签 值`, `答复时间2026-11-25`, or a label alone (value below). */
function splitLabel(line: string, section: 'ask' | 'reply' | null): { field: Field; value: string } | null {
  const resolve = (label: string): Field | null => {
    const f = fieldOf(label);
    if (f) return f;
    const l = normLabel(label);
    for (const [re, inReply, inAsk] of GENERIC) if (re.test(l)) return section === 'reply' ? inReply : section === 'ask' ? inAsk : null;
    return null;
  };
  const colon = /^([^：:]{1,12})[：:]\s*(.*)$/.exec(line);
  if (colon) {
    const f = resolve(colon[1]!);
    return f ? { field: f, value: colon[2]! } : null;
  }
  const whole = resolve(line);
  if (whole) return { field: whole, value: '' };
  const spaced = /^(\S{2,8})\s+(.+)$/.exec(line);
  if (spaced) {
    const f = resolve(spaced[1]!);
    if (f) return { field: f, value: spaced[2]! };
  }
  // labels run into their value with no separator (<span>答复时间</span><span>2026…</span>)
  for (let n = 2; n <= 6 && n < line.length; n++) {
    const f = resolve(line.slice(0, n));
    if (f && !fieldOf(line.slice(0, n + 1)) && (f !== 'repliedAt' && f !== 'askedAt' ? !/^[的是]/.test(line.slice(n)) : /^\d|^[今昨前刚]/.test(line.slice(n)))) {
      if (f === 'content' || f === 'question') continue; // 回复很快… is prose, not a label
      return { field: f, value: line.slice(n) };
    }
  }
  return null;
}

/** Some other page field (联系电话：…), which ends a value; a salutation (张先生（女士）：, 尊敬的市民：) does not. */
const OTHER_LABEL = /^(?!尊敬|亲爱)[\u4e00-\u9fa5]{2,6}(?<!先生|女士|同志|市民|网友|朋友|群众|您好|你好)[：:]/;

/** Labels that spans put on one line with the value before them (留言时间：2026-11-23回复时间：2026-11-24) → lines. */
function splitEmbedded(line: string): string[] {
  const out: string[] = [];
  let from = 0;
  for (const m of line.matchAll(/[\u4e00-\u9fa5]{2,16}[：:]/g)) {
    const run = m[0].slice(0, -1);
    for (let n = Math.min(6, run.length); n >= 2; n--) {
      const at = m.index + run.length - n;
      if (at > from && fieldOf(run.slice(-n))) {
        out.push(line.slice(from, at).trim());
        from = at;
        break;
      }
    }
  }
  out.push(line.slice(from).trim());
  return out.filter(Boolean);
}

/** The page as items: labelled values (multi-line ones gathered) and free lines, in page order. */
function itemsOf(lines: string[]): Item[] {
  const items: Item[] = [];
  let section: 'ask' | 'reply' | null = null;
  /** Under a 回复 heading (官方回复, 办理结果) with no 内容 label yet: its unlabelled text is the answer. */
  let replyText = false;
  const isLabelLine = (j: number) => !!splitLabel(lines[j]!, section) || OTHER_LABEL.test(lines[j]!) || CHROME.test(lines[j]!);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const norm = normLabel(line);
    // a heading: 官方回复; also 回复 / 办理结果 standing over labelled rows (a label with no value of its own)
    if (norm.length <= 8 && REPLY_HEADING.test(norm) && (!fieldOf(norm) || (i + 1 < lines.length && isLabelLine(i + 1)))) {
      section = 'reply';
      replyText = true;
      continue;
    }
    if (norm.length <= 8 && ASK_HEADING.test(norm) && !fieldOf(norm)) {
      section = 'ask';
      continue;
    }
    const lv = splitLabel(line, section);
    if (!lv && replyText && section === 'reply' && !OTHER_LABEL.test(line) && !CHROME.test(line)) {
      // the reply block's text under its heading and its 单位 / 时间 line: the answer, up to the next label
      let value = line;
      let j = i + 1;
      for (; j < lines.length && !isLabelLine(j) && value.length < MAX_CONTENT_CHARS; j++) value += `\n${lines[j]}`;
      i = j - 1;
      replyText = false;
      items.push({ line: i, field: 'content', value });
      continue;
    }
    if (!lv) {
      items.push({ line: i, field: null, value: line });
      continue;
    }
    if (lv.field === 'content' || lv.field === 'question' || lv.field === 'askedAt') replyText = false;
    if (lv.field === 'content' || lv.field === 'replier' || lv.field === 'repliedAt') section = 'reply';
    else if (lv.field === 'question' || lv.field === 'askedAt') section = section === 'reply' && lv.field === 'askedAt' ? section : 'ask';
    let value = lv.value.trim();
    const isLabel = isLabelLine;
    if (MULTILINE.has(lv.field)) {
      let j = i + 1;
      for (; j < lines.length && !isLabel(j) && value.length < MAX_CONTENT_CHARS; j++) value += `${value ? '\n' : ''}${lines[j]}`;
      i = j - 1;
    } else if (!value && i + 1 < lines.length && !isLabel(i + 1)) {
      value = lines[++i]!;
    }
    items.push({ line: i, field: lv.field, value });
  }
  return items;
}

/**
 * The record around our letter: from the item that names it forward until a field repeats (the next record),
 * and — when that item is a labelled field, not the head of a card — back until a field repeats or a free line.
 */
function recordAround(items: Item[], at: number): Fields {
  const fields: Fields = {};
  const keyItem = items[at]!;
  for (let i = at; i < items.length; i++) {
    const it = items[i]!;
    if (!it.field) continue;
    if (fields[it.field] !== undefined && i !== at) break;
    fields[it.field] = it.value;
  }
  if (keyItem.field) {
    for (let i = at - 1; i >= 0; i--) {
      const it = items[i]!;
      if (!it.field || fields[it.field] !== undefined) break;
      fields[it.field] = it.value;
    }
  }
  return fields;
}

function repeats(items: Item[]): boolean {
  const seen = new Set<Field>();
  for (const it of items) {
    if (!it.field || it.field === 'content' || it.field === 'question') continue;
    if (seen.has(it.field)) return true;
    seen.add(it.field);
  }
  return false;
}

/** The links whose text or title names our letter (by its 查询码, or by its title), in page order. */
function* linksNaming(page: string, key: LetterKey): Generator<{ at: number; href: string; text: string; byCode: boolean }> {
  for (const m of page.matchAll(/<a\b([^>]*)>([\s\S]{0,2000}?)<\/a\s*>/gi)) {
    const href = /\bhref\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(m[1]!);
    const h = href ? (href[2] ?? href[3] ?? href[4] ?? '') : '';
    if (!h || /^(javascript:|#)/i.test(h)) continue;
    const text = cellText(m[2]!);
    const byCode = hasCode(`${text} ${attrValues(m[1]!)}`, key.queryCode);
    if (byCode || hasTitle(text, key.title) || hasTitle(attrValues(m[1]!).replace(/\bhttps?:\S+/g, ''), key.title)) yield { at: m.index, href: decodeEntities(h), text, byCode };
  }
}

/** The link whose text or title names our letter. */
function linkOf(html: string, key: LetterKey): string | null {
  for (const link of linksNaming(bounded(html), key)) return link.href;
  return null;
}

/** A line that opens an answer written as a letter: 现答复如下 / 于2026年11月25日回复如下 / 现将有关情况函复如下. */
const ANSWER_OPENING = /(答复|回复|函复|回函)如下\s*(?:[：:，,。]|$)|现(予以)?(答复|回复)[：:]/;
/** The signing office of an answer (西安市公安局, 区政务服务中心, 市12345热线): what a citizen's letter never ends with. */
const OFFICE = /(局|委员会|委|办公室|办|厅|中心|政府|街道办事处|街道|镇|乡|所|院|部|处|科|队|站|公司|热线|窗口)$/;
const DATE_ONLY = new RegExp(`^${FULL_DATE.source}\\s*$`);

/** The signature's date when `lines[i]` is one: "西安市公安局 2026年11月25日", or the office on one line and the date alone on the next. */
function signatureAt(lines: string[], i: number): { office: string; date: string; lines: number } | null {
  const line = lines[i]!.replace(/[\s（(][^）)]*[）)]$/, '').trim();
  const same = /^(\S.{1,30}?)\s*(\d{4}\s*[-/.年].*)$/.exec(line);
  if (same && OFFICE.test(same[1]!.trim()) && DATE_ONLY.test(same[2]!)) return { office: same[1]!.trim(), date: same[2]!, lines: 1 };
  if (i + 1 < lines.length && OFFICE.test(line) && line.length <= 30 && DATE_ONLY.test(lines[i + 1]!.trim())) return { office: line, date: lines[i + 1]!.trim(), lines: 2 };
  return null;
}

/**
 * An answer published as prose, with no label over it (a detail page known to be ours): the free text from a line that
 * opens an answer (现答复如下) — or, with no such line, the free text that ends in an office's signature and date — up
 * to the next label. Its time is the date the opening line states, else the signature's; one before our letter was
 * submitted is someone else's (or the letter's own) and no answer. Null when the page has neither.
 */
function proseAnswer(items: Item[], key: LetterKey, now?: Date): Fields | null {
  const runs: string[][] = [];
  let run: string[] = [];
  for (const it of items) {
    if (it.field === null && !CHROME.test(it.value) && !OTHER_LABEL.test(it.value) && !hasTitle(it.value, key.title)) run.push(it.value);
    else if (run.length) {
      runs.push(run);
      run = [];
    }
  }
  if (run.length) runs.push(run);
  for (const lines of runs) {
    const open = lines.findIndex((l) => ANSWER_OPENING.test(l));
    let text: string[] | null = null;
    let stated: string | undefined;
    let office: string | undefined;
    if (open >= 0) {
      text = lines.slice(open);
      stated = FULL_DATE.exec(lines[open]!)?.[0];
    }
    for (let i = open >= 0 ? open : 1; i < lines.length; i++) {
      const sig = signatureAt(lines, i);
      if (!sig) continue;
      text ??= lines.slice(0, i + sig.lines);
      stated ??= sig.date;
      office = sig.office;
      break;
    }
    if (!text) continue;
    const t = stated ? parseStatedTime(stated, now) : null;
    if (t && !onOrAfterDay(t.iso, key.submittedAt)) continue;
    return { content: text.join('\n'), ...(stated ? { repliedAt: stated } : {}), ...(office ? { replier: office } : {}) };
  }
  return null;
}

/** Label/value records: the one around our letter, or the page's only record when the page is ours. */
function parseDetail(html: string, key: LetterKey = {}, ctx: ParseContext = {}): ReplyListEntry | null {
  const items = itemsOf(pageLines(withoutColumnTables(html)));
  if (!items.some((it) => it.field === 'repliedAt' || it.field === 'content' || it.field === 'status')) {
    const step = processStep(html, ctx.now);
    const ours = ctx.ours || hasCode(htmlToText(bounded(html)), key.queryCode);
    if (step) return ours ? finish(step, null, ctx.now) : null;
    const prose = ours && !repeats(items) ? proseAnswer(items, key, ctx.now) : null;
    if (!prose) return null;
    const labelled: Fields = {};
    for (const it of items) if (it.field && labelled[it.field] === undefined) labelled[it.field] = it.value;
    return finish({ ...labelled, ...prose }, null, ctx.now);
  }
  let at = items.findIndex((it) => hasCode(it.value, key.queryCode));
  if (at < 0) at = items.findIndex((it) => (it.field === null || it.field === 'title') && hasTitle(it.value, key.title));
  let fields: Fields;
  if (at >= 0) fields = recordAround(items, at);
  else if (ctx.ours && !repeats(items)) fields = recordAround(items, 0);
  else if (!key.queryCode && !key.title && !repeats(items)) fields = recordAround(items, 0);
  else return null;
  if (fields.repliedAt === undefined && fields.content === undefined && fields.status === undefined) return null;
  if (!fields.repliedAt || !parseStatedTime(fields.repliedAt, ctx.now) || !fields.content) {
    const step = processStep(html, ctx.now);
    if (step) {
      if (!fields.repliedAt || !parseStatedTime(fields.repliedAt, ctx.now)) fields.repliedAt = step.repliedAt;
      if (!answerOf(fields.content ?? null).text || answerOf(fields.content ?? null).ackOnly) {
        if (step.content) fields.content = step.content;
      }
      fields.replier ??= step.replier;
    }
  }
  return finish(fields, at >= 0 && items[at]!.field === null ? linkOf(html, key) : null, ctx.now);
}

/* ------------------------------------------------------------------ JSON */

const JSON_KEYS: Array<[Field, RegExp]> = [
  ['repliedAt', /^(hfsj|dfsj|bjsj|fksj|hfrq|dfrq|replytime|replydate|answertime|answerdate|replyat|repliedat|handletime|finishtime|feedbacktime|dealtime|completetime)(str)?$/i],
  ['content', /^(hfnr|dfnr|hfyj|dfyj|blyj|bljg|cljg|clyj|fknr|replycontent|reply|answer|answercontent|replytext|result|handleresult|handleopinion|dealresult|dealopinion)$/i],
  ['status', /^(blzt|clzt|zt|hfzt|status|state|statusname|statename|statustext|handlestatus|handlestate|dealstate|dealstatus)(name|desc|text)?$/i],
  ['queryCode', /^(cxm|gdbh|gdh|xjbh|slbh|sqbh|lybh|code|querycode|searchcode|workorderno|orderno|caseno|letterno|serialno|bh)$/i],
  ['title', /^(bt|sqbt|xjbt|lybt|title|subject|lettertitle)$/i],
  ['askedAt', /^(sqsj|lxsj|lysj|tjsj|xxsj|createtime|createdat|addtime|submittime|asktime|lettertime|slsj)$/i],
  ['replier', /^(cbdw|bldw|hfdw|dfdw|hfbm|dfbm|replyorg|replydept|replyunit|handledept|handleorg|handleunit|deptname|orgname)(name|mc)?$/i],
];
/** An object that is the reply (`"reply":{"content":…,"createTime":…}`): its generic keys are the reply's. */
const JSON_REPLY_OBJECT = /^(reply|answer|replyinfo|answerinfo|replyvo|replydto|hfxx|dfxx|replies|replylist|answerlist)$/i;
const JSON_REPLY_GENERIC: Array<[Field, RegExp]> = [
  ['repliedAt', /^(createtime|createdat|time|date|addtime|publishtime|pubtime|updatetime|sj|rq|handletime|operatetime|dealtime|clsj|blsj)$/i],
  ['content', /^(content|text|body|detail|nr|yj|msg|message|opinion)$/i],
  ['replier', /^(org|dept|unit|orgname|deptname|unitname|dw|bm)$/i],
];

function jsonField(k: string): Field | null {
  const f = fieldOf(k);
  if (f) return f;
  const l = k.replace(/[_\s-]/g, '');
  for (const [field, re] of JSON_KEYS) if (re.test(l)) return field;
  return null;
}

const JSONP_GUARD = /^(?:\/\*\*\/\s*|typeof\s+[\w$.]{1,64}\s*={2,3}\s*['"]function['"]\s*&&\s*)/;

function parseJson(text: string): unknown {
  // a JSONP callback, as servers write it: `cb({...});`, `/**/cb({...})` (the comment guards old Flash), `typeof cb === 'function' && cb(…)`
  const t = text.slice(0, MAX_PAGE_CHARS).replace(/^\uFEFF/, '').trim().replace(JSONP_GUARD, '');
  const body = /^[\w$.]{1,64}\s*\(([\s\S]*)\)\s*;?\s*$/.exec(t)?.[1] ?? t; // JSONP
  if (!/^[[{]/.test(body.trim())) return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** A step's name in a JSON 办理过程 list (`{"nodeName":"答复","handleTime":…,"opinion":…}`). */
const JSON_STEP_KEY = /^(hj|hjmc|jd|jdmc|blhj|clhj|bljd|node|nodename|step|stepname|linkname|action|actionname|operation|operationname|handletype|czlx|czlxmc|czmc)$/i;

/** A step of a JSON 办理过程 list that is an answer (答复, 回复, 反馈), not a hand-over (转办, 受理, 签收). */
function isAnswerStep(o: Record<string, unknown>): boolean {
  return Object.entries(o).some(([k, v]) => JSON_STEP_KEY.test(k.replace(/[_\s-]/g, '')) && typeof v === 'string' && /(答复|回复|反馈)/.test(simplified(v)) && !/(转办|受理|交办|签收)/.test(simplified(v)));
}

/** Fields of `from` that `into` does not have yet. */
function merge(into: Fields, from: Fields | null): void {
  for (const [f, v] of Object.entries(from ?? {}) as Array<[Field, string]>) into[f] ??= v;
}

/** A JSON query result or list: the object that carries our code (or title), its fields by key. */
function findInJson(root: unknown, key: LetterKey, ctx: ParseContext): ReplyListEntry | null {
  let nodes = 0;
  const fieldsOf = (o: Record<string, unknown>, depth: number, into: Fields, times: Partial<Record<Field, Stated>>, inReply = false) => {
    for (const [k, v] of Object.entries(o)) {
      const generic = inReply ? JSON_REPLY_GENERIC.find(([, re]) => re.test(k.replace(/[_\s-]/g, '')))?.[0] : undefined;
      const f = generic ?? (inReply && jsonField(k) === 'askedAt' ? null : jsonField(k));
      const reply = JSON_REPLY_OBJECT.test(k.replace(/[_\s-]/g, ''));
      // a list of replies (a first answer and a supplementary one, in whatever order): the earliest real one
      if (depth < 2 && reply && Array.isArray(v)) merge(into, earliestAnswer(answersIn(v, depth, () => true)));
      else if (depth < 2 && reply && v && typeof v === 'object') fieldsOf(v as Record<string, unknown>, depth + 1, into, times, true);
      // a status code ("state":"1") gives way to its name ("stateName":"办理中")
      else if (f && (into[f] === undefined || (f === 'status' && typeof v === 'string' && /[\u4e00-\u9fa5]/.test(v) && !/[\u4e00-\u9fa5]/.test(into[f]))) && (typeof v === 'string' || typeof v === 'number')) {
        if (f === 'repliedAt' || f === 'askedAt') {
          const t = jsonTime(v, ctx.now);
          if (t) times[f] = t;
          into[f] = t?.iso ?? '';
        } else if (typeof v === 'string') into[f] = /[<&]/.test(v) ? htmlToText(bounded(v)) : v; // markup and entities read as text
      } else if (depth < 2 && v && typeof v === 'object' && !Array.isArray(v)) fieldsOf(v as Record<string, unknown>, depth + 1, into, times);
      else if (depth < 2 && Array.isArray(v)) steps.push(...answersIn(v, depth, isAnswerStep));
    }
    // 办理过程 as a list of steps (受理 → 转办 → 答复): the answer step says what the record does not
    if (depth === 0) merge(into, earliestAnswer(steps.splice(0)));
  };
  const steps: Array<{ f: Fields; at: string }> = [];
  /** The objects of a list that `keep` accepts, each read as a reply (its generic keys: time, content, dept). */
  const answersIn = (list: unknown[], depth: number, keep: (o: Record<string, unknown>) => boolean) =>
    list
      .slice(0, 50)
      .filter((x): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x) && keep(x as Record<string, unknown>))
      .map((x) => {
        const f: Fields = {};
        fieldsOf(x, depth + 1, f, {}, true);
        return { f, at: f.repliedAt ?? '' };
      });
  const matches = (o: Record<string, unknown>): 'code' | 'title' | null => {
    for (const v of Object.values(o)) {
      if (typeof v === 'string' || typeof v === 'number') {
        const s = String(v);
        if (key.queryCode && s.trim().toLowerCase() === key.queryCode.trim().toLowerCase()) return 'code';
      }
    }
    for (const [k, v] of Object.entries(o)) if (typeof v === 'string' && jsonField(k) === 'title' && hasTitle(v, key.title)) return 'title';
    return null;
  };
  let single: Record<string, unknown> | null = null;
  const titleHits = new TitleHits(key.submittedAt);
  /** Says something about a reply: a reply-time key, a reply object, or an answer key that is not an API word ("result":"success"). */
  const replyish = (o: Record<string, unknown>) =>
    Object.entries(o).some(([k, v]) => {
      const f = jsonField(k);
      if (f === 'repliedAt' || JSON_REPLY_OBJECT.test(k.replace(/[_\s-]/g, ''))) return true;
      return f === 'content' && !(typeof v === 'string' && PLACEHOLDER.test(v.trim()));
    });
  const visit = (v: unknown, parent: Record<string, unknown> | null): ReplyListEntry | null => {
    if (++nodes > MAX_JSON_NODES || !v || typeof v !== 'object') return null;
    if (Array.isArray(v)) {
      for (const x of v) {
        const r = visit(x, null);
        if (r) return r;
      }
      return null;
    }
    const o = v as Record<string, unknown>;
    const how = matches(o);
    if (how || replyish(o)) {
      const fields: Fields = {};
      fieldsOf(o, 0, fields, {});
      if (how === 'code') {
        // the code is in the letter's part ({"letter":{"letterCode":…},"reply":{…}}): the record is the object around it
        if (parent && fields.repliedAt === undefined && fields.content === undefined && fields.status === undefined) fieldsOf(parent, 0, fields, {});
        return finish(fields, null, ctx.now);
      }
      if (how === 'title') {
        titleHits.offer(finish(fields, null, ctx.now));
      } else single = single === null ? o : ({} as Record<string, unknown>);
    }
    for (const x of Object.values(o)) {
      if (x && typeof x === 'object') {
        const r = visit(x, o);
        if (r) return r;
      }
    }
    return null;
  };
  const hit = visit(root, null);
  if (hit) return hit;
  if (titleHits.entry) return titleHits.entry;
  const only = single as Record<string, unknown> | null;
  if (ctx.ours && only && Object.keys(only).length) {
    const fields: Fields = {};
    fieldsOf(only, 0, fields, {});
    return finish(fields, null, ctx.now);
  }
  return null;
}

/* ------------------------------------------------------------------ entry point */

/** Whatever the page is (a query result, a detail page, a list, JSON): the letter's entry, or null. */
export function findLetterReply(html: string, key: LetterKey, ctx: ParseContext = {}): ReplyListEntry | null {
  const head = html.slice(0, 200).replace(/^\uFEFF/, '').trimStart().replace(JSONP_GUARD, '');
  const json = /^[\[{]|^[\w$.]{1,64}\s*\(\s*[\[{]/.test(head) ? parseJson(html) : undefined;
  if (json !== undefined) return findInJson(json, key, ctx);
  // a row of a list (its detail page, when it links one, is the poll's next fetch), else a label/value record
  return findInList(html, key, ctx) ?? parseDetail(html, key, ctx) ?? linkedCard(html, key);
}

/**
 * A list without column labels (<li><a>标题</a><span>2026-11-24</span><span>已回复</span></li>): the link naming our
 * letter, for the poll to follow to its detail page, and what its card says of the status (已回复 / 办理中). Its dates
 * give no reply time (nothing says which is the letter's and which the reply's); they only rule out, for a card found
 * by title, an earlier letter of the same title.
 */
function linkedCard(html: string, key: LetterKey): ReplyListEntry | null {
  const page = bounded(html).replace(NO_SCRIPT, '');
  for (const { at, href, text, byCode } of linksNaming(page, key)) {
    // the card: the list item or table row around the link
    const before = page.slice(Math.max(0, at - 2000), at);
    const open = Math.max(before.lastIndexOf('<li'), before.lastIndexOf('<tr'), before.lastIndexOf('<dl'));
    const after = page.slice(at, at + 4000);
    const close = after.search(/<\/(li|tr|dl)\s*>|<(li|tr|dl)\b/i);
    if (open < 0 || close < 0) continue; // a link in running text, not a list's card
    const card = simplified(cellText(iconText(before.slice(open) + after.slice(0, close))));
    // by title: a card dated only before our letter was submitted is an earlier letter of the same title
    const dates = [...card.matchAll(FULL_DATES)].map((d) => parseStatedTime(d[0])?.iso ?? null);
    if (!byCode && dates.length && !dates.some((d) => onOrAfterDay(d, key.submittedAt))) continue;
    // the card's status word, read by finish as a 状态 cell is (办理中 before 已回复, 已办结 not taken for 未办结)
    const status = NOT_REPLIED.exec(card.replace(/已办结/g, ''))?.[0] ?? REPLIED.exec(card)?.[0];
    return finish({ title: text, ...(status ? { status } : {}) }, href);
  }
  return null;
}

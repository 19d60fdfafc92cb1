/** Rediscovering a site's consultation page from its home page: links named 咨询, 留言, 信箱, 互动… Pure. */

export interface PageLink {
  text: string;
  href: string;
}

const STRONG = /我要写信|我要留言|我要咨询|在线咨询|网上咨询|咨询投诉|留言板|领导信箱|市长信箱|县长信箱|区长信箱|局长信箱|厅长信箱|书记信箱|主任信箱|政民互动|互动交流|咨询建言|在线留言|网上信箱|12345/;
const WEAK = /咨询|留言|信箱|互动|写信|来信/;
/**
 * Not the consultation column: lists and results, other 互动 channels (征集, 调查, 访谈), and the channels the special
 * check sets apart — complaints (投诉), reports (信访, 举报), the site's own error reports (网站纠错, 我来找错) and
 * 依申请公开 (a disclosure request is not a letter).
 */
const NOT = /选登|答复|回复|结果|统计|公开|征集|调查|访谈|信访|举报|纪检|监督|投诉|纠错|找错|挑错|报错|错误|申请/;

/** Candidate consultation links, best first (absolute URLs resolved against `base`; duplicates removed). */
export function rankConsultLinks(links: readonly PageLink[], base: string): string[] {
  const scored: Array<{ href: string; score: number }> = [];
  const seen = new Set<string>();
  for (const l of links) {
    const text = l.text.replace(/\s+/g, '');
    if (!text || text.length > 20) continue;
    let href: string;
    try {
      href = new URL(l.href, base).href;
    } catch {
      continue;
    }
    if (!/^https?:/.test(href) || seen.has(href)) continue;
    let score = 0;
    if (STRONG.test(text)) score += 10;
    else if (WEAK.test(text)) score += 5;
    if (NOT.test(text)) score -= 6;
    if (/mailwrite|write|consult|zixun|liuyan|xinxiang|message|guestbook|govrefer|hdjl|zmhd/i.test(href)) score += 3;
    if (score > 0) {
      seen.add(href);
      scored.push({ href, score });
    }
  }
  return scored.sort((a, b) => b.score - a.score).map((s) => s.href);
}

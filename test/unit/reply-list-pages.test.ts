/**
 * Reply-list, query-result and detail pages as Chinese government CMSs render them (JACT, TRS, Hanweb jpaas,
 * gkml, 12345 JSON and HTML, ASP.NET GridView, card lists), each run through findLetterReply and compared with
 * what domain.md says is recorded: replied or not, the stated reply time with its precision, the answer.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodePage } from '../../shared/domain/reply-lists/charset.ts';
import { findLetterReply, parseStatedTime, type LetterKey, type ReplyListEntry } from '../../shared/domain/reply-lists/parse.ts';

const fx = (name: string) => readFileSync(new URL(`../fixtures/reply-lists/${name}`, import.meta.url));
const TITLE = '咨询办理居住证需要携带哪些材料';
const SUBMITTED = '2026-11-24T09:30:00+08:00';
const NOW = new Date('2026-11-26T11:00:00+08:00');

interface Case {
  name: string;
  file: string;
  contentType?: string;
  key: LetterKey;
  now?: Date;
  /** null: the page does not have the letter (not found: not an error of ours). */
  expect: (Partial<ReplyListEntry> & { contentHas?: string; contentLacks?: string }) | null;
}

const cases: Case[] = [
  {
    name: 'JACT mailpublist page 2 (GBK, no 查询码 shown): our row by its title (truncated in the cell, whole in title=), date-only 答复时间',
    file: 'jact-mailpublist-page2.gbk.html', key: { title: TITLE, submittedAt: SUBMITTED },
    expect: { replied: true, repliedAt: '2026-11-25', precision: 'day', status: '已办结', detailHref: 'mailview.do?sysid=3&objectid=88240' },
  },
  {
    name: 'JACT list: a row 办理中 with an empty 答复时间 is not replied',
    file: 'jact-mailpublist-page2.gbk.html', key: { title: '城东公交站台何时恢复' },
    expect: { replied: false, repliedAt: null, status: '办理中' },
  },
  {
    name: 'JACT mailview detail: 4-column label/value table, 2026年11月25日 16时40分, 回复单位',
    file: 'jact-mailview-detail.html', key: { queryCode: 'XF2026112400031', title: TITLE },
    expect: { replied: true, repliedAt: '2026-11-25T16:40:00+08:00', precision: 'instant', status: '已办结', replier: '市公安局', contentHas: '居住地派出所户籍窗口', contentLacks: '【打印】' },
  },
  {
    name: 'TRS list with only 来信时间: replied by its status, but no reply time is stated (first-seen decides)',
    file: 'trs-govrefer-list-laixin-only.html', key: { queryCode: '20261124A7K2' },
    expect: { replied: true, repliedAt: null, precision: null, status: '已回复', detailHref: 'detail.jsp?id=55120' },
  },
  {
    name: 'TRS list: 已转办 is not a reply',
    file: 'trs-govrefer-list-laixin-only.html', key: { queryCode: '20261124B3M9' },
    expect: { replied: false, repliedAt: null, status: '已转办' },
  },
  { name: 'TRS query: 查询码或密码错误 → not found', file: 'trs-query-wrong-code.html', key: { queryCode: '20261124ZZZZ', title: TITLE }, expect: null },
  {
    name: 'Hanweb jpaas card list (ul/li): our card is 办理中 — the neighbours\' 回复时间 are not ours',
    file: 'hanweb-hdjl-card-list.html', key: { title: TITLE },
    expect: { replied: false, repliedAt: null, status: '办理中', detailHref: '/jpaas-hdjl-web-server/front/detail?id=9f1c31&webid=2' },
  },
  {
    name: 'Hanweb jpaas card list: the third card, replied (date only)',
    file: 'hanweb-hdjl-card-list.html', key: { title: '城区停车收费标准咨询' },
    expect: { replied: true, repliedAt: '2026-11-25', precision: 'day', status: '已回复' },
  },
  {
    name: 'Hanweb detail with 网友留言 / 部门回复 blocks, labels in spans without colons',
    file: 'hanweb-hdjl-detail-blocks.html', key: { queryCode: 'LY20261124000517' },
    expect: { replied: true, repliedAt: '2026-11-25T16:40:12+08:00', precision: 'instant', replier: '区公安分局', contentHas: '居住地派出所办理', contentLacks: '请问' },
  },
  {
    name: 'gkml dl/dt/dd detail, 2026.11.25, 咨询时间 is not the reply time',
    file: 'gkml-dl-detail.html', key: { queryCode: 'ZX-2026-11-0988' },
    expect: { replied: true, repliedAt: '2026-11-25', precision: 'day', replier: '市人力资源和社会保障局', contentHas: '掌上社保' },
  },
  {
    name: '12345 工单查询 JSON (pinyin keys hfsj/hfnr/blzt)',
    file: '12345-json-detail.json', contentType: 'application/json;charset=UTF-8', key: { queryCode: 'GD202611240001234' },
    expect: { replied: true, repliedAt: '2026-11-25T16:40:12+08:00', precision: 'instant', status: '已办结', replier: '市公安局', contentHas: '派出所' },
  },
  {
    name: '12345 JSON list with epoch-millisecond times: our row by 工单编号',
    file: '12345-json-list.json', contentType: 'application/json', key: { queryCode: 'GD202611240001234' },
    expect: { replied: true, repliedAt: '2026-11-25T16:40:12+08:00', precision: 'instant', title: TITLE, contentHas: '居住证' },
  },
  {
    name: '12345 JSON list: a row 办理中 with replyTime null',
    file: '12345-json-list.json', key: { queryCode: 'GD202611240001299' },
    expect: { replied: false, repliedAt: null, status: '办理中' },
  },
  { name: '12345 JSON: 未找到该工单 → not found', file: '12345-json-not-found.json', key: { queryCode: 'GD202611240001234' }, expect: null },
  {
    name: '12345 工单 HTML: 受理 → 转办 → 答复 by another department → 办结: the 答复 step is the reply',
    file: '12345-gongdan-transfer-then-reply.html', key: { queryCode: 'SX2026112400777' },
    expect: { replied: true, repliedAt: '2026-11-25T15:30:00+08:00', precision: 'instant', status: '已办结', replier: '市公安局', contentHas: '户籍窗口' },
  },
  {
    name: '12345 工单 HTML: 已转办 with a 转交…请耐心等待 note is not a reply',
    file: '12345-gongdan-transferred-pending.html', key: { queryCode: 'SX2026112400778' },
    expect: { replied: false, repliedAt: null, status: '已转办' },
  },
  {
    name: 'ASP.NET GridView: 2026.11.25 in 回复日期; 编号 XZ20261124003 is not XZ202611240031',
    file: 'aspnet-gridview.html', key: { queryCode: 'XZ20261124003' },
    expect: { replied: true, repliedAt: '2026-11-25', precision: 'day', status: '已回复', detailHref: 'MailShow.aspx?id=1403' },
  },
  {
    name: 'ASP.NET GridView: 待处理 with an empty (&nbsp;) 回复日期',
    file: 'aspnet-gridview.html', key: { queryCode: 'XZ20261124004' },
    expect: { replied: false, repliedAt: null, status: '待处理' },
  },
  {
    name: 'relative dates: 昨天 is the Beijing date before the fetch (day precision)',
    file: 'list-relative-dates.html', key: { title: TITLE }, now: NOW,
    expect: { replied: true, repliedAt: '2026-11-25', precision: 'day' },
  },
  {
    name: 'relative dates: 今天 10:20 is an instant on the fetch date',
    file: 'list-relative-dates.html', key: { title: '公租房申请需要什么条件' }, now: NOW,
    expect: { replied: true, repliedAt: '2026-11-26T10:20:00+08:00', precision: 'instant' },
  },
  {
    name: 'dates without a year (01-02): the latest such date not after the fetch (across New Year)',
    file: 'list-yearless-dates.html', key: { title: TITLE }, now: new Date('2027-01-03T10:00:00+08:00'),
    expect: { replied: true, repliedAt: '2027-01-02', precision: 'day' },
  },
  {
    name: 'dates without a year: 12-31 seen on 2027-01-03 is 2026-12-31',
    file: 'list-yearless-dates.html', key: { title: '关于冬季供暖时间' }, now: new Date('2027-01-03T10:00:00+08:00'),
    expect: { replied: true, repliedAt: '2026-12-31', precision: 'day' },
  },
  {
    name: 'a site whose 答复时间 is before its own 来信时间: parsed as stated (the poll decides it is not trustworthy)',
    file: 'detail-reply-before-letter.html', key: { queryCode: '2026112500042' },
    expect: { replied: true, repliedAt: '2026-11-24T10:00:00+08:00', askedAt: '2026-11-25T14:00:00+08:00' },
  },
  {
    name: 'an acknowledgement in 回复内容 (您的来信已收到，我们将尽快处理) is not a reply, even with a 回复时间',
    file: 'detail-reply-in-progress.html', key: { queryCode: '2026112400051' },
    expect: { replied: false },
  },
  {
    name: '回复内容 正在办理 and an empty 回复时间: found, not replied, no content',
    file: 'detail-reply-empty-zhengzaibanli.html', key: { queryCode: 'K8Q2M7' },
    expect: { replied: false, repliedAt: null, content: null },
  },
  { name: 'query page: 未找到相关信件 (the sidebar of other replies is not ours)', file: 'query-not-found.html', key: { queryCode: 'XF999', title: TITLE }, expect: null },
  {
    name: 'the same title asked by someone else a month earlier (replied) is not our letter',
    file: 'list-same-title-older.html', key: { title: TITLE, submittedAt: SUBMITTED },
    expect: { replied: false, repliedAt: null, status: '已受理', detailHref: 'd?id=3' },
  },
  {
    name: 'flat div cards (h4 + p): our card is 办理中, the next card\'s 回复时间 is not ours',
    file: 'div-flat-cards.html', key: { queryCode: 'XJ20261124002' },
    expect: { replied: false, repliedAt: null, status: '办理中' },
  },
  {
    name: 'flat div cards: the third card is replied',
    file: 'div-flat-cards.html', key: { queryCode: 'XJ20261124003' },
    expect: { replied: true, repliedAt: '2026-11-26T10:00:00+08:00', status: '已回复' },
  },
  {
    name: 'labels in spans with no colon and no space (答复时间2026年11月25日), 答复内容 as a heading',
    file: 'detail-nolabel-spans.html', key: { queryCode: 'HX-77120' },
    expect: { replied: true, repliedAt: '2026-11-25', precision: 'day', status: '已答复', contentHas: '详情可咨询当地派出所', contentLacks: '打印' },
  },
  {
    name: 'a GBK page whose charset is only in the Content-Type header',
    file: 'gbk-header-charset-only.html', contentType: 'text/html; charset=GBK', key: { queryCode: '2026112410088' },
    expect: { replied: true, repliedAt: '2026-11-25T16:40:00+08:00', status: '已回复', contentHas: '居住证可在居住地派出所办理' },
  },
];

cases.push(
  {
    name: 'JCMS 信件选登: header row in <td><strong>, titles cut with …, status only as <img alt="已回复">',
    file: 'jcms-list-td-header-ellipsis-img-status.html', key: { title: TITLE, submittedAt: SUBMITTED },
    expect: { replied: true, repliedAt: null, status: '已回复', askedAt: '2026-11-24', detailHref: '/jcms/jcms_files/jcms1/web1/site/zfxxgk/xjxd/detail.jsp?id=30218' },
  },
  {
    name: 'JCMS 信件选登: <img alt="办理中"> is not a reply',
    file: 'jcms-list-td-header-ellipsis-img-status.html', key: { title: '关于城东公交站台何时恢复使用的问题' },
    expect: { replied: false, repliedAt: null, status: '办理中' },
  },
  {
    name: '市长信箱 list: status as an empty <span class="st yhf">, 11-25 with the year only in the page heading',
    file: 'mailbox-list-css-status-yearless.html', key: { title: TITLE },
    expect: { replied: true, repliedAt: '2026-11-25', precision: 'day', status: '已回复', askedAt: '2026-11-24' },
  },
  {
    name: '市长信箱 list: <span class="st blz"> (办理中) with an empty 回复日期',
    file: 'mailbox-list-css-status-yearless.html', key: { title: '老旧小区加装电梯补贴政策咨询' },
    expect: { replied: false, repliedAt: null, status: '办理中' },
  },
  {
    name: '网友留言 / 官方回复 blocks, each with its own 时间: the reply time is the reply block\'s, the answer its unlabelled text',
    file: 'detail-ask-reply-blocks-own-times.html', key: { queryCode: 'LY2026112400091' },
    expect: { replied: true, repliedAt: '2026-11-25T16:02:45+08:00', precision: 'instant', askedAt: '2026-11-24T09:31:07+08:00', replier: '市公安局', contentHas: '户籍窗口', contentLacks: '主办单位' },
  },
  {
    name: '来信 and 回复 tables under one-word headings (回复 over 答复单位 | 答复日期 | 答复内容)',
    file: 'detail-reply-then-ask-table.html', key: { queryCode: 'XJ202611240017' },
    expect: { replied: true, repliedAt: '2026-11-25', precision: 'day', askedAt: '2026-11-24', replier: '市公安局', contentHas: '户籍窗口', contentLacks: '请问' },
  },
  {
    name: 'full-width digits: ２０２６年１１月２５日　１４：０５ and a full-width 查询码',
    file: 'detail-fullwidth-digits.html', key: { queryCode: 'ZX202611240088' },
    expect: { replied: true, repliedAt: '2026-11-25T14:05:00+08:00', precision: 'instant', askedAt: '2026-11-24T09:31:00+08:00', status: '已答复' },
  },
  {
    name: 'dates written 20261125 (办结日期, header row in <td>)',
    file: 'list-compact-dates.html', key: { queryCode: 'SL20261124001' },
    expect: { replied: true, repliedAt: '2026-11-25', precision: 'day', askedAt: '2026-11-24', status: '已办结' },
  },
  {
    name: 'dates written 20261125: an empty 办结日期 and 办理中',
    file: 'list-compact-dates.html', key: { queryCode: 'SL20261124002' },
    expect: { replied: false, repliedAt: null, status: '办理中' },
  },
  {
    name: 'ASP.NET GridView: 2026/11/25<br/>14:05',
    file: 'aspnet-list-slash-datetime.html', key: { queryCode: '2026112400107' },
    expect: { replied: true, repliedAt: '2026-11-25T14:05:00+08:00', precision: 'instant', askedAt: '2026-11-24T09:31:00+08:00', detailHref: 'MailShow.aspx?id=2107' },
  },
  {
    name: 'ASP.NET GridView: 已受理 is not a reply',
    file: 'aspnet-list-slash-datetime.html', key: { queryCode: '2026112400108' },
    expect: { replied: false, repliedAt: null, status: '已受理' },
  },
  {
    name: 'traditional characters: 回覆時間, 處理狀態 已回覆, 回覆單位, 回覆內容',
    file: 'detail-traditional-huifu.html', key: { queryCode: 'MY20261124005' },
    expect: { replied: true, repliedAt: '2026-11-25T16:20:00+08:00', precision: 'instant', status: '已回覆', replier: '市警察局', askedAt: '2026-11-24T09:31:00+08:00', contentHas: '戶籍窗口' },
  },
  {
    name: 'traditional characters: 您的來信已收到，我們將盡快處理 is an acknowledgement, not a reply',
    file: 'detail-traditional-ack.html', key: { queryCode: 'MY20261124006' },
    expect: { replied: false, content: null },
  },
  {
    name: '处理意见 "已转市公安局办理，请耐心等待" with a 处理时间 is a transfer notice, not a reply',
    file: 'detail-banlijieguo-zhuanban.html', key: { queryCode: 'BJ20261124033' },
    expect: { replied: false, content: null, askedAt: '2026-11-24T09:40:00+08:00' },
  },
  {
    name: 'a GB2312 page whose charset is only in <meta http-equiv> (served as text/html): 办结时间, 办理结果, 承办单位',
    file: 'gbk-meta-http-equiv-only.gbk.html', contentType: 'text/html', key: { queryCode: 'XZ20261124019' },
    expect: { replied: true, repliedAt: '2026-11-25', precision: 'day', status: '已办结', replier: '县公安局', contentHas: '当场受理' },
  },
  {
    name: '12345 工单: 办理结果 heading over 回复部门 | 回复时间 | 回复意见 (not the 登记时间)',
    file: '12345-gongdan-huifuyijian.html', key: { queryCode: 'GD2026112400777' },
    expect: { replied: true, repliedAt: '2026-11-25T11:20:00+08:00', askedAt: '2026-11-24T09:33:10+08:00', replier: '市公安局', contentHas: '当场受理' },
  },
  {
    name: 'look-up API {"code":0,"data":{replyTime, replyContent (HTML), replyDeptName, statusName}}',
    file: 'api-reply-code0-data.json', contentType: 'application/json', key: { queryCode: 'HX20261124000315' },
    expect: { replied: true, repliedAt: '2026-11-25T14:05:00+08:00', precision: 'instant', askedAt: '2026-11-24T09:31:07+08:00', replier: '市公安局', status: '已回复', contentHas: '户籍窗口', contentLacks: '<p>' },
  },
  {
    name: 'look-up API {"data":{"letter":{…createTime},"reply":{content, createTime, orgName}}}: the reply\'s createTime is the reply time',
    file: 'api-reply-nested-reply-object.json', contentType: 'application/json', key: { queryCode: 'WZ2026112400512' },
    expect: { replied: true, repliedAt: '2026-11-25T15:47:30+08:00', askedAt: '2026-11-24T09:31:07+08:00', replier: '市公安局', status: '已办结', contentHas: '户籍窗口' },
  },
  {
    name: 'records API with times as 20261125143000 (bjsj, sqsj)',
    file: 'api-reply-records-compact.json', key: { title: TITLE, submittedAt: SUBMITTED },
    expect: { replied: true, repliedAt: '2026-11-25T14:30:00+08:00', precision: 'instant', askedAt: '2026-11-24T09:45:00+08:00', replier: '市公安局' },
  },
);

describe('look-up answers that do not repeat the code (the page is ours)', () => {
  it('{"code":0,"result":"success","data":{state:"1",stateName:"办理中",replyTime:null}}: found, not replied, status by its name', () => {
    const e = findLetterReply(decodePage(fx('api-reply-pending-result-success.json'), 'application/json'), { queryCode: 'OTHERCODE' }, { now: NOW, ours: true });
    expect(e).toMatchObject({ replied: false, repliedAt: null, content: null, status: '办理中' });
  });
  it('"result":"success" is the API speaking, never an answer', () => {
    const e = findLetterReply('{"code":0,"result":"success","data":{"title":"x","createTime":"2026-11-24 09:00"}}', { queryCode: 'Q9' }, { now: NOW, ours: true });
    expect(e?.replied ?? false).toBe(false);
  });
});

describe('reply-list pages from real CMS shapes (table-driven)', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const html = decodePage(fx(c.file), c.contentType ?? null);
    const e = findLetterReply(html, c.key, { now: c.now ?? NOW });
    if (c.expect === null) {
      expect(e).toBeNull();
      return;
    }
    const { contentHas, contentLacks, ...fields } = c.expect;
    expect(e).not.toBeNull();
    expect(e).toMatchObject(fields);
    if (contentHas) expect(e!.content).toContain(contentHas);
    if (contentLacks) expect(e!.content ?? '').not.toContain(contentLacks);
  });
});

import type { Letter } from '../../shared/domain/model.ts';
import { MemoryEventStore, MemoryLetterFinder, MemoryLetterStore } from '../../shared/adapters/mail/memory.ts';
import { pollReplyList, type Fetcher } from '../../shared/app/reply-lists.ts';
import { nextPageOf, nextPostbackOf, queryFormOf } from '../../shared/domain/reply-lists/discover.ts';

describe('pollReplyList on these pages: what is recorded', () => {
  const base: Letter = {
    id: 'lp1', campaignId: 'c', siteId: 's', channelId: 'ch', ordinal: 1, state: 'submitted',
    plannedAt: '2026-11-24T09:00:00+08:00', submittedAt: SUBMITTED, queryCode: 'X',
    replyAddress: 'x', title: TITLE, body: 'b', questionId: 'q', persona: { name: 'n', phone: 'p', email: 'e' },
    version: 1, updatedAt: SUBMITTED,
  };
  async function poll(letter: Letter, pages: Record<string, { file: string; contentType?: string } | string>, profile: { queryUrl?: string; listUrl?: string }, now = NOW) {
    const fetched: string[] = [];
    const fetch: Fetcher = async (url) => {
      fetched.push(url);
      const hit = Object.entries(pages).find(([k]) => url.includes(k))?.[1];
      if (hit === undefined) return { status: 404, contentType: null, body: Buffer.from(''), url };
      if (typeof hit === 'string') return { status: 200, contentType: 'text/html; charset=utf-8', body: Buffer.from(hit), url };
      return { status: 200, contentType: hit.contentType ?? null, body: fx(hit.file), url };
    };
    const letters = new MemoryLetterStore();
    await letters.putLetters([letter]);
    const events = new MemoryEventStore();
    const r = await pollReplyList({ events, finder: new MemoryLetterFinder(letters, () => []), clock: { now: () => now }, fetch }, letter, profile);
    return { r, fetched, events: await events.stream(`letter:${letter.id}`), stored: await letters.getLetter(letter.id) };
  }

  it('a 答复时间 before the letter was submitted is not trustworthy: the first-seen time decides, the stated one is kept', async () => {
    const letter = { ...base, queryCode: '2026112500042', submittedAt: '2026-11-25T14:00:00+08:00' };
    const { r, events, stored } = await poll(letter, { q: { file: 'detail-reply-before-letter.html' } }, { queryUrl: 'http://x.test/q?c={code}' });
    expect(r.recorded).toBe(true);
    expect(events[0]).toMatchObject({ at: NOW.toISOString() });
    expect(events[0]!.data).toMatchObject({ timeSource: 'first-seen', statedAt: '2026-11-24T10:00:00+08:00', statedRejected: 'before-submission', precision: 'instant' });
    expect(stored!.firstReply).toMatchObject({ at: NOW.toISOString(), precision: 'instant' });
  });

  it('a list or an answer shown in a frame on the site\'s own origin is read from the frame; another origin\'s frame is not fetched', async () => {
    const row = `<table><tr><th>标题</th><th>答复时间</th><th>状态</th></tr><tr><td>${TITLE}</td><td>2026-11-25 10:20</td><td>已答复</td></tr></table>`;
    const outer = '<html><body><h1>网上信箱</h1><iframe src="https://ads.example.com/banner"></iframe><iframe src="/hudong/list_inner.html" width="100%"></iframe></body></html>';
    const listed = await poll(base, { 'hudong/index': outer, 'hudong/list_inner': row }, { listUrl: 'http://site.test/hudong/index.html' });
    expect(listed.r.recorded).toBe(true);
    expect(listed.events[0]).toMatchObject({ at: '2026-11-25T10:20:00+08:00' });
    expect(listed.r.url).toBe('http://site.test/hudong/list_inner.html');
    expect(listed.fetched.some((u) => u.includes('ads.example.com'))).toBe(false);
    // a query result that frames its answer page
    const answer = '<table><tr><th>信件编号</th><td>Q9</td></tr><tr><th>办理状态</th><td>已回复</td></tr><tr><th>回复时间</th><td>2026-11-25 16:00</td></tr><tr><th>回复内容</th><td>您好，需携带身份证。</td></tr></table>';
    const queried = await poll({ ...base, queryCode: 'Q9' }, { 'q?c=Q9': '<frameset><frame src="/answer.jsp?c=Q9"></frameset>', 'answer.jsp': answer }, { queryUrl: 'http://x.test/q?c={code}' });
    expect(queried.events[0]).toMatchObject({ at: '2026-11-25T16:00:00+08:00' });
  });

  it('a date-only reply on the submission day is kept (day precision: same-day is possible)', async () => {
    const page = '<table><tr><th>信件编号</th><td>Q1</td></tr><tr><th>办理状态</th><td>已回复</td></tr><tr><th>回复日期</th><td>2026-11-24</td></tr></table>';
    const { events } = await poll({ ...base, queryCode: 'Q1' }, { q: page }, { queryUrl: 'http://x.test/q?c={code}' });
    expect(events[0]).toMatchObject({ at: '2026-11-24T00:00:00+08:00' });
    expect(events[0]!.data).toMatchObject({ timeSource: 'stated', precision: 'day', statedAt: '2026-11-24' });
  });

  it('a stated time after we saw the page is not trustworthy either', async () => {
    const page = '<table><tr><th>信件编号</th><td>Q2</td></tr><tr><th>办理状态</th><td>已回复</td></tr><tr><th>回复时间</th><td>2026-12-30 10:00</td></tr></table>';
    const { events } = await poll({ ...base, queryCode: 'Q2' }, { q: page }, { queryUrl: 'http://x.test/q?c={code}' });
    expect(events[0]!.data).toMatchObject({ timeSource: 'first-seen', statedRejected: 'in-the-future' });
  });

  it('a list showing only 来信时间 and 已回复: replied, at the first-seen time', async () => {
    const { r, events } = await poll({ ...base, queryCode: '20261124A7K2' }, { 'list.jsp': { file: 'trs-govrefer-list-laixin-only.html' } }, { listUrl: 'http://x.test/wcm/govrefer/list.jsp' });
    expect(r.recorded).toBe(true);
    expect(events[0]).toMatchObject({ at: NOW.toISOString() });
    expect(events[0]!.data).toMatchObject({ timeSource: 'first-seen', statedAt: null, status: '已回复' });
  });

  it('follows 下一页 to find the row (bounded), then the row\'s detail page for the answer and the replier', async () => {
    const { r, fetched, events } = await poll(
      { ...base, queryCode: null as unknown as string },
      {
        'currpage=3': { file: 'jact-mailpublist-page2.gbk.html' },
        'mailpublist.do?sysid=3': '<table><tr><th>信件标题</th><th>答复时间</th><th>状态</th></tr><tr><td>别的信</td><td>2026-11-25</td><td>已办结</td></tr></table><a href="mailpublist.do?sysid=3&currpage=3">下一页</a>',
        mailview: { file: 'jact-mailview-detail.html' },
      },
      { listUrl: 'http://x.test/jact/front/mailpublist.do?sysid=3' },
    );
    expect(fetched).toEqual([
      'http://x.test/jact/front/mailpublist.do?sysid=3',
      'http://x.test/jact/front/mailpublist.do?sysid=3&currpage=3',
      'http://x.test/jact/front/mailview.do?sysid=3&objectid=88240',
    ]);
    expect(r.recorded).toBe(true);
    expect(events[0]).toMatchObject({ at: '2026-11-25T16:40:00+08:00' });
    expect(events[0]!.data).toMatchObject({ precision: 'instant', replier: '市公安局', timeSource: 'stated' });
  });

  it('a row 已回复 whose detail page holds only an acknowledgement records nothing', async () => {
    const list = '<table><tr><th>编号</th><th>标题</th><th>状态</th></tr><tr><td>2026112400051</td><td><a href="d?id=51">咨询</a></td><td>已回复</td></tr></table>';
    const { r, events } = await poll({ ...base, queryCode: '2026112400051' }, { 'l.do': list, 'd?id=51': { file: 'detail-reply-in-progress.html' } }, { listUrl: 'http://x.test/l.do' });
    expect(r).toMatchObject({ found: true, recorded: false });
    expect(events).toHaveLength(0);
  });

  it('a query result that does not repeat the code is still ours (one record)', async () => {
    const page = '<div><p>办理状态：已办结</p><p>答复时间：2026-11-25 09:00</p><p>答复内容：可以在户籍所在地派出所办理，需要身份证。</p></div>';
    const { r } = await poll({ ...base, queryCode: 'NOECHO1' }, { q: page }, { queryUrl: 'http://x.test/q?c={code}' });
    expect(r).toMatchObject({ recorded: true, entry: { repliedAt: '2026-11-25T09:00:00+08:00' } });
  });
});

describe('an ASP.NET list paged by postback', () => {
  const form = (vs: string, rows: string, page: number) => `<form method="post" action="./MailList.aspx" id="form1">
<input type="hidden" name="__EVENTTARGET" id="__EVENTTARGET" value=""><input type="hidden" name="__EVENTARGUMENT" value="">
<input type="hidden" name="__VIEWSTATE" value="${vs}"><input type="hidden" name="__EVENTVALIDATION" value="EV">
<table><tr><th>信件标题</th><th>答复时间</th><th>状态</th></tr>${rows}</table>
<a href="javascript:__doPostBack(&#39;ctl00$Main$gvList&#39;,&#39;Page$${page + 1}&#39;)">下一页</a></form>`;

  it('reads the postback the 下一页 script would send: hidden state, event target and argument', () => {
    expect(nextPostbackOf(form('VS1', '', 1), 'http://x.gov.cn/Web/MailList.aspx')).toEqual({
      action: 'http://x.gov.cn/Web/MailList.aspx',
      fields: [['__EVENTTARGET', 'ctl00$Main$gvList'], ['__EVENTARGUMENT', 'Page$2'], ['__VIEWSTATE', 'VS1'], ['__EVENTVALIDATION', 'EV']],
      key: 'ctl00$Main$gvList Page$2',
    });
    const withOptions = '<form action="/l.aspx"><input type="hidden" name="__EVENTTARGET"><a href="javascript:WebForm_DoPostBackWithOptions(new WebForm_PostBackOptions(&quot;ctl00$pager$next&quot;, &quot;&quot;, true, &quot;&quot;, &quot;&quot;, false, true))">下一页</a></form>';
    expect(nextPostbackOf(withOptions, 'http://x.gov.cn/')?.fields.slice(0, 2)).toEqual([['__EVENTTARGET', 'ctl00$pager$next'], ['__EVENTARGUMENT', '']]);
    expect(nextPostbackOf('<a href="javascript:__doPostBack(\'g\',\'Page$2\')">下一页</a>', 'http://x.gov.cn/')).toBeNull(); // no form to send
  });

  it('pollReplyList pages on by postback, with the session cookie, and finds the row on page 2', async () => {
    const sent: Array<{ url: string; body?: string; cookie?: string }> = [];
    const html = (body: string, cookies: string[] = []) => ({ status: 200, contentType: 'text/html; charset=utf-8', body: Buffer.from(body), url: 'http://x.gov.cn/Web/MailList.aspx', cookies });
    const fetch: Fetcher = async (url, request) => {
      sent.push({ url, ...(request ? { body: request.body } : {}), ...(request?.cookie ? { cookie: request.cookie } : {}) });
      if (!request) return html(form('VS1', '<tr><td>别的信</td><td>2026-11-25</td><td>已办结</td></tr>', 1), ['ASP.NET_SessionId=abc']);
      const v = new URLSearchParams(request.body);
      // the site answers page 2 only to its own page's state and session, as ASP.NET does
      if (request.cookie !== 'ASP.NET_SessionId=abc' || v.get('__VIEWSTATE') !== 'VS1' || v.get('__EVENTARGUMENT') !== 'Page$2') return { ...html('回发或回调参数无效'), status: 500 };
      return html(form('VS2', `<tr><td>${TITLE}</td><td>2026-11-25</td><td>已办结</td></tr>`, 2));
    };
    const letter: Letter = {
      id: 'lpb', campaignId: 'c', siteId: 's', channelId: 'ch', ordinal: 1, state: 'submitted', plannedAt: SUBMITTED, submittedAt: SUBMITTED,
      replyAddress: 'x', title: TITLE, body: 'b', questionId: 'q', persona: { name: 'n', phone: 'p', email: 'e' }, version: 1, updatedAt: SUBMITTED,
    };
    const letters = new MemoryLetterStore();
    await letters.putLetters([letter]);
    const r = await pollReplyList({ events: new MemoryEventStore(), finder: new MemoryLetterFinder(letters, () => []), clock: { now: () => NOW }, fetch }, letter, { listUrl: 'http://x.gov.cn/Web/MailList.aspx' });
    expect(r).toMatchObject({ found: true, recorded: true, entry: { repliedAt: '2026-11-25', precision: 'day' } });
    expect(sent).toHaveLength(2);
    expect(sent[1]).toMatchObject({ url: 'http://x.gov.cn/Web/MailList.aspx', cookie: 'ASP.NET_SessionId=abc' });
    expect(sent[1]!.body).toContain('__EVENTTARGET=ctl00%24Main%24gvList&__EVENTARGUMENT=Page%242');
  });
});

describe('discover: the 下一页 link', () => {
  it('takes a plain link, never a script one', () => {
    const html = decodePage(fx('jact-mailpublist-page2.gbk.html'));
    expect(nextPageOf(html, 'http://x.test/jact/front/mailpublist.do')).toBe('http://x.test/jact/front/mailpublist.do?sysid=3&currpage=3');
    expect(nextPageOf('<a href="javascript:__doPostBack(\'g\',\'Page$2\')">下一页</a>', 'http://x.test/')).toBeNull();
    expect(nextPageOf('<a href="?page=2">&gt;</a>', 'http://x.test/l')).toBe('http://x.test/l?page=2');
  });
});

describe('hostile pages: untrusted text, bounded work', () => {
  const time = (f: () => unknown) => {
    const t = performance.now();
    f();
    return performance.now() - t;
  };
  it.each([
    ['a million stray <', '<'.repeat(1_000_000)],
    ['unclosed tables', '<table><tr><td>回复时间'.repeat(60_000)],
    ['unclosed tags', '<a href="x'.repeat(150_000)],
    ['label lines', '<p>回复时间：2026-11-25</p><p>回复内容：'.repeat(50_000)],
    ['one long line', `回复内容：${'答'.repeat(1_500_000)}`],
    ['deep JSON', `${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}`],
    ['unclosed form tags', '<form action="x'.repeat(150_000)],
    ['postback pagers without a form', `<form>${'<a href="javascript:__doPostBack(\'p\',\'\')">下一页</a>'.repeat(40_000)}</form>`],
    ['status icons', '<td><img alt="已回复" src="x"><span class="st yhf"></span><span class="a b c">'.repeat(60_000)],
    ['unclosed icon tags', '<img alt="已回复'.repeat(150_000)],
    ['pictures', `<td>答复内容</td><td>${'<img src="/upload/a.jpg" width="800">'.repeat(40_000)}</td>`],
    ['one picture with a huge name', `<p>答复内容：<img src="/${'dot'.repeat(500_000)}.jpg?id=${'1'.repeat(100_000)}"></p>`],
    ['traditional and full-width labels', '<p>回覆時間：２０２６年１１月２５日</p><p>回覆內容：'.repeat(50_000)],
  ])('%s: parsed in linear time (seconds at most, never minutes)', (_n, html) => {
    expect(time(() => findLetterReply(html, { queryCode: 'XF1', title: TITLE }, { now: NOW }))).toBeLessThan(4000);
    // and the pagers and forms read from the same pages
    expect(time(() => [nextPageOf(html, 'http://x.test/'), nextPostbackOf(html, 'http://x.test/'), queryFormOf(html, 'http://x.test/')])).toBeLessThan(4000);
  });

  it('a script that writes a reply is not the page\'s text; the answer is cut to a bounded size', () => {
    const html = `<script>document.write("<p>信件编号：XF1</p><p>回复时间：2026-11-25</p>")</script><p>信件编号：XF1</p><p>办理状态：办理中</p>`;
    expect(findLetterReply(html, { queryCode: 'XF1' })).toMatchObject({ replied: false, repliedAt: null });
    const big = `<p>信件编号：XF2</p><p>回复时间：2026-11-25</p><p>回复内容：${'经核实，'.repeat(20_000)}</p>`;
    expect(findLetterReply(big, { queryCode: 'XF2' })!.content!.length).toBeLessThanOrEqual(20_000);
  });

  it('times: impossible dates and years are not times', () => {
    expect(parseStatedTime('2026-02-30')).toBeNull();
    expect(parseStatedTime('1900-01-01')).toBeNull();
    expect(parseStatedTime('2026-11-25T16:40:12')).toEqual({ iso: '2026-11-25T16:40:12+08:00', precision: 'instant' });
    expect(parseStatedTime('2026.11.25')).toEqual({ iso: '2026-11-25', precision: 'day' });
    expect(parseStatedTime('11-25')).toBeNull(); // no year and no fetch time: not a stated time
    expect(parseStatedTime('3小时前', new Date('2026-11-26T01:00:00+08:00'))).toEqual({ iso: '2026-11-25', precision: 'day' });
    expect(parseStatedTime('２０２６年１１月２５日　１４：０５')).toEqual({ iso: '2026-11-25T14:05:00+08:00', precision: 'instant' });
    expect(parseStatedTime('20261125')).toEqual({ iso: '2026-11-25', precision: 'day' });
    expect(parseStatedTime('20261125143000')).toEqual({ iso: '2026-11-25T14:30:00+08:00', precision: 'instant' });
    expect(parseStatedTime('20261325')).toBeNull(); // no 13th month
    expect(parseStatedTime('2026112500042')).toBeNull(); // a 查询码, not a time
    expect(parseStatedTime('11-25', new Date('2026-11-26T11:00:00+08:00'))).toEqual({ iso: '2026-11-25', precision: 'day' });
  });
});

describe('charset', () => {
  it('a GBK page served with a server default ISO-8859-1 header is read by its <meta>', () => {
    const html = decodePage(fx('jact-mailpublist-page2.gbk.html'), 'text/html;charset=ISO-8859-1');
    expect(html).toContain('信件选登');
    expect(decodePage(fx('gbk-header-charset-only.html'), 'text/html; charset=GBK')).toContain('回复意见');
    expect(decodePage(fx('gbk-meta-http-equiv-only.gbk.html'))).toContain('县长信箱');
    expect(decodePage(fx('gbk-meta-http-equiv-only.gbk.html'), 'text/html')).toContain('办理结果');
  });
});

describe('answers without labels', () => {
  const key: LetterKey = { queryCode: 'ZX20261124001', title: TITLE, submittedAt: SUBMITTED };
  const detail = (body: string) =>
    `<html><body><div class="detail"><h2>${TITLE}</h2><p>查询码：ZX20261124001</p><p>留言时间：2026-11-24 09:31</p>${body}<div class="foot"><a href="javascript:window.print()">【打印】</a></div></div></body></html>`;

  it('a detail page whose answer opens 于…答复如下: that date, the answer from that line on', () => {
    const e = findLetterReply(detail('<div class="reply"><p>西安市公安局于2026年11月25日答复如下：</p><p>您好，办理居住证需携带本人身份证。</p></div>'), key, { now: NOW, ours: true });
    expect(e).toMatchObject({ replied: true, repliedAt: '2026-11-25', precision: 'day', queryCode: 'ZX20261124001', askedAt: '2026-11-24T09:31:00+08:00' });
    expect(e?.content).toContain('需携带本人身份证');
    expect(e?.content).not.toContain('打印');
  });

  it('a detail page whose answer ends in the office and the date (the signature of an official reply)', () => {
    for (const sig of ['<p>西安市公安局</p><p>2026年11月25日</p>', '<p style="text-align:right">西安市公安局 2026年11月25日</p>']) {
      const e = findLetterReply(detail(`<div class="reply"><p>您好，办理居住证需携带本人身份证。</p>${sig}</div>`), key, { now: NOW, ours: true });
      expect(e).toMatchObject({ replied: true, repliedAt: '2026-11-25', precision: 'day', replier: '西安市公安局' });
      expect(e?.content).toContain('需携带本人身份证');
    }
  });

  it('no answer: our own question shown unlabelled, a question asking to be answered, a citizen signing, a signature dated before our letter', () => {
    const pages = [
      '<div><p>您好，请问办理居住证需要哪些材料？</p></div>',
      '<div><p>请相关部门尽快回复如下问题：居住证怎么办？</p></div>',
      '<div><p>您好，请问办理居住证需要哪些材料？</p><p>王伟</p><p>2026年11月24日</p></div>',
      '<div><p>您好，办理居住证需携带本人身份证。</p><p>西安市公安局</p><p>2026年11月20日</p></div>',
    ];
    for (const p of pages) {
      const e = findLetterReply(detail(p), key, { now: NOW, ours: true });
      expect(e?.replied ?? false).toBe(false);
      expect(e?.content ?? null).toBeNull();
    }
  });

  it('an answer published only as a scan (an image in the 答复内容 cell) is an answer; an icon, a spacer or a logo is not', () => {
    const labelled = (cell: string) => detail(`<table><tr><th>答复时间</th><td>2026-11-25 16:20</td></tr><tr><th>答复内容</th><td>${cell}</td></tr></table>`);
    for (const img of ['<img src="/upload/2026/11/25/df20261125.jpg">', '<img src="/attach/reply.PNG" width="800">', '<p><img src="scan?id=12" alt="答复函"></p>']) {
      expect(findLetterReply(labelled(img), key, { now: NOW, ours: true }), img).toMatchObject({ replied: true, repliedAt: '2026-11-25T16:20:00+08:00', precision: 'instant' });
    }
    for (const img of ['', '<img src="/images/icon_reply.gif">', '<img src="/images/spacer.png" width="1" height="1">', '<img src="/skin/logo.png">']) {
      expect(findLetterReply(labelled(img), key, { now: NOW, ours: true })?.replied ?? false, img).toBe(false);
    }
  });

  it('a list of cards with no column labels: the card naming our letter, its status, its detail link to follow', () => {
    const card = (title: string, date: string, status: string, id: number) => `<li><a href="detail?id=${id}" title="${title}">${title}</a><span class="date">${date}</span><span class="zt">${status}</span></li>`;
    const list = (...cards: string[]) => `<html><body><ul class="list">${cards.join('')}</ul><a href="list?page=2">下一页</a></body></html>`;
    const ours = card(TITLE, '2026-11-24', '已回复', 7);
    expect(findLetterReply(list(card('其他问题', '2026-11-25', '办理中', 6), ours), { title: TITLE, submittedAt: SUBMITTED }, { now: NOW })).toMatchObject({ replied: true, status: '已回复', detailHref: 'detail?id=7', repliedAt: null });
    expect(findLetterReply(list(card(TITLE, '2026-11-24', '办理中', 7)), { title: TITLE, submittedAt: SUBMITTED }, { now: NOW })).toMatchObject({ replied: false, status: '办理中', detailHref: 'detail?id=7' });
    // the same title asked before our letter (another citizen, or our last quarter's letter): not ours
    expect(findLetterReply(list(card(TITLE, '2026-08-03', '已回复', 3)), { title: TITLE, submittedAt: SUBMITTED }, { now: NOW })).toBeNull();
    // the title in running text, not a card of a list
    expect(findLetterReply(`<p>热点：<a href="detail?id=7">${TITLE}</a></p>`, { title: TITLE, submittedAt: SUBMITTED }, { now: NOW })).toBeNull();
  });
});

describe('shapes read wrong before: times, answer order, JSONP, same-title rows', () => {
  it('times: 上午/下午 and AM/PM on a 12-hour clock, ISO offsets (a JSON API in UTC), ASP.NET /Date()/, Java toString, 点, spans', () => {
    const t = (s: string) => parseStatedTime(s, NOW);
    // Windows zh-CN and English 12-hour clocks: 3:40 PM is 15:40, never 03:40 (nor only a day)
    expect(t('2026/11/25 下午 3:40')).toEqual({ iso: '2026-11-25T15:40:00+08:00', precision: 'instant' });
    expect(t('2026-11-25 3:40 PM')).toEqual({ iso: '2026-11-25T15:40:00+08:00', precision: 'instant' });
    expect(t('2026/11/25 上午 12:30:00')).toEqual({ iso: '2026-11-25T00:30:00+08:00', precision: 'instant' });
    expect(t('2026/11/25 下午 15:40')).toEqual({ iso: '2026-11-25T15:40:00+08:00', precision: 'instant' });
    expect(t('2026年11月25日 15点40分')).toEqual({ iso: '2026-11-25T15:40:00+08:00', precision: 'instant' });
    // a UTC instant is 8 hours later in Beijing: 07:40Z on the 24th at 23:00Z is already the 25th
    expect(t('2026-11-25T07:40:00.000Z')).toEqual({ iso: '2026-11-25T15:40:00+08:00', precision: 'instant' });
    expect(t('2026-11-24T23:10:00.000+0000')).toEqual({ iso: '2026-11-25T07:10:00+08:00', precision: 'instant' });
    expect(t('2026-11-25T15:40:00.000+0800')).toEqual({ iso: '2026-11-25T15:40:00+08:00', precision: 'instant' });
    expect(t('2026-11-25 15:40-16:30')).toEqual({ iso: '2026-11-25T15:40:00+08:00', precision: 'instant' }); // a span of the day, not an offset
    expect(t('/Date(1795592400000)/')).toEqual({ iso: '2026-11-25T15:40:00+08:00', precision: 'instant' });
    expect(t('/Date(1795592400000+0800)/')).toEqual({ iso: '2026-11-25T15:40:00+08:00', precision: 'instant' });
    expect(t('Wed Nov 25 15:40:00 CST 2026')).toEqual({ iso: '2026-11-25T15:40:00+08:00', precision: 'instant' });
    // a span is its end (the latest the answer can have been given); an open one (至今) states no time
    expect(t('2026-11-24 至 2026-11-26')).toEqual({ iso: '2026-11-26', precision: 'day' });
    expect(t('2026-11-24 至今')).toBeNull();
  });

  it('a 办理过程 table newest first, whose first 答复 is an acknowledgement: the earliest real answer, not the supplementary one', () => {
    const e = findLetterReply(decodePage(fx('12345-gongdan-steps-newest-first.html')), { queryCode: 'SX2026112400901' }, { now: new Date('2026-11-28T09:00:00+08:00') });
    expect(e).toMatchObject({ replied: true, repliedAt: '2026-11-25T15:40:00+08:00', precision: 'instant', replier: '市公安局' });
    expect(e!.content).toContain('户籍窗口');
  });

  it('Hanweb jpaas JSONP (/**/cb(...)) in UTC with a processList: the 答复 step is the reply, in Beijing time, its HTML read as text', () => {
    const e = findLetterReply(decodePage(fx('jpaas-jsonp-steps-utc.js'), 'application/javascript'), { title: TITLE, submittedAt: SUBMITTED }, { now: NOW });
    expect(e).toMatchObject({ replied: true, repliedAt: '2026-11-25T15:40:00+08:00', askedAt: '2026-11-24T09:31:07+08:00', replier: '市公安局', status: '已办结' });
    expect(e!.content).toBe('您好，\n办理居住证需携带身份证 和居住证明。');
  });

  it('ASP.NET JSON: /Date()/ times, a list of replies newest first: the first answer decides', () => {
    const e = findLetterReply(decodePage(fx('aspnet-json-date-replies-newest-first.json'), 'application/json'), { queryCode: 'XZ2026112400077' }, { now: new Date('2026-11-28T09:00:00+08:00') });
    expect(e).toMatchObject({ replied: true, repliedAt: '2026-11-25T15:40:00+08:00', askedAt: '2026-11-24T09:31:00+08:00', replier: '市公安局' });
    expect(e!.content).toContain('居住证明');
  });

  it('by title: a row the site dates hours before our submission is another citizen\'s; of two after it, the one nearest our submission', () => {
    const row = (asked: string, replied: string, status: string) => `<tr><td>${TITLE}</td><td>${asked}</td><td>${replied}</td><td>${status}</td></tr>`;
    const list = (...rows: string[]) => `<table><tr><th>标题</th><th>来信时间</th><th>回复时间</th><th>状态</th></tr>${rows.join('')}</table>`;
    const key = { title: TITLE, submittedAt: SUBMITTED };
    // the same morning, 80 minutes before we submitted, answered: not ours (ours is not published yet)
    expect(findLetterReply(list(row('2026-11-24 08:10', '2026-11-24 15:00', '已回复')), key, { now: NOW })).toBeNull();
    expect(findLetterReply(list(row('2026-11-24 08:10', '2026-11-24 15:00', '已回复'), row('2026-11-24 09:31', '', '办理中')), key, { now: NOW })).toMatchObject({ replied: false, askedAt: '2026-11-24T09:31:00+08:00' });
    // the letter sent twice (a retry that had gone through): the row nearest the submission we record
    expect(findLetterReply(list(row('2026-11-24 11:02', '2026-11-25 10:00', '已回复'), row('2026-11-24 09:29', '', '办理中')), key, { now: NOW })).toMatchObject({ replied: false, askedAt: '2026-11-24T09:29:00+08:00' });
    const json = JSON.stringify({ data: { records: [{ bt: TITLE, sqsj: '2026-11-24 07:50', hfsj: '2026-11-24 10:00', hfnr: '需要身份证。' }] } });
    expect(findLetterReply(json, key, { now: NOW })).toBeNull();
  });
});

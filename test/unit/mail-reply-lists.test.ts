import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Letter } from '../../shared/domain/model.ts';
import { decodePage } from '../../shared/domain/reply-lists/charset.ts';
import { linksOf, queryFormOf, queryTemplateOf } from '../../shared/domain/reply-lists/discover.ts';
import { encodeForm } from '../../shared/domain/reply-lists/charset.ts';
import { findLetterReply, parseStatedTime } from '../../shared/domain/reply-lists/parse.ts';
import { MemoryEventStore, MemoryLetterFinder, MemoryLetterStore } from '../../shared/adapters/mail/memory.ts';
import { pollReplyList, type Fetcher } from '../../shared/app/reply-lists.ts';

const fx = (name: string) => readFileSync(new URL(`../fixtures/reply-lists/${name}`, import.meta.url));
const page = (name: string, ct: string | null = null) => decodePage(fx(name), ct);

describe('reply-list parsers', () => {
  it('parses stated times: date+time → instant in Beijing time, date only → day', () => {
    expect(parseStatedTime('2026-11-24 10:15:00')).toEqual({ iso: '2026-11-24T10:15:00+08:00', precision: 'instant' });
    expect(parseStatedTime('2026/11/25 16:05')).toEqual({ iso: '2026-11-25T16:05:00+08:00', precision: 'instant' });
    expect(parseStatedTime('2026年11月24日')).toEqual({ iso: '2026-11-24', precision: 'day' });
    expect(parseStatedTime('')).toBeNull();
    expect(parseStatedTime('2026-13-01')).toBeNull();
  });

  it('decodes a GBK list by its <meta> charset and finds the row by 查询码 in the detail link (JACT list)', () => {
    const html = page('jact-list-gbk.html', 'text/html');
    const e = findLetterReply(html, { queryCode: 'XF2026110002' });
    expect(e).toMatchObject({ repliedAt: '2026-11-24T10:15:00+08:00', precision: 'instant', status: '已办结', replied: true, title: '关于办理居住证需要哪些材料' });
    expect(e!.detailHref).toBe('/jact/front/mailsearch.do?searchcode=XF2026110002&x=1');
    expect(findLetterReply(html, { queryCode: 'XF2026110003' })).toMatchObject({ replied: false, repliedAt: null, status: '已受理' });
    expect(findLetterReply(html, { queryCode: 'NOPE' })).toBeNull();
  });

  it('reads a TRS-style th/td detail page with content (entities decoded)', () => {
    const e = findLetterReply(page('trs-detail.html'), { queryCode: '2026112300017' });
    expect(e).toMatchObject({ repliedAt: '2026-11-24T10:15:00+08:00', precision: 'instant', replied: true, queryCode: '2026112300017' });
    expect(e!.content).toContain('<到派出所>');
  });

  it('reads a date-only list (day precision) and a 标签：值 text block with a multi-line reply', () => {
    expect(findLetterReply(page('date-only-list.html'), { queryCode: 'AB12CD' })).toMatchObject({ repliedAt: '2026-11-24', precision: 'day', replied: true });
    const lv = findLetterReply(page('label-value.html'), { queryCode: 'Q7788' });
    expect(lv).toMatchObject({ repliedAt: '2026-11-25T16:05:00+08:00', replied: true, status: '已答复' });
    expect(lv!.content).toBe('新生儿落户可在出生后一个月内办理。\n持出生医学证明到派出所。');
  });

  it('a pending detail is found but not replied', () => {
    expect(findLetterReply(page('pending-detail.html'), { queryCode: '2026112300018' })).toMatchObject({ replied: false, status: '办理中' });
  });
});

describe('pollReplyList', () => {
  const letter: Letter = {
    id: 'lrl1', campaignId: 'c', siteId: 's', channelId: 'ch', ordinal: 1, state: 'submitted',
    plannedAt: '2026-11-23T09:00:00+08:00', submittedAt: '2026-11-23T09:30:00+08:00', queryCode: 'XF2026110002',
    replyAddress: 'x', title: '关于办理居住证需要哪些材料', body: 'b', questionId: 'q', persona: { name: 'n', phone: 'p', email: 'e' },
    version: 1, updatedAt: '2026-11-23T09:30:00+08:00',
  };

  it('finds the row on the list, follows the detail link, records reply.seen with the stated time and first-seen time, once', async () => {
    const fetched: string[] = [];
    const fetcher: Fetcher = async (url) => {
      fetched.push(url);
      if (url.includes('mailpublist')) return { status: 200, contentType: 'text/html', body: fx('jact-list-gbk.html'), url };
      return { status: 200, contentType: 'text/html; charset=utf-8', body: Buffer.from(fx('trs-detail.html').toString().replace('2026112300017', 'XF2026110002')), url };
    };
    const letters = new MemoryLetterStore();
    await letters.putLetters([letter]);
    const events = new MemoryEventStore();
    let now = new Date('2026-11-25T01:00:00Z');
    const deps = { events, finder: new MemoryLetterFinder(letters, () => []), clock: { now: () => now }, fetch: fetcher };
    const r = await pollReplyList(deps, letter, { listUrl: 'http://site.test/jact/front/mailpublist.do' });
    expect(r).toMatchObject({ found: true, recorded: true, firstReplyChanged: true });
    expect(fetched[1]).toBe('http://site.test/jact/front/mailsearch.do?searchcode=XF2026110002&x=1');
    const [ev] = await events.stream('letter:lrl1');
    expect(ev).toMatchObject({ type: 'reply.seen', at: '2026-11-24T10:15:00+08:00', recordedAt: '2026-11-25T01:00:00.000Z' });
    expect(ev!.data).toMatchObject({ source: 'reply-list', precision: 'instant', statedAt: '2026-11-24T10:15:00+08:00' });
    expect((await letters.getLetter('lrl1'))!.firstReply).toMatchObject({ source: 'reply-list', at: '2026-11-24T10:15:00+08:00' });
    now = new Date('2026-11-26T01:00:00Z');
    const again = await pollReplyList(deps, letter, { listUrl: 'http://site.test/jact/front/mailpublist.do' });
    expect(again.recorded).toBe(false);
    expect(await events.stream('letter:lrl1')).toHaveLength(1);
  });

  it('a date-only stated time is recorded with day precision; a pending letter records nothing', async () => {
    const letters = new MemoryLetterStore();
    const l2 = { ...letter, id: 'lrl2', queryCode: 'AB12CD' };
    await letters.putLetters([l2]);
    const events = new MemoryEventStore();
    const fetcher: Fetcher = async (url) => ({ status: 200, contentType: null, body: fx(url.includes('AB12CD') ? 'date-only-list.html' : 'pending-detail.html'), url });
    const deps = { events, finder: new MemoryLetterFinder(letters, () => []), clock: { now: () => new Date('2026-11-25T01:00:00Z') }, fetch: fetcher };
    const r = await pollReplyList(deps, l2, { queryUrl: 'http://x.test/q?code={code}' });
    expect(r.recorded).toBe(true);
    expect((await letters.getLetter('lrl2'))!.firstReply).toMatchObject({ at: '2026-11-24T00:00:00+08:00', precision: 'day', source: 'reply-list' });
    const pending = await pollReplyList(deps, { ...l2, queryCode: '2026112300018' }, { queryUrl: 'http://x.test/q?code={code}' });
    expect(pending).toMatchObject({ found: true, recorded: false });
  });
});

import { guessReplyListProfile } from '../../shared/domain/reply-lists/profile.ts';

describe('guessReplyListProfile', () => {
  it('derives JACT and TRS list/query URLs from the consultation URL, and refuses to guess otherwise', () => {
    expect(guessReplyListProfile('https://www.xa.gov.cn/jact/front/mailwrite.do?sysid=3&groupid=12')).toEqual({
      platform: 'jact',
      queryUrl: 'https://www.xa.gov.cn/jact/front/mailsearch.do?searchcode={code}&sysid=3',
      listUrl: 'https://www.xa.gov.cn/jact/front/mailpublist.do?sysid=3',
    });
    expect(guessReplyListProfile('http://zx.nb.gov.cn/wcm/govrefer/write.jsp?channelid=2815')).toEqual({
      platform: 'trs',
      queryUrl: 'http://zx.nb.gov.cn/wcm/govrefer/query.jsp?cxm={code}',
      listUrl: 'http://zx.nb.gov.cn/wcm/govrefer/list.jsp',
    });
    expect(guessReplyListProfile('https://www.gz.gov.cn/hdjlpt/')).toBeNull();
    expect(guessReplyListProfile('not a url')).toBeNull();
  });
});


describe('discovering an unknown platform\'s reply list and query page from its pages', () => {
  it('names the query and list links by their Chinese text, resolved against the page', () => {
    const html = `<div class="nav"><a href="/">首页</a><a href="/portal/consult">我要咨询</a><a href="/portal/query">诉求查询</a>
      <a href="list.do?x=1&amp;y=2">信件公开</a><a href="/hd/xd.html">留言选登</a><a href="javascript:void(0)">信件查询</a></div>`;
    expect(linksOf(html, 'http://p.example.cn/portal/home')).toEqual({
      queryPages: ['http://p.example.cn/portal/query'],
      listPages: ['http://p.example.cn/portal/list.do?x=1&y=2', 'http://p.example.cn/hd/xd.html'],
    });
  });

  it('turns a GET form asking for the 查询码 into a URL template, keeping hidden fields', () => {
    const html = `<form method="get" action="/portal/query"><input type="hidden" name="sysid" value="7">查询码：<input type="text" name="cxm"> <input type="submit" value="查询"></form>`;
    expect(queryTemplateOf(html, 'http://p.example.cn/portal/query')).toBe('http://p.example.cn/portal/query?sysid=7&cxm={code}');
  });

  it('a GET form that also asks for the 查询密码 gets a {password} placeholder', () => {
    const html = `<form action="/cx.do">信件编号<input name="xjbh"> 查询密码<input type="password" name="cxmm"><input type="submit" value="查询"></form>`;
    // the number field is named only by the text around it: the one text field, so it is the code
    expect(queryTemplateOf(html.replace('<input name="xjbh">', '<input name="searchcode">'), 'http://a.cn/x/')).toBe('http://a.cn/cx.do?searchcode={code}&cxmm={password}');
  });

  it('reads an ASP.NET postback look-up: hidden state kept, the 查询 button (not the site search) pressed, the code left to fill', () => {
    const html = `<form method="post" action="./MailQuery.aspx" id="form1">
      <input type="hidden" name="__VIEWSTATE" value="/wEPDw&amp;x=1"><input type="hidden" name="__EVENTVALIDATION" value="ev">
      站内搜索<input type="text" name="ctl00$txtKeyword" placeholder="请输入关键字"><input type="submit" name="ctl00$btnSearch" value="搜索">
      <h2>信件查询</h2>查询码：<input type="text" name="ctl00$ContentPlaceHolder1$txtCxm" id="ContentPlaceHolder1_txtCxm"> 查询密码：<input type="password" name="ctl00$ContentPlaceHolder1$txtPwd">
      <input type="submit" name="ctl00$ContentPlaceHolder1$btnQuery" value="查 询"></form>`;
    expect(queryFormOf(html, 'http://a.gov.cn/Web/MailQuery.aspx')).toEqual({
      method: 'post',
      action: 'http://a.gov.cn/Web/MailQuery.aspx',
      fields: [
        ['__VIEWSTATE', '/wEPDw&x=1'],
        ['__EVENTVALIDATION', 'ev'],
        ['ctl00$txtKeyword', ''],
        ['ctl00$ContentPlaceHolder1$txtCxm', ''],
        ['ctl00$ContentPlaceHolder1$txtPwd', ''],
        ['ctl00$ContentPlaceHolder1$btnQuery', '查 询'],
      ],
      codeField: 'ctl00$ContentPlaceHolder1$txtCxm',
      passwordField: 'ctl00$ContentPlaceHolder1$txtPwd',
    });
    expect(queryTemplateOf(html, 'http://a.gov.cn/Web/MailQuery.aspx')).toBeNull(); // a POST is no URL template
  });

  it('never takes a letter form, a captcha form or a loosely named field for a POST look-up (a POST there could send a letter)', () => {
    const base = (inner: string) => `<form method="post" action="/q"><h3>信件查询</h3>查询码<input type="text" name="cxm">${inner}<input type="submit" value="查询"></form>`;
    expect(queryFormOf(base(''), 'http://a.cn/')?.method).toBe('post');
    expect(queryFormOf(base('<textarea name="nr"></textarea>'), 'http://a.cn/')).toBeNull();
    expect(queryFormOf(base('验证码<input type="text" name="yzm"><img src="/captcha.jpg">'), 'http://a.cn/')).toBeNull();
    expect(queryFormOf(base('标题<input type="text" name="title">'), 'http://a.cn/')).toBeNull();
    expect(queryFormOf(base('<input type="file" name="fj">'), 'http://a.cn/')).toBeNull();
    // "code" alone is often the captcha: fine for a GET template, not enough for a POST
    expect(queryFormOf('<form method="post" action="/q">查询：<input type="text" name="code"><input type="submit" value="查询"></form>', 'http://a.cn/')).toBeNull();
    expect(queryFormOf('<form method="post" action="/login">用户名<input name="user">密码<input type="password" name="pwd"><input type="submit" value="登录"></form>', 'http://a.cn/')).toBeNull();
  });

  it('a page of many unclosed forms is read in linear time', () => {
    const t0 = performance.now();
    expect(queryFormOf(`${'<form method="post"><input name="cxm">'.repeat(50_000)}</form>`, 'http://a.cn/')).toBeNull();
    expect(queryFormOf(`${'<form>'.repeat(300_000)}查询码<input name="cxm"></form>`, 'http://a.cn/')?.codeField).toBe('cxm');
    expect(performance.now() - t0).toBeLessThan(5_000);
  });

  it('encodes a form in the page\'s charset, as a browser does', () => {
    expect(encodeForm([['q', '张三 A&B'], ['x', '']], 'gb18030')).toBe('q=%D5%C5%C8%FD+A%26B&x=');
    expect(encodeForm([['q', '张三']], 'utf-8')).toBe('q=%E5%BC%A0%E4%B8%89');
  });

  it('ignores POST forms and forms without a code field', () => {
    expect(queryTemplateOf('<form method="post" action="/q">查询码<input name="cxm"></form>', 'http://a.cn/')).toBeNull();
    expect(queryTemplateOf('<form action="/s"><input type="text" name="keyword" placeholder="站内搜索"></form>', 'http://a.cn/')).toBeNull();
  });
});

describe('dailyPollDue: the daily reply-list poll (AWS, the demo and serve alike)', () => {
  it('is due once a Beijing day, from 08:00 Beijing, whatever the machine\'s zone', async () => {
    const { dailyPollDue } = await import('../../shared/app/reply-lists.ts');
    const at = (iso: string) => Date.parse(iso);
    expect(dailyPollDue(undefined, at('2026-11-24T07:59:00+08:00'))).toBe(false);
    expect(dailyPollDue(undefined, at('2026-11-24T08:00:00+08:00'))).toBe(true);
    expect(dailyPollDue('2026-11-24', at('2026-11-24T20:00:00+08:00'))).toBe(false); // done today
    expect(dailyPollDue('2026-11-24', at('2026-11-25T01:00:00Z'))).toBe(true); // 09:00 Beijing the next day
    expect(dailyPollDue('2026-11-24', at('2026-11-24T23:30:00Z'))).toBe(false); // 07:30 Beijing the next day
  });
});

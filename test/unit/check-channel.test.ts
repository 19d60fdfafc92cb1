import { describe, expect, it } from 'vitest';
import { MemoryEventStore, MemoryObjectStore } from '../../shared/adapters/mail/memory.ts';
import { checkChannel } from '../../shared/app/check-channel.ts';
import type { FormSubmitter, SubmitResult } from '../../shared/domain/forms/submission.ts';
import { pageStructure } from '../../shared/domain/forms/fingerprint.ts';
import { ManualClock } from '../../shared/local/manual-clock.ts';

/** A page the HTTP look cannot vouch for (the form is in an iframe), with news whose text changes every day. */
const page = (news: string, extraField = '') =>
  `<html><body><h2>要闻</h2><p>${news}</p><iframe src="/hdjl/form.html?t=${news.length}"></iframe>${extraField}<script src="/js/app.js?v=${news.length}"></script></body></html>`;

function fakeBrowser(): FormSubmitter & { calls: number } {
  const b = {
    calls: 0,
    async submit(): Promise<SubmitResult> {
      b.calls++;
      return {
        outcome: 'ready', reason: 'form-found', queryCode: null, submittedAt: null, sent: false,
        channel: { kind: 'site-form', url: 'http://site.example.cn/hdjl/' },
        evidence: { finalUrl: 'http://site.example.cn/hdjl/', formUrl: 'http://site.example.cn/hdjl/form.html', codes: {}, timings: {} },
      } as SubmitResult;
    },
    async discover() {
      return [];
    },
  };
  return b;
}

describe('the daily channel check opens the browser only when the page changed', () => {
  it('a page structure ignores text, query strings and inline scripts but sees a new field', () => {
    expect(pageStructure(page('2026年11月23日 新闻一'))).toBe(pageStructure(page('另一天的新闻，长一点点')));
    expect(pageStructure(page('x'))).not.toBe(pageStructure(page('x', '<input name="yzm" type="text">')));
  });

  it('reuses the browser verdict for an unchanged page, re-opens it on a change and after a week, and stores a page only once', async () => {
    let html = page('第一天的新闻');
    const fetchImpl = (async (url: string) => new Response(html, { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' } })) as unknown as typeof fetch;
    const clock = new ManualClock('2026-11-02T06:30:00+08:00');
    const events = new MemoryEventStore();
    const objects = new MemoryObjectStore();
    const browser = fakeBrowser();
    const deps = { submitter: browser, objects, clock, events, fetchImpl };
    const check = () => checkChannel(deps, { siteId: '6100000001', url: 'http://site.example.cn/hdjl/' });

    expect((await check()).via).toBe('browser');
    expect(browser.calls).toBe(1);

    clock.advance(24 * 3_600_000);
    html = page('第二天的新闻，文字不同');
    const second = await check();
    expect(second).toMatchObject({ via: 'http', status: 'ready', reason: 'unchanged-since-browser-check:form-found' });
    expect(browser.calls).toBe(1);

    clock.advance(24 * 3_600_000);
    const third = await check(); // same page as yesterday: not stored again
    expect(third.evidence.html?.sha256).toBe(second.evidence.html?.sha256);
    expect(browser.calls).toBe(1);

    clock.advance(24 * 3_600_000);
    html = page('第四天', '<input name="yzm" type="text"><img src="/captcha.jpg">');
    expect((await check()).via).toBe('browser'); // the form changed
    expect(browser.calls).toBe(2);

    clock.advance(8 * 24 * 3_600_000);
    expect((await check()).via).toBe('browser'); // a week without the browser
    expect(browser.calls).toBe(3);
  });
});

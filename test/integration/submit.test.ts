/**
 * The submission engine against real pages with real Chromium: every sandbox variant gets the right outcome,
 * a letter arrives exactly once (or never, when gated/unavailable before sending), the evidence files exist with
 * matching sha256, and the browser renders Chinese glyphs (not tofu boxes).
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'puppeteer-core';
import { launchBrowser } from '../../shared/adapters/browser/launch.ts';
import { BrowserSubmitter } from '../../shared/adapters/browser/submitter.ts';
import { checkChannel } from '../../shared/app/check-channel.ts';
import { FsObjectStore } from '../../shared/adapters/object-store-fs.ts';
import type { SubmitResult } from '../../shared/domain/forms/submission.ts';
import { startSandbox, type Sandbox } from '../../sandbox/server.ts';
import { VARIANT_NAMES, type VariantName } from '../../sandbox/types.ts';
import { startFixtures, type Fixtures } from './submit-fixtures.ts';

const content = {
  name: '李静',
  phone: '13912345678',
  email: 'l01test@reply.example.cn',
  title: '社保卡丢失后如何补办？',
  body: '您好，我的社保卡不小心丢了。请问补办需要去哪里，要带什么材料，多久能拿到新卡？',
};

type Expect = { outcome: SubmitResult['outcome']; reason?: RegExp; arrived: 'accepted' | 'error' | 'none'; code?: boolean };
const EXPECTED: Record<VariantName, Expect> = {
  jact: { outcome: 'submitted', arrived: 'accepted', code: true },
  trs: { outcome: 'submitted', arrived: 'accepted', code: true },
  aspnet: { outcome: 'submitted', arrived: 'accepted', code: true },
  gbk: { outcome: 'submitted', arrived: 'accepted', code: true },
  iframe: { outcome: 'submitted', arrived: 'accepted', code: true },
  'two-step': { outcome: 'submitted', arrived: 'accepted', code: true },
  'xhr-modal': { outcome: 'submitted', arrived: 'accepted', code: true },
  multipart: { outcome: 'submitted', arrived: 'accepted', code: true },
  csrf: { outcome: 'submitted', arrived: 'accepted', code: true },
  'confirm-preview': { outcome: 'submitted', arrived: 'accepted', code: true },
  'redirect-12345': { outcome: 'submitted', arrived: 'accepted', code: true },
  slow: { outcome: 'submitted', arrived: 'accepted', code: true },
  captcha: { outcome: 'gated', reason: /^captcha$/, arrived: 'none' },
  sms: { outcome: 'gated', reason: /^sms$/, arrived: 'none' },
  login: { outcome: 'gated', reason: /^login$/, arrived: 'none' },
  'not-found': { outcome: 'unavailable', reason: /^http-404$/, arrived: 'none' },
  'server-error': { outcome: 'unavailable', reason: /^http-5\d\d$/, arrived: 'none' },
  'no-form': { outcome: 'unavailable', reason: /^(no-form|site-busy)$/, arrived: 'none' },
  'site-error': { outcome: 'unavailable', reason: /^site-error/, arrived: 'error' },
  'no-confirmation': { outcome: 'unconfirmed', arrived: 'accepted' },
};

let dir: string;
let sandbox: Sandbox;
let fixtures: Fixtures;
let objects: FsObjectStore;
let submitter: BrowserSubmitter;
const results = new Map<string, SubmitResult>();
const dryResults = new Map<string, SubmitResult>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'huixin-submit-'));
  objects = new FsObjectStore(dir);
  sandbox = await startSandbox({
    sites: [
      ...VARIANT_NAMES.map((v) => ({ key: v, variant: v })),
      ...VARIANT_NAMES.map((v) => ({ key: `dry-${v}`, variant: v })),
      ...(['jact', 'captcha', 'not-found', 'iframe'] as const).map((v) => ({ key: `check-${v}`, variant: v })),
      { key: 'too-slow', variant: 'slow' as const, slowMs: 3_000 },
    ],
    slowMs: 1_500,
  });
  fixtures = await startFixtures();
  submitter = await BrowserSubmitter.launch(objects, { pages: 4, settleTimeoutMs: 4_000, allowPrivateHosts: true });
  await Promise.all([
    ...VARIANT_NAMES.map(async (v) => results.set(v, await submitter.submit({ url: sandbox.consultUrlOf(v), content, evidencePrefix: `sandbox/${v}` }))),
    ...VARIANT_NAMES.map(async (v) =>
      dryResults.set(v, await submitter.submit({ url: sandbox.consultUrlOf(`dry-${v}`), content, dryRun: true, evidencePrefix: `dry/${v}` })),
    ),
  ]);
}, 120_000);

afterAll(async () => {
  await submitter?.close();
  await sandbox?.close();
  await fixtures?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function sha256Of(key: string): Promise<string> {
  return createHash('sha256').update(await readFile(objects.locate(key))).digest('hex');
}

describe('submitting to every sandbox variant', () => {
  for (const variant of VARIANT_NAMES) {
    const want = EXPECTED[variant];
    it(`${variant}: ${want.outcome}${want.reason ? ` (${want.reason.source})` : ''}, the letter arrived ${want.arrived === 'none' ? 'never' : 'exactly once'}`, async () => {
      const r = results.get(variant)!;
      expect(r.outcome, `${variant}: ${r.reason}`).toBe(want.outcome);
      if (want.reason) expect(r.reason).toMatch(want.reason);
      const posts = sandbox.posts(variant);
      if (want.arrived === 'none') {
        expect(posts).toHaveLength(0);
        expect(r.sent).toBe(false);
        expect(r.submittedAt).toBeNull();
      } else {
        expect(posts).toHaveLength(1);
        expect(posts[0]!.outcome).toBe(want.arrived);
        // real characters arrived (GBK pages too), not mojibake or numeric entities
        expect(posts[0]!.letter.title).toBe(content.title);
        expect(posts[0]!.letter.body).toBe(content.body);
        expect(posts[0]!.letter.phone).toBe(content.phone);
        expect(r.sent).toBe(true);
        expect(r.submittedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
      }
      if (want.code) {
        expect(r.queryCode).toBe(posts[0]!.queryCode);
        expect(Object.values(r.evidence.codes)).toContain(posts[0]!.queryCode);
      }
      // evidence: screenshot + HTML with matching sha256
      expect(r.evidence.screenshot, 'screenshot').toBeDefined();
      expect(r.evidence.html, 'html').toBeDefined();
      expect(await sha256Of(r.evidence.screenshot!.key)).toBe(r.evidence.screenshot!.sha256);
      expect(await sha256Of(r.evidence.html!.key)).toBe(r.evidence.html!.sha256);
      const png = await readFile(objects.locate(r.evidence.screenshot!.key));
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      expect(r.evidence.finalUrl).toMatch(/^http/);
      expect(r.evidence.timings.totalMs).toBeGreaterThan(0);
    });
  }

  it('redirect-12345: records the platform as the channel', () => {
    const r = results.get('redirect-12345')!;
    expect(r.channel.kind).toBe('platform-12345');
    expect(new URL(r.channel.url).origin).toBe(new URL(sandbox.platformOrigin).origin);
  });

  it('dry-run never submits: ready where the form is usable, the same gates and breakages otherwise', () => {
    for (const v of VARIANT_NAMES) {
      const r = dryResults.get(v)!;
      expect(sandbox.posts(`dry-${v}`), v).toHaveLength(0);
      expect(r.sent, v).toBe(false);
      const want = EXPECTED[v];
      const expected = want.outcome === 'gated' || (want.outcome === 'unavailable' && want.arrived === 'none') ? want.outcome : 'ready';
      expect(r.outcome, `${v}: ${r.reason}`).toBe(expected);
    }
  });
});

describe('pages of our own (shapes not in the sandbox)', () => {
  it('a profile takes precedence, and a profile selector that fails on a page with a form is script-broken (nothing sent)', async () => {
    const ok = await submitter.submit({
      url: fixtures.url('/basic'),
      content,
      evidencePrefix: 'fx/profile-ok',
      profile: { name: 'basic', fields: { body: { selector: 'textarea[name="mail.nr"]' }, title: { label: '信件标题' } }, submit: { selector: 'input[type=submit]' }, success: '提交成功', queryCode: { regex: '查询码：(\\w+)' } },
    });
    expect(ok).toMatchObject({ outcome: 'submitted', queryCode: 'Q7K2M9' });
    const before = fixtures.posts().length;
    const broken = await submitter.submit({
      url: fixtures.url('/basic'),
      content,
      evidencePrefix: 'fx/profile-broken',
      profile: { name: 'old', fields: { body: { selector: '#xjnr_old' } }, submit: { text: '提交' } },
    });
    expect(broken).toMatchObject({ outcome: 'script-broken', reason: 'profile-field-missing:body', sent: false });
    expect(fixtures.posts()).toHaveLength(before);
  });

  it('div layouts with a 我已阅读 checkbox, a unit select and a placeholder; an invisible honeypot stays empty', async () => {
    const r = await submitter.submit({ url: fixtures.url('/div'), content, evidencePrefix: 'fx/div' });
    expect(r.outcome).toBe('submitted');
    const post = fixtures.posts('/div/save').at(-1)!;
    expect(post.fields).toMatchObject({ userName: content.name, mobile: content.phone, subject: content.title, content: content.body, agree: '1', deptId: '11' });
    const basic = await submitter.submit({ url: fixtures.url('/silent'), content, evidencePrefix: 'fx/silent' });
    expect(basic.outcome).toBe('unconfirmed');
    expect(fixtures.posts('/silent/save').at(-1)!.fields.website).toBe('');
  });

  it('an old GB2312 page with an image link as its submit button', async () => {
    const r = await submitter.submit({ url: fixtures.url('/oldstyle'), content, evidencePrefix: 'fx/oldstyle' });
    expect(r).toMatchObject({ outcome: 'submitted', queryCode: 'GBK8899' });
    expect(fixtures.posts('/gbk/save').at(-1)!.fields).toMatchObject({ xjr: content.name, sj: content.phone, zt: content.title, nr: content.body });
  });

  it('classifies connection failures and the site error after submit as unavailable', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const refused = await submitter.submit({ url: `http://127.0.0.1:${port}/write`, content, evidencePrefix: 'fx/refused' });
    expect(refused).toMatchObject({ outcome: 'unavailable', reason: 'connection' });
    const after500 = await submitter.submit({ url: fixtures.url('/err500'), content, evidencePrefix: 'fx/err500' });
    expect(after500).toMatchObject({ outcome: 'unavailable', reason: 'site-error-http-500', sent: true });
  });

  it('respects the navigation timeout: a site slower than it is unavailable (timeout), nothing sent', async () => {
    const r = await submitter.submit({ url: sandbox.consultUrlOf('too-slow'), content, evidencePrefix: 'fx/too-slow', navigationTimeoutMs: 1_000 });
    expect(r).toMatchObject({ outcome: 'unavailable', reason: 'timeout', sent: false });
    expect(sandbox.posts('too-slow')).toHaveLength(0);
  });

  it('the daily check: HTTP pre-check where it suffices, the browser dry-run otherwise, never a POST', async () => {
    const deps = { submitter, objects, clock: { now: () => new Date('2026-03-02T01:00:00Z') } };
    const checks = await Promise.all(
      (['jact', 'captcha', 'not-found', 'iframe'] as const).map((v) => checkChannel(deps, { siteId: `check-${v}`, url: sandbox.consultUrlOf(`check-${v}`) })),
    );
    expect(checks.map((c) => c.status)).toEqual(['ready', 'gated', 'unavailable', 'ready']);
    expect(checks[0]!.via).toBe('http');
    expect(checks[1]!.via).toBe('browser');
    expect(checks[3]!.via).toBe('browser'); // the form is inside an iframe: only a browser can vouch for it
    for (const v of ['jact', 'captcha', 'not-found', 'iframe']) expect(sandbox.posts(`check-${v}`)).toHaveLength(0);
    for (const c of checks) for (const e of Object.values(c.evidence)) expect(await sha256Of(e.key)).toBe(e.sha256);
  });

  it('rediscovers the consultation page from a home page', async () => {
    expect((await submitter.discover(fixtures.url('/home')))[0]).toBe(fixtures.url('/basic'));
  });
});

describe('review cases: sites that hang, query codes, gates, field choice, late forms and rich editors', () => {
  /** Short bounds for the never-answering sites (production: 15 s navigation, 8 s settle, 60 s deadline). */
  const fast = { navigationTimeoutMs: 1_500, settleTimeoutMs: 800, deadlineMs: 8_000, stepTimeoutMs: 500 };

  it('a site whose page never answers is unavailable (timeout) within its bounds, with evidence and nothing sent', async () => {
    const t = performance.now();
    const r = await submitter.submit({ url: fixtures.url('/hang'), content, evidencePrefix: 'fx/hang', ...fast });
    expect(r).toMatchObject({ outcome: 'unavailable', reason: 'timeout', sent: false, submittedAt: null });
    expect(performance.now() - t).toBeLessThan(6_000);
    expect(r.evidence.html).toBeDefined();
    expect(r.evidence.screenshot).toBeDefined();
    expect(r.evidence.codes.error).toMatch(/no response/);
  });

  it('a POST that is never answered is unconfirmed (no-response-after-submit) within its bounds, sent exactly once', async () => {
    const t = performance.now();
    const r = await submitter.submit({ url: fixtures.url('/hangpost'), content, evidencePrefix: 'fx/hangpost', ...fast });
    expect(r).toMatchObject({ outcome: 'unconfirmed', reason: 'no-response-after-submit', sent: true });
    expect(r.submittedAt).toMatch(/^\d{4}-/);
    expect(performance.now() - t).toBeLessThan(8_000);
    expect(fixtures.posts('/hangpost/save')).toHaveLength(1);
    expect(fixtures.posts('/hangpost/save')[0]!.fields.nr).toBe(content.body);
    expect(r.evidence.html).toBeDefined();
    // the page is usable again for the next letter
    const next = await submitter.submit({ url: fixtures.url('/basic'), content, evidencePrefix: 'fx/after-hang' });
    expect(next.outcome).toBe('submitted');
  });

  it('信件编号 + 查询密码: the number is the query code, the password sits beside it; 信件已提交，等待审核 is success', async () => {
    const r = await submitter.submit({ url: fixtures.url('/jactpw'), content, evidencePrefix: 'fx/jactpw' });
    expect(r).toMatchObject({ outcome: 'submitted', queryCode: 'XJ2026000123', queryPassword: 'k9x2' });
    expect(fixtures.posts('/jactpw/save')).toHaveLength(1); // the result page's 确 定 button is never pressed
  });

  it('an AJAX answer {"status":1} shown in a layer: submitted, with the 查询编码', async () => {
    const r = await submitter.submit({ url: fixtures.url('/layer'), content, evidencePrefix: 'fx/layer' });
    expect(r).toMatchObject({ outcome: 'submitted', queryCode: 'LA2026000456' });
    expect(fixtures.posts('/layer/save')).toHaveLength(1);
    expect(fixtures.posts('/layer/save')[0]!.fields).toMatchObject({ zt: content.title, nr: content.body });
  });

  it('a page with no form and no script is not waited for: nothing could draw a form', async () => {
    const r = await submitter.submit({ url: fixtures.url('/static-no-form'), content, evidencePrefix: 'fx/static-no-form', formWaitMs: 30_000, deadlineMs: 45_000 });
    expect(r).toMatchObject({ outcome: 'unavailable', reason: 'no-form', sent: false });
    expect(r.evidence.timings.totalMs).toBeLessThan(10_000); // not the 30 s form wait
  });

  it('a form drawn by script after load is waited for; the 12345 工单号 (JSON gdh) is the query code', async () => {
    const r = await submitter.submit({ url: fixtures.url('/spa'), content, evidencePrefix: 'fx/spa' });
    expect(r).toMatchObject({ outcome: 'submitted', queryCode: 'GD2026000789' });
    expect(fixtures.posts('/spa/save')).toHaveLength(1);
    expect(fixtures.posts('/spa/save')[0]!.fields).toMatchObject({ name: content.name, title: content.title, content: content.body });
  });

  it('a captcha labelled 请输入图片中的字符 and an SMS code labelled only 验证码 are gates: nothing is sent', async () => {
    const captcha = await submitter.submit({ url: fixtures.url('/odd-captcha'), content, evidencePrefix: 'fx/odd-captcha' });
    expect(captcha).toMatchObject({ outcome: 'gated', reason: 'captcha', sent: false });
    const sms = await submitter.submit({ url: fixtures.url('/sms-code'), content, evidencePrefix: 'fx/sms-code' });
    expect(sms).toMatchObject({ outcome: 'gated', reason: 'sms', sent: false });
    expect(fixtures.posts('/odd-captcha/save')).toHaveLength(0);
    expect(fixtures.posts('/sms-code/save')).toHaveLength(0);
  });

  it('the body goes into 留言内容, not the 通讯地址 textarea before it; 是否保密 is answered 否; a required 邮政编码 gets a postcode', async () => {
    const r = await submitter.submit({ url: fixtures.url('/addr'), content, evidencePrefix: 'fx/addr' });
    expect(r.outcome).toBe('submitted');
    const posts = fixtures.posts('/addr/save');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.fields).toMatchObject({ lynr: content.body, txdz: '', sfbm: '0' });
    expect(posts[0]!.fields.yzbm).toMatch(/^\d{6}$/);
  });

  it('rich-text editors (an iframe in design mode, a contenteditable div) receive the body', async () => {
    const [frame, div] = await Promise.all([
      submitter.submit({ url: fixtures.url('/rich-iframe'), content, evidencePrefix: 'fx/rich-iframe' }),
      submitter.submit({ url: fixtures.url('/rich-div'), content, evidencePrefix: 'fx/rich-div' }),
    ]);
    expect(frame).toMatchObject({ outcome: 'submitted', queryCode: 'RT2026000222' });
    expect(div).toMatchObject({ outcome: 'submitted', queryCode: 'RT2026000222' });
    for (const path of ['/rich-iframe/save', '/rich-div/save']) {
      const posts = fixtures.posts(path);
      expect(posts, path).toHaveLength(1);
      expect(posts[0]!.fields.content, path).toContain(content.body);
      expect(posts[0]!.fields.bt, path).toBe(content.title);
    }
  });

  it('a 须知 whose 同意 button is disabled during a countdown is waited for, then accepted', async () => {
    const r = await submitter.submit({ url: fixtures.url('/countdown'), content, evidencePrefix: 'fx/countdown' });
    expect(r).toMatchObject({ outcome: 'submitted', queryCode: 'CD2026000333' });
    expect(fixtures.posts('/countdown/save')).toHaveLength(1);
  });
});

describe('review cases, second round: refusals in the browser, dialogs over the form, header logins, cascading selects, hinted limits', () => {
  it('a 我已阅读并同意 modal over the form is accepted before the one submission', async () => {
    const r = await submitter.submit({ url: fixtures.url('/modal-agree'), content, evidencePrefix: 'fx/modal-agree' });
    expect(r).toMatchObject({ outcome: 'submitted', queryCode: 'MA2026000444', sent: true });
    expect(fixtures.posts('/modal-agree/save')).toHaveLength(1);
    expect(fixtures.posts('/modal-agree/save')[0]!.fields).toMatchObject({ bt: content.title, nr: content.body });
    // a dialog with a 同意 box and a plain 确定: ticked, then 确定
    const box = await submitter.submit({ url: fixtures.url('/modal-box'), content, evidencePrefix: 'fx/modal-box' });
    expect(box).toMatchObject({ outcome: 'submitted', queryCode: 'MA2026000444', sent: true });
    expect(fixtures.posts('/modal-box/save')).toHaveLength(1);
  });

  it('a letter form that itself sits in a layer is no 须知 over the form: its 确定 is pressed once, after the filling', async () => {
    const r = await submitter.submit({ url: fixtures.url('/form-in-layer'), content, evidencePrefix: 'fx/form-in-layer' });
    expect(r).toMatchObject({ outcome: 'submitted', queryCode: 'FL2026000999', sent: true });
    const posts = fixtures.posts('/form-in-layer/save');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.fields).toMatchObject({ xm: content.name, bt: content.title, nr: content.body });
  });

  it('a page that refuses the submission with an alert sent nothing: script-broken (blocked-by-page), sent false, the alert kept', async () => {
    const r = await submitter.submit({ url: fixtures.url('/refuse-alert'), content, evidencePrefix: 'fx/refuse-alert' });
    expect(r).toMatchObject({ outcome: 'script-broken', reason: 'blocked-by-page', sent: false, submittedAt: null, queryCode: null });
    expect(r.evidence.codes.blocked).toContain('请先阅读并同意');
    expect(r.evidence.screenshot).toBeDefined(); // the evidence (its image reloads included) does not count as sending
    expect(fixtures.posts('/refuse-alert/save')).toHaveLength(0);
  });

  it("the browser's own validation blocking the POST: blocked-by-page with the validation message, sent false, without waiting out the settle time", async () => {
    const r = await submitter.submit({ url: fixtures.url('/native-invalid'), content, evidencePrefix: 'fx/native-invalid' });
    expect(r).toMatchObject({ outcome: 'script-broken', reason: 'blocked-by-page', sent: false, submittedAt: null });
    expect(r.evidence.codes.blocked).toMatch(/^bz: /);
    expect(r.evidence.timings.submitMs).toBeLessThan(3_000); // the settle time here is 4 s
    expect(fixtures.posts('/native-invalid/save')).toHaveLength(0);
  });

  it('any request after the click may carry the letter: a JSONP GET submission is submitted, an image GET with no answer is unconfirmed (sent)', async () => {
    const [jsonp, beacon] = await Promise.all([
      submitter.submit({ url: fixtures.url('/jsonp'), content, evidencePrefix: 'fx/jsonp' }),
      submitter.submit({ url: fixtures.url('/beacon'), content, evidencePrefix: 'fx/beacon' }),
    ]);
    expect(jsonp).toMatchObject({ outcome: 'submitted', queryCode: 'JP2026000555', sent: true });
    expect(jsonp.submittedAt).toMatch(/^\d{4}-/);
    expect(fixtures.posts('/jsonp/save')).toHaveLength(1);
    expect(fixtures.posts('/jsonp/save')[0]!.fields).toMatchObject({ bt: content.title, nr: content.body });
    expect(beacon).toMatchObject({ outcome: 'unconfirmed', sent: true });
    expect(fixtures.posts('/beacon/save')).toHaveLength(1);
  });

  it('a header login outside any <form> neither gates the form-less letter form nor takes the name', async () => {
    const r = await submitter.submit({ url: fixtures.url('/header-login'), content, evidencePrefix: 'fx/header-login' });
    expect(r).toMatchObject({ outcome: 'submitted', reason: 'confirmed', queryCode: 'HL2026000888', sent: true });
    const posts = fixtures.posts('/header-login/saveMsg.do');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.fields).toMatchObject({ lyr: content.name, lxdh: content.phone, lybt: content.title, lynr: content.body, loginName: '' });
  });

  it('cascading selects: the 承办部门 drawn after the 区县 is chosen gets a real choice', async () => {
    const r = await submitter.submit({ url: fixtures.url('/cascade'), content, evidencePrefix: 'fx/cascade' });
    expect(r).toMatchObject({ outcome: 'submitted', queryCode: 'CS2026000777', sent: true });
    const posts = fixtures.posts('/cascade/save');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.fields).toMatchObject({ qx: '610102', bm: '61010201', nr: content.body });
  });

  it('a title limit given only as a hint (（限10字以内）) is kept', async () => {
    const r = await submitter.submit({ url: fixtures.url('/title-hint'), content, evidencePrefix: 'fx/title-hint' });
    expect(r).toMatchObject({ outcome: 'submitted', queryCode: 'TH2026000666', sent: true });
    const posts = fixtures.posts('/title-hint/save');
    expect(posts).toHaveLength(1);
    expect([...posts[0]!.fields.bt!].length).toBeLessThanOrEqual(10);
    expect(r.filled?.title).toBe(posts[0]!.fields.bt);
  });
});

describe('Chinese glyphs render (the CJK font is shipped, not tofu)', () => {
  /** Screenshots of single characters: with a CJK font they differ from each other and from the .notdef box. */
  async function glyphShots(browser: Browser): Promise<Buffer[]> {
    const page = await browser.newPage();
    try {
      const chars = ['中', '文', '回', '信', '\u{E000}', '\u{E001}'];
      await page.setContent(`<body style="margin:0">${chars.map((c, i) => `<span id="g${i}" style="display:inline-block;width:64px;height:64px;font:48px sans-serif;line-height:64px;text-align:center">${c}</span>`).join('')}</body>`);
      const shots: Buffer[] = [];
      for (let i = 0; i < chars.length; i++) shots.push(Buffer.from(await (await page.$(`#g${i}`))!.screenshot()));
      return shots;
    } finally {
      await page.close();
    }
  }
  const distinct = (xs: Buffer[]) => new Set(xs.map((b) => b.toString('base64'))).size;

  it('renders four different Chinese characters as four different glyphs, none of them the missing-glyph box', async () => {
    const shots = await glyphShots(submitter.browser);
    const [zh1, zh2, zh3, zh4, tofuA, tofuB] = shots as [Buffer, Buffer, Buffer, Buffer, Buffer, Buffer];
    // the two private-use code points have no glyph anywhere: they are the tofu reference
    expect(tofuA.equals(tofuB)).toBe(true);
    expect(distinct([zh1, zh2, zh3, zh4])).toBe(4);
    for (const z of [zh1, zh2, zh3, zh4]) expect(z.equals(tofuA)).toBe(false);
  });

  it('the check is meaningful: without the shipped font configuration the same characters collapse into boxes (unless the system has its own CJK font)', async () => {
    let systemHasCjk = false;
    try {
      systemHasCjk = execFileSync('fc-list', [':lang=zh'], { encoding: 'utf8' }).trim().length > 0;
    } catch {
      systemHasCjk = false;
    }
    const bare = await launchBrowser({ withoutCjkFont: true, allowPrivateHosts: true });
    try {
      const shots = await glyphShots(bare);
      expect(distinct(shots.slice(0, 4)) === 4).toBe(systemHasCjk);
    } finally {
      await bare.close();
    }
  });
});

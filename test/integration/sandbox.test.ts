import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { startSandbox, type Sandbox } from '../../sandbox/server.ts';
import { VARIANT_NAMES, type SiteSpec, type VariantName } from '../../sandbox/types.ts';
import { ASPNET_SUBMIT_TARGET, EVENTVALIDATION, VIEWSTATE } from '../../sandbox/variants/aspnet.ts';

/** A browser-ish client: keeps cookies per origin path, posts urlencoded (UTF-8 or GBK) or multipart. */
class Client {
  cookies = new Map<string, string>();
  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  private keep(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [kv] = c.split(';');
      const [k, v] = (kv as string).split('=');
      this.cookies.set(k as string, v as string);
    }
  }
  async get(url: string): Promise<Response> {
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: this.cookieHeader() } });
    this.keep(res);
    return res;
  }
  async post(url: string, fields: Record<string, string>, opts: { charset?: 'gbk'; multipart?: boolean } = {}): Promise<Response> {
    let body: string | FormData;
    const headers: Record<string, string> = { cookie: this.cookieHeader() };
    if (opts.multipart) {
      const fd = new FormData();
      for (const [k, v] of Object.entries(fields)) fd.append(k, v);
      fd.append('fj', new Blob([new Uint8Array([0x25, 0x50, 0x44, 0x46])], { type: 'application/pdf' }), '材料.pdf');
      body = fd;
    } else {
      const enc = (s: string) =>
        opts.charset === 'gbk'
          ? [...iconv.encode(s, 'gbk')].map((b) => (/[A-Za-z0-9*\-._]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : b === 0x20 ? '+' : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('')
          : encodeURIComponent(s);
      body = Object.entries(fields)
        .map(([k, v]) => `${enc(k)}=${enc(v)}`)
        .join('&');
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const res = await fetch(url, { method: 'POST', body, headers, redirect: 'manual' });
    this.keep(res);
    return res;
  }
}

const TITLE = '办理居住证需要哪些材料？';
const BODY = '您好，我刚来本市工作，想办理居住证，请问需要准备哪些材料，在哪里办理？谢谢。';
const persona = { name: '张晓梅', phone: '13912345678', email: 'l01abc@reply.huixin.test' };

/** Field names per variant (what a driver would find on the page). */
const standardFields = (n: [string, string, string, string, string], extra: Record<string, string> = {}) => ({
  [n[0]]: persona.name,
  [n[1]]: persona.phone,
  [n[2]]: persona.email,
  [n[3]]: TITLE,
  [n[4]]: BODY,
  ...extra,
});

let clockNow = new Date('2026-03-02T10:00:00+08:00'); // a Monday
const clock = { now: () => clockNow };
let sb: Sandbox;
const mails: ParsedMail[] = [];
let smtp: SMTPServer;
const secrets: string[] = [];

const sites: SiteSpec[] = [
  ...VARIANT_NAMES.map((v): SiteSpec => ({ key: v, variant: v, name: `${v}市人民政府门户网站`, reply: { reply: 'same-day', via: 'both', ackFirst: true } })),
  { key: 'late-gbk', variant: 'jact', reply: { reply: { afterWorkingDays: 1 }, via: 'both' }, mailStyle: 'gbk', noInReplyTo: true },
  { key: 'never', variant: 'jact', reply: { reply: 'never', via: 'both' } },
  { key: 'ackonly', variant: 'trs', reply: { reply: 'auto-ack-only', via: 'mail' } },
  { key: 'listonly', variant: 'gbk', reply: { reply: { afterWorkingDays: 2 }, via: 'list' } },
  { key: 'html', variant: 'csrf', reply: { reply: 'same-day', via: 'mail' }, mailStyle: 'html-only' },
  { key: 'toggle', variant: 'jact' },
];

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, cb) {
      simpleParser(stream)
        .then((m) => {
          mails.push(m);
          cb();
        })
        .catch(cb);
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
  const port = (smtp.server.address() as AddressInfo).port;
  sb = await startSandbox({ sites, clock, slowMs: 150, smtp: { host: '127.0.0.1', port }, onSecret: (k, kind, v) => secrets.push(`${k}/${kind}/${v}`) });
});

afterAll(async () => {
  await sb?.close();
  await new Promise<void>((r) => smtp.close(() => r()));
});

async function text(res: Response, charset: 'utf-8' | 'gbk' = 'utf-8'): Promise<string> {
  const buf = Buffer.from(await res.arrayBuffer());
  return charset === 'gbk' ? iconv.decode(buf, 'gbk') : buf.toString('utf8');
}

function accepted(siteKey: string) {
  return sb.posts(siteKey).filter((p) => p.outcome === 'accepted');
}

describe('sandbox pages', () => {
  it('every home page has a 咨询/留言/信箱/互动 nav link to its consultation page', async () => {
    for (const v of VARIANT_NAMES) {
      const html = await text(await fetch(sb.urlOf(v)), sb.variantOf(v).charset);
      const consultPath = new URL(sb.consultUrlOf(v)).pathname;
      const link = [...html.matchAll(/<a[^>]*href="([^"]+)"[^>]*>([^<]+)<\/a>/g)].find((m) => (m[1] as string).startsWith(consultPath));
      expect(link, v).toBeDefined();
      expect(link?.[2]).toMatch(/咨询|留言|信箱|互动/);
    }
  });

  it('each variant answers its consultation page with the right status, charset and redirect', async () => {
    const expected: Partial<Record<VariantName, number>> = { 'not-found': 404, 'server-error': 500, login: 302, 'redirect-12345': 302 };
    for (const v of VARIANT_NAMES) {
      const res = await fetch(sb.consultUrlOf(v), { redirect: 'manual' });
      expect(res.status, v).toBe(expected[v] ?? 200);
      await res.arrayBuffer();
    }
    const gbk = await fetch(sb.consultUrlOf('gbk'));
    expect(gbk.headers.get('content-type')).toBe('text/html; charset=gbk');
    const raw = Buffer.from(await gbk.arrayBuffer());
    expect(raw.includes(Buffer.from('来信人', 'utf8'))).toBe(false);
    expect(iconv.decode(raw, 'gbk')).toContain('来信人');
    const se = await text(await fetch(sb.consultUrlOf('server-error')));
    expect(se).toContain('系统繁忙，请稍后再试');
    const nf = await text(await fetch(sb.consultUrlOf('no-form')));
    expect(nf).toContain('栏目维护中');
    expect(nf).not.toContain('<form id="mailForm"');
    const redirect = await fetch(sb.consultUrlOf('redirect-12345'), { redirect: 'manual' });
    expect(redirect.headers.get('location')).toBe(`${sb.platformOrigin}/portal/consult?area=redirect-12345`);
  });

  it('labels differ per variant: table cells, <label for> and placeholders, pinyin names, maxlength', async () => {
    const jact = await text(await fetch(sb.consultUrlOf('jact')));
    expect(jact).toMatch(/<td class="lbl"><span class="red">\*<\/span>姓名：<\/td><td><input type="text" id="xm" name="xm"/);
    expect(jact).toContain('name="bt" maxlength="25"');
    const trs = await text(await fetch(sb.consultUrlOf('trs')));
    expect(trs).toContain('<label for="name">来信人</label>');
    const csrf = await text(await fetch(sb.consultUrlOf('csrf')));
    expect(csrf).toContain('placeholder="姓名"');
    expect(csrf).not.toContain('<label for="xm"');
  });
});

describe('submissions are recorded exactly once, decoded right', () => {
  it('jact: 提交成功 with 查询码 and 信件编号; the 查询码 finds the letter', async () => {
    const c = new Client();
    await c.get(sb.consultUrlOf('jact'));
    const res = await c.post(`${sb.origin}/s/jact/jact/front/mailsubmit.do`, standardFields(['xm', 'lxdh', 'yx', 'bt', 'nr'], { xjlx: '咨询', sfgk: '是' }));
    const html = await text(res);
    expect(html).toContain('提交成功');
    const posts = accepted('jact');
    expect(posts).toHaveLength(1);
    const p = posts[0]!;
    expect(p.letter).toMatchObject({ name: persona.name, email: persona.email, title: TITLE, body: BODY, type: '咨询' });
    expect(p.receivedAt).toBe('2026-03-02T10:00:00+08:00');
    expect(p.letterNo).toMatch(/^XF202603020001$/);
    expect(p.queryCode).toMatch(/^[A-Z2-9]{6}$/);
    expect(html).toContain(p.queryCode);
    const detail = await text(await fetch(sb.queryUrlOf('jact', p.queryCode!)));
    expect(detail).toContain(TITLE);
    expect(detail).toContain('办理中');
  });

  it('server-side validation refuses a missing or too long title and stores nothing', async () => {
    const c = new Client();
    const url = `${sb.origin}/s/trs/wcm/govrefer/submit.jsp`;
    const base = standardFields(['name', 'tel', 'email', 'title', 'content'], { lettertype: '咨询' });
    expect(await text(await c.post(url, { ...base, title: '' }))).toContain('请填写信件标题');
    expect(await text(await c.post(url, { ...base, title: '一二三四五六七八九十一二三四五六七八九十一' }))).toContain('信件标题不能超过20个字');
    expect(accepted('trs')).toHaveLength(0);
    expect(sb.posts('trs').filter((p) => p.outcome === 'rejected')).toHaveLength(2);
  });

  it('gbk: a GBK-encoded POST is decoded as GBK', async () => {
    const c = new Client();
    const res = await c.post(`${sb.origin}/s/gbk/module/idea/que_save.jsp`, { ...standardFields(['xm', 'lxdh', 'yx', 'bt', 'nr']), bt: '居住证办理材料咨询', lx: '咨询' }, { charset: 'gbk' });
    expect(res.headers.get('content-type')).toBe('text/html; charset=gbk');
    expect(await text(res, 'gbk')).toContain('提交成功');
    expect(accepted('gbk')[0]?.letter).toMatchObject({ name: persona.name, title: '居住证办理材料咨询', body: BODY });
  });

  it('aspnet: only a __doPostBack of the submit LinkButton with the issued __VIEWSTATE sends the letter', async () => {
    const c = new Client();
    const page = await text(await c.get(sb.consultUrlOf('aspnet')));
    expect(page).toContain(`__doPostBack('${ASPNET_SUBMIT_TARGET}','')`);
    expect(page).toContain('name="__VIEWSTATE"');
    const P = 'ctl00$ContentPlaceHolder1$';
    const fields = { ...standardFields([`${P}txtName`, `${P}txtMobile`, `${P}txtEmail`, `${P}txtTitle`, `${P}txtContent`]), [`${P}ddlDept`]: '市教育局', [`${P}ddlType`]: '咨询' };
    const url = sb.consultUrlOf('aspnet');
    await c.post(url, { ...fields, __EVENTTARGET: `${P}lbtnReset`, __VIEWSTATE: VIEWSTATE, __EVENTVALIDATION: EVENTVALIDATION });
    expect(sb.posts('aspnet')).toHaveLength(0);
    expect(await text(await c.post(url, { ...fields, __EVENTTARGET: ASPNET_SUBMIT_TARGET, __VIEWSTATE: 'forged', __EVENTVALIDATION: EVENTVALIDATION }))).toContain('Invalid postback');
    expect(await text(await c.post(url, { ...fields, __EVENTTARGET: ASPNET_SUBMIT_TARGET, __VIEWSTATE: VIEWSTATE, __EVENTVALIDATION: EVENTVALIDATION }))).toContain('提交成功');
    expect(accepted('aspnet')).toHaveLength(1);
    expect(accepted('aspnet')[0]?.letter.dept).toBe('市教育局');
  });

  it('two-step: the form appears after 我已阅读并同意 + 下一步, and a POST without it is refused', async () => {
    const c = new Client();
    const notice = await text(await c.get(sb.consultUrlOf('two-step')));
    expect(notice).toContain('我已阅读并同意');
    expect(notice).not.toContain('id="mailForm"');
    const url = `${sb.origin}/s/two-step/hdjl/zxly/save.do`;
    const fields = standardFields(['xm', 'lxdh', 'yx', 'bt', 'nr'], { xjlx: '咨询', sfgk: '否' });
    expect(await text(await c.post(url, fields))).toContain('请先阅读并同意');
    const form = await text(await c.get(`${sb.consultUrlOf('two-step')}?step=2&agree=1`));
    expect(form).toContain('id="mailForm"');
    expect(form).toContain('placeholder="请输入您的姓名"');
    expect(await text(await c.post(url, fields))).toContain('提交成功');
    expect(accepted('two-step')).toHaveLength(1);
  });

  it('xhr-modal answers JSON {code:0, data:{queryCode, letterNo}}, errors as {code:1}', async () => {
    const c = new Client();
    const url = `${sb.origin}/s/xhr-modal/interaction/api/letter/save`;
    const fields = standardFields(['userName', 'phone', 'email', 'title', 'content'], { letterType: '建议' });
    const bad = (await (await c.post(url, { ...fields, email: 'not-an-email' })).json()) as { code: number; msg: string };
    expect(bad).toMatchObject({ code: 1, msg: '电子邮箱格式不正确' });
    const res = await c.post(url, fields);
    expect(res.headers.get('content-type')).toContain('application/json');
    const ok = (await res.json()) as { code: number; data: { queryCode: string; letterNo: string } };
    expect(ok.code).toBe(0);
    expect(ok.data).toEqual({ queryCode: accepted('xhr-modal')[0]?.queryCode, letterNo: accepted('xhr-modal')[0]?.letterNo });
  });

  it('iframe: the consultation page embeds the form page, which posts', async () => {
    const c = new Client();
    const outer = await text(await c.get(sb.consultUrlOf('iframe')));
    const src = /<iframe[^>]*src="([^"]+)"/.exec(outer)?.[1];
    expect(src).toBe('/s/iframe/hdjl/wsxf/form.html');
    const inner = await text(await c.get(`${sb.origin}${src}`));
    expect(inner).toContain('action="/s/iframe/hdjl/wsxf/save.do"');
    expect(await text(await c.post(`${sb.origin}/s/iframe/hdjl/wsxf/save.do`, standardFields(['xm', 'sjhm', 'yx', 'bt', 'nr'], { xjlx: '求助' })))).toContain('提交成功');
    expect(accepted('iframe')).toHaveLength(1);
  });

  it('multipart: the form with an attachment is decoded', async () => {
    const c = new Client();
    const res = await c.post(`${sb.origin}/s/multipart/szxx/submit.htm`, standardFields(['userName', 'mobile', 'mail', 'subject', 'content'], { letterType: '咨询', isOpen: '否' }), { multipart: true });
    expect(await text(res)).toContain('提交成功');
    expect(accepted('multipart')[0]?.fields['fj']).toBe('材料.pdf (4 bytes)');
    expect(accepted('multipart')[0]?.letter.title).toBe(TITLE);
  });

  it('csrf: a POST without the session token is refused as 页面已过期', async () => {
    const url = `${sb.origin}/s/csrf/gzhd/wszx/save`;
    const fields = standardFields(['xm', 'lxdh', 'yx', 'bt', 'nr'], { xjlx: '咨询', bt: '居住证需要什么材料' });
    expect(await text(await new Client().post(url, { ...fields, _csrf: 'x' }))).toContain('页面已过期');
    const c = new Client();
    const page = await text(await c.get(sb.consultUrlOf('csrf')));
    const token = /name="_csrf" value="([0-9a-f]+)"/.exec(page)?.[1] as string;
    expect(await text(await c.post(url, { ...fields, _csrf: token }))).toContain('提交成功');
    expect(accepted('csrf')).toHaveLength(1);
  });

  it('confirm-preview: 预览 shows 请确认, only 确认提交 sends the letter', async () => {
    const c = new Client();
    const fields = standardFields(['xm', 'sj', 'email', 'zt', 'nr'], { lx: '咨询' });
    const preview = await text(await c.post(`${sb.origin}/s/confirm-preview/gzhd/yjzj/preview.do`, fields));
    expect(preview).toContain('请确认您填写的信息');
    expect(sb.posts('confirm-preview')).toHaveLength(0);
    expect(await text(await c.post(`${sb.origin}/s/confirm-preview/gzhd/yjzj/save.do`, { ...fields, confirm: '1' }))).toContain('提交成功');
    expect(accepted('confirm-preview')).toHaveLength(1);
  });

  it('no-confirmation stores the letter but nothing on the answer says 成功', async () => {
    const c = new Client();
    const res = await c.post(`${sb.origin}/s/no-confirmation/zmhd/zxts/save.do`, standardFields(['xm', 'dh', 'yx', 'bt', 'nr'], { lx: '咨询' }));
    expect(await text(res)).not.toContain('成功');
    expect(accepted('no-confirmation')).toHaveLength(1);
  });

  it('site-error: the form posts, then the site shows 提交失败 and keeps nothing', async () => {
    const c = new Client();
    const html = await text(await c.post(`${sb.origin}/s/site-error/hdjl/jzxx/save.do`, standardFields(['xm', 'lxdh', 'yx', 'bt', 'nr'])));
    expect(html).toContain('提交失败');
    expect(sb.posts('site-error').map((p) => p.outcome)).toEqual(['error']);
    expect(sb.letters('site-error')).toHaveLength(0);
  });

  it('slow: answers only after the configured delay', async () => {
    const t0 = performance.now();
    const res = await fetch(sb.consultUrlOf('slow'));
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
  });

  it('redirect-12345: the off-domain platform form works and files the letter under the site', async () => {
    const c = new Client();
    const form = await text(await c.get(`${sb.platformOrigin}/portal/consult?area=redirect-12345`));
    expect(form).toContain('<option value="redirect-12345" selected>');
    const res = await c.post(`${sb.platformOrigin}/portal/consult/submit`, { area: 'redirect-12345', sqr: persona.name, lxdh: persona.phone, dzyx: persona.email, sqlx: '咨询', sqbt: TITLE, sqnr: BODY });
    const html = await text(res);
    expect(html).toContain('提交成功');
    const [p] = accepted('redirect-12345');
    expect(p).toMatchObject({ variant: 'platform-12345', letter: { title: TITLE, email: persona.email } });
    expect(p?.letterNo).toMatch(/^GD20260302\d{6}$/);
    expect(await text(await fetch(`${sb.platformOrigin}/portal/query?cxm=${p?.queryCode}`))).toContain(TITLE);
  });
});

describe('gates refuse until a person acts', () => {
  it('captcha: refused without the right code, accepted with the code from the image', async () => {
    const c = new Client();
    const page = await text(await c.get(sb.consultUrlOf('captcha')));
    expect(page).toMatch(/验证码：<input type="text" name="yzm"/);
    const img = await c.get(`${sb.origin}/s/captcha/common/validatecode.jsp`);
    expect(img.headers.get('content-type')).toBe('image/svg+xml');
    await img.arrayBuffer();
    const url = `${sb.origin}/s/captcha/gzhd/zwzx/save.jsp`;
    const fields = standardFields(['xm', 'lxdh', 'yx', 'bt', 'nr']);
    expect(await text(await c.post(url, fields))).toContain('请输入验证码');
    expect(await text(await c.post(url, { ...fields, yzm: 'ZZZZ' }))).toContain('验证码错误');
    await (await c.get(`${sb.origin}/s/captcha/common/validatecode.jsp`)).arrayBuffer();
    expect(await text(await c.post(url, { ...fields, yzm: sb.lastSecret('captcha', 'captcha') as string }))).toContain('提交成功');
    expect(accepted('captcha')).toHaveLength(1);
  });

  it('sms: refused without the texted code', async () => {
    const c = new Client();
    await c.get(sb.consultUrlOf('sms'));
    const url = `${sb.origin}/s/sms/hdjl/hdly/save.do`;
    const fields = standardFields(['xm', 'sjh', 'yx', 'bt', 'nr']);
    expect(await text(await c.post(url, { ...fields, dxyzm: '000000' }))).toContain('短信验证码错误');
    const sent = (await (await c.post(`${sb.origin}/s/sms/hdjl/sms/send.do`, { sjh: persona.phone })).json()) as { code: number };
    expect(sent.code).toBe(0);
    expect(secrets).toContain(`sms/sms/${sb.lastSecret('sms', 'sms')}`);
    expect(await text(await c.post(url, { ...fields, dxyzm: sb.lastSecret('sms', 'sms') as string }))).toContain('提交成功');
  });

  it('login: the column redirects to the provincial 统一身份认证 page, which refuses', async () => {
    const res = await fetch(sb.consultUrlOf('login'), { redirect: 'manual' });
    const loc = res.headers.get('location') as string;
    expect(loc.startsWith(`${sb.platformOrigin}/uc/login?service=`)).toBe(true);
    expect(await text(await fetch(loc))).toContain('统一身份认证');
    expect(await text(await fetch(loc, { method: 'POST', body: 'loginname=a&password=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } }))).toContain('用户名或密码错误');
    const direct = await new Client().post(`${sb.origin}/s/login/hdjl/sjxx/save.do`, standardFields(['xm', 'lxdh', 'yx', 'bt', 'nr']));
    expect(direct.status).toBe(302);
    expect(accepted('login')).toHaveLength(0);
  });
});

describe('broken channels and maintenance toggle at run time', () => {
  it('setBroken / setMaintenance / recover', async () => {
    const status = async () => {
      const r = await fetch(sb.consultUrlOf('toggle'));
      return { status: r.status, html: await text(r) };
    };
    expect((await status()).status).toBe(200);
    sb.setBroken('toggle', 'server-error');
    expect(await status()).toMatchObject({ status: 500 });
    sb.setBroken('toggle', 'no-form');
    expect((await status()).html).toContain('栏目维护中');
    sb.recover('toggle');
    expect((await status()).html).toContain('id="mailForm"');
    sb.setMaintenance('toggle', '系统升级，预计3月3日恢复');
    expect(await status()).toMatchObject({ status: 503 });
    sb.setMaintenance('toggle', undefined);
    sb.recover('not-found');
    expect((await fetch(sb.consultUrlOf('not-found'))).status).toBe(200);
    sb.setBroken('not-found', 'not-found');
  });
});

describe('tick() delivers replies when due, and only then', () => {
  const submitJact = async (key: string, at: string) => {
    clockNow = new Date(at);
    const c = new Client();
    await c.post(`${sb.origin}/s/${key}/jact/front/mailsubmit.do`, standardFields(['xm', 'lxdh', 'yx', 'bt', 'nr'], { xjlx: '咨询' }));
    return accepted(key).at(-1)!;
  };

  it('same-day with an auto-ack first: nothing before due, then ack and reply by mail and on the list', async () => {
    mails.length = 0;
    expect(await sb.tick(new Date('2026-03-02T10:01:00+08:00'))).toEqual([]);
    const due = await sb.tick(new Date('2026-03-02T12:00:00+08:00'));
    const jact = due.filter((d) => d.siteKey === 'jact');
    expect(jact.map((d) => `${d.kind}/${d.channel}/${d.at}`)).toEqual([
      'ack/mail/2026-03-02T10:02:00+08:00',
      'ack/list/2026-03-02T10:02:00+08:00',
      'reply/mail/2026-03-02T11:30:00+08:00',
      'reply/list/2026-03-02T11:30:00+08:00',
    ]);
    const toJact = mails.filter((m) => m.messageId?.includes('XF20260302'));
    const ack = toJact.find((m) => m.headers.get('auto-submitted') === 'auto-replied');
    const reply = toJact.find((m) => !m.headers.get('auto-submitted'));
    expect(ack?.text).toContain('此邮件为系统自动发送');
    expect(reply?.subject).toBe(`Re: ${TITLE}`);
    expect(reply?.text).toContain('您好，来信收悉。关于您咨询的');
    expect(reply?.to && 'text' in reply.to ? reply.to.text : '').toBe(persona.email);
    expect(reply?.inReplyTo).toBe('<XF202603020001@jact.sandbox.gov.cn>');
    expect(reply?.date?.toISOString()).toBe('2026-03-02T03:30:00.000Z');
    const list = await text(await fetch(sb.listUrlOf('jact')));
    expect(list).toContain('2026-03-02 11:30:00');
    expect(await sb.tick(new Date('2026-03-09T12:00:00+08:00'))).toEqual([]); // delivered once
  });

  it('N working days counts 调休: a Friday letter before the Spring Festival is answered on Saturday 2026-02-14 (a working day); GBK mail without In-Reply-To', async () => {
    mails.length = 0;
    const p = await submitJact('late-gbk', '2026-02-13T16:00:00+08:00');
    expect(await sb.tick(new Date('2026-02-14T10:29:59+08:00'))).toEqual([]);
    const due = await sb.tick(new Date('2026-02-14T10:30:00+08:00'));
    expect(due.map((d) => `${d.siteKey}/${d.kind}/${d.channel}/${d.at}`)).toEqual([
      'late-gbk/reply/mail/2026-02-14T10:30:00+08:00',
      'late-gbk/reply/list/2026-02-14T10:30:00+08:00',
    ]);
    const m = mails.find((x) => x.messageId?.includes(p.letterNo!));
    expect(m?.subject).toBe(`Re: ${TITLE}`);
    expect(m?.text).toContain('答复如下');
    expect(m?.inReplyTo).toBeUndefined();
    expect(m?.headers.get('content-type')).toMatchObject({ params: { charset: 'GBK' } });
  });

  it('never never replies; auto-ack-only only acknowledges; list-only shows a date', async () => {
    mails.length = 0;
    const never = await submitJact('never', '2026-03-03T09:00:00+08:00');
    clockNow = new Date('2026-03-03T09:00:00+08:00');
    const c = new Client();
    await c.post(`${sb.origin}/s/ackonly/wcm/govrefer/submit.jsp`, standardFields(['name', 'tel', 'email', 'title', 'content'], { lettertype: '咨询', title: '居住证办理材料' }));
    await c.post(`${sb.origin}/s/listonly/module/idea/que_save.jsp`, standardFields(['xm', 'lxdh', 'yx', 'bt', 'nr'], { bt: '居住证办理', lx: '咨询' }), { charset: 'gbk' });
    const due = await sb.tick(new Date('2027-03-03T09:00:00+08:00'));
    expect(due.filter((d) => d.siteKey === 'never')).toEqual([]);
    expect(sb.mails().filter((m) => m.letterNo === never.letterNo)).toEqual([]);
    expect(due.filter((d) => d.siteKey === 'ackonly').map((d) => `${d.kind}/${d.channel}`)).toEqual(['ack/mail']);
    expect(due.filter((d) => d.siteKey === 'listonly').map((d) => `${d.kind}/${d.channel}/${d.at}`)).toEqual(['reply/list/2026-03-05T10:30:00+08:00']);
    const list = iconv.decode(Buffer.from(await (await fetch(sb.listUrlOf('listonly'))).arrayBuffer()), 'gbk');
    expect(list).toContain('<td class="replied">2026-03-05</td>');
  });

  it('html-only mails carry no text part', async () => {
    mails.length = 0;
    clockNow = new Date('2026-03-04T09:00:00+08:00');
    const c = new Client();
    const page = await text(await c.get(sb.consultUrlOf('html')));
    const token = /name="_csrf" value="([0-9a-f]+)"/.exec(page)?.[1] as string;
    await c.post(`${sb.origin}/s/html/gzhd/wszx/save`, { ...standardFields(['xm', 'lxdh', 'yx', 'bt', 'nr'], { xjlx: '咨询', bt: '居住证材料' }), _csrf: token });
    await sb.tick(new Date('2026-03-04T12:00:00+08:00'));
    const m = mails.find((x) => x.messageId?.includes('html.sandbox.gov.cn'));
    expect(m?.html).toContain('来信收悉');
    expect(m?.headers.get('content-type')).toMatchObject({ value: 'text/html' });
  });
});

describe('the default fleet on a running sandbox', () => {
  it('serves every site: home 200 with its 网站标识码, consultation page as its behaviour says', async () => {
    const { defaultFleet } = await import('../../sandbox/fleet.ts');
    const fleet = defaultFleet({ count: 60, seed: 1 });
    const fsb = await startSandbox({ sites: fleet.specs, slowMs: 10 });
    try {
      const rows = fleet.registry(fsb);
      for (const [i, s] of fleet.sites.entries()) {
        const home = await fetch(rows[i]!.homeUrl);
        const html = await text(home, fsb.variantOf(s.spec.key).charset);
        expect(home.status).toBe(200);
        expect(html).toContain(`网站标识码：${s.site.id}`);
        expect(html).toContain(s.site.name.replace(/(门户)?网站$/, ''));
        const consult = await fetch(rows[i]!.consultUrl, { redirect: 'manual' });
        await consult.arrayBuffer();
        const want =
          s.spec.variant === 'not-found' ? 404 : s.spec.variant === 'server-error' ? 500 : s.spec.variant === 'login' || s.spec.variant === 'redirect-12345' ? 302 : 200;
        expect(consult.status, `${s.spec.key} ${s.spec.variant}`).toBe(want);
      }
    } finally {
      await fsb.close();
    }
  });
});

/**
 * The provincial 12345 政务服务便民热线 网上诉求 platform: a different origin that redirecting sites send their
 * visitors to (国办发〔2020〕53号). Its own form works; letters are filed under the 受理地区 (the site's key), follow
 * that site's reply plan, and are listed and looked up on the platform. It also hosts the provincial
 * 统一身份认证 login page that `login` sites redirect to.
 */
import type { SandboxCore } from '../server.ts';
import { barePage } from '../page.ts';
import { extractLetter, fieldsOf, validate } from '../form.ts';
import type { SandboxRequest, SandboxResponse } from '../types.ts';
import { bjDateTime, bjIso, compactDate, esc, parseBody, randomCode } from '../util.ts';

export const PLATFORM_FIELDS = fieldsOf([
  ['name', 'sqr', '诉求人'],
  ['phone', 'lxdh', '联系电话', { control: 'tel' }],
  ['email', 'dzyx', '电子邮箱'],
  ['type', 'sqlx', '诉求类型', { control: 'select' }],
  ['title', 'sqbt', '诉求标题', { maxlength: 25 }],
  ['body', 'sqnr', '诉求内容', { maxlength: 1000 }],
]);

const HEAD = '<div style="background:#0a5cad;color:#fff;padding:14px 30px;font-size:24px">12345政务服务便民热线 · 网上诉求平台</div>';

export function platformHandler(core: SandboxCore): (req: SandboxRequest) => Promise<SandboxResponse> {
  let seq = 0;
  const html = (title: string, body: string, status = 200): SandboxResponse => ({ status, body: barePage(title, body).replace('<div class="main">', `${HEAD}<div class="main">`) });
  const areaOptions = (selected: string) =>
    core
      .allSites()
      .filter((s) => s.variant.redirectsTo12345 || s.key === selected)
      .map((s) => `<option value="${esc(s.key)}"${s.key === selected ? ' selected' : ''}>${esc(s.name.replace(/(门户)?网站$/, ''))}</option>`)
      .join('');
  const fmt = (d: Date) => bjDateTime(d);
  const platformLetters = () => core.letterLog.filter((l) => l.variant === 'platform-12345');

  return async (req) => {
    const p = req.path;
    if (p === '/' && req.method === 'GET')
      return html('12345网上诉求平台', `<p><a href="/portal/consult">我要咨询</a>　<a href="/portal/consult">我要投诉</a>　<a href="/portal/query">诉求查询</a></p>`);
    if (p === '/portal/consult' && req.method === 'GET') {
      const area = req.query.get('area') ?? '';
      const fields = PLATFORM_FIELDS.map((f) => `<tr><td class="lbl"><span class="red">*</span>${esc(f.label)}：</td><td>${
        f.control === 'textarea'
          ? `<textarea name="${f.name}" id="${f.name}" maxlength="${f.maxlength}"></textarea>`
          : f.control === 'select'
            ? `<select name="${f.name}" id="${f.name}"><option value="">请选择</option>${(f.options ?? []).map((o) => `<option>${esc(o)}</option>`).join('')}</select>`
            : `<input type="text" name="${f.name}" id="${f.name}"${f.maxlength ? ` maxlength="${f.maxlength}"` : ''}>`
      }</td></tr>`);
      return html(
        '我要咨询',
        `<h2>我要咨询</h2><form id="appealForm" method="post" action="/portal/consult/submit"><table class="form-table">
<tr><td class="lbl"><span class="red">*</span>受理地区：</td><td><select name="area" id="area"><option value="">请选择</option>${areaOptions(area)}</select></td></tr>
${fields.join('\n')}</table><div style="text-align:center"><input type="submit" class="btn" value="提交诉求"></div></form>`,
      );
    }
    if (p === '/portal/consult/submit' && req.method === 'POST') {
      const v = await parseBody(req.body, req.headers['content-type']);
      const site = core.site(v['area'] ?? '');
      const letter = extractLetter(PLATFORM_FIELDS, v);
      const problem = site ? validate(PLATFORM_FIELDS, v) : '请选择受理地区';
      if (problem || !site) {
        const post = { siteKey: site?.key ?? (v['area'] || '-'), variant: 'platform-12345' as const, receivedAt: '', path: p, fields: v, letter, outcome: 'rejected' as const, message: problem ?? '' };
        if (site) site.reject(req, v, letter, problem as string, 'rejected', 'platform-12345');
        else core.postLog.push({ ...post, receivedAt: bjIso(core.clock.now()) });
        return html('填写有误', `<p class="err">${esc(problem ?? '')}</p><p><a href="javascript:history.back()">返回修改</a></p>`);
      }
      seq += 1;
      const codes = { letterNo: `GD${compactDate(core.clock.now())}${String(seq).padStart(6, '0')}`, queryCode: randomCode(() => site.rand(), 6, '0123456789') };
      const stored = site.accept(req, v, letter, codes, 'platform-12345');
      return html(
        '提交成功',
        `<p class="ok">提交成功！</p><p>您的诉求已转交${esc(site.name.replace(/(门户)?网站$/, ''))}办理。</p><p>工单编号：<b class="letter-no">${esc(stored.letterNo)}</b></p><p>查询码：<b class="query-code">${esc(
          stored.queryCode,
        )}</b></p><p class="tip">请凭工单编号和查询码查询办理进度。</p>`,
      );
    }
    if (p === '/portal/list' && req.method === 'GET') {
      const area = req.query.get('area');
      const rows = platformLetters()
        .filter((l) => (!area || l.siteKey === area) && (l.listReply || l.listAck))
        .map(
          (l) =>
            `<tr><td><a href="/portal/query?cxm=${esc(l.queryCode)}">${esc(l.letter.title ?? '')}</a></td><td class="submitted">${fmt(l.receivedAt)}</td><td class="replied">${
              l.listReply ? fmt(l.listReply.at) : ''
            }</td><td>${l.listReply ? '已办结' : '办理中'}</td></tr>`,
        );
      return html('诉求公开', `<h2>诉求公开</h2><table class="list"><tr><th>诉求标题</th><th>提交时间</th><th>答复时间</th><th>状态</th></tr>${rows.join('\n')}</table>`);
    }
    if (p === '/portal/query' && req.method === 'GET') {
      const code = (req.query.get('cxm') ?? '').trim();
      if (!code) return html('诉求查询', '<form method="get" action="/portal/query">查询码：<input type="text" name="cxm"> <input class="btn" type="submit" value="查询"></form>');
      const l = platformLetters().find((x) => x.queryCode === code);
      if (!l) return html('诉求查询', '<p class="err">未查询到相关诉求，请核对查询码。</p>');
      const site = core.site(l.siteKey);
      return html(
        '诉求详情',
        `<table class="list detail"><tr><th>工单编号</th><td class="letter-no">${esc(l.letterNo)}</td></tr><tr><th>诉求标题</th><td class="title">${esc(l.letter.title ?? '')}</td></tr>
<tr><th>提交时间</th><td class="submitted">${fmt(l.receivedAt)}</td></tr><tr><th>承办单位</th><td>${esc(site?.office ?? '')}</td></tr>
<tr><th>办理状态</th><td class="status">${l.listReply ? '已办结' : '办理中'}</td></tr><tr><th>答复时间</th><td class="replied">${l.listReply ? fmt(l.listReply.at) : ''}</td></tr>
<tr><th>答复内容</th><td class="reply">${l.listReply ? esc(l.listReply.text) : ''}</td></tr></table>`,
      );
    }
    if (p === '/uc/login') {
      const service = req.query.get('service') ?? '';
      const form = `<h2>统一身份认证平台</h2><p class="tip">使用政务服务网账号登录后方可写信（实名认证）。</p>
<form method="post" action="/uc/login?service=${encodeURIComponent(service)}"><div class="form-item"><label for="loginname">用户名</label><input type="text" id="loginname" name="loginname" placeholder="手机号/身份证号"></div>
<div class="form-item"><label for="password">密码</label><input type="password" id="password" name="password"></div>
<div class="form-item"><label for="smscode">短信验证码</label><input type="text" id="smscode" name="smscode"> <button type="button">获取验证码</button></div>
<div style="text-align:center"><input type="submit" class="btn" value="登录"> <a href="#">扫码登录</a> <a href="#">注册</a></div></form>`;
      if (req.method === 'POST') return html('统一身份认证', `<p class="err">用户名或密码错误</p>${form}`);
      return { ...html('统一身份认证', form), body: barePage('政务服务网 统一身份认证', form) };
    }
    return html('404', '<h1>404</h1><p>页面不存在</p>', 404);
  };
}

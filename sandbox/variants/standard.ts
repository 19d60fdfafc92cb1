/**
 * The common machinery of a consultation column: form page, server-side validation, success page, public reply
 * list and 查询码 look-up, broken/maintenance behaviour. Each variant is a configuration of this plus its quirks.
 */
import { barePage, page } from '../page.ts';
import { extractLetter, renderFields, validate, type FieldDef, type Layout } from '../form.ts';
import type { SandboxRequest, SandboxResponse, VariantName } from '../types.ts';
import type { Session, SiteCtx, StoredLetter, Variant } from '../variant.ts';
import { bjDate, bjDateTime, esc, parseBody } from '../util.ts';

export interface Codes {
  queryCode: string;
  letterNo: string;
}

export interface StandardConfig {
  name: VariantName;
  navText: string;
  /** Column title, e.g. 市长信箱. */
  columnName: string;
  /** Path below the site prefix of the consultation page (may carry a query: `/jact/front/mailwrite.do?sysid=12`). */
  consultPath: string;
  /** Path the form posts to (below the prefix); defaults to consultPath without query. */
  submitPath?: string;
  listPath: string;
  queryPath: string;
  /** Query-string name of the 查询码 on the look-up page (the form field's name when the look-up is a POST). */
  queryParam: string;
  /**
   * `post`: the look-up is an ASP.NET-style postback — the page's form carries a __VIEWSTATE bound to the session
   * cookie, and a code in the URL finds nothing (the list's rows link to the bare look-up page).
   */
  queryMethod?: 'get' | 'post';
  charset?: 'utf-8' | 'gbk';
  enctype?: 'multipart/form-data';
  fields: FieldDef[];
  layout: Layout;
  submitLabel: string;
  listTime: 'date' | 'datetime';
  codes(ctx: SiteCtx): Codes;
  /** Text above the form (温馨提示). */
  notice?: string;
  gate?: Variant['gate'];
  defaultBroken?: Variant['defaultBroken'];
  /** Extra HTML inside the form (hidden fields, captcha…), given the session. */
  formExtras?(ctx: SiteCtx, req: SandboxRequest, session: Session): string;
  /** Gate / token check before validation: a message rejects the POST. */
  check?(ctx: SiteCtx, req: SandboxRequest, values: Record<string, string>, session: Session): string | undefined;
  /** Whether the POST is the final submission (e.g. the ASP.NET postback target); others redisplay the form. */
  isSubmit?(values: Record<string, string>): boolean;
  /** Response after a successful submission; default: the 提交成功 page. */
  success?(ctx: SiteCtx, req: SandboxRequest, stored: StoredLetter): SandboxResponse;
  /** Response when validation fails; default: an error page with 返回. */
  failure?(ctx: SiteCtx, message: string): SandboxResponse;
  /** Replace the consultation page body (e.g. two-step 须知, iframe wrapper). Return undefined for the normal form. */
  consultPage?(ctx: SiteCtx, req: SandboxRequest, form: () => string, session: Session): SandboxResponse | undefined;
  /** Routes of the variant's own (checked before the standard ones). */
  routes?(ctx: SiteCtx, req: SandboxRequest, api: StandardApi): Promise<SandboxResponse | undefined> | SandboxResponse | undefined;
  /** Where the form posts when that is not `submitPath` (e.g. a preview step). */
  formAction?: string;
  /** Replace the submit row (e.g. an ASP.NET LinkButton). */
  submitHtml?: string;
  /** The form element's attributes besides action/method (onsubmit, id…). */
  formAttrs?: string;
  /** Script appended to the consultation page. */
  script?: string;
}

export interface StandardApi {
  /** The <form> HTML (with a fresh session's extras). */
  formHtml(req: SandboxRequest, session: Session): string;
  /** Handle a submission POST as the standard column does. */
  submit(req: SandboxRequest): Promise<SandboxResponse>;
  html(ctx: SiteCtx, title: string, body: string, status?: number): SandboxResponse;
}

export function stripQuery(p: string): string {
  const i = p.indexOf('?');
  return i < 0 ? p : p.slice(0, i);
}

export function brokenResponse(ctx: SiteCtx, reason: 'not-found' | 'server-error', charset: 'utf-8' | 'gbk' = 'utf-8'): SandboxResponse {
  if (reason === 'not-found')
    return { status: 404, charset, body: barePage('404 页面不存在', '<h1>404</h1><p>抱歉，您访问的页面不存在或已被删除！</p><p><a href="' + ctx.base + '/">返回首页</a></p>', charset) };
  return { status: 500, charset, body: barePage('系统繁忙', '<h2 class="err">系统繁忙，请稍后再试。</h2><p>Error 500: Internal Server Error</p>', charset) };
}

export function maintenancePage(ctx: SiteCtx, message: string, charset: 'utf-8' | 'gbk' = 'utf-8'): SandboxResponse {
  return {
    status: 503,
    charset,
    headers: { 'retry-after': '3600' },
    body: page(ctx.chrome(charset), '系统维护', `<h2>系统维护公告</h2><p>本栏目系统维护中，暂停服务。${esc(message)}</p><p>给您带来的不便，敬请谅解。</p>`),
  };
}

/** What the postback look-up page issues with its form (as ASP.NET would: echoed back, checked). */
const EVENT_VALIDATION_QUERY = '/wEdAAPLsYdm3kN8zvB1u9+0cQmJ';

export function successBody(stored: StoredLetter, ctx: SiteCtx, queryHref: string): string {
  return `<div class="result"><p class="ok">提交成功！</p>
<p>您的信件已成功提交，我们将按规定时限办理答复。</p>
<p>信件编号：<b class="letter-no">${esc(stored.letterNo)}</b></p>
<p>查询码：<b class="query-code">${esc(stored.queryCode)}</b></p>
<p class="tip">请牢记您的查询码，凭查询码可在“<a href="${esc(queryHref)}">信件查询</a>”中查看办理结果。</p>
<p><a href="${ctx.base}/">返回首页</a></p></div>`;
}

function status(l: StoredLetter): string {
  return l.listReply ? '已办结' : l.listAck ? '已受理' : '办理中';
}

export function standard(cfg: StandardConfig): Variant {
  const charset = cfg.charset ?? 'utf-8';
  const submitPath = cfg.submitPath ?? stripQuery(cfg.consultPath);
  const fmtTime = (d: Date) => (cfg.listTime === 'date' ? bjDate(d) : bjDateTime(d));
  const html = (ctx: SiteCtx, title: string, body: string, st = 200): SandboxResponse => ({
    status: st,
    charset,
    body: page(ctx.chrome(charset), title, body),
  });
  const postQuery = cfg.queryMethod === 'post';
  const queryHref = (ctx: SiteCtx, code: string) =>
    postQuery ? `${ctx.base}${cfg.queryPath}` : `${ctx.base}${cfg.queryPath}?${cfg.queryParam}=${encodeURIComponent(code)}`;
  /** The postback look-up page: the whole page is one form, a site search box in it, the state bound to the session. */
  const postQueryPage = (ctx: SiteCtx, req: SandboxRequest, message = ''): SandboxResponse => {
    const session = ctx.session(req);
    session.data['queryState'] ??= Buffer.from(`${session.id}:${ctx.key}:query`).toString('base64');
    const res = html(
      ctx,
      '信件查询',
      `<form method="post" action="${ctx.base}${cfg.queryPath}" id="form1">
<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="${esc(session.data['queryState'])}">
<input type="hidden" name="__EVENTVALIDATION" id="__EVENTVALIDATION" value="${EVENT_VALIDATION_QUERY}">
<div class="search">站内搜索：<input type="text" name="ctl00$txtKeyword" placeholder="请输入关键字"> <input type="submit" name="ctl00$btnSearch" value="搜索"></div>
<h2>信件查询</h2>${message}
<p>查询码：<input type="text" name="${cfg.queryParam}" id="txtCxm" maxlength="20"> <input type="submit" class="btn" name="ctl00$ContentPlaceHolder1$btnQuery" value="查 询"></p>
</form>`,
    );
    if (session.setCookie) res.headers = { ...res.headers, 'set-cookie': session.setCookie };
    return res;
  };
  const detailPage = (ctx: SiteCtx, l: StoredLetter) =>
    html(
      ctx,
      '信件详情',
      `<table class="list detail"><tr><th>信件编号</th><td class="letter-no">${esc(l.letterNo)}</td></tr>
<tr><th>信件标题</th><td class="title">${esc(l.letter.title ?? '')}</td></tr>
<tr><th>来信时间</th><td class="submitted">${fmtTime(l.receivedAt)}</td></tr>
<tr><th>来信内容</th><td class="content">${esc(l.letter.body ?? '')}</td></tr>
<tr><th>办理状态</th><td class="status">${status(l)}</td></tr>
<tr><th>答复单位</th><td>${l.listReply ? esc(ctx.office) : ''}</td></tr>
<tr><th>答复时间</th><td class="replied">${l.listReply ? fmtTime(l.listReply.at) : ''}</td></tr>
<tr><th>答复内容</th><td class="reply">${l.listReply ? esc(l.listReply.text) : ''}</td></tr></table>`,
    );

  const formHtml = (ctx: SiteCtx, req: SandboxRequest, session: Session) =>
    `<form id="mailForm" name="mailForm" action="${ctx.base}${cfg.formAction ?? submitPath}" method="post"${charset === 'gbk' ? ' accept-charset="gbk"' : ''}${
      cfg.enctype ? ` enctype="${cfg.enctype}"` : ''
    } ${cfg.formAttrs ?? ''}>
${cfg.formExtras ? cfg.formExtras(ctx, req, session) : ''}
${renderFields(cfg.fields, cfg.layout)}
${cfg.submitHtml ?? `<div class="form-item" style="text-align:center"><input type="submit" class="btn" value="${esc(cfg.submitLabel)}"> <input type="reset" class="btn" value="重置"></div>`}
</form>`;

  const failure = (ctx: SiteCtx, message: string): SandboxResponse =>
    cfg.failure
      ? cfg.failure(ctx, message)
      : html(ctx, '填写有误', `<p class="err">${esc(message)}</p><p>您填写的信息有误，请<a href="javascript:history.back()">返回修改</a>后重新提交。</p>`);

  async function submit(ctx: SiteCtx, req: SandboxRequest): Promise<SandboxResponse> {
    const m = ctx.maintenance();
    if (m) return maintenancePage(ctx, m, charset);
    const broken = ctx.broken();
    if (broken === 'not-found' || broken === 'no-form') return brokenResponse(ctx, 'not-found', charset);
    if (broken === 'server-error') return brokenResponse(ctx, 'server-error', charset);
    const values = await parseBody(req.body, req.headers['content-type'], charset);
    const letter = extractLetter(cfg.fields, values);
    const session = ctx.session(req);
    const gateMessage = cfg.check?.(ctx, req, values, session);
    if (gateMessage) {
      ctx.reject(req, values, letter, gateMessage);
      return failure(ctx, gateMessage);
    }
    const problem = validate(cfg.fields, values);
    if (problem) {
      ctx.reject(req, values, letter, problem);
      return failure(ctx, problem);
    }
    if (broken === 'site-error') {
      const msg = '系统错误，信件提交失败，请稍后重试';
      ctx.reject(req, values, letter, msg, 'error');
      return html(ctx, '提交失败', `<p class="err">提交失败！</p><p>${msg}。（错误代码：E5003）</p><p><a href="javascript:history.back()">返回</a></p>`);
    }
    const stored = ctx.accept(req, values, letter, cfg.codes(ctx));
    if (cfg.success) return cfg.success(ctx, req, stored);
    return html(ctx, '提交成功', successBody(stored, ctx, queryHref(ctx, stored.queryCode)));
  }

  const api = (ctx: SiteCtx): StandardApi => ({
    formHtml: (req, session) => formHtml(ctx, req, session),
    submit: (req) => submit(ctx, req),
    html: (c, t, b, st) => html(c, t, b, st),
  });

  return {
    name: cfg.name,
    navText: cfg.navText,
    consultHref: (ctx) => `${ctx.base}${cfg.consultPath}`,
    listHref: (ctx) => `${ctx.base}${cfg.listPath}`,
    queryHref,
    listTime: cfg.listTime,
    charset,
    ...(cfg.gate ? { gate: cfg.gate } : {}),
    ...(cfg.defaultBroken ? { defaultBroken: cfg.defaultBroken } : {}),
    async handle(ctx, req) {
      const own = await cfg.routes?.(ctx, req, api(ctx));
      if (own) return own;
      const consult = stripQuery(cfg.consultPath);
      if (req.path === consult && req.method === 'GET') {
        const m = ctx.maintenance();
        if (m) return maintenancePage(ctx, m, charset);
        const broken = ctx.broken();
        if (broken === 'not-found' || broken === 'server-error') return brokenResponse(ctx, broken, charset);
        if (broken === 'no-form')
          return html(ctx, cfg.columnName, `<h2>${esc(cfg.columnName)}</h2><p class="tip">栏目维护中，暂停受理网上来信。如有问题请拨打12345政务服务便民热线。</p>`);
        const session = ctx.session(req);
        const custom = cfg.consultPage?.(ctx, req, () => formHtml(ctx, req, session), session);
        const res =
          custom ??
          html(
            ctx,
            cfg.columnName,
            `<h2>${esc(cfg.columnName)}</h2>${cfg.notice ? `<div class="tip">${cfg.notice}</div>` : ''}${formHtml(ctx, req, session)}${
              cfg.script ? `<script>${cfg.script}</script>` : ''
            }`,
          );
        if (session.setCookie) res.headers = { ...res.headers, 'set-cookie': session.setCookie };
        return res;
      }
      if (req.path === submitPath && req.method === 'POST') {
        if (cfg.isSubmit) {
          const values = await parseBody(req.body, req.headers['content-type'], charset);
          if (!cfg.isSubmit(values)) return html(ctx, cfg.columnName, formHtml(ctx, req, ctx.session(req)));
        }
        return submit(ctx, req);
      }
      if (req.path === cfg.listPath && req.method === 'GET') {
        const rows = ctx
          .letters()
          .filter((l) => l.listReply || l.listAck)
          .sort((a, b) => b.receivedAt.getTime() - a.receivedAt.getTime())
          .map(
            (l, i) =>
              `<tr><td>${i + 1}</td><td><a href="${esc(queryHref(ctx, l.queryCode))}">${esc(l.letter.title ?? '（无标题）')}</a></td><td>${esc(l.letter.type ?? '咨询')}</td><td class="submitted">${fmtTime(
                l.receivedAt,
              )}</td><td class="replied">${l.listReply ? fmtTime(l.listReply.at) : ''}</td><td>${status(l)}</td></tr>`,
          );
        return html(
          ctx,
          '信件选登',
          `<h2>信件选登</h2><table class="list"><tr><th>序号</th><th>信件标题</th><th>类型</th><th>来信时间</th><th>答复时间</th><th>状态</th></tr>${rows.join('\n')}</table>
${postQuery ? `<p><a href="${ctx.base}${cfg.queryPath}">信件查询</a></p>` : `<form action="${ctx.base}${cfg.queryPath}" method="get">${esc('查询码')}：<input type="text" name="${cfg.queryParam}"> <input type="submit" class="btn" value="查询"></form>`}`,
        );
      }
      if (req.path === cfg.queryPath && req.method === 'GET' && postQuery) return postQueryPage(ctx, req);
      if (req.path === cfg.queryPath && req.method === 'POST' && postQuery) {
        const values = await parseBody(req.body, req.headers['content-type'], charset);
        const session = ctx.session(req);
        // a postback without the page's state (no cookie, a stale or forged __VIEWSTATE) is refused, as ASP.NET does
        if (!session.data['queryState'] || values['__VIEWSTATE'] !== session.data['queryState'] || values['__EVENTVALIDATION'] !== EVENT_VALIDATION_QUERY) {
          return html(ctx, '错误', '<p class="err">回发或回调参数无效（Invalid postback or callback argument）</p>', 500);
        }
        if (values['ctl00$ContentPlaceHolder1$btnQuery'] === undefined) return postQueryPage(ctx, req);
        const code = (values[cfg.queryParam] ?? '').trim();
        const l = code ? ctx.byQueryCode(code) : undefined;
        return l ? detailPage(ctx, l) : postQueryPage(ctx, req, '<p class="err">未找到该信件，请核对查询码后重试。</p>');
      }
      if (req.path === cfg.queryPath && req.method === 'GET') {
        const code = (req.query.get(cfg.queryParam) ?? '').trim();
        if (!code)
          return html(ctx, '信件查询', `<form method="get" action="${ctx.base}${cfg.queryPath}">请输入查询码：<input type="text" name="${cfg.queryParam}"> <input class="btn" type="submit" value="查询"></form>`);
        const l = ctx.byQueryCode(code);
        if (!l) return html(ctx, '信件查询', '<p class="err">未找到该信件，请核对查询码后重试。</p>');
        return detailPage(ctx, l);
      }
      return undefined;
    },
  };
}

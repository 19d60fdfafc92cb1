/** The form lives in an iframe (a platform page embedded in the portal). */
import { barePage } from '../page.ts';
import { fieldsOf } from '../form.ts';
import { datedCodes } from './codes.ts';
import { standard, successBody } from './standard.ts';
import { esc } from '../util.ts';

const FORM_PATH = '/hdjl/wsxf/form.html';

export const iframe = standard({
  name: 'iframe',
  navText: '咨询投诉',
  columnName: '我要写信',
  consultPath: '/hdjl/wsxf/',
  submitPath: '/hdjl/wsxf/save.do',
  listPath: '/hdjl/wsxf/list.html',
  queryPath: '/hdjl/wsxf/query.do',
  queryParam: 'cxm',
  layout: 'label-for',
  fields: fieldsOf([
    ['name', 'xm', '姓名'],
    ['phone', 'sjhm', '手机号码', { control: 'tel' }],
    ['email', 'yx', '邮箱'],
    ['type', 'xjlx', '信件类型', { control: 'radio' }],
    ['title', 'bt', '标题', { maxlength: 20 }],
    ['body', 'nr', '内容', { maxlength: 500 }],
  ]),
  submitLabel: '提交',
  listTime: 'date',
  codes: datedCodes('WX', 4, 6),
  consultPage: (ctx) => ({
    status: 200,
    body: barePage(ctx.name, '', 'utf-8').replace(
      '<div class="main"></div>',
      `<div class="main"><h2>我要写信</h2><iframe id="mailFrame" name="mailFrame" src="${ctx.base}${FORM_PATH}" width="100%" height="760" frameborder="0" scrolling="no"></iframe></div>`,
    ),
  }),
  success: (ctx, _req, stored) => ({ status: 200, body: barePage('提交成功', successBody(stored, ctx, `${ctx.base}/hdjl/wsxf/query.do?cxm=${encodeURIComponent(stored.queryCode)}`)) }),
  failure: (_ctx, message) => ({ status: 200, body: barePage('填写有误', `<p class="err">${esc(message)}</p><p><a href="javascript:history.back()">返回修改</a></p>`) }),
  routes: (ctx, req, api) => {
    if (req.path !== FORM_PATH || req.method !== 'GET') return undefined;
    const broken = ctx.broken();
    if (broken === 'not-found' || broken === 'server-error' || broken === 'no-form') return undefined;
    const s = ctx.session(req);
    return {
      status: 200,
      ...(s.setCookie ? { headers: { 'set-cookie': s.setCookie } } : {}),
      body: barePage('写信', api.formHtml(req, s)),
    };
  },
});

/** The consultation link redirects to the provincial 统一身份认证 (政务服务网) login: a person must act. */
import { fieldsOf } from '../form.ts';
import { datedCodes } from './codes.ts';
import { standard } from './standard.ts';

export const login = standard({
  name: 'login',
  navText: '书记信箱',
  columnName: '书记信箱',
  consultPath: '/hdjl/sjxx/write.do',
  submitPath: '/hdjl/sjxx/save.do',
  listPath: '/hdjl/sjxx/list.do',
  queryPath: '/hdjl/sjxx/query.do',
  queryParam: 'cxm',
  layout: 'table',
  gate: 'login',
  fields: fieldsOf([
    ['name', 'xm', '姓名'],
    ['phone', 'lxdh', '联系电话', { control: 'tel' }],
    ['email', 'yx', '邮箱'],
    ['title', 'bt', '标题', { maxlength: 20 }],
    ['body', 'nr', '内容', { maxlength: 500 }],
  ]),
  submitLabel: '提交',
  listTime: 'date',
  codes: datedCodes('SJ', 4, 6),
  // nobody without a real-name account gets past this: the form and its POST both send you to the SSO
  routes: (ctx, req) => {
    if (req.path !== '/hdjl/sjxx/write.do' && req.path !== '/hdjl/sjxx/save.do') return undefined;
    const m = ctx.maintenance();
    if (m) return undefined;
    if (req.method === 'POST') ctx.reject(req, {}, {}, '未登录：请先通过统一身份认证登录');
    const service = `${ctx.origin()}${ctx.base}/hdjl/sjxx/write.do`;
    return { status: 302, headers: { location: `${ctx.platformOrigin()}/uc/login?service=${encodeURIComponent(service)}` } };
  },
});

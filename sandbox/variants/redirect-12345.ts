/** The column now redirects (302) to the provincial 12345 platform's form on another origin (国办发〔2020〕53号). */
import { fieldsOf } from '../form.ts';
import { datedCodes } from './codes.ts';
import { standard } from './standard.ts';
import type { Variant } from '../variant.ts';

const base = standard({
  name: 'redirect-12345',
  navText: '咨询投诉',
  columnName: '咨询投诉',
  consultPath: '/hdjl/zxts/index.html',
  listPath: '/hdjl/zxts/list.html',
  queryPath: '/hdjl/zxts/query.html',
  queryParam: 'cxm',
  layout: 'table',
  fields: fieldsOf([['title', 'bt', '标题']]),
  submitLabel: '提交',
  listTime: 'datetime',
  codes: datedCodes('X', 4, 6),
  routes: (ctx, req) => {
    if (req.path === '/hdjl/zxts/index.html') return { status: 302, headers: { location: `${ctx.platformOrigin()}/portal/consult?area=${ctx.key}` } };
    if (req.path === '/hdjl/zxts/list.html') return { status: 302, headers: { location: `${ctx.platformOrigin()}/portal/list?area=${ctx.key}` } };
    return undefined;
  },
});

export const redirect12345: Variant = {
  ...base,
  redirectsTo12345: true,
  listHref: (ctx) => `${ctx.platformOrigin()}/portal/list?area=${ctx.key}`,
  queryHref: (ctx, code) => `${ctx.platformOrigin()}/portal/query?cxm=${encodeURIComponent(code)}`,
};

/** A hidden anti-forgery token tied to the session cookie: a POST without both is refused (页面已过期). */
import { fieldsOf } from '../form.ts';
import { randomCode } from '../util.ts';
import { datedCodes } from './codes.ts';
import { standard } from './standard.ts';

export const csrf = standard({
  name: 'csrf',
  navText: '网上咨询',
  columnName: '网上咨询',
  consultPath: '/gzhd/wszx/add',
  submitPath: '/gzhd/wszx/save',
  listPath: '/gzhd/wszx/list',
  queryPath: '/gzhd/wszx/query',
  queryParam: 'cxm',
  layout: 'placeholder',
  fields: fieldsOf([
    ['name', 'xm', '姓名', { placeholder: '姓名' }],
    ['phone', 'lxdh', '联系电话', { control: 'tel', placeholder: '联系电话' }],
    ['email', 'yx', '邮箱', { placeholder: '电子邮箱' }],
    ['type', 'xjlx', '信件类型', { control: 'select' }],
    ['title', 'bt', '标题', { maxlength: 18, placeholder: '标题（18字以内）' }],
    ['body', 'nr', '内容', { maxlength: 300, placeholder: '请输入内容（300字以内）' }],
  ]),
  submitLabel: '提交',
  listTime: 'date',
  codes: datedCodes('WS', 4, 6),
  formExtras: (ctx, _req, session) => {
    session.data['csrf'] ??= randomCode(() => ctx.rand(), 24, 'abcdef0123456789');
    return `<input type="hidden" name="_csrf" value="${session.data['csrf']}">`;
  },
  check: (_ctx, _req, v, session) => (session.data['csrf'] && v['_csrf'] === session.data['csrf'] ? undefined : '页面已过期，请刷新页面后重新提交'),
});

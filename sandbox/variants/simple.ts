/** Plain columns whose quirk is behaviour, not markup: broken ones, the slow one, the one that confirms nothing. */
import { fieldsOf } from '../form.ts';
import { datedCodes } from './codes.ts';
import { standard } from './standard.ts';

const govForm = fieldsOf([
  ['name', 'xm', '您的姓名'],
  ['phone', 'sjhm', '手机号码', { control: 'tel' }],
  ['email', 'dzyx', 'E-mail'],
  ['dept', 'sldw', '受理单位', { control: 'select', options: ['办公室', '政务服务管理局', '人力资源和社会保障局', '教育局', '住房和城乡建设局'], required: true }],
  ['title', 'zt', '主题', { maxlength: 20 }],
  ['body', 'zw', '正文', { maxlength: 500 }],
]);

export const notFound = standard({
  name: 'not-found',
  navText: '政务咨询',
  columnName: '政务咨询',
  consultPath: '/hdjl/zwzx/index.html',
  submitPath: '/hdjl/zwzx/save.do',
  listPath: '/hdjl/zwzx/list.html',
  queryPath: '/hdjl/zwzx/query.do',
  queryParam: 'cxm',
  layout: 'table',
  fields: govForm,
  submitLabel: '提交',
  listTime: 'date',
  defaultBroken: 'not-found',
  codes: datedCodes('ZX', 4, 6),
});

export const serverError = standard({
  name: 'server-error',
  navText: '咨询建议',
  columnName: '咨询建议',
  consultPath: '/gzcy/zxjy/index.do',
  submitPath: '/gzcy/zxjy/save.do',
  listPath: '/gzcy/zxjy/list.do',
  queryPath: '/gzcy/zxjy/query.do',
  queryParam: 'code',
  layout: 'label-for',
  fields: govForm,
  submitLabel: '提交',
  listTime: 'date',
  defaultBroken: 'server-error',
  codes: datedCodes('JY', 4, 6),
});

export const siteError = standard({
  name: 'site-error',
  navText: '网上信箱',
  columnName: '局长信箱',
  consultPath: '/hdjl/jzxx/write.html',
  submitPath: '/hdjl/jzxx/save.do',
  listPath: '/hdjl/jzxx/list.html',
  queryPath: '/hdjl/jzxx/query.do',
  queryParam: 'cxm',
  layout: 'table',
  fields: fieldsOf([
    ['name', 'xm', '姓名'],
    ['phone', 'lxdh', '联系电话', { control: 'tel' }],
    ['email', 'yx', '邮箱'],
    ['title', 'bt', '标题', { maxlength: 20 }],
    ['body', 'nr', '内容', { maxlength: 500 }],
  ]),
  submitLabel: '提交',
  listTime: 'date',
  defaultBroken: 'site-error',
  codes: datedCodes('JZ', 4, 6),
});

export const noForm = standard({
  name: 'no-form',
  navText: '互动交流',
  columnName: '网上咨询',
  consultPath: '/hdjl/wszx/',
  submitPath: '/hdjl/wszx/save.do',
  listPath: '/hdjl/wszx/list.html',
  queryPath: '/hdjl/wszx/query.do',
  queryParam: 'cxm',
  layout: 'table',
  fields: govForm,
  submitLabel: '提交',
  listTime: 'date',
  defaultBroken: 'no-form',
  codes: datedCodes('WZ', 4, 6),
});

export const slow = standard({
  name: 'slow',
  navText: '留言板',
  columnName: '群众留言',
  consultPath: '/hdjl/lyb/index.jsp',
  submitPath: '/hdjl/lyb/save.jsp',
  listPath: '/hdjl/lyb/list.jsp',
  queryPath: '/hdjl/lyb/query.jsp',
  queryParam: 'cxm',
  layout: 'label-for',
  fields: fieldsOf([
    ['name', 'lxr', '联系人'],
    ['phone', 'lxdh', '联系电话', { control: 'tel' }],
    ['email', 'email', '邮箱'],
    ['type', 'lylx', '留言类型', { control: 'select' }],
    ['title', 'lybt', '留言标题', { maxlength: 20 }],
    ['body', 'lynr', '留言内容', { maxlength: 500 }],
  ]),
  submitLabel: '提交留言',
  listTime: 'datetime',
  codes: datedCodes('LYB', 4, 6),
});

export const noConfirmation = standard({
  name: 'no-confirmation',
  navText: '咨询投诉',
  columnName: '咨询投诉',
  consultPath: '/zmhd/zxts/add.html',
  submitPath: '/zmhd/zxts/save.do',
  listPath: '/zmhd/zxts/list.html',
  queryPath: '/zmhd/zxts/query.do',
  queryParam: 'cxm',
  layout: 'table',
  fields: fieldsOf([
    ['name', 'xm', '姓名'],
    ['phone', 'dh', '电话', { control: 'tel' }],
    ['email', 'yx', '邮箱'],
    ['type', 'lx', '类型', { control: 'select' }],
    ['title', 'bt', '标题', { maxlength: 20 }],
    ['body', 'nr', '内容', { maxlength: 500 }],
  ]),
  submitLabel: '提交',
  listTime: 'date',
  codes: datedCodes('ZT', 4, 6),
  // the letter is stored, but the answer is a blank page (odd letters) or the home page again (even ones)
  success: (ctx, _req, stored) =>
    Number(stored.letterNo.slice(-4)) % 2 === 1
      ? { status: 200, body: '<html><head><meta charset="utf-8"></head><body></body></html>' }
      : { status: 302, headers: { location: `${ctx.base}/` } },
});

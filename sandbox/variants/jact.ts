/** JACT (大汉 Hanweb) style: /jact/front/mailwrite.do?sysid=…, list mailpublist.do, look-up by 查询码. */
import { fieldsOf } from '../form.ts';
import { datedCodes } from './codes.ts';
import { standard } from './standard.ts';

export const jact = standard({
  name: 'jact',
  navText: '领导信箱',
  columnName: '市长信箱',
  consultPath: '/jact/front/mailwrite.do?sysid=3&groupid=12',
  submitPath: '/jact/front/mailsubmit.do',
  listPath: '/jact/front/mailpublist.do',
  queryPath: '/jact/front/mailsearch.do',
  queryParam: 'searchcode',
  layout: 'table',
  fields: fieldsOf([
    ['name', 'xm', '姓名', { maxlength: 20 }],
    ['phone', 'lxdh', '手机', { control: 'tel' }],
    ['email', 'yx', '邮箱'],
    ['type', 'xjlx', '信件类型', { control: 'select' }],
    ['public', 'sfgk', '是否公开'],
    ['title', 'bt', '标题', { maxlength: 25 }],
    ['body', 'nr', '内容', { maxlength: 500 }],
  ]),
  submitLabel: '提 交',
  listTime: 'datetime',
  notice: '温馨提示：本信箱受理咨询、建议、投诉、求助类信件。涉法涉诉及信访事项请按法定途径反映。',
  codes: datedCodes('XF', 4, 6),
});

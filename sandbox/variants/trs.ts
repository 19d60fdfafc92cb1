/** TRS WCM style: /wcm/govrefer/…, list and query page by 查询码; replies show a full date-time. */
import { fieldsOf } from '../form.ts';
import { datedCodes, digitsOnly } from './codes.ts';
import { standard } from './standard.ts';

export const trs = standard({
  name: 'trs',
  navText: '在线咨询',
  columnName: '在线咨询',
  consultPath: '/wcm/govrefer/write.jsp?channelid=2815',
  submitPath: '/wcm/govrefer/submit.jsp',
  listPath: '/wcm/govrefer/list.jsp',
  queryPath: '/wcm/govrefer/query.jsp',
  queryParam: 'cxm',
  layout: 'label-for',
  fields: fieldsOf([
    ['name', 'name', '来信人'],
    ['phone', 'tel', '联系电话', { control: 'tel' }],
    ['email', 'email', '电子邮箱', { control: 'email' }],
    ['type', 'lettertype', '信件类型', { control: 'radio' }],
    ['title', 'title', '信件标题', { maxlength: 20 }],
    ['body', 'content', '信件内容', { maxlength: 500 }],
    ['public', 'isopen', '是否公开'],
  ]),
  submitLabel: '提交',
  listTime: 'datetime',
  codes: datedCodes('', 5, 8, digitsOnly),
});

/** A GBK site (Hanweb idea module): pages really served as GBK bytes, the POST decoded as GBK. */
import { fieldsOf } from '../form.ts';
import { datedCodes } from './codes.ts';
import { standard } from './standard.ts';

export const gbk = standard({
  name: 'gbk',
  navText: '我要留言',
  columnName: '网上留言',
  consultPath: '/module/idea/que_add.jsp?webid=1',
  submitPath: '/module/idea/que_save.jsp',
  listPath: '/module/idea/que_list.jsp',
  queryPath: '/module/idea/que_search.jsp',
  queryParam: 'querycode',
  charset: 'gbk',
  layout: 'table',
  fields: fieldsOf([
    ['name', 'xm', '来信人'],
    ['phone', 'lxdh', '联系电话', { control: 'tel' }],
    ['email', 'yx', '电子邮箱'],
    ['title', 'bt', '信件标题', { maxlength: 15 }],
    ['type', 'lx', '留言类型', { control: 'radio' }],
    ['body', 'nr', '留言内容', { maxlength: 400 }],
  ]),
  submitLabel: '提交留言',
  listTime: 'date',
  codes: datedCodes('LY', 5, 6),
});

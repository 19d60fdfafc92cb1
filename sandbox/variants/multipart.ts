/** A multipart/form-data form with an optional attachment (附件), as many 书记/市长信箱 have. */
import { fieldsOf } from '../form.ts';
import { datedCodes } from './codes.ts';
import { standard } from './standard.ts';

export const multipart = standard({
  name: 'multipart',
  navText: '市长信箱',
  columnName: '市长信箱',
  consultPath: '/szxx/write.htm',
  submitPath: '/szxx/submit.htm',
  listPath: '/szxx/list.htm',
  queryPath: '/szxx/query.htm',
  queryParam: 'queryCode',
  enctype: 'multipart/form-data',
  layout: 'label-for',
  fields: fieldsOf([
    ['name', 'userName', '来信人'],
    ['phone', 'mobile', '手机号码', { control: 'tel' }],
    ['email', 'mail', '电子邮箱'],
    ['type', 'letterType', '信件类型', { control: 'select' }],
    ['public', 'isOpen', '是否公开'],
    ['title', 'subject', '信件标题', { maxlength: 25 }],
    ['body', 'content', '信件内容', { maxlength: 500 }],
  ]),
  formExtras: () => '',
  submitHtml: `<div class="form-item"><label for="fj">附件</label><input type="file" id="fj" name="fj"> <span class="tip">（可选，支持jpg、pdf，不超过5M）</span></div>
<div class="form-item" style="text-align:center"><input type="submit" class="btn" value="提交信件"></div>`,
  submitLabel: '提交信件',
  listTime: 'datetime',
  codes: datedCodes('SZ', 5, 8),
});

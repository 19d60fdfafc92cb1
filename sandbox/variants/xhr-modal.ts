/** The form posts with fetch; the server answers JSON {code:0, data:{queryCode, letterNo}}; the page shows a modal. */
import { fieldsOf } from '../form.ts';
import { datedCodes } from './codes.ts';
import { standard } from './standard.ts';

const API = '/interaction/api/letter/save';
const json = (status: number, body: unknown) => ({ status, contentType: 'application/json; charset=utf-8', body: JSON.stringify(body) });

export const xhrModal = standard({
  name: 'xhr-modal',
  navText: '留言咨询',
  columnName: '留言咨询',
  consultPath: '/interaction/consult',
  submitPath: API,
  listPath: '/interaction/list',
  queryPath: '/interaction/detail',
  queryParam: 'queryCode',
  layout: 'label-for',
  fields: fieldsOf([
    ['name', 'userName', '姓名'],
    ['phone', 'phone', '联系电话', { control: 'tel' }],
    ['email', 'email', '电子邮箱', { control: 'email' }],
    ['type', 'letterType', '信件类型', { control: 'radio' }],
    ['title', 'title', '主题', { maxlength: 25 }],
    ['body', 'content', '留言内容', { maxlength: 500 }],
    ['public', 'isPublic', '是否公开'],
  ]),
  submitLabel: '提交',
  listTime: 'datetime',
  codes: datedCodes('HD', 6, 8),
  formAttrs: 'onsubmit="return submitLetter(event)"',
  success: (_ctx, _req, stored) => json(200, { code: 0, msg: '提交成功', data: { queryCode: stored.queryCode, letterNo: stored.letterNo } }),
  failure: (_ctx, message) => json(200, { code: 1, msg: message, data: null }),
  script: `function submitLetter(e){e.preventDefault();var f=document.getElementById('mailForm');
fetch(f.action,{method:'POST',headers:{'Content-Type':'application/x-www-form-urlencoded;charset=UTF-8','X-Requested-With':'XMLHttpRequest'},body:new URLSearchParams(new FormData(f)).toString()})
.then(function(r){return r.json()}).then(function(r){var m=document.getElementById('resultModal');
document.getElementById('modalTitle').textContent=r.code===0?'提交成功':'提交失败';
document.getElementById('modalBody').innerHTML=r.code===0?('您的留言已提交成功！<br>查询码：<b class="query-code">'+r.data.queryCode+'</b><br>信件编号：<b class="letter-no">'+r.data.letterNo+'</b><br>请牢记查询码。'):r.msg;
m.style.display='block';}).catch(function(){alert('网络异常，请稍后重试')});return false;}
document.body.insertAdjacentHTML('beforeend','<div id="resultModal" class="modal-mask" role="dialog"><div class="modal"><h3 id="modalTitle"></h3><p id="modalBody"></p><button class="btn" onclick="document.getElementById(\\'resultModal\\').style.display=\\'none\\'">确定</button></div></div>');`,
});

/** ASP.NET WebForms: __VIEWSTATE/__EVENTVALIDATION hidden fields, a LinkButton that calls __doPostBack. */
import { fieldsOf } from '../form.ts';
import { datedCodes } from './codes.ts';
import { standard } from './standard.ts';

const P = 'ctl00$ContentPlaceHolder1$';
export const ASPNET_SUBMIT_TARGET = `${P}lbtnSubmit`;
/** What the page issues; a postback must echo both back. */
export const VIEWSTATE = Buffer.from('/wEPDwUKMTY1NDU2MTA1Mg9kFgJmD2QWAgIDD2QWAgIBD2QWAmYPFgIeBFRleHQFDOmihuWvvOS/oeeusWRk', 'utf8').toString('base64');
export const EVENTVALIDATION = '/wEdAAnXq0iXw9fQ2J1m8t1QxW5tqYgQe3tQ4kKp4xw3DbBo6w==';

export const aspnet = standard({
  name: 'aspnet',
  navText: '政民互动',
  columnName: '领导信箱',
  consultPath: '/Web/LeaderMail.aspx',
  listPath: '/Web/MailList.aspx',
  queryPath: '/Web/MailQuery.aspx',
  queryParam: 'ctl00$ContentPlaceHolder1$txtCxm',
  queryMethod: 'post',
  layout: 'table',
  formAttrs: 'onsubmit="return false;"',
  fields: fieldsOf([
    ['name', `${P}txtName`, '您的姓名', { id: 'txtName' }],
    ['phone', `${P}txtMobile`, '手机号码', { id: 'txtMobile', control: 'tel' }],
    ['email', `${P}txtEmail`, 'E-mail', { id: 'txtEmail' }],
    ['dept', `${P}ddlDept`, '受理单位', { id: 'ddlDept', control: 'select', options: ['市政府办公室', '市发展和改革委员会', '市教育局', '市公安局', '市民政局'], required: true }],
    ['type', `${P}ddlType`, '信件类型', { id: 'ddlType', control: 'select' }],
    ['title', `${P}txtTitle`, '主题', { id: 'txtTitle', maxlength: 20 }],
    ['body', `${P}txtContent`, '正文', { id: 'txtContent', maxlength: 500 }],
  ]),
  submitLabel: '提交',
  submitHtml: `<div class="form-item" style="text-align:center"><a id="ContentPlaceHolder1_lbtnSubmit" class="btn" href="javascript:__doPostBack('${ASPNET_SUBMIT_TARGET}','')">提交</a> <a id="ContentPlaceHolder1_lbtnReset" class="btn" href="javascript:__doPostBack('${P}lbtnReset','')">重填</a></div>`,
  formExtras: () => `<div class="aspNetHidden">
<input type="hidden" name="__EVENTTARGET" id="__EVENTTARGET" value="">
<input type="hidden" name="__EVENTARGUMENT" id="__EVENTARGUMENT" value="">
<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="${VIEWSTATE}">
<input type="hidden" name="__VIEWSTATEGENERATOR" id="__VIEWSTATEGENERATOR" value="CA0B0334">
<input type="hidden" name="__EVENTVALIDATION" id="__EVENTVALIDATION" value="${EVENTVALIDATION}">
</div>
<script type="text/javascript">
//<![CDATA[
var theForm = document.forms['mailForm'];
function __doPostBack(eventTarget, eventArgument) {
    if (!theForm.onsubmit || (theForm.onsubmit() != false) || true) {
        theForm.__EVENTTARGET.value = eventTarget;
        theForm.__EVENTARGUMENT.value = eventArgument;
        theForm.submit();
    }
}
//]]>
</script>`,
  isSubmit: (v) => v['__EVENTTARGET'] === ASPNET_SUBMIT_TARGET,
  check: (_ctx, _req, v) =>
    v['__VIEWSTATE'] !== VIEWSTATE || v['__EVENTVALIDATION'] !== EVENTVALIDATION ? '回发或回调参数无效（Invalid postback or callback argument）' : undefined,
  listTime: 'date',
  codes: datedCodes('LDXX', 4, 8),
});

/** Two steps: a 须知 page — tick 我已阅读并同意, press 下一步 — then the form (same URL, ?step=2). */
import { fieldsOf } from '../form.ts';
import { page } from '../page.ts';
import { datedCodes } from './codes.ts';
import { standard } from './standard.ts';

export const twoStep = standard({
  name: 'two-step',
  navText: '我要咨询',
  columnName: '网上咨询',
  consultPath: '/hdjl/zxly/index.html',
  submitPath: '/hdjl/zxly/save.do',
  listPath: '/hdjl/zxly/list.html',
  queryPath: '/hdjl/zxly/query.do',
  queryParam: 'cxm',
  layout: 'placeholder',
  fields: fieldsOf([
    ['name', 'xm', '姓名', { placeholder: '请输入您的姓名' }],
    ['phone', 'lxdh', '手机', { control: 'tel', placeholder: '请输入手机号码' }],
    ['email', 'yx', '邮箱', { placeholder: '请输入电子邮箱' }],
    ['type', 'xjlx', '信件类型', { control: 'select' }],
    ['title', 'bt', '标题', { maxlength: 20, placeholder: '请输入标题（20字以内）' }],
    ['body', 'nr', '内容', { maxlength: 500, placeholder: '请输入咨询内容（500字以内）' }],
    ['public', 'sfgk', '是否公开'],
  ]),
  submitLabel: '提交',
  listTime: 'date',
  codes: datedCodes('ZXLY', 4, 6),
  consultPage: (ctx, req, _form, session) => {
    if (req.query.get('step') === '2' && req.query.get('agree') === '1') {
      session.data['agreed'] = '1';
      return undefined; // the normal form
    }
    return { status: 200, body: page(ctx.chrome(), '网上咨询须知', notice(ctx.base)) };
  },
  check: (_ctx, _req, _v, session) => (session.data['agreed'] === '1' ? undefined : '请先阅读并同意《网上咨询须知》'),
});

function notice(base: string): string {
  return `<h2>网上咨询须知</h2>
<ol><li>请遵守国家法律法规，不得发布危害国家安全、损害他人合法权益的内容。</li>
<li>来信人应如实填写姓名、联系电话等信息，以便及时答复。</li>
<li>涉法涉诉事项、信访事项请通过法定途径反映。</li>
<li>我们将在规定工作日内答复，答复内容可能在网站公开。</li></ol>
<form id="agreeForm" method="get" action="${base}/hdjl/zxly/index.html">
<input type="hidden" name="step" value="2">
<label><input type="checkbox" id="agree" name="agree" value="1" onclick="document.getElementById('next').disabled=!this.checked"> 我已阅读并同意</label>
<button type="submit" id="next" class="btn" disabled>下一步</button>
</form>`;
}

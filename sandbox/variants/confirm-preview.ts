/** A preview step: the form posts to 预览, which shows 请确认您填写的信息 and a 确认提交 button that really sends. */
import { extractLetter, fieldsOf, validate } from '../form.ts';
import { esc, parseBody } from '../util.ts';
import { datedCodes } from './codes.ts';
import { standard } from './standard.ts';

const fields = fieldsOf([
  ['name', 'xm', '姓名'],
  ['phone', 'sj', '手机', { control: 'tel' }],
  ['email', 'email', '邮箱'],
  ['type', 'lx', '信件类型', { control: 'radio' }],
  ['title', 'zt', '主题', { maxlength: 20 }],
  ['body', 'nr', '正文', { maxlength: 500 }],
]);
const PREVIEW = '/gzhd/yjzj/preview.do';

export const confirmPreview = standard({
  name: 'confirm-preview',
  navText: '咨询留言',
  columnName: '咨询留言',
  consultPath: '/gzhd/yjzj/write.do',
  formAction: PREVIEW,
  submitPath: '/gzhd/yjzj/save.do',
  listPath: '/gzhd/yjzj/list.do',
  queryPath: '/gzhd/yjzj/query.do',
  queryParam: 'cxm',
  layout: 'table',
  fields,
  submitLabel: '提交',
  listTime: 'date',
  codes: datedCodes('YL', 4, 6),
  check: (_ctx, _req, v) => (v['confirm'] === '1' ? undefined : '请确认后提交'),
  routes: async (ctx, req, api) => {
    if (req.path !== PREVIEW || req.method !== 'POST') return undefined;
    const v = await parseBody(req.body, req.headers['content-type']);
    const problem = validate(fields, v);
    if (problem) return api.html(ctx, '填写有误', `<p class="err">${esc(problem)}</p><p><a href="javascript:history.back()">返回修改</a></p>`);
    const l = extractLetter(fields, v);
    const hidden = fields.map((f) => `<input type="hidden" name="${esc(f.name)}" value="${esc(v[f.name] ?? '')}">`).join('');
    const rows = fields.map((f) => `<tr><td class="lbl">${esc(f.label)}：</td><td>${esc(l[f.key] ?? '')}</td></tr>`).join('');
    return api.html(
      ctx,
      '确认信息',
      `<h2>请确认您填写的信息</h2><table class="form-table">${rows}</table>
<form method="post" action="${ctx.base}/gzhd/yjzj/save.do">${hidden}<input type="hidden" name="confirm" value="1">
<div style="text-align:center"><input type="submit" class="btn" value="确认提交"> <a href="javascript:history.back()">返回修改</a></div></form>`,
    );
  },
});

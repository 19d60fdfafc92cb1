/** An image captcha (验证码 + <img>): the server rejects a POST without the right code — a person must act. */
import { fieldsOf } from '../form.ts';
import type { SiteCtx } from '../variant.ts';
import { esc, randomCode } from '../util.ts';
import { datedCodes } from './codes.ts';
import { standard } from './standard.ts';

const IMG = '/common/validatecode.jsp';

function svg(text: string, r: () => number): string {
  const lines = Array.from({ length: 6 }, () => `<line x1="${Math.floor(r() * 90)}" y1="${Math.floor(r() * 30)}" x2="${Math.floor(r() * 90)}" y2="${Math.floor(r() * 30)}" stroke="#9ab" />`).join('');
  const chars = [...text]
    .map((c, i) => `<text x="${8 + i * 20}" y="${22 + Math.floor(r() * 5)}" transform="rotate(${Math.floor(r() * 30) - 15} ${14 + i * 20} 16)" font-size="20" fill="#335">${esc(c)}</text>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="90" height="32"><rect width="90" height="32" fill="#eef"/>${lines}${chars}</svg>`;
}

export const captcha = standard({
  name: 'captcha',
  navText: '政务咨询',
  columnName: '政务咨询',
  consultPath: '/gzhd/zwzx/write.jsp',
  submitPath: '/gzhd/zwzx/save.jsp',
  listPath: '/gzhd/zwzx/list.jsp',
  queryPath: '/gzhd/zwzx/search.jsp',
  queryParam: 'cxm',
  layout: 'table',
  gate: 'captcha',
  fields: fieldsOf([
    ['name', 'xm', '姓名'],
    ['phone', 'lxdh', '联系电话', { control: 'tel' }],
    ['email', 'yx', '邮箱'],
    ['title', 'bt', '标题', { maxlength: 20 }],
    ['body', 'nr', '内容', { maxlength: 500 }],
  ]),
  submitLabel: '提交',
  listTime: 'date',
  codes: datedCodes('ZW', 4, 6),
  formExtras: (ctx) =>
    `<div class="form-item captcha"><span class="red">*</span>验证码：<input type="text" name="yzm" id="yzm" maxlength="4" style="width:80px"> <img id="captchaImg" src="${ctx.base}${IMG}" alt="验证码" onclick="this.src='${ctx.base}${IMG}?r='+Math.random()" style="cursor:pointer;vertical-align:middle"> <span class="tip">看不清？点击图片换一张</span></div>`,
  check: (_ctx, _req, v, session) => {
    const expected = session.data['captcha'];
    delete session.data['captcha']; // one try per image, as real sites do
    if (!v['yzm']) return '请输入验证码';
    return expected && v['yzm'].trim().toUpperCase() === expected ? undefined : '验证码错误';
  },
  routes: (ctx: SiteCtx, req) => {
    if (req.path !== IMG || req.method !== 'GET') return undefined;
    const s = ctx.session(req);
    const code = randomCode(() => ctx.rand(), 4, 'ABCDEFGHJKLMNPQRSTUVWXY3456789');
    s.data['captcha'] = code;
    ctx.recordSecret('captcha', code);
    return {
      status: 200,
      contentType: 'image/svg+xml',
      headers: { 'cache-control': 'no-store', ...(s.setCookie ? { 'set-cookie': s.setCookie } : {}) },
      body: svg(code, () => ctx.rand()),
    };
  },
});

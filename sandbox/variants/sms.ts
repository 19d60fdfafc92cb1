/** 获取短信验证码: a button sends a code to the phone; the POST needs it — a person must act. */
import { fieldsOf } from '../form.ts';
import { parseBody, randomCode } from '../util.ts';
import { datedCodes } from './codes.ts';
import { standard } from './standard.ts';

const SEND = '/hdjl/sms/send.do';

export const sms = standard({
  name: 'sms',
  navText: '互动留言',
  columnName: '互动留言',
  consultPath: '/hdjl/hdly/write.do',
  submitPath: '/hdjl/hdly/save.do',
  listPath: '/hdjl/hdly/list.do',
  queryPath: '/hdjl/hdly/query.do',
  queryParam: 'cxm',
  layout: 'label-for',
  gate: 'sms',
  fields: fieldsOf([
    ['name', 'xm', '姓名'],
    ['phone', 'sjh', '手机号码', { control: 'tel' }],
    ['email', 'yx', '邮箱'],
    ['title', 'bt', '标题', { maxlength: 20 }],
    ['body', 'nr', '内容', { maxlength: 500 }],
  ]),
  submitLabel: '提交',
  listTime: 'date',
  codes: datedCodes('HL', 4, 6),
  formExtras: (ctx) =>
    `<div class="form-item sms"><span class="red">*</span><label for="dxyzm">短信验证码</label><input type="text" id="dxyzm" name="dxyzm" maxlength="6" style="width:100px"> <button type="button" id="sendSms" class="btn" onclick="var p=document.getElementById('sjh').value;fetch('${ctx.base}${SEND}',{method:'POST',headers:{'Content-Type':'application/x-www-form-urlencoded'},body:'sjh='+encodeURIComponent(p)}).then(function(r){return r.json()}).then(function(r){alert(r.msg)})">获取短信验证码</button></div>`,
  check: (_ctx, _req, v, session) => {
    if (!v['dxyzm']) return '请输入短信验证码';
    return session.data['sms'] && v['dxyzm'] === session.data['sms'] && v['sjh'] === session.data['smsPhone'] ? undefined : '短信验证码错误或已过期';
  },
  routes: async (ctx, req) => {
    if (req.path !== SEND || req.method !== 'POST') return undefined;
    const v = await parseBody(req.body, req.headers['content-type']);
    const s = ctx.session(req);
    const json = (body: unknown) => ({
      status: 200,
      contentType: 'application/json; charset=utf-8',
      ...(s.setCookie ? { headers: { 'set-cookie': s.setCookie } } : {}),
      body: JSON.stringify(body),
    });
    if (!/^1\d{10}$/.test(v['sjh'] ?? '')) return json({ code: 1, msg: '请输入正确的手机号码' });
    const code = randomCode(() => ctx.rand(), 6, '0123456789');
    s.data['sms'] = code;
    s.data['smsPhone'] = v['sjh'] as string;
    ctx.recordSecret('sms', code);
    return json({ code: 0, msg: '验证码已发送，5分钟内有效' });
  },
});

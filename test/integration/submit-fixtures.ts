/**
 * A tiny node:http server of consultation pages in several common shapes, for the submission-engine tests
 * (independent of the sandbox in sandbox/). Records every POST it receives, decoded.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import iconv from 'iconv-lite';

export interface FixturePost {
  path: string;
  fields: Record<string, string>;
  /** GET for the submissions some pages send as a GET (JSONP, an image beacon); POST otherwise. */
  method?: string;
}

export interface Fixtures {
  origin: string;
  /** Another origin (localhost vs 127.0.0.1) for off-domain redirects. */
  otherOrigin: string;
  url(path: string): string;
  posts(path?: string): FixturePost[];
  close(): Promise<void>;
}

const page = (title: string, body: string, charset = 'utf-8') =>
  `<!DOCTYPE html><html><head><meta charset="${charset}"><title>${title}</title>
<style>body{font-family:"Microsoft YaHei",SimSun,sans-serif;font-size:14px} table{border-collapse:collapse} td{border:1px solid #ccc;padding:4px}</style></head>
<body><div class="head">某市人民政府 · 政民互动</div>${body}</body></html>`;

const tableForm = (action: string, extra = '') => `
<form method="post" action="${action}" name="mailForm">
<table>
<tr><td>来信人<font color="red">*</font></td><td><input type="text" name="mail.xm" maxlength="10"></td></tr>
<tr><td>联系电话</td><td><input type="text" name="mail.lxdh"></td></tr>
<tr><td>电子邮箱</td><td><input type="text" name="mail.dzyx"></td></tr>
<tr><td>信件类型</td><td><select name="mail.lx"><option value="">请选择</option><option value="1">投诉</option><option value="2">咨询</option><option value="3">建议</option></select></td></tr>
<tr><td>是否公开</td><td><input type="radio" name="mail.gk" value="1" id="gk1"><label for="gk1">是</label><input type="radio" name="mail.gk" value="0" id="gk0" checked><label for="gk0">否</label></td></tr>
<tr><td>信件标题</td><td><input type="text" name="mail.bt" maxlength="25"></td></tr>
<tr><td>信件内容</td><td><textarea name="mail.nr" rows="8" cols="60"></textarea></td></tr>
${extra}
</table>
<input type="text" name="website" style="display:none" value="">
<input type="submit" value="提 交"> <input type="reset" value="重 置">
</form>`;

const divForm = (action: string) => `
<form id="f" method="post" action="${action}">
<div class="row"><label>您的姓名：</label><input name="userName" placeholder="请输入姓名"></div>
<div class="row"><label>手机号码：</label><input name="mobile" type="tel"></div>
<div class="row"><label>电子邮件：</label><input name="email"></div>
<div class="row"><label>受理单位：</label><select name="deptId"><option value="">--请选择--</option><option value="11">市教育局</option><option value="12">市人社局</option></select></div>
<div class="row"><label>主题：</label><input name="subject"></div>
<div class="row"><label>留言内容：</label><textarea name="content" maxlength="500"></textarea></div>
<div class="row"><label><input type="checkbox" name="agree" value="1">我已阅读并同意《留言须知》</label></div>
<button type="submit" class="btn">提交留言</button>
</form>`;

/** application/x-www-form-urlencoded → raw bytes (the page's charset decides how to read them). */
function percentBytes(s: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '+') out.push(0x20);
    else if (c === '%' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      out.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(c.charCodeAt(0));
  }
  return Buffer.from(out);
}

/** The result page most review fixtures answer with. */
const okPage = (code: string) => page('提交成功', `<p>提交成功！查询码：${code}</p>`);

/** A small table form (name, phone, title, body) posting to `action`, with `extra` rows before the submit row. */
const smallForm = (action: string, extra = '', bodyRow = '<tr><td>内容</td><td><textarea name="nr"></textarea></td></tr>') => `
<form method="post" action="${action}"><table>
<tr><td>姓名</td><td><input name="xm"></td></tr>
<tr><td>联系电话</td><td><input name="lxdh"></td></tr>
<tr><td>标题</td><td><input name="bt"></td></tr>
${bodyRow}${extra}
<tr><td colspan="2"><input type="submit" value="提交"></td></tr></table></form>`;

/** A form whose page refuses every submission until its 须知 is agreed to (window.agreed), with an alert. */
const refusingForm = (action: string) =>
  smallForm(action).replace('<form ', `<form onsubmit="if(!window.agreed){alert('请先阅读并同意《来信须知》');return false;}return true;" `);

export async function startFixtures(): Promise<Fixtures> {
  const posts: FixturePost[] = [];
  let origin = '';
  let otherOrigin = '';
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const path = url.pathname;
      const send = (status: number, html: string, charset = 'utf-8', headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': `text/html; charset=${charset}`, ...headers });
        res.end(charset === 'gbk' ? iconv.encode(html, 'gbk') : html);
      };
      if (req.method === 'POST') {
        const raw = Buffer.concat(chunks);
        const gbk = path.startsWith('/gbk');
        const text = raw.toString('latin1');
        const fields: Record<string, string> = {};
        if ((req.headers['content-type'] ?? '').includes('json')) Object.assign(fields, JSON.parse(raw.toString('utf8')) as Record<string, string>);
        else
          for (const pair of text.split('&')) {
            const [k, v = ''] = pair.split('=');
            const dec = (b: Buffer) => (gbk ? iconv.decode(b, 'gbk') : b.toString('utf8'));
            fields[dec(percentBytes(k ?? ''))] = dec(percentBytes(v));
          }
        posts.push({ path, fields });
        if (path === '/basic/save') return send(200, page('提交成功', '<p>您的信件已提交成功！</p><p>信件编号：XJ20261123001　查询码：<b>Q7K2M9</b></p><p>请妥善保存查询码。</p>'));
        if (path === '/div/save') return send(200, page('结果', '<p>留言成功，感谢您的来信。</p>'));
        if (path === '/gbk/save') return send(200, page('提交成功', '<p>提交成功！您的查询码为：GBK8899</p>', 'gbk'), 'gbk');
        if (path === '/xhr/save') {
          res.writeHead(200, { 'content-type': 'application/json' });
          return res.end(JSON.stringify({ success: true, queryCode: 'XHR5566', msg: '提交成功' }));
        }
        if (path === '/busy/save') return send(200, page('提示', '<p>系统繁忙，请稍后再试。</p>'));
        if (path === '/silent/save') return send(200, page('某市人民政府', '<p>首页 | 政务公开 | 政民互动</p>'));
        if (path === '/err500/save') return send(500, page('500', '<h1>Internal Server Error</h1>'));
        // review cases (c14, c22, c19, c24/c11, c17+c03+c12, c08, c09, c10)
        if (path === '/hangpost/save') return; // the POST is never answered
        if (path === '/jactpw/save')
          return send(200, page('', '<p>信件已提交，等待相关部门审核办理。</p><p>信件编号：XJ2026000123&nbsp;&nbsp;查询密码：k9x2</p><form action="/jactpw" method="get"><input type="submit" value="确 定"></form>'));
        if (path === '/layer/save') {
          res.writeHead(200, { 'content-type': 'application/json;charset=UTF-8' });
          return res.end(JSON.stringify({ status: 1, info: 'ok', cxbm: 'LA2026000456' }));
        }
        if (path === '/spa/save') {
          res.writeHead(200, { 'content-type': 'application/json;charset=UTF-8' });
          return res.end('{"code":200,"msg":"\\u63d0\\u4ea4\\u6210\\u529f","data":{"gdh":"GD2026000789"}}');
        }
        if (path === '/addr/save') return send(200, okPage('AD2026000111'));
        if (path === '/rich-iframe/save' || path === '/rich-div/save') return send(200, okPage('RT2026000222'));
        if (path === '/countdown/save') return send(200, okPage('CD2026000333'));
        if (path === '/odd-captcha/save' || path === '/sms-code/save') return send(200, page('', '<script>alert("验证码错误！");history.back();</script>'));
        // second review round (c26, c07, c16, c20 and pages that refuse in the browser)
        if (path === '/modal-agree/save' || path === '/modal-box/save') return send(200, okPage('MA2026000444'));
        if (path === '/title-hint/save') return send(200, fields.bt && fields.bt.length <= 10 ? okPage('TH2026000666') : page('', '<script>alert("标题不能超过10个字！");history.back();</script>'));
        if (path === '/cascade/save') return send(200, fields.bm ? okPage('CS2026000777') : page('', '<p>请选择承办部门</p>'));
        if (path === '/refuse-alert/save' || path === '/native-invalid/save') return send(200, okPage('NO0000000000'));
        if (path === '/form-in-layer/save') {
          res.writeHead(200, { 'content-type': 'application/json;charset=UTF-8' });
          return res.end(JSON.stringify({ success: true, cxm: 'FL2026000999' }));
        }
        if (path === '/header-login/saveMsg.do') {
          res.writeHead(200, { 'content-type': 'application/json;charset=UTF-8' });
          return res.end(JSON.stringify({ success: true, data: { queryCode: 'HL2026000888' } }));
        }
        return send(404, page('404', 'not found'));
      }
      if (path === '/jsonp/save' || path === '/beacon/save') {
        posts.push({ path, fields: Object.fromEntries(url.searchParams), method: 'GET' });
        if (path === '/beacon/save') {
          res.writeHead(200, { 'content-type': 'image/gif' });
          return res.end(Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64'));
        }
        res.writeHead(200, { 'content-type': 'application/javascript; charset=utf-8' });
        return res.end(`${url.searchParams.get('callback') ?? 'cb'}({"success":true,"cxm":"JP2026000555"});`);
      }
      switch (path) {
        case '/basic':
          return send(200, page('我要写信', tableForm('/basic/save')));
        case '/div':
          return send(200, page('在线留言', divForm('/div/save')));
        case '/gbk':
          return send(200, page('我要写信', tableForm('/gbk/save'), 'gbk'), 'gbk');
        case '/frame':
          return send(200, page('领导信箱', '<iframe src="/basic" width="900" height="700"></iframe>'));
        case '/notice':
          return send(200, page('写信须知', '<div>写信须知：请如实填写……</div><a href="/div">我已阅读并同意</a> <a href="/">返回首页</a>'));
        case '/xhr':
          return send(
            200,
            page(
              '咨询',
              `<div id="f"><p>姓名 <input id="xm"></p><p>电话 <input id="dh"></p><p>标题 <input id="bt"></p><p>内容 <textarea id="nr"></textarea></p>
<a href="javascript:void(0)" onclick="send()">提交</a></div><div id="modal" style="display:none;position:fixed;top:30%;left:30%;background:#fff;border:1px solid #999;padding:20px"></div>
<script>function send(){fetch('/xhr/save',{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify({xm:xm.value,dh:dh.value,bt:bt.value,nr:nr.value})}).then(r=>r.json()).then(j=>{var m=document.getElementById('modal');m.style.display='block';m.innerText=j.msg+'，查询码：'+j.queryCode;});}</script>`,
            ),
          );
        case '/oldstyle':
          return send(
            200,
            page(
              '市长信箱',
              `<form name="form1" method="post" action="/gbk/save"><table width="600">
<tr><td width="100"><font color="#333">写信人：</font></td><td><input name="xjr" size="20"></td></tr>
<tr><td>联系手机：</td><td><input name="sj" size="20"></td></tr>
<tr><td>信件主题：</td><td><input name="zt" size="40"></td></tr>
<tr><td valign="top">来信内容：</td><td><textarea name="nr" rows="10" cols="60"></textarea></td></tr>
<tr><td colspan="2" align="center"><a href="#" onclick="document.form1.submit();return false;"><img src="/images/tj.gif" border="0"></a> <a href="#" onclick="document.form1.reset();return false;"><img src="/images/cz.gif" border="0"></a></td></tr>
</table></form>`,
              'gb2312',
            ),
            'gbk',
          );
        case '/captcha':
          return send(200, page('我要写信', tableForm('/basic/save', '<tr><td>验证码</td><td><input name="yzm" size="6"><img src="/captcha.jpg" alt=""></td></tr>')));
        case '/sms':
          return send(200, page('我要写信', tableForm('/basic/save', '<tr><td>短信验证码</td><td><input name="smsCode"><button type="button">获取验证码</button></td></tr>')));
        case '/login':
          res.writeHead(302, { location: '/sso/login?service=/basic' });
          return res.end();
        case '/sso/login':
          return send(200, page('统一身份认证平台', '<form><p>用户名 <input name="u"></p><p>密码 <input type="password" name="p"></p><button>登录</button></form>'));
        case '/gone':
          return send(404, page('404', '页面不存在'));
        case '/broken':
          return send(500, page('500', 'Internal Server Error'));
        case '/busy':
          return send(200, page('我要写信', tableForm('/busy/save')));
        case '/silent':
          return send(200, page('我要写信', tableForm('/silent/save')));
        case '/err500':
          return send(200, page('我要写信', tableForm('/err500/save')));
        case '/noform':
          return send(200, page('政民互动', '<p>本栏目正在升级改造，暂停使用。</p>'));
        case '/empty':
          return send(200, page('首页', '<p>欢迎访问</p><ul><li><a href="/news">新闻</a></li></ul>'));
        case '/home':
          return send(200, page('首页', '<ul><li><a href="/news">要闻动态</a></li><li><a href="/reply-list">答复选登</a></li><li><a href="/basic">我要写信</a></li></ul>'));
        case '/to-platform':
          res.writeHead(302, { location: `${otherOrigin}/basic?from=12345` });
          return res.end();
        case '/hang':
          return; // the page is never answered
        case '/hangpost':
          return send(200, page('在线留言', smallForm('/hangpost/save')));
        case '/jactpw':
          return send(200, page('局长信箱', smallForm('/jactpw/save')));
        case '/layer':
          return send(
            200,
            page(
              '咨询建言',
              `<form id="zx" onsubmit="return false;"><p>姓名 <input name="xm"></p><p>联系电话 <input name="lxdh"></p><p>主题 <input name="zt"></p><p>内容 <textarea name="nr"></textarea></p>
<button class="layui-btn">立即提交</button></form>
<script>document.querySelector('.layui-btn').addEventListener('click',function(){fetch('/layer/save',{method:'POST',headers:{'Content-Type':'application/x-www-form-urlencoded'},body:new URLSearchParams(new FormData(document.getElementById('zx'))).toString()}).then(function(r){return r.json()}).then(function(r){
document.body.insertAdjacentHTML('beforeend','<div class="layui-layer" style="position:fixed;top:30%;left:30%;background:#fff;padding:20px">'+(r.status==1?'留言已提交，待审核后公开。<br>查询编码：'+r.cxbm:'操作失败')+'</div>');});});</script>`,
            ),
          );
        case '/static-no-form':
          // a column page left without its form and without any script: nothing can draw one later
          return send(200, page('网上咨询', '<div class="list"><a href="/">首页</a> &gt; 网上咨询</div><p>本栏目用于公众咨询，请通过下方表单提交您的问题，我们将及时答复。</p>'));
        case '/spa':
          // the form is drawn 600 ms after load (a 12345 SPA); the answer is JSON with \u escapes and a 工单号
          return send(
            200,
            page(
              '12345热线-网上诉求',
              `<div class="nav"><a href="/">首页</a> <a href="/news">政务公开</a> <a href="/news">政务服务</a> <a href="/news">互动交流</a></div><div id="app">正在加载，请稍候……（某市12345政务服务便民热线网上诉求平台，主办单位：某市人民政府办公室）</div>
<script>setTimeout(function(){document.getElementById('app').innerHTML='<p><label for="n">诉求人</label><input id="n"></p><p><label for="p">手机号码</label><input id="p"></p><p><label for="t">诉求标题</label><input id="t"></p><p><label for="c">诉求内容</label><textarea id="c"></textarea></p><button type="button" id="s">提交</button>';
document.getElementById('s').onclick=function(){fetch('/spa/save',{method:'POST',headers:{'Content-Type':'application/json'},body:JSON.stringify({name:n.value,phone:p.value,title:t.value,content:c.value})}).then(function(r){return r.json()}).then(function(r){document.body.insertAdjacentHTML('beforeend','<div role="dialog"><div>'+r.msg+'</div><div>您的工单号：<b>'+r.data.gdh+'</b>，请妥善保存。</div></div>');});};},600);</script>`,
            ),
          );
        case '/addr':
          // 通讯地址 textarea before the content one; 是否保密 是/否 as bare text after the radios; a required 邮政编码
          return send(
            200,
            page(
              '网上留言',
              smallForm(
                '/addr/save',
                '<tr><td>是否保密</td><td><input type="radio" name="sfbm" value="1">是 <input type="radio" name="sfbm" value="0">否</td></tr><tr><td><span>*</span>邮政编码</td><td><input name="yzbm"></td></tr>',
                '<tr><td>通讯地址</td><td><textarea name="txdz" rows="2"></textarea></td></tr><tr><td>留言内容</td><td><textarea name="lynr" rows="8"></textarea></td></tr>',
              ),
            ),
          );
        case '/rich-iframe':
          return send(
            200,
            page(
              '我要写信',
              smallForm(
                '/rich-iframe/save',
                '',
                '<tr><td>信件内容</td><td><div class="ke-container"><div class="ke-toolbar">B I U</div><iframe id="ke" style="width:500px;height:150px"></iframe></div><textarea name="content" style="display:none"></textarea></td></tr>',
              ).replace('<form ', '<form onsubmit="this.content.value=document.getElementById(\'ke\').contentDocument.body.innerHTML;return true;" ') +
                `<script>var d=document.getElementById('ke').contentDocument;d.open();d.write('<html><body></body></html>');d.close();d.designMode='on';</script>`,
            ),
          );
        case '/rich-div':
          return send(
            200,
            page(
              '领导信箱',
              `<form method="post" action="/rich-div/save" onsubmit="this.content.value=document.getElementById('ed').innerHTML;return true;">
<div><label for="xm">姓名</label><input id="xm" name="xm"></div><div><label for="bt">标题</label><input id="bt" name="bt"></div>
<div><label>内容</label><div class="w-e-text-container"><div id="ed" contenteditable="true" style="min-height:120px;width:500px"><p><br></p></div></div></div>
<input type="hidden" name="content"><button type="submit">提交</button></form>`,
            ),
          );
        case '/countdown':
          return send(
            200,
            page(
              '网上咨询须知',
              `<ol><li>请如实反映问题。</li><li>我们将在5个工作日内答复。</li></ol><button id="ok" disabled onclick="location.href='/countdown/form'">请仔细阅读须知（<span id="sec">2</span>秒）</button> <button onclick="history.back()">不同意</button>
<script>var s=2;var t=setInterval(function(){s--;document.getElementById('sec').innerText=s;if(s<=0){clearInterval(t);var b=document.getElementById('ok');b.disabled=false;b.innerText='同意并继续';}},500);</script>`,
            ),
          );
        case '/countdown/form':
          return send(200, page('网上咨询', smallForm('/countdown/save')));
        case '/odd-captcha':
          return send(200, page('咨询投诉', smallForm('/odd-captcha/save', '<tr><td>请输入图片中的字符</td><td><input name="checkWord" class="required"> <img src="/ValidateCode.aspx" alt="看不清？换一张"></td></tr>')));
        case '/sms-code':
          return send(200, page('我要咨询', smallForm('/sms-code/save', '<tr><td>验证码</td><td><input name="yzm"> <input type="button" value="获取验证码"></td></tr>')));
        case '/modal-agree':
          // c26: a 来信须知 modal over a visible form; the form refuses (alert) until its 我已阅读并同意 is clicked
          return send(
            200,
            page(
              '书记信箱',
              refusingForm('/modal-agree/save') +
                `<div id="mask" style="position:fixed;inset:0;background:rgba(0,0,0,.5)"></div><div id="dlg" style="position:fixed;top:15%;left:30%;width:480px;background:#fff;padding:20px"><h4>来信须知</h4><p>一、来信请遵守法律法规。二、我们将在5个工作日内答复。</p>
<p><a href="javascript:void(0)" onclick="window.agreed=true;document.getElementById('mask').style.display='none';document.getElementById('dlg').style.display='none';">我已阅读并同意</a></p></div>`,
            ),
          );
        case '/modal-box':
          // the same with a 同意 box and a 确定 button in the dialog (确定 refuses until the box is ticked)
          return send(
            200,
            page(
              '书记信箱',
              refusingForm('/modal-box/save') +
                `<div id="dlg" role="dialog" style="position:fixed;top:15%;left:30%;width:480px;background:#fff;padding:20px"><h4>来信须知</h4><p>来信请遵守法律法规。</p>
<p><label><input type="checkbox" id="ok">我已阅读并同意以上须知</label></p><p><button type="button" onclick="if(document.getElementById('ok').checked){window.agreed=true;document.getElementById('dlg').style.display='none';}">确定</button></p></div>`,
            ),
          );
        case '/refuse-alert':
          // the page refuses every submission itself (its 须知 flag is set by nothing we can see); an image the
          // evidence reloads
          return send(
            200,
            page('书记信箱', '<img src="/logo.png" width="80" height="20">' + refusingForm('/refuse-alert/save')),
          );
        case '/native-invalid':
          // a required field whose pattern the '无' fallback does not meet: the browser's own check blocks the POST
          return send(200, page('在线咨询', smallForm('/native-invalid/save', '<tr><td>备注</td><td><input name="bz" required pattern="[0-9]{6}"></td></tr>')));
        case '/jsonp':
          // the letter goes out as a JSONP GET
          return send(
            200,
            page(
              '网上咨询',
              `<div><p>姓名 <input id="xm"></p><p>电话 <input id="dh"></p><p>标题 <input id="bt"></p><p>内容 <textarea id="nr"></textarea></p><a href="javascript:void(0)" onclick="send()">提交</a></div>
<script>function cb(r){if(r.success)alert('提交成功！查询码：'+r.cxm);}function send(){var s=document.createElement('script');s.src='/jsonp/save?callback=cb&bt='+encodeURIComponent(bt.value)+'&nr='+encodeURIComponent(nr.value);document.body.appendChild(s);}</script>`,
            ),
          );
        case '/beacon':
          // the letter goes out as an image GET and the page says nothing
          return send(
            200,
            page(
              '网上咨询',
              `<div><p>姓名 <input id="xm"></p><p>标题 <input id="bt"></p><p>内容 <textarea id="nr"></textarea></p><a href="javascript:void(0)" onclick="new Image().src='/beacon/save?bt='+encodeURIComponent(bt.value)+'&nr='+encodeURIComponent(nr.value)">提交</a></div>`,
            ),
          );
        case '/form-in-layer':
          // the letter form itself sits in a fixed layer, with its 我已阅读并同意 box and an AJAX 确定 link: not a
          // 须知 over the form (its 确定 is never pressed before the letter is filled)
          return send(
            200,
            page(
              '在线咨询',
              `<div class="layui-layer" style="position:fixed;top:5%;left:20%;width:640px;background:#fff;padding:16px"><div id="zx">
<p>姓名 <input id="xm"></p><p>标题 <input id="bt"></p><p>内容 <textarea id="nr"></textarea></p>
<p><label><input type="checkbox" id="ty">我已阅读并同意《留言须知》</label></p>
<p><a href="javascript:void(0)" onclick="save()">确定</a> <a href="javascript:void(0)">取消</a></p></div></div>
<script>function save(){if(!ty.checked){alert('请先阅读并同意留言须知');return;}fetch('/form-in-layer/save',{method:'POST',headers:{'Content-Type':'application/x-www-form-urlencoded'},body:'xm='+encodeURIComponent(xm.value)+'&bt='+encodeURIComponent(bt.value)+'&nr='+encodeURIComponent(nr.value)}).then(function(r){return r.json()}).then(function(r){alert('提交成功！查询码：'+r.cxm);});}</script>`,
            ),
          );
        case '/header-login':
          // c16: the header's 用户名/密码/登录 outside any <form>; the letter form has no <form> either (AJAX, a <div onclick> 提 交)
          return send(
            200,
            `<!DOCTYPE html><html><head><meta charset="utf-8"><title>我要留言</title></head><body>
<div class="top">某某市人民政府 <span class="loginbox">用户名 <input type="text" id="loginName" style="width:90px"> 密码 <input type="password" id="loginPwd" style="width:90px"> <a href="javascript:doLogin()">登录</a> <a href="#">注册</a></span></div>
<div class="main"><h3>我要留言</h3><div class="lyform"><table>
<tr><td>留言人</td><td><input type="text" id="lyr"></td></tr><tr><td>联系电话</td><td><input type="text" id="lxdh"></td></tr>
<tr><td>留言标题</td><td><input type="text" id="lybt"></td></tr><tr><td>留言内容</td><td><textarea id="lynr"></textarea></td></tr></table>
<div style="text-align:center"><div class="btn-submit" onclick="saveMsg()" style="display:inline-block;padding:6px 30px;cursor:pointer">提 交</div></div></div>
<script>function doLogin(){alert('登录失败');}
function saveMsg(){var v=function(i){return document.getElementById(i).value};if(!v('lyr')||!v('lynr')){alert('请填写完整');return;}
var x=new XMLHttpRequest();x.open('POST','/header-login/saveMsg.do');x.setRequestHeader('Content-Type','application/x-www-form-urlencoded');
x.onload=function(){var r=JSON.parse(x.responseText);if(r.success){alert('提交成功！您的查询码为：'+r.data.queryCode);}else alert(r.message);};
x.send('lyr='+encodeURIComponent(v('lyr'))+'&lxdh='+encodeURIComponent(v('lxdh'))+'&lybt='+encodeURIComponent(v('lybt'))+'&lynr='+encodeURIComponent(v('lynr'))+'&loginName='+encodeURIComponent(v('loginName')));}</script></div></body></html>`,
          );
        case '/cascade':
          // c20: 承办部门 gets its options by script 300 ms after the 区县 is chosen; both required
          return send(
            200,
            page(
              '书记市长信箱',
              `<form action="/cascade/save" method="post"><table>
<tr><td>*所属区县</td><td><select name="qx" required onchange="loadBm(this.value)"><option value="">请选择区县</option><option value="610102">新城区</option><option value="610103">碑林区</option></select></td></tr>
<tr><td>*承办部门</td><td><select name="bm" id="bm" required><option value="">请先选择区县</option></select></td></tr>
<tr><td>*姓名</td><td><input name="xm" required></td></tr><tr><td>*手机</td><td><input name="sj" required></td></tr>
<tr><td>*标题</td><td><input name="bt" required></td></tr><tr><td>*内容</td><td><textarea name="nr" required></textarea></td></tr>
<tr><td colspan="2"><input type="submit" value="提交"></td></tr></table></form>
<script>function loadBm(q){var s=document.getElementById('bm');s.innerHTML='<option value="">加载中…</option>';setTimeout(function(){s.innerHTML='<option value="">请选择部门</option><option value="'+q+'01">区政府办公室</option><option value="'+q+'02">区人社局</option>';},300);}</script>`,
            ),
          );
        case '/title-hint':
          // c07: the title's limit only as a hint after the field, and a JS check
          return send(
            200,
            page(
              '在线咨询',
              smallForm('/title-hint/save')
                .replace('<input name="bt">', '<input name="bt"> <span class="tip">（限10字以内）</span>')
                .replace('<form ', `<form onsubmit="if(this.bt.value.length>10){alert('标题不能超过10个字！');return false;}return true;" `),
            ),
          );
        case '/ValidateCode.aspx':
          res.writeHead(200, { 'content-type': 'image/gif' });
          return res.end(Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64'));
        case '/captcha.jpg':
          res.writeHead(200, { 'content-type': 'image/gif' });
          return res.end(Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64'));
        default:
          return send(404, page('404', 'not found'));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  otherOrigin = `http://localhost:${port}`;
  return {
    origin,
    otherOrigin,
    url: (p) => `${origin}${p}`,
    posts: (p) => (p ? posts.filter((x) => x.path === p) : [...posts]),
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections(); // the never-answered requests
      }),
  };
}

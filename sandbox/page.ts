/** The look of a Chinese government portal: red banner, nav bar, breadcrumb, footer with 网站标识码 and 备案号. */
import { esc } from './util.ts';

export interface Chrome {
  siteName: string;
  office: string;
  /** Site prefix, e.g. /s/xa; links are built from it. */
  base: string;
  siteCode?: string;
  /** [text, href] of the nav link to the consultation column. */
  consultNav: [string, string];
  /** [text, href] of the nav link to the column's public reply list (信件公开/留言选登…), as real portals have. */
  listNav?: [string, string];
  charset?: 'utf-8' | 'gbk';
}

const CSS = `body{margin:0;font:14px/1.7 "Microsoft YaHei","SimSun",sans-serif;color:#333;background:#f3f3f3}
.top{background:#b60000;color:#fff;padding:18px 40px}.top h1{margin:0;font-size:28px;letter-spacing:2px}
.top .sub{font-size:12px;opacity:.85}.nav{background:#8f0000}.nav a{display:inline-block;color:#fff;padding:8px 22px;text-decoration:none}
.nav a:hover{background:#c41d1d}.main{width:1000px;margin:14px auto;background:#fff;padding:18px 26px;min-height:360px}
.crumb{color:#888;font-size:12px;border-bottom:1px solid #e5e5e5;margin-bottom:12px}.crumb a{color:#888}
.foot{text-align:center;color:#666;font-size:12px;padding:16px;border-top:3px solid #b60000;background:#fff}
table.form-table{width:100%;border-collapse:collapse}table.form-table td{border:1px solid #dcdcdc;padding:8px}
td.lbl{width:140px;background:#f7f7f7;text-align:right}.red{color:#d00}.form-item{margin:10px 0}.form-item label{display:inline-block;width:110px}
input[type=text],input[type=tel],input[type=email],select{width:300px;height:26px}textarea{width:600px;height:160px}
.btn{background:#b60000;color:#fff;border:0;padding:6px 26px;cursor:pointer}.tip{color:#999;font-size:12px}
table.list{width:100%;border-collapse:collapse}table.list th,table.list td{border:1px solid #e1e1e1;padding:6px}table.list th{background:#f5f5f5}
.modal-mask{position:fixed;inset:0;background:rgba(0,0,0,.45);display:none}.modal{width:420px;margin:160px auto;background:#fff;padding:24px}
.ok{color:#1a7f1a;font-size:20px}.err{color:#d00;font-size:18px}`;

export function page(c: Chrome, title: string, body: string, extraHead = ''): string {
  const charset = c.charset ?? 'utf-8';
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="${charset === 'gbk' ? 'gbk' : 'utf-8'}">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<meta name="SiteName" content="${esc(c.siteName)}">
${c.siteCode ? `<meta name="SiteIDCode" content="${esc(c.siteCode)}">` : ''}
<title>${esc(title)}_${esc(c.siteName)}</title>
<style>${CSS}</style>
${extraHead}
</head>
<body>
<div class="top"><h1>${esc(c.siteName.replace(/(门户)?网站$/, ''))}</h1><div class="sub">${esc(c.office)}主办</div></div>
<div class="nav"><a href="${c.base}/">首页</a><a href="${c.base}/zwgk/">政务公开</a><a href="${c.base}/zwfw/">政务服务</a><a href="${esc(c.consultNav[1])}">${esc(c.consultNav[0])}</a>${c.listNav ? `<a href="${esc(c.listNav[1])}">${esc(c.listNav[0])}</a>` : ''}<a href="${c.base}/zjwm/">走进我们</a></div>
<div class="main">
<div class="crumb">当前位置：<a href="${c.base}/">首页</a> &gt; ${esc(title)}</div>
${body}
</div>
<div class="foot">主办单位：${esc(c.office)}　网站标识码：${esc(c.siteCode ?? '')}<br>陕ICP备05004887号　<img alt="" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="1" height="1"> 陕公网安备 61010402000123号<br>建议使用1280×1024分辨率、IE9以上浏览器浏览本站</div>
</body>
</html>`;
}

/** A bare page (iframe content, 12345 platform, SSO) without the portal chrome. */
export function barePage(title: string, body: string, charset: 'utf-8' | 'gbk' = 'utf-8', extraHead = ''): string {
  return `<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="${charset}"><title>${esc(title)}</title><style>${CSS}</style>${extraHead}</head>
<body><div class="main">${body}</div></body></html>`;
}

export function homeBody(c: Chrome): string {
  const news = ['关于做好2026年春节期间有关工作的通知', '政府工作报告（全文）', '关于公开征求《城市管理条例（草案）》意见的公告', '2026年第一季度政府网站检查情况通报', '优化营商环境若干措施政策解读'];
  return `<h2>要闻动态</h2><ul>${news.map((n, i) => `<li><a href="${c.base}/zwgk/${i + 1}.html">${esc(n)}</a></li>`).join('')}</ul>
<h2>互动交流</h2><p><a class="consult" href="${esc(c.consultNav[1])}">${esc(c.consultNav[0])}</a>　<a href="${c.base}/zwgk/">网上调查</a>　<a href="${c.base}/zwgk/">征集调查</a></p>`;
}

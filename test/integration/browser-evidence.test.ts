/**
 * The evidence screenshot is the FULL page at 1280 px wide, whichever capture path is taken: a page that fits
 * in the 1280×900 viewport is captured as the viewport (no resize), a longer page at its whole height.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserSubmitter } from '../../shared/adapters/browser/submitter.ts';
import { FsObjectStore } from '../../shared/adapters/object-store-fs.ts';

let server: Server;
let base: string;
let dir: string;
let objects: FsObjectStore;
let submitter: BrowserSubmitter;
const posts: string[] = [];

const form = (extra: string) => `<!doctype html><html><head><meta charset="utf-8"><title>我要咨询</title></head><body>
<h1>我要咨询</h1>${extra}
<form method="post" action="/send">
  <p>姓名：<input name="xm"></p><p>联系电话：<input name="dh"></p><p>标题：<input name="bt"></p>
  <p>内容：<textarea name="nr" rows="6" cols="60"></textarea></p><p><input type="submit" value="提交"></p>
</form></body></html>`;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.method === 'POST') posts.push(req.url ?? '');
    res.setHeader('content-type', 'text/html; charset=utf-8');
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/long') return res.end(form(Array.from({ length: 80 }, (_, i) => `<p>留言须知第${i + 1}条：请如实填写。</p>`).join('')));
    return res.end(form('<p>留言须知：请如实填写。</p>'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = await mkdtemp(join(tmpdir(), 'huixin-evidence-'));
  objects = new FsObjectStore(dir);
  submitter = await BrowserSubmitter.launch(objects, { pages: 2, allowPrivateHosts: true });
}, 60_000);

afterAll(async () => {
  await submitter?.close();
  await new Promise((r) => server?.close(r));
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function pngSize(key: string): Promise<{ width: number; height: number }> {
  const png = await readFile(objects.locate(key));
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

const content = { name: '李静', phone: '13912345678', email: 'l01@reply.example.cn', title: '社保卡丢失后如何补办？', body: '您好，我的社保卡丢了，请问如何补办，需要什么材料？' };

describe('evidence screenshot size', () => {
  it('a page that fits in the viewport: 1280×900', async () => {
    const r = await submitter.submit({ url: `${base}/short`, content, dryRun: true, evidencePrefix: 'short' });
    expect(r.outcome).toBe('ready');
    expect(r.evidence.screenshot?.key).toBe('short/screenshot.png');
    expect(await pngSize('short/screenshot.png')).toEqual({ width: 1280, height: 900 });
  });

  it('a page longer than the viewport: 1280 wide and its whole height', async () => {
    const r = await submitter.submit({ url: `${base}/long`, content, dryRun: true, evidencePrefix: 'long' });
    expect(r.outcome).toBe('ready');
    const size = await pngSize('long/screenshot.png');
    expect(size.width).toBe(1280);
    expect(size.height).toBeGreaterThan(2000);
    expect(posts).toEqual([]); // dry runs never POST
  });
});

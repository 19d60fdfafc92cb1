/**
 * The in-page reading of a form (EXTRACT_JS in real Chromium, then the pure planner): how common government-site
 * UI libraries mark a field as required — layui's lay-verify, Validform's datatype/nullmsg, Element UI's
 * is-required form item, easyui's data-options, a red * after the control — so a required 身份证号 or 性别 gates
 * the letter instead of a submission the site refuses. No server: each page is set as content.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'puppeteer-core';
import { launchBrowser } from '../../shared/adapters/browser/launch.ts';
import { EXTRACT_JS } from '../../shared/adapters/browser/page-scripts.ts';
import type { FieldDescriptor } from '../../shared/domain/forms/descriptor.ts';
import { planForm } from '../../shared/domain/forms/plan.ts';

const content = { name: '王伟', phone: '13812345678', email: 'l1@reply.example.cn', title: '办理居住证需要哪些材料？', body: '您好，请问办理居住证需要哪些材料？去哪里办理？谢谢。' };

let browser: Browser;
let page: Page;
beforeAll(async () => {
  browser = await launchBrowser({ allowPrivateHosts: true }); // test servers on 127.0.0.1
  page = await browser.newPage();
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

async function fieldsOf(html: string): Promise<FieldDescriptor[]> {
  await page.setContent(`<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>${html}</body></html>`);
  const r = await page.evaluate(`${EXTRACT_JS}(0)`);
  return (r as { fields: FieldDescriptor[] }).fields;
}
const byName = (fields: FieldDescriptor[], name: string) => fields.find((f) => f.name === name)!;

describe('required fields as UI libraries mark them', () => {
  it('layui lay-verify="required", Validform datatype/nullmsg, easyui required:true, data-rule required are required; lay-verify="" or an optional datatype is not', async () => {
    const fields = await fieldsOf(`<form class="layui-form">
      <div class="layui-form-item"><label class="layui-form-label">身份证号</label><div class="layui-input-block"><input name="sfzh" lay-verify="required|identity" class="layui-input"></div></div>
      <div class="layui-form-item"><label class="layui-form-label">邮编</label><div class="layui-input-block"><input name="yb" lay-verify="" class="layui-input"></div></div>
      <p>年龄 <input name="age" datatype="n1-3" nullmsg="请填写年龄"></p>
      <p>职业 <input name="job" datatype="*" ignore="ignore"></p>
      <p>民族 <input name="mz" class="easyui-validatebox" data-options="required:true"></p>
      <p>籍贯 <input name="jiguan" data-rule="籍贯: required"></p>
      <p>留言内容 <textarea name="nr"></textarea></p></form>`);
    expect(byName(fields, 'sfzh').required).toBe(true);
    expect(byName(fields, 'yb').required).toBe(false);
    expect(byName(fields, 'age').required).toBe(true);
    expect(byName(fields, 'job').required).toBe(false);
    expect(byName(fields, 'mz').required).toBe(true);
    expect(byName(fields, 'jiguan').required).toBe(true);
    expect(planForm(fields, content)!.gates.sort()).toEqual(['login', 'personal']);
  });

  it('an Element UI form item marked is-required (its * drawn by CSS) is required; a red * right after the control too', async () => {
    const fields = await fieldsOf(`<form class="el-form">
      <div class="el-form-item is-required"><label class="el-form-item__label">性别</label><div class="el-form-item__content">
        <label class="el-radio"><input type="radio" name="xb" value="1"><span>男</span></label><label class="el-radio"><input type="radio" name="xb" value="2"><span>女</span></label></div></div>
      <div class="el-form-item"><label class="el-form-item__label">职业</label><div class="el-form-item__content"><div class="el-input"><input name="zhiye" class="el-input__inner"></div></div></div>
      <table><tr><td>证件号码</td><td><input name="zjhm"> <font color="red">*</font></td></tr></table>
      <div class="el-form-item is-required"><label class="el-form-item__label">留言内容</label><div class="el-form-item__content"><textarea name="content"></textarea></div></div></form>`);
    expect(byName(fields, 'xb').required).toBe(true);
    expect(byName(fields, 'zhiye').required).toBe(false);
    expect(byName(fields, 'zjhm').required).toBe(true);
    expect(planForm(fields, content)!.gates.sort()).toEqual(['login', 'personal']);
  });

  it('a body minlength the site sets is read (a question shorter than it gates)', async () => {
    const fields = await fieldsOf(`<form><p>留言内容 <textarea name="nr" minlength="100"></textarea></p></form>`);
    expect(byName(fields, 'nr').minLength).toBe(100);
    expect(planForm(fields, content)!.gates).toEqual(['body-too-short']);
  });
});

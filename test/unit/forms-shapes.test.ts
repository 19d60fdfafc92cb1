/**
 * Shapes of real Chinese government consultation forms a review tried against the pure form functions: personal
 * details we hold no value for (性别, 年龄, 职业, 民族), a body minimum stated by the site, slider captchas in their
 * usual words, and home-page links that are not the consultation column (我要投诉, 网站纠错, 依申请公开).
 */
import { describe, expect, it } from 'vitest';
import { chooseOption, classifyField, hintedMinLength } from '../../shared/domain/forms/classify.ts';
import type { FieldDescriptor } from '../../shared/domain/forms/descriptor.ts';
import { rankConsultLinks } from '../../shared/domain/forms/discover.ts';
import { looksLikeInteractiveCaptcha } from '../../shared/domain/forms/outcome.ts';
import { planForm } from '../../shared/domain/forms/plan.ts';
import { reasonText } from '../../shared/domain/reasons.ts';

let n = 0;
function field(p: Partial<FieldDescriptor>): FieldDescriptor {
  return { key: `s${n++}`, frame: 0, tag: 'input', type: 'text', name: '', id: '', placeholder: '', label: '', nearText: '', text: '', title: '', action: '', required: false, visible: true, form: 0, ...p };
}
const content = { name: '王伟', phone: '13812345678', email: 'l1@reply.example.cn', title: '办理居住证需要哪些材料？', body: '您好，请问办理居住证需要哪些材料？去哪里办理？谢谢。' };
const body = () => field({ tag: 'textarea', type: '', nearText: '留言内容' });
const radios = (nearText: string, required: boolean, ...texts: string[]) =>
  field({ type: 'radio', nearText, required, options: texts.map((text, i) => ({ value: `o${n}-${i}`, text })) });
const select = (nearText: string, required: boolean, ...texts: string[]) =>
  field({ tag: 'select', type: '', nearText, required, options: [{ value: '', text: '请选择' }, ...texts.map((text, i) => ({ value: String(i + 1), text }))] });

describe('personal details we hold no value for are never made up', () => {
  it('性别, 年龄, 职业, 民族, 出生日期, 学历, 政治面貌 are personal details, by label or pinyin name', () => {
    expect(classifyField(radios('性别', true, '男', '女'))).toBe('personal');
    expect(classifyField(field({ nearText: '年龄' }))).toBe('personal');
    expect(classifyField(field({ name: 'nl' }))).toBe('personal');
    expect(classifyField(select('职业', true, '公务员', '企业职工'))).toBe('personal');
    expect(classifyField(select('民族', true, '汉族', '回族'))).toBe('personal');
    expect(classifyField(field({ placeholder: '出生日期' }))).toBe('personal');
    expect(classifyField(select('文化程度', true, '本科', '大专'))).toBe('personal');
    expect(classifyField(select('政治面貌', true, '群众', '党员'))).toBe('personal');
    // not personal: the unit the letter goes to, and the writer's 工作单位 (free text, '无' is honest)
    expect(classifyField(select('受理单位', true, '市教育局'))).toBe('unit');
  });

  it('a required 性别 radio with no neutral answer gates the letter for staff (never 男 by default)', () => {
    const sex = radios('性别', true, '男', '女');
    const plan = planForm([field({ nearText: '姓名' }), sex, body()], content)!;
    expect(plan.gates).toEqual(['personal']);
    expect(plan.actions.some((a) => a.key === sex.key)).toBe(false);
    expect(reasonText('personal')).toMatch(/性别|个人信息/);
  });

  it('a required 年龄 text field gates (never 无, never a guessed number)', () => {
    const age = field({ nearText: '年龄', required: true });
    const plan = planForm([age, body()], content)!;
    expect(plan.gates).toEqual(['personal']);
    expect(plan.actions.some((a) => a.key === age.key)).toBe(false);
  });

  it('a required choice that offers a neutral answer (保密, 其他, 不详) gets it, and the letter goes on', () => {
    const job = select('职业', true, '公务员', '企业职工', '其他');
    const sex = radios('性别', true, '男', '女', '保密');
    const plan = planForm([job, sex, body()], content)!;
    expect(plan.gates).toEqual([]);
    expect(plan.actions.find((a) => a.key === job.key)?.value).toBe('3');
    expect(plan.actions.find((a) => a.key === sex.key)?.value).toBe(sex.options![2]!.value);
  });

  it('an optional personal detail is left alone', () => {
    const sex = radios('性别', false, '男', '女');
    const age = field({ nearText: '年龄' });
    const plan = planForm([sex, age, body()], content)!;
    expect(plan.gates).toEqual([]);
    expect(plan.actions.some((a) => a.key === sex.key || a.key === age.key)).toBe(false);
  });

  it('an unknown required select still gets its first real option, an unknown required text 无 (as before)', () => {
    const other = select('所属区域', true, '城区', '郊区');
    const plan = planForm([other, field({ nearText: '工作单位', required: true }), body()], content)!;
    expect(plan.actions.find((a) => a.key === other.key)?.value).toBe('1');
    expect(plan.actions.map((a) => a.value)).toContain('无');
  });
});

describe('a body minimum stated by the site', () => {
  it('reads 不少于/至少/最少 N 字, N 字以上 and the low end of N-M 字; a maximum alone is no minimum', () => {
    expect(hintedMinLength(field({ hint: '（内容不少于50字）' }))).toBe(50);
    expect(hintedMinLength(field({ placeholder: '请详细描述您的问题，至少20个字' }))).toBe(20);
    expect(hintedMinLength(field({ nearText: '留言内容（最少10个汉字）' }))).toBe(10);
    expect(hintedMinLength(field({ hint: '60字以上' }))).toBe(60);
    expect(hintedMinLength(field({ hint: '请输入20-500字' }))).toBe(20);
    expect(hintedMinLength(field({ hint: '限500字以内' }))).toBeUndefined();
    expect(hintedMinLength(field({ minLength: 15 }))).toBe(15);
  });

  it('a body shorter than the minimum gates the letter (staff write more) instead of a refused submission', () => {
    const short = field({ tag: 'textarea', type: '', nearText: '留言内容', hint: '（不少于100字）' });
    const plan = planForm([short], content)!;
    expect(plan.gates).toEqual(['body-too-short']);
    expect(reasonText('body-too-short')).toMatch(/字数/);
    const ok = field({ tag: 'textarea', type: '', nearText: '留言内容', hint: '（不少于10字）', minLength: 10 });
    expect(planForm([ok], content)!.gates).toEqual([]);
  });
});

describe('slider captchas in their usual words', () => {
  it.each(['请完成滑块验证', '拖动下方滑块完成拼图', '请向右拖动滑块', '滑动滑块完成验证', '请拖动滑块填充拼图'])('%s', (t) => expect(looksLikeInteractiveCaptcha(t)).toBe(true));
  it('a page that merely says 验证 is not a slider', () => expect(looksLikeInteractiveCaptcha('请输入验证码')).toBe(false));
});

describe('discovery: the consultation column, not the complaint, error-report or disclosure channels', () => {
  const base = 'https://www.example.gov.cn/';
  it.each([
    ['我要写信', '/jact/front/mailwrite.do?sysid=1'],
    ['我要咨询', '/hdjl/zx/write.html'],
    ['政民互动', '/zmhd/'],
    ['领导信箱', '/ldxx/'],
    ['12345', 'https://12345.example.gov.cn/'],
    ['互动交流', '/hdjl/'],
  ])('%s is a candidate, ahead of 我要投诉 / 网站纠错 / 找错 / 依申请公开 in the same 互动 section', (text, href) => {
    const ranked = rankConsultLinks(
      [
        { text: '我要投诉', href: '/hdjl/ts/write.html' },
        { text: '网站纠错', href: '/hdjl/jiucuo.html' },
        { text: '我来找错', href: '/zmhd/zhaocuo' },
        { text: '依申请公开', href: '/zmhd/ysqgk/' },
        { text, href },
      ],
      base,
    );
    expect(ranked).toEqual([new URL(href, base).href]);
  });
});

describe('the letter type is never a complaint in the tester’s name', () => {
  it('咨询, else 求助/建议, else a neutral kind (其他), else the first kind that is no 投诉/举报/表扬', () => {
    const opts = (...t: string[]) => t.map((text, i) => ({ value: String(i), text }));
    expect(chooseOption('type', opts('请选择', '投诉', '举报', '其他'))?.text).toBe('其他');
    expect(chooseOption('type', opts('投诉', '求助'))?.text).toBe('求助');
    expect(chooseOption('type', opts('投诉', '教育', '交通'))?.text).toBe('教育'); // topics, not kinds: the first that is no complaint
    expect(chooseOption('type', opts('请选择', '投诉', '举报', '表扬'))).toBeUndefined();
  });

  it('a required 留言类型 that offers only 投诉/举报/表扬 gates the letter for staff; an optional one is left alone', () => {
    const kinds = select('留言类型', true, '投诉', '举报', '表扬');
    const plan = planForm([field({ nearText: '姓名' }), kinds, body()], content)!;
    expect(plan.gates).toEqual(['no-consult-type']);
    expect(plan.actions.some((a) => a.key === kinds.key)).toBe(false);
    expect(reasonText('no-consult-type')).toMatch(/投诉/);
    const optional = select('留言类型', false, '投诉', '举报');
    const open = planForm([field({ nearText: '姓名' }), optional, body()], content)!;
    expect(open.gates).toEqual([]);
    expect(open.actions.some((a) => a.key === optional.key)).toBe(false);
    // with 咨询 among them, 咨询 it is
    const mixed = radios('信件类型', true, '投诉', '咨询', '举报');
    expect(planForm([field({ nearText: '姓名' }), mixed, body()], content)!.actions.find((a) => a.key === mixed.key)?.value).toBe(mixed.options![1]!.value);
  });
});

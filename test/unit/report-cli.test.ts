import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { handMadeCampaign } from './report-fixture.ts';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');

async function huixin(args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/huixin.js', 'report', ...args], {
      cwd: root,
      env: { ...process.env, HUIXIN_CALENDAR_FILES: '' },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

// Each run starts the real CLI (tsx + Node 22): seconds each on a shared 2-core machine.
describe('huixin report (the real CLI)', { timeout: 180_000 }, () => {
  it('build → verify (exit 0) → publish twice (v1, v2) → --previous feeds the trend → tamper a CSV number (verify exit 1, named)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'huixin-report-cli-'));
    const input = path.join(dir, 'in.json');
    await writeFile(input, JSON.stringify(handMadeCampaign()));
    const out = path.join(dir, 'draft');
    const b = await huixin(['build', '--input', input, '--out', out]);
    expect(b.code).toBe(0);
    expect(JSON.parse(b.stdout)).toMatchObject({ sitesTested: 9, onTime: 5, late: 1, noReply: 2, unavailable: 1, allSameDay: 1 });
    expect((await readdir(out)).sort()).toEqual(['input.json', 'letters.csv', 'method.json', 'report.csv', 'report.html', 'report.xlsx', 'summary.json']);

    const ok = await huixin(['verify', out]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^OK /);

    const pub = path.join(dir, 'published');
    expect((await huixin(['publish', out, '--to', pub])).code).toBe(0);
    expect(JSON.parse((await huixin(['publish', out, '--to', pub])).stdout)).toMatchObject({ version: 2 });
    expect((await readdir(pub)).sort()).toEqual(['v1', 'v2']);

    // the next quarter's draft carries this one in its trend
    const next = path.join(dir, 'next');
    expect((await huixin(['build', '--input', input, '--out', next, '--previous', path.join(pub, 'v1')])).code).toBe(0);
    const trend = JSON.parse(await readFile(path.join(next, 'summary.json'), 'utf8')).trend;
    expect(trend.map((t: { name: string; onTime: number }) => [t.name, t.onTime])).toEqual([
      ['2025年第四季度', 4],
      ['2026年第一季度', 5],
      ['2026年第一季度', 5],
    ]);

    const letters = path.join(out, 'letters.csv');
    const text = await readFile(letters, 'utf8');
    // the reply time in working days of 陕西省发展和改革委员会's second letter: 1 → 3
    await writeFile(letters, text.replace(/(陕西省发展和改革委员会,6100000002,省级部门,西安,2,[^\r\n]*?,)1(,否,及时回复)/, '$13$2'));
    const bad = await huixin(['verify', out]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('DIFF letters.csv: row 5 column 回复用时（工作日）: expected "1", found "3"');
  });

  it('exits 2 with one clear line on bad input: a bad JSON path, a bad CSV row and column, no input', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'huixin-report-cli-'));
    const bad = handMadeCampaign() as unknown as { sites: Array<{ letters: Array<{ channel: string }> }> };
    bad.sites[2]!.letters[1]!.channel = 'maybe';
    await writeFile(path.join(dir, 'bad.json'), JSON.stringify(bad));
    const j = await huixin(['build', '--input', path.join(dir, 'bad.json'), '--out', path.join(dir, 'o')]);
    expect(j.code).toBe(2);
    expect(j.stderr.trim().split('\n')).toHaveLength(1);
    expect(j.stderr).toContain('$.sites[2].letters[1].channel');

    await writeFile(path.join(dir, 'bad.csv'), '网站名称,网站标识码,类别,第1次提交时间,第1次回复时间,第1次栏目可用\n甲,6100000001,省级部门,2026-03-02 10:00,not-a-time,是\n');
    const c = await huixin(['build', '--input', path.join(dir, 'bad.csv'), '--name', 'Q1', '--closed-at', '2026-03-31', '--out', path.join(dir, 'o')]);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/第2行 第1次回复时间: 不是有效的时间 \/ not a valid time: "not-a-time"/);
    expect(c.stderr).not.toMatch(/\n\s+at /);

    expect((await huixin(['build', '--out', path.join(dir, 'o')])).code).toBe(2);
    expect((await huixin(['verify', path.join(dir, 'nowhere')])).code).toBe(2);
  });
});

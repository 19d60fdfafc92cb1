import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const HEADER = ['网站名称', '网站标识码', '类别', '地区', '首页', '咨询栏目地址', '主管单位邮箱'];

let dir: string;
let dataDir: string;

function huixin(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, HUIXIN_DATA_DIR: dataDir };
  delete env.DYNAMODB_ENDPOINT;
  delete env.HUIXIN_STORE;
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(REPO, 'bin/huixin.js'), ...args], { cwd: dir, env }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'huixin-sites-cli-'));
  dataDir = path.join(dir, 'data');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Each CLI run starts Node + tsx + dynalite (~2 s, more on a loaded 2-core machine): give the file room.
describe('huixin sites (the real CLI, embedded store on disk)', { timeout: 240_000 }, () => {
  it('imports a good GBK CSV, then a good XLSX that updates one site and adds one; list shows them all', async () => {
    const csv = stringify([
      HEADER,
      ['陕西省人民政府', '6100000001', '省政府门户', '陕西省', 'http://www.shaanxi.gov.cn/', 'http://www.shaanxi.gov.cn/hd/', 'gk@shaanxi.gov.cn'],
      ['陕西省教育厅', '6100000002', '省级部门', '陕西省', 'http://jyt.shaanxi.gov.cn/', 'http://jyt.shaanxi.gov.cn/zx/', ''],
    ]);
    await writeFile(path.join(dir, 'a.csv'), iconv.encode(csv, 'gbk'));
    const a = await huixin('sites', 'import', 'a.csv');
    expect(a.stderr).toBe('');
    expect(a.code).toBe(0);
    expect(a.stdout).toContain('新增 2，更新 0');

    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Sheet1');
    ws.addRow(HEADER);
    ws.addRow(['陕西省教育厅（新）', 6100000002, '省级部门', '陕西省', 'http://jyt.shaanxi.gov.cn/', 'http://jyt.shaanxi.gov.cn/zx/']);
    ws.addRow(['西安市人民政府', 6101000003, '市县政府门户', '陕西省西安市', 'http://www.xa.gov.cn/', 'http://www.xa.gov.cn/hd/']);
    await wb.xlsx.writeFile(path.join(dir, 'b.xlsx'));

    const dry = await huixin('sites', 'import', 'b.xlsx', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('[dry-run]');
    expect(dry.stdout).toContain('新增 1，更新 1');

    const b = await huixin('sites', 'import', 'b.xlsx');
    expect(b.code).toBe(0);
    expect(b.stdout).toContain('新增 1，更新 1，未变 0');

    const list = await huixin('sites', 'list');
    expect(list.code).toBe(0);
    const lines = list.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^网站标识码\s+网站名称\s+类别\s+地区\s+咨询栏目地址$/);
    expect(lines.slice(2, 5).map((l) => l.split(/\s+/).slice(0, 2).join(' '))).toEqual([
      '6100000001 陕西省人民政府',
      '6100000002 陕西省教育厅（新）',
      '6101000003 西安市人民政府',
    ]);
    expect(lines.at(-1)).toContain('共 3 个站点');

    const json = await huixin('sites', 'list', '--json', '--category', '市县政府门户');
    expect(JSON.parse(json.stdout)).toEqual([
      {
        id: '6101000003',
        name: '西安市人民政府',
        category: '市县政府门户',
        region: '陕西省西安市',
        homeUrl: 'http://www.xa.gov.cn/',
        consultUrl: 'http://www.xa.gov.cn/hd/',
      },
    ]);
    const region = await huixin('sites', 'list', '--json', '--region', '西安');
    expect(JSON.parse(region.stdout).map((s: { id: string }) => s.id)).toEqual(['6101000003']);
  });

  it('rejects a bad file whole: exit 2, every bad row named, nothing changed', async () => {
    const csv = stringify([
      HEADER,
      ['宝鸡市人民政府', '6103000004', '市县政府门户', '陕西省宝鸡市', 'http://www.baoji.gov.cn/', 'http://www.baoji.gov.cn/hd/', ''],
      ['咸阳市人民政府', '61040000', '市县政府门户', '陕西省咸阳市', 'http://www.xianyang.gov.cn/', 'http://www.xianyang.gov.cn/hd/', ''],
      ['渭南市人民政府', '6105000006', '市级', '陕西省渭南市', 'www.weinan.gov.cn', 'http://www.weinan.gov.cn/hd/', 'not-an-email'],
    ]);
    await writeFile(path.join(dir, 'bad.csv'), '\ufeff' + csv);
    const r = await huixin('sites', 'import', 'bad.csv');
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n').slice(1)).toEqual([
      '第3行 网站标识码: "61040000" 不是10位数字或 bm 加8位数字',
      '第4行 类别: "市级" 不是已知类别（省政府门户/省级部门/市县政府门户/市县部门）',
      '第4行 首页: "www.weinan.gov.cn" 不是 http(s) 绝对地址',
      '第4行 主管单位邮箱: "not-an-email" 不是有效的邮箱地址',
    ]);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    const list = await huixin('sites', 'list', '--json');
    expect(JSON.parse(list.stdout).map((s: { id: string }) => s.id)).toEqual(['6100000001', '6100000002', '6101000003']);
  });

  it('bad input to the commands exits 2 with one line: a missing file, an unknown category', async () => {
    const missing = await huixin('sites', 'import', 'nope.csv');
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    const cat = await huixin('sites', 'list', '--category', '市级');
    expect(cat.code).toBe(2);
    expect(cat.stderr).toContain('unknown category');
  });
});

import { mkdtemp, readFile, readdir, stat, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { parse as parseCsv } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { loadCalendar } from '../../shared/adapters/calendar-source.ts';
import { buildReport, publishReport, verifyReport } from '../../shared/app/report.ts';
import { FolderPublisher } from '../../shared/adapters/report/publish-folder.ts';
import { sha256, tableCsv } from '../../shared/adapters/report/files.ts';
import { neutralise } from '../../shared/domain/report/tables.ts';
import { HOSTILE_CMD, HOSTILE_FORMULA, HOSTILE_HTML, handMadeCampaign } from './report-fixture.ts';

const calendar = loadCalendar({ env: {} });
const clock = { now: () => new Date('2026-04-01T01:00:00Z') };

async function draft(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'huixin-report-'));
  await buildReport(dir, { input: handMadeCampaign(), calendar, clock });
  return dir;
}

describe('report files', () => {
  it('neutralises text starting with = + - @ tab or CR and leaves other text alone', () => {
    for (const s of ['=1+1', '+cmd', '-2', '@SUM(A1)', '\tx', '\rx']) expect(neutralise(s)).toBe(`'${s}`);
    expect(neutralise('陕西省人民政府')).toBe('陕西省人民政府');
  });

  it('a cell with a line break stays one quoted cell: a hostile name cannot start a row of its own with a formula', () => {
    const hostile = "某市人民政府\n=cmd|'/C calc'!A0";
    const csv = tableCsv({ name: 't', header: ['网站名称', '地区'], rows: [[hostile, '陕西'], ['\r=1+1', '＝1']], widths: [] });
    expect(csv).toContain(`"${hostile}"`); // quoted: the line break is inside the cell
    const rows = parseCsv(csv, { bom: true }) as string[][];
    expect(rows).toEqual([['网站名称', '地区'], [hostile, '陕西'], ["'\r=1+1", "'＝1"]]);
  });

  it('writes CSVs in UTF-8 with a BOM, one row per site / per letter, with hostile names defused', async () => {
    const dir = await draft();
    const sites = await readFile(path.join(dir, 'report.csv'));
    const letters = await readFile(path.join(dir, 'letters.csv'));
    for (const buf of [sites, letters]) expect([...buf.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseCsv(sites.toString('utf8'), { bom: true }) as string[][];
    expect(rows).toHaveLength(11);
    const names = rows.slice(1).map((r) => r[1]!);
    expect(names).toContain(`'${HOSTILE_FORMULA}`);
    expect(names).toContain(`'${HOSTILE_CMD}`);
    for (const r of rows.slice(1)) for (const c of r) expect(c).not.toMatch(/^[=+\-@\t\r]/);
    const lrows = parseCsv(letters.toString('utf8'), { bom: true }) as string[][];
    expect(lrows).toHaveLength(21);
  });

  it('writes XLSX sheets 总体情况, 附件-网站, 附件-信件 with frozen header and hostile names as plain strings, never formulas', async () => {
    const dir = await draft();
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path.join(dir, 'report.xlsx'));
    expect(wb.worksheets.map((w) => w.name)).toEqual(['总体情况', '附件-网站', '附件-信件']);
    const ws = wb.getWorksheet('附件-网站')!;
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws.getRow(1).getCell(2).value).toBe('网站名称');
    expect(ws.getRow(1).font?.bold).toBe(true);
    const cells: ExcelJS.Cell[] = [];
    ws.eachRow((row, n) => {
      if (n > 1) cells.push(row.getCell(2));
    });
    const hostile = cells.filter((c) => String(c.value).includes('HYPERLINK') || String(c.value).includes('cmd'));
    expect(hostile).toHaveLength(2);
    for (const c of hostile) {
      expect(c.type).toBe(ExcelJS.ValueType.String);
      expect(c.formula).toBeUndefined();
      expect(String(c.value).startsWith("'")).toBe(true);
    }
    const overview = wb.getWorksheet('总体情况')!;
    expect(overview.getRow(2).values).toEqual([undefined, '合计', 9, 5, 1, 2, 1]);
  });

  it('escapes all text in the HTML, prints the 通报 sentences, the method and inline SVG charts', async () => {
    const dir = await draft();
    const html = await readFile(path.join(dir, 'report.html'), 'utf8');
    expect(html).not.toContain(HOSTILE_HTML);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('本次共检查网站9家，每家网站发送测试信件2封。5家网站及时回复，1家网站未及时回复，2家网站未回复，1家网站咨询留言栏目功能不可用。');
    expect(html).toContain('二、当日回复');
    expect(html).toContain('1家网站对测试信件全部实现当日回复，分别是：陕西省人民政府。');
    expect(html).toContain('三、存在的问题');
    expect(html).toContain('@page');
    expect(html).toContain('thead { display: table-header-group; }');
    expect(html).toContain('"Noto Sans SC"');
    expect(html).toContain('chinese-days@');
    expect(html).toContain('系统升级');
    expect(html.match(/<svg /g)?.length).toBeGreaterThanOrEqual(4);
    expect(html).not.toMatch(/<script/i);
    // attribute quoting survives the chart fonts
    expect(html).not.toMatch(/font-family:"/);
  });

  it('escapes hostile text inside the SVG charts too (region names are chart labels)', async () => {
    const input = handMadeCampaign();
    input.sites[0]!.region = '<img src=x onerror=alert(1)>';
    const dir = await mkdtemp(path.join(tmpdir(), 'huixin-report-'));
    await buildReport(dir, { input, calendar, clock });
    const html = await readFile(path.join(dir, 'report.html'), 'utf8');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});

describe('the 通报 wording and the JSON files', () => {
  it('prints every share with one decimal (50.0%, not 50%) and does not blame gating for a site whose channel was down in maintenance', async () => {
    const input = handMadeCampaign();
    const [a, , , d] = input.sites; // A: on time; D: no reply
    const t = (day: string) => `2026-03-${day}T10:00:00+08:00`;
    const down = { from: t('01'), to: t('20'), note: '系统升级' };
    input.sites = [
      a!,
      d!,
      { id: '6100000011', name: '汉中市人民政府', category: '市县政府门户', region: '汉中', letters: [1, 2].map((ordinal) => ({ ordinal, submittedAt: null, repliedAt: null, channel: 'unavailable' as const, maintenance: down })) },
    ];
    input.trend = [{ name: '2025年第四季度', sitesTested: 4, onTime: 2, late: 0, noReply: 2, unavailable: 0 }];
    const dir = await mkdtemp(path.join(tmpdir(), 'huixin-report-'));
    await buildReport(dir, { input, calendar, clock });
    const html = await readFile(path.join(dir, 'report.html'), 'utf8');
    expect(html).toContain('及时回复率50.0%，未及时回复0.0%，未回复50.0%，栏目不可用0.0%。');
    expect(html).toContain('与2025年第四季度（检查网站4家，及时回复率50.0%）相比，本次及时回复率为50.0%，');
    expect(html).not.toContain('均需人工提交且未提交');
    expect(html).toContain('另有1家网站没有可判定的信件（需人工提交的信件未提交，或栏目不可用时处于网站声明的维护期内），未计入上述统计。');
  });

  it('writes JSON files that stay inert inside a web page (no raw < > &), with the same values once parsed; the draft verifies and publishes', async () => {
    const input = handMadeCampaign();
    const hostile = '</script><script>alert(1)</script>&\u2028';
    input.campaign.name = hostile;
    const dir = await mkdtemp(path.join(tmpdir(), 'huixin-report-'));
    await buildReport(dir, { input, calendar, clock });
    for (const name of ['summary.json', 'input.json']) {
      const text = await readFile(path.join(dir, name), 'utf8');
      expect(text).not.toMatch(/[<>&\u2028]/);
      expect((JSON.parse(text) as { campaign: { name: string } }).campaign.name).toBe(hostile);
    }
    expect((await verifyReport(dir, calendar)).ok).toBe(true);
    const out = await mkdtemp(path.join(tmpdir(), 'huixin-published-'));
    await publishReport(dir, new FolderPublisher(out), { calendar, clock });
    const manifest = await readFile(path.join(out, 'v1', 'manifest.json'), 'utf8');
    expect(manifest).not.toMatch(/[<>]/);
  });
});

describe('report verify and publish', () => {
  it('verify passes on a fresh build', async () => {
    const dir = await draft();
    expect(await verifyReport(dir, calendar)).toEqual({ ok: true, differences: [] });
  });

  it('verify names each number that differs when summary.json is tampered with', async () => {
    const dir = await draft();
    const file = path.join(dir, 'summary.json');
    const s = JSON.parse(await readFile(file, 'utf8'));
    s.noReply = 1;
    s.allSameDay = [];
    await writeFile(file, JSON.stringify(s));
    const r = await verifyReport(dir, calendar);
    expect(r.ok).toBe(false);
    expect(r.differences).toContain('summary.json: noReply: expected 2, found 1');
    expect(r.differences.some((d) => d.startsWith('summary.json: allSameDay[0]'))).toBe(true);
  });

  it('verify names the row and column when a CSV cell is tampered with', async () => {
    const dir = await draft();
    const file = path.join(dir, 'report.csv');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('宝鸡市教育局,6100000004,市县部门,宝鸡', '宝鸡市教育局,6100000004,市县部门,西安'));
    const r = await verifyReport(dir, calendar);
    expect(r.ok).toBe(false);
    expect(r.differences).toEqual(['report.csv: row 5 column 地区: expected "宝鸡", found "西安"']);
  });

  it('publishing twice makes v1 and v2 (read-only), leaves v1 untouched, and the manifests match the files', async () => {
    const dir = await draft();
    const root = await mkdtemp(path.join(tmpdir(), 'huixin-published-'));
    const publisher = new FolderPublisher(root);
    const first = await publishReport(dir, publisher, { calendar, clock });
    const v1Before = await Promise.all((await readdir(path.join(root, 'v1'))).sort().map(async (n) => [n, sha256(await readFile(path.join(root, 'v1', n)))]));
    const second = await publishReport(dir, publisher, { calendar, clock });
    expect([first.version, second.version]).toEqual([1, 2]);
    expect((await readdir(root)).sort()).toEqual(['v1', 'v2']);
    const v1After = await Promise.all((await readdir(path.join(root, 'v1'))).sort().map(async (n) => [n, sha256(await readFile(path.join(root, 'v1', n)))]));
    expect(v1After).toEqual(v1Before);
    for (const v of ['v1', 'v2']) {
      const manifest = JSON.parse(await readFile(path.join(root, v, 'manifest.json'), 'utf8'));
      expect(manifest.files.map((f: { name: string }) => f.name)).toEqual(['input.json', 'letters.csv', 'method.json', 'report.csv', 'report.html', 'report.xlsx', 'summary.json']);
      for (const f of manifest.files) {
        const body = await readFile(path.join(root, v, f.name));
        expect(sha256(body)).toBe(f.sha256);
        expect((await stat(path.join(root, v, f.name))).mode & 0o222).toBe(0);
      }
    }
    await expect(publisher.write(1, [{ name: 'x.json', body: new Uint8Array(), contentType: 'application/json' }])).rejects.toThrow(/already exists/);
    // a tampered draft is refused
    await chmod(path.join(dir, 'summary.json'), 0o644);
    await writeFile(path.join(dir, 'summary.json'), '{}');
    await expect(publishReport(dir, publisher, { calendar, clock })).rejects.toThrow(/does not verify/);
  });
});

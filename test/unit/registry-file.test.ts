import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeText, readCsv, readRegistryFile, readXlsx } from '../../shared/adapters/registry-file.ts';
import { RegistryValidationError } from '../../shared/app/import-sites.ts';
import { validateRegistry, type RegistryProblem } from '../../shared/domain/registry.ts';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'registry');
const fixture = (name: string) => path.join(FIXTURES, name);

const CSV = [
  '网站名称,网站标识码,类别,地区,首页,咨询栏目地址,主管单位邮箱',
  '陕西省人民政府,6100000001,省政府门户,陕西省,http://www.shaanxi.gov.cn/,http://www.shaanxi.gov.cn/hd/,gk@shaanxi.gov.cn',
  '"西安市人民政府, 办公厅",6101000002,市县政府门户,陕西省西安市,http://www.xa.gov.cn/,http://www.xa.gov.cn/hd/zx.html,',
].join('\r\n');

describe('registry file reading', () => {
  it('reads UTF-8 CSV with and without a BOM into rows numbered like the spreadsheet', () => {
    for (const bytes of [Buffer.from(CSV, 'utf8'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(CSV, 'utf8')])]) {
      const t = readCsv(bytes);
      expect(t.header[0]).toBe('网站名称');
      expect(t.rows.map((r) => r.row)).toEqual([2, 3]);
      expect(t.rows[1]?.cells[0]).toBe('西安市人民政府, 办公厅');
    }
  });

  it('reads GBK and GB18030 CSV as saved by Excel in China (bytes that are not UTF-8)', () => {
    for (const enc of ['gbk', 'gb18030']) {
      const bytes = iconv.encode(CSV, enc);
      expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
      const r = validateRegistry(readCsv(bytes));
      expect(r.ok && r.sites.map((s) => s.name)).toEqual(['陕西省人民政府', '西安市人民政府, 办公厅']);
    }
    expect(decodeText(iconv.encode('㐀 (GB18030 four-byte)', 'gb18030'))).toBe('㐀 (GB18030 four-byte)');
  });

  it('reads the XLSX sheet with the header: numbers, rich text, hyperlinks and formulas become text; row numbers kept', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('名录');
    wb.addWorksheet('其他').addRow(['ignored']);
    ws.addRow(['网站名称', '网站标识码', '类别', '地区', '首页', '咨询栏目地址', '主管单位邮箱']);
    ws.addRow([
      { richText: [{ text: '陕西省' }, { font: { bold: true }, text: '人民政府' }] },
      6100000001, // typed as a number in Excel
      '省政府门户',
      { text: '陕西省', hyperlink: 'http://www.shaanxi.gov.cn/' }, // a linked name: the text shown is the value
      { text: 'http://www.shaanxi.gov.cn/', hyperlink: 'http://www.shaanxi.gov.cn/' },
      { text: 'http://www.shaanxi.gov.cn/hd/', hyperlink: 'http://www.shaanxi.gov.cn/hd/' },
      { formula: 'LOWER("GK@SHAANXI.GOV.CN")', result: 'gk@shaanxi.gov.cn' },
    ]);
    ws.addRow([]);
    ws.getRow(4).values = ['西安市人民政府', '6101000002', '市县政府门户', '陕西省西安市', 'http://www.xa.gov.cn/', 'http://www.xa.gov.cn/hd/'];
    const bytes = new Uint8Array(await wb.xlsx.writeBuffer());
    const t = await readXlsx(bytes);
    expect(t.rows.map((r) => r.row)).toEqual([2, 4]);
    const r = validateRegistry(t);
    expect(r.ok && r.sites).toEqual([
      {
        id: '6100000001',
        name: '陕西省人民政府',
        category: '省政府门户',
        region: '陕西省',
        homeUrl: 'http://www.shaanxi.gov.cn/',
        consultUrl: 'http://www.shaanxi.gov.cn/hd/',
        supervisorEmail: 'gk@shaanxi.gov.cn',
      },
      expect.objectContaining({ id: '6101000002', name: '西安市人民政府' }),
    ]);
  });
});

const HEADER = ['网站名称', '网站标识码', '类别', '地区', '首页', '咨询栏目地址', '主管单位邮箱'];
const XA = ['西安市人民政府', '6101000002', '市县政府门户', '陕西省西安市', 'http://www.xa.gov.cn/', 'http://www.xa.gov.cn/hd/'];
const SX = ['陕西省人民政府', '6100000001', '省政府门户', '陕西省', 'http://www.shaanxi.gov.cn/', 'http://www.shaanxi.gov.cn/hdjl/'];

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'huixin-registry-file-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** What an import of the file reports: every problem, the reader's and the validator's (not a one-line stop). */
async function rejection(file: string): Promise<RegistryValidationError> {
  const table = await readRegistryFile(file);
  const result = validateRegistry(table, { allowPrivateHosts: true });
  expect(result.ok).toBe(false);
  return new RegistryValidationError(result.ok ? [] : result.problems, table.sheet);
}
const where = (ps: readonly RegistryProblem[]) => ps.map((p) => `${p.row} ${p.column}`);

async function saveWorkbook(wb: ExcelJS.Workbook, name: string): Promise<string> {
  const file = path.join(tmp, name);
  await writeFile(file, new Uint8Array(await wb.xlsx.writeBuffer()));
  return file;
}

describe('CSV quoting as Excel users produce it (M3)', () => {
  it('a stray quote and the ="…" idiom are read as text; an unclosed quote is one bad row and the rows after it are still checked', async () => {
    const t = readCsv(await readFile(fixture('excel-quotes.csv')));
    expect(t.rows.map((r) => r.row)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(t.rows.map((r) => r.cells[1])).toEqual(['6100000001', '6101000002', '6101000003', '6101000004', '6103000001', '6104000001', '6100000005']);
    expect(t.rows[2]?.cells[0]).toBe('西安"市"教育局');

    const err = await rejection(fixture('excel-quotes.csv'));
    expect(err.problems).toMatchObject([
      { row: 5, column: '网站名称', value: '"未闭合的名称', reason: expect.stringContaining('引号却没有闭合') },
      { row: 6, column: '类别', value: '市级' },
      { row: 7, column: '地区', reason: '不能为空' },
    ]);
    expect(err.problems).toHaveLength(3);
  });

  it('numbers a malformed row by its spreadsheet row, not its text line (a quoted line break above it)', async () => {
    const csv = [HEADER.join(','), `"陕西省\n人民政府",${SX.slice(1).join(',')},`, `"坏的一行,${XA.slice(1).join(',')},`, `陕西省教育厅,6100000003,省级部门,,http://jyt.shaanxi.gov.cn/,http://jyt.shaanxi.gov.cn/zx/,`].join('\n');
    const file = path.join(tmp, 'multiline.csv');
    await writeFile(file, csv);
    expect(where((await rejection(file)).problems)).toEqual(['3 网站名称', '4 地区']);
  });
});

describe('what the reader leaves to the import', () => {
  it('rules an import option waives (private hosts, --allow-private-hosts) are not the reader\'s to refuse: a sandbox registry reads', async () => {
    const file = path.join(tmp, 'sandbox.csv');
    await writeFile(file, [HEADER.join(','), ['模拟站', '6100000001', '省级部门', '陕西省', 'http://127.0.0.1:8080/', 'http://127.0.0.1:8080/hd/', ''].join(',')].join('\n'));
    expect((await readRegistryFile(file)).rows).toHaveLength(1);
  });
});

describe('encodings and delimiters (M4)', () => {
  it('UTF-8 with a few GBK bytes, with or without a BOM: the header is read as UTF-8 and only the bad row is reported, by row and column', async () => {
    for (const name of ['utf8-bom-one-gbk-row.csv', 'utf8-one-gbk-row.csv']) {
      const t = readCsv(await readFile(fixture(name)));
      expect(t.header).toEqual(HEADER);
      expect(t.rows.map((r) => r.cells[0])).toEqual(['陕西省人民政府', expect.stringContaining('\ufffd'), '陕西省教育厅']);
      const err = await rejection(fixture(name));
      expect(where(err.problems)).toEqual(['3 网站名称', '3 类别', '3 地区']);
      expect(err.problems[0]?.reason).toContain('不是有效的 UTF-8');
    }
  });

  it('a BOM decides the encoding: Excel "Unicode 文本" (UTF-16LE, tab-separated) and UTF-16BE import', async () => {
    const t = await readRegistryFile(fixture('excel-unicode-text.txt'));
    const r = validateRegistry(t);
    expect(r.ok && r.sites.map((s) => [s.name, s.supervisorEmail])).toEqual([
      ['陕西省人民政府', 'gk@shaanxi.gov.cn'],
      ['西安市人民政府, 办公厅', undefined],
    ]);
    const be = Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode([HEADER.join(','), SX.join(',')].join('\r\n'), 'utf16be')]);
    expect(readCsv(be).rows[0]?.cells.slice(0, 2)).toEqual(['陕西省人民政府', '6100000001']);
  });

  it('takes the delimiter from the header line: a tab-separated UTF-8 file whose names contain commas', () => {
    const tsv = [HEADER.join('\t'), ['西安市人民政府, 办公厅', ...XA.slice(1), ''].join('\t')].join('\n');
    const r = validateRegistry(readCsv(Buffer.from(tsv, 'utf8')));
    expect(r.ok && r.sites.map((s) => s.name)).toEqual(['西安市人民政府, 办公厅']);
  });

  it('a GBK file with a title row above the header and notes in the header names (网站名称（必填）, 网站标识码(必填), *类别)', async () => {
    const t = await readRegistryFile(fixture('gbk-title-row-notes.csv'));
    expect(t.headerRow).toBe(2);
    expect(t.rows.map((r) => r.row)).toEqual([3, 4]);
    const r = validateRegistry(t);
    expect(r.ok && r.sites.map((s) => [s.id, s.name, s.supervisorEmail])).toEqual([
      ['6100000001', '陕西省人民政府', 'gk@shaanxi.gov.cn'],
      ['6101000002', '西安市人民政府', undefined],
    ]);
  });

  it('missing columns: the message shows the header cells as read, with the encoding and delimiter used', async () => {
    const err = await rejection(fixture('semicolon.csv'));
    expect(where(err.problems)).toEqual(['1 网站名称', '1 网站标识码', '1 类别', '1 地区', '1 首页', '1 咨询栏目地址', '1 表头']);
    expect(err.message).toContain('第1行 表头: "网站名称;网站标识码;类别;地区;首页;咨询栏目地址;主管单位邮箱" 是读到的表头（按 UTF-8、逗号分隔读取）');
  });
});

describe('XLSX worksheets and cells (M2, L5)', () => {
  function registryWorkbook(): ExcelJS.Workbook {
    const wb = new ExcelJS.Workbook();
    const old = wb.addWorksheet('旧', { state: 'hidden' });
    old.addRows([HEADER, ['旧站', '6100000099', '省级部门', '陕西省', 'http://old.shaanxi.gov.cn/', 'http://old.shaanxi.gov.cn/hd/']]);
    const older = wb.addWorksheet('更旧', { state: 'veryHidden' });
    older.addRows([HEADER, ['更旧站', '6100000098', '省级部门', '陕西省', 'http://older.shaanxi.gov.cn/', 'http://older.shaanxi.gov.cn/hd/']]);
    wb.addWorksheet('填写说明').addRows([['请在“名录”工作表中填写，每行一个网站。'], ['网站名称：网站的全称']]);
    const ws = wb.addWorksheet('名录');
    ws.addRow(['2026年第四季度政府网站名录']);
    ws.mergeCells('A1:G1');
    ws.addRow(['网站名称（必填）', '网站标识码(必填)', '类别', '地区', '首页', '咨询栏目地址', '主管单位邮箱']);
    return wb;
  }

  it('skips hidden, very hidden and instruction sheets, and finds the header under a merged title row', async () => {
    const wb = registryWorkbook();
    const ws = wb.getWorksheet('名录')!;
    ws.addRow([...SX]);
    ws.addRow([...XA]);
    const t = await readXlsx(new Uint8Array(await wb.xlsx.writeBuffer()));
    expect(t.sheet).toBe('名录');
    expect(t.headerRow).toBe(2);
    const r = validateRegistry(t);
    expect(r.ok && r.sites.map((s) => s.id)).toEqual(['6100000001', '6101000002']);
  });

  it('names the worksheet in every message', async () => {
    const wb = registryWorkbook();
    const ws = wb.getWorksheet('名录')!;
    ws.addRow([...SX]);
    ws.addRow(['西安市人民政府', '6101000002', '市级', '', 'http://www.xa.gov.cn/', 'http://www.xa.gov.cn/hd/']);
    const err = await rejection(await saveWorkbook(wb, 'named.xlsx'));
    expect(err.message.split('\n').slice(1)).toEqual([
      '工作表「名录」第4行 地区: 不能为空',
      expect.stringMatching(/^工作表「名录」第4行 类别: "市级" 不是已知类别/),
    ]);
  });

  it('when no visible sheet has the header: reads the first visible one, says so, and shows its header as read', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('旧', { state: 'hidden' }).addRows([HEADER, [...SX]]);
    wb.addWorksheet('Sheet1').addRows([['名称', '标识码'], ['陕西省人民政府', '6100000001']]);
    const err = await rejection(await saveWorkbook(wb, 'no-header.xlsx'));
    expect(err.message).toContain('工作表「Sheet1」第1行 网站名称: 缺少必需的列');
    expect(err.message).toContain('工作表「Sheet1」第1行 表头: "名称 | 标识码" 是读到的表头（读的是工作表「Sheet1」；已跳过隐藏的工作表：旧）');
  });

  it('a URL cell showing words (咨询入口) that links to an http(s) address takes the address', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('名录');
    ws.addRow(HEADER);
    ws.addRow([...XA.slice(0, 4), { text: '首页', hyperlink: 'http://www.xa.gov.cn/' }, { text: '咨询入口', hyperlink: 'http://www.xa.gov.cn/hd/zxts/' }]);
    const r = validateRegistry(await readXlsx(new Uint8Array(await wb.xlsx.writeBuffer())));
    expect(r.ok && r.sites[0]).toMatchObject({ homeUrl: 'http://www.xa.gov.cn/', consultUrl: 'http://www.xa.gov.cn/hd/zxts/' });
  });

  it('a date cell in a registry column is reported with its row and column, not stored as a timestamp', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('名录');
    ws.addRow(HEADER);
    ws.addRow([...SX]);
    ws.addRow([...XA.slice(0, 3), new Date(Date.UTC(2026, 0, 1)), ...XA.slice(4)]);
    const bytes = new Uint8Array(await wb.xlsx.writeBuffer());
    const t = await readXlsx(bytes);
    expect(t.rows[1]?.cells[3]).toBe('2026-01-01');
    expect(t.problems).toEqual([{ row: 3, column: '地区', value: '2026-01-01', reason: expect.stringContaining('日期') }]);
    const err = await rejection(await saveWorkbook(wb, 'date.xlsx'));
    expect(where(err.problems)).toEqual(['3 地区']);
  });
});

describe('registries made elsewhere: other column names, encodings without a BOM, notes beside rows', () => {
  const EN = ['Site name', 'Site ID', 'Category', 'Region', 'Home URL', 'Consultation URL'];

  it('an English tab-separated header under a title row: the delimiter is the one that finds the columns', () => {
    const tsv = ['Registry of government websites, 2026 Q1', EN.join('\t'), SX.slice(0, 6).join('\t')].join('\r\n');
    const t = readCsv(Buffer.from(tsv, 'utf8'));
    expect(t.headerRow).toBe(2);
    const r = validateRegistry(t);
    expect(r.ok && r.sites.map((s) => [s.id, s.consultUrl])).toEqual([[SX[1], SX[5]]]);
  });

  it('UTF-16 that lost its BOM is read as UTF-16, not as garbled GB18030', () => {
    const text = [HEADER.join('\t'), SX.join('\t')].join('\r\n');
    for (const enc of ['utf16le', 'utf16be'] as const) {
      const r = validateRegistry(readCsv(iconv.encode(text, enc)));
      expect(r.ok && r.sites.map((s) => s.name)).toEqual([SX[0]]);
    }
  });

  it('XLSX: the registry on the second sheet under other names; a note typed beside a row does not reject it', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('统计').addRows([['合计', 2]]);
    const ws = wb.addWorksheet('网站名录');
    ws.addRow(['序号', '网站名称', '网站标识码', '网站类型', '所属地区', '网址', '互动栏目地址', '主管单位']);
    ws.addRow([1, ...SX.slice(0, 6), '陕西省人民政府办公厅', '', '已核对']);
    ws.addRow([2, XA[0], XA[1], XA[2], XA[3], 'www.xa.gov.cn', XA[5], '西安市人民政府办公厅']);
    const t = await readXlsx(new Uint8Array(await wb.xlsx.writeBuffer()));
    expect(t.sheet).toBe('网站名录');
    const r = validateRegistry(t);
    expect(r.ok ? r : r.problems).toEqual([{ row: 3, column: '网址', value: 'www.xa.gov.cn', reason: '不是 http(s) 绝对地址' }]);
  });
});

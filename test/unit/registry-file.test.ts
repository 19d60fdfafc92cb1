import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeText, readCsv, readXlsx } from '../../shared/adapters/registry-file.ts';
import { validateRegistry } from '../../shared/domain/registry.ts';

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

  it('reads the first XLSX sheet: numbers, rich text, hyperlinks and formulas become text; row numbers kept', async () => {
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

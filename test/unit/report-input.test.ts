import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { readJsonInput, readSheetInput, reportInputFromJson } from '../../shared/adapters/report/input.ts';
import { InputError } from '../../shared/domain/errors.ts';

const campaign = { name: '2026年第一季度', workingDays: 1, closedAt: '2026-03-31T23:59:59+08:00' };
const HEADER = '网站名称,网站标识码,类别,第1次提交时间,第1次回复时间,第1次栏目可用,第2次提交时间,第2次回复时间,第2次栏目可用';

async function tmp(name: string, body: string | Uint8Array): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'huixin-report-in-'));
  const file = path.join(dir, name);
  await writeFile(file, body);
  return file;
}

describe('report JSON input', () => {
  const good = {
    campaign: { name: 'Q1', workingDays: 1, closedAt: '2026-03-31T23:59:59+08:00' },
    sites: [{ id: '6100000001', name: '陕西省人民政府', category: '省政府门户', letters: [{ submittedAt: '2026-03-02T10:00:00+08:00', repliedAt: null, channel: 'available' }] }],
  };

  it('accepts the documented shape, numbering letters and defaulting region', () => {
    const input = reportInputFromJson(good);
    expect(input.sites[0]).toMatchObject({ region: '', letters: [{ ordinal: 1, submittedAt: '2026-03-02T10:00:00+08:00', repliedAt: null, channel: 'available' }] });
  });

  it('names the JSON path of a bad value', () => {
    const bad = structuredClone(good) as { sites: Array<{ category: string; letters: Array<{ channel: string; repliedAt: string | null }> }> };
    bad.sites[0]!.letters[0]!.channel = 'broken';
    expect(() => reportInputFromJson(bad, 'in.json')).toThrow(/^in\.json: \$\.sites\[0\]\.letters\[0\]\.channel: /);
    const bad2 = structuredClone(good) as typeof bad;
    bad2.sites[0]!.category = '乡镇';
    expect(() => reportInputFromJson(bad2, 'in.json')).toThrow(/\$\.sites\[0\]\.category/);
    const bad3 = structuredClone(good) as typeof bad;
    bad3.sites[0]!.letters[0]!.repliedAt = 'yesterday';
    expect(() => reportInputFromJson(bad3, 'in.json')).toThrow(/\$\.sites\[0\]\.letters\[0\]\.repliedAt: 不是有效的时间 \/ not a valid time: "yesterday"/);
  });

  it('rejects a file that is not JSON with an InputError naming the file', async () => {
    const file = await tmp('x.json', '{ nope');
    await expect(readJsonInput(file)).rejects.toThrow(InputError);
    await expect(readJsonInput(file)).rejects.toThrow(/x\.json: not valid JSON/);
  });
});

describe('report sheet input (CSV / XLSX with Chinese columns)', () => {
  const row1 = '陕西省人民政府,6100000001,省政府门户,2026-03-02 10:00,2026-03-02 15:00,是,2026-03-09 10:00,,是';
  const row2 = '宝鸡市民政局,6100000005,市县部门,,,否,2026-03-10 10:00,2026-03-11 09:00,是';

  it('reads a UTF-8 CSV with BOM: times without offset are Beijing time, 否 = unavailable', async () => {
    const file = await tmp('a.csv', `\uFEFF${HEADER}\r\n${row1}\r\n${row2}\r\n`);
    const input = await readSheetInput(file, campaign);
    expect(input.sites).toHaveLength(2);
    expect(input.sites[0]!.letters).toEqual([
      { ordinal: 1, submittedAt: '2026-03-02 10:00', repliedAt: '2026-03-02 15:00', channel: 'available' },
      { ordinal: 2, submittedAt: '2026-03-09 10:00', repliedAt: null, channel: 'available' },
    ]);
    expect(input.sites[1]!.letters[0]).toMatchObject({ channel: 'unavailable', submittedAt: null });
  });

  it('reads a GBK-encoded CSV', async () => {
    const file = await tmp('gbk.csv', iconv.encode(`${HEADER}\r\n${row1}\r\n`, 'gbk'));
    const input = await readSheetInput(file, campaign);
    expect(input.sites[0]!.name).toBe('陕西省人民政府');
    expect(input.sites[0]!.category).toBe('省政府门户');
  });

  it('names the row and the column of a bad cell', async () => {
    const badTime = await tmp('b.csv', `${HEADER}\n${row1}\n${row2.replace('2026-03-11 09:00', '3月11日')}\n`);
    await expect(readSheetInput(badTime, campaign)).rejects.toThrow(/b\.csv: 第3行 第2次回复时间: 不是有效的时间 \/ not a valid time/);
    const badId = await tmp('c.csv', `${HEADER}\n${row1.replace('6100000001', '61')}\n`);
    await expect(readSheetInput(badId, campaign)).rejects.toThrow(/c\.csv: 第2行 网站标识码: "61": 网站标识码为10位数字或 bm 加8位数字/);
    const badFlag = await tmp('d.csv', `${HEADER}\n${row1.replace(',是,', ',也许,')}\n`);
    await expect(readSheetInput(badFlag, campaign)).rejects.toThrow(/第2行 第1次栏目可用: "也许" is not 是\/否/);
    const noCol = await tmp('e.csv', `网站名称,类别\n甲,省级部门\n`);
    await expect(readSheetInput(noCol, campaign)).rejects.toThrow(/第1行: missing column 网站标识码/);
  });

  it('reads an XLSX sheet, including cells Excel stores as dates (wall time in Beijing)', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('结果');
    ws.addRow(HEADER.split(','));
    ws.addRow(['陕西省人民政府', '6100000001', '省政府门户', new Date(Date.UTC(2026, 2, 2, 10, 0)), '2026-03-02 15:00', '是', '2026-03-09 10:00', '', '是']);
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'huixin-report-in-')), 'in.xlsx');
    await wb.xlsx.writeFile(file);
    const input = await readSheetInput(file, campaign);
    expect(input.sites[0]!.letters[0]).toMatchObject({ submittedAt: '2026-03-02T10:00:00', repliedAt: '2026-03-02 15:00' });
    expect(input.sites[0]!.letters).toHaveLength(2);
  });
});

/**
 * Reads a registry file into a RawTable (header + rows with their spreadsheet row numbers):
 * - CSV: UTF-8 with or without BOM, or GBK/GB18030 as saved by Excel in China (detected when the bytes are not
 *   valid UTF-8) — decoded with iconv-lite, parsed with csv-parse;
 * - XLSX: the first sheet, via exceljs; rich text, hyperlinks, formulas and numbers become their text
 *   (a 网站标识码 typed as a number is read back as its digits).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { InputError } from '../domain/errors.ts';
import type { RawTable } from '../domain/registry.ts';

export async function readRegistryFile(file: string): Promise<RawTable> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new InputError(`读不到文件 / cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const ext = path.extname(file).toLowerCase();
  if (ext === '.xlsx' || isZip(bytes)) return readXlsx(bytes, file);
  if (ext === '.csv' || ext === '.txt' || ext === '') return readCsv(bytes);
  throw new InputError(`不支持的文件类型 / unsupported file type ${ext}: use .csv or .xlsx`);
}

function isZip(b: Uint8Array): boolean {
  return b.length > 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;
}

/** UTF-8 if the bytes are valid UTF-8 (BOM stripped), else GB18030 (a superset of GBK/GB2312). */
export function decodeText(bytes: Uint8Array): string {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch {
    return iconv.decode(Buffer.from(bytes), 'gb18030');
  }
}

export function readCsv(bytes: Uint8Array): RawTable {
  let records: string[][];
  try {
    records = parse(decodeText(bytes), { relax_column_count: true, skip_empty_lines: false, bom: true }) as string[][];
  } catch (err) {
    throw new InputError(`CSV 格式错误 / malformed CSV: ${(err as Error).message.split('\n')[0]}`);
  }
  return toTable(records.map((cells, i) => ({ row: i + 1, cells })));
}

function toTable(rows: Array<{ row: number; cells: string[] }>): RawTable {
  const nonEmpty = (cells: string[]) => cells.some((c) => c.trim() !== '');
  const headerAt = rows.findIndex((r) => nonEmpty(r.cells));
  if (headerAt < 0) throw new InputError('文件是空的 / the file is empty');
  const head = rows[headerAt]!;
  return { headerRow: head.row, header: head.cells, rows: rows.slice(headerAt + 1) };
}

export async function readXlsx(bytes: Uint8Array, file = 'file.xlsx'): Promise<RawTable> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  } catch (err) {
    throw new InputError(`不是有效的 XLSX 文件 / not a valid XLSX file: ${file}`);
  }
  const sheet = wb.worksheets[0];
  if (!sheet) throw new InputError(`XLSX 里没有工作表 / no worksheet in ${file}`);
  const rows: Array<{ row: number; cells: string[] }> = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: string[] = [];
    row.eachCell({ includeEmpty: true }, (cell, col) => {
      cells[col - 1] = cellText(cell.value);
    });
    for (let i = 0; i < cells.length; i++) cells[i] ??= '';
    rows.push({ row: rowNumber, cells });
  });
  return toTable(rows);
}

/** The text of an exceljs cell value, whatever its type. */
export function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v).toString() : String(v);
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') {
    if ('richText' in v && Array.isArray(v.richText)) return v.richText.map((r) => r.text).join('');
    if ('hyperlink' in v) {
      const text = (v as { text?: unknown }).text;
      const t = typeof text === 'string' ? text : text && typeof text === 'object' ? cellText(text as ExcelJS.CellValue) : '';
      return t !== '' ? t : String(v.hyperlink ?? '');
    }
    if ('formula' in v || 'sharedFormula' in v) {
      const result = (v as { result?: unknown }).result;
      return result === undefined ? '' : cellText(result as ExcelJS.CellValue);
    }
    if ('error' in v) return '';
  }
  return String(v);
}

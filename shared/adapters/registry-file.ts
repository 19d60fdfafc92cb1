/**
 * Reads a registry file (网站名录) as staff export it from Excel on Chinese Windows into a RawTable. What the
 * reader finds wrong (a malformed row, bytes not valid in the file's encoding, a date cell) travels with the table:
 * validateRegistry reports it together with its own findings, each with its spreadsheet row and column (and for
 * XLSX the worksheet), so an import lists every problem at once.
 *
 * - CSV / TXT: a BOM decides the encoding (EF BB BF → UTF-8, FF FE → UTF-16LE as in Excel's "Unicode 文本",
 *   FE FF → UTF-16BE). Without one: UTF-8 if the whole file is valid UTF-8; else the first line with non-ASCII
 *   bytes (the header, or a title above it) decides between UTF-8 and GB18030 (a superset of GBK/GB2312), and the
 *   cells that are not valid in that encoding are reported by row — one stray GBK row does not garble the header.
 *   The delimiter (tab or comma) is taken from the header line. Parsed with csv-parse, tolerant of stray quotes
 *   (西安"市); Excel's ="6101000018" idiom is unwrapped; a row with a quote that never closes is reported and
 *   reading goes on with the next line.
 * - XLSX: the first VISIBLE worksheet whose header row — within its first 5 rows, so a title row above it is fine —
 *   has the required columns; hidden and very hidden sheets are skipped. Rich text, hyperlinks, formulas and
 *   numbers become their text (a 网站标识码 typed as a number is read back as its digits); a URL column whose cell
 *   shows words (咨询入口) but links to an http(s) address takes the address; a date cell in a registry column is
 *   reported, not stored as a timestamp.
 * - The header: a column under another of its names (网址, 互动栏目地址, 所属地区, Site ID…: see registryField), with
 *   a note in brackets (网站名称（必填）, 网站名称(必填)) or a * mark is that column; a problem names it as the
 *   file does. When required columns are missing, the header cells as read are shown (with the encoding and
 *   delimiter, or the worksheet, used), so a wrong encoding or delimiter is plain to see.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { decodeTextFile } from './text-file.ts';
import { InputError } from '../domain/errors.ts';
import {
  cleanCell,
  columnLabel,
  registryField,
  REGISTRY_COLUMNS,
  validateRegistry,
  type RawTable,
  type RegistryProblem,
} from '../domain/registry.ts';

/** A RawTable as this reader makes it: with what it found wrong and how it read the file (for messages). */
export type RegistryFileTable = RawTable & Required<Pick<RawTable, 'problems' | 'readAs' | 'readAsEn' | 'rawHeader'>>;

/**
 * Reads a registry file into a table — its own problems (a malformed row, undecodable bytes, a date cell) carried
 * with it for validateRegistry to report with the rest; InputError when the file cannot be read at all.
 */
export async function readRegistryFile(file: string): Promise<RegistryFileTable> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new InputError(`读不到文件 / cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const ext = path.extname(file).toLowerCase();
  if (ext === '.xlsx' || isZip(bytes)) return readXlsx(bytes, file);
  if (ext === '.csv' || ext === '.txt' || ext === '') return readCsv(bytes);
  throw new InputError(`不支持的文件类型 / unsupported file type ${ext}: use .csv, .txt or .xlsx`);
}

function isZip(b: Uint8Array): boolean {
  return b.length > 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;
}

/** The decoded text of a registry file (see decodeTextFile). */
export function decodeText(bytes: Uint8Array): string {
  return decodeTextFile(bytes).text;
}

const LINE_BREAK = /\r\n|\n|\r/;

/**
 * Tab or comma: the one that splits a line among the first 5 into the most registry columns (under any of their
 * names); when no line names any, whichever the first line has more of.
 */
function detectDelimiter(text: string): '\t' | ',' {
  const lines = text.split(LINE_BREAK).filter((l) => l.trim() !== '').slice(0, HEADER_SEARCH_ROWS);
  let best: '\t' | ',' | undefined;
  let bestScore = 0;
  for (const l of lines) {
    for (const d of ['\t', ','] as const) {
      const score = headerScore(l.split(d));
      if (score > bestScore) [best, bestScore] = [d, score];
    }
  }
  if (best) return best;
  const first = lines[0] ?? '';
  const count = (ch: string) => first.split(ch).length - 1;
  return count('\t') > count(',') ? '\t' : ',';
}

interface ParsedRow {
  row: number;
  cells: string[];
}

/**
 * csv-parse, tolerant of stray quotes; a record with a quote that never closes (which would swallow the rest of
 * the file) is cut back to its first line, read without quoting, marked malformed, and parsing resumes after it.
 * Rows are numbered like the spreadsheet: one per record, blank lines included.
 */
function parseRecords(text: string, delimiter: string): { rows: ParsedRow[]; malformed: Array<{ row: number; error: string }> } {
  const rows: ParsedRow[] = [];
  const malformed: Array<{ row: number; error: string }> = [];
  let rest = Buffer.from(text, 'utf8');
  while (rest.length > 0) {
    const got: string[][] = [];
    let consumed = 0; // bytes of `rest` up to the end of the last good record
    try {
      parse(rest, {
        delimiter,
        relax_quotes: true,
        relax_column_count: true,
        skip_empty_lines: false,
        on_record: (record: string[], context) => {
          got.push(record);
          consumed = context.bytes;
          return record;
        },
      });
      for (const cells of got) rows.push({ row: rows.length + 1, cells });
      break;
    } catch (err) {
      for (const cells of got) rows.push({ row: rows.length + 1, cells });
      const after = rest.subarray(consumed).toString('utf8');
      const lineEnd = LINE_BREAK.exec(after);
      const line = lineEnd ? after.slice(0, lineEnd.index) : after;
      const cells = (parse(line, { delimiter, quote: false, relax_column_count: true }) as string[][])[0] ?? [''];
      const row = rows.length + 1;
      rows.push({ row, cells });
      malformed.push({ row, error: (err as { code?: string }).code ?? 'CSV_ERROR' });
      const next = Buffer.from(lineEnd ? after.slice(lineEnd.index + lineEnd[0].length) : '', 'utf8');
      if (next.length >= rest.length) break; // no progress: cannot happen, but never loop
      rest = next;
    }
  }
  return { rows, malformed };
}

/** Excel's way to keep digits as text in a CSV: ="6101000018" (or "=""6101000018""" once quoted) → 6101000018. */
function unwrapExcelText(cell: string): string {
  const m = /^[\s\u3000]*="((?:[^"]|"")*)"[\s\u3000]*$/.exec(cell);
  return m ? m[1]!.replace(/""/g, '"') : cell;
}

const DELIMITER_NAME = { '\t': ['制表符', 'tab'], ',': ['逗号', 'comma'] } as const;

export function readCsv(bytes: Uint8Array): RegistryFileTable {
  const { text, encoding } = decodeTextFile(bytes);
  const delimiter = detectDelimiter(text);
  const { rows, malformed } = parseRecords(text, delimiter);
  const cleaned = rows.map((r) => ({ row: r.row, cells: r.cells.map(unwrapExcelText) }));
  const at = findHeader(cleaned);
  if (at === undefined) throw new InputError('文件是空的 / the file is empty');
  const head = cleaned[at]!;
  const header = head.cells.map(headerName);
  const data = cleaned.slice(at + 1);
  const [zh, en] = DELIMITER_NAME[delimiter];
  const columnOf = (i: number) => columnLabel(header, head.cells, i);
  const problems: RegistryProblem[] = [];
  const bad = new Map(malformed.map((m) => [m.row, m]));
  for (const { row, cells } of data) {
    if (bad.has(row)) {
      const i = Math.max(0, cells.findIndex((c) => c.trimStart().startsWith('"')));
      problems.push({
        row,
        column: columnOf(i),
        value: cells[i] ?? '',
        reason: '以引号开头，引号却没有闭合（这一行按原样读取）/ opens a quote that never closes',
      });
    }
    for (const i of knownColumnIndexes(header)) {
      const v = cells[i] ?? '';
      if (v.includes('\ufffd')) {
        problems.push({
          row,
          column: columnOf(i),
          value: v,
          reason: `不是有效的 ${encoding} 文字（本文件按 ${encoding} 读取）/ not valid ${encoding}, the encoding of this file`,
        });
      }
    }
  }
  return {
    headerRow: head.row,
    header,
    rawHeader: head.cells,
    rows: data,
    problems,
    readAs: `按 ${encoding}、${zh}分隔读取`,
    readAsEn: `read as ${encoding}, ${en}-separated`,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The header

const KNOWN_COLUMNS: readonly string[] = Object.values(REGISTRY_COLUMNS);
const URL_COLUMNS: readonly string[] = [REGISTRY_COLUMNS.homeUrl, REGISTRY_COLUMNS.consultUrl];
const HEADER_SEARCH_ROWS = 5;

/**
 * A header cell → the registry column it names, under any of its names (网站名称（必填）, *网站名称, 网址, Site ID →
 * 网站名称, 网站名称, 首页, 网站标识码), else the cell as read.
 */
function headerName(cell: string): string {
  const f = registryField(cell);
  return f === undefined ? cell : REGISTRY_COLUMNS[f];
}

function knownColumnIndexes(header: readonly string[]): number[] {
  return KNOWN_COLUMNS.map((c) => header.indexOf(c)).filter((i) => i >= 0);
}

function headerScore(cells: readonly string[]): number {
  return new Set(cells.map(headerName).filter((c) => KNOWN_COLUMNS.includes(c))).size;
}

function hasRequiredColumns(cells: readonly string[]): boolean {
  return validateRegistry({ headerRow: 1, header: cells.map(headerName), rows: [] }).ok;
}

/**
 * The header among the first 5 non-blank rows: the first row naming the most registry columns (so a title row
 * above the header is skipped), or the first non-blank row when none names any. Index into `rows`.
 */
function findHeader(rows: ReadonlyArray<{ cells: readonly string[] }>): number | undefined {
  let best: number | undefined;
  let bestScore = -1;
  let seen = 0;
  for (let i = 0; i < rows.length && seen < HEADER_SEARCH_ROWS; i++) {
    if (!rows[i]!.cells.some((c) => cleanCell(c) !== '')) continue;
    seen++;
    const score = headerScore(rows[i]!.cells);
    if (score > bestScore) [best, bestScore] = [i, score];
  }
  return best;
}

// ---------------------------------------------------------------------------------------------------------------
// XLSX

interface SheetRow {
  row: number;
  values: ExcelJS.CellValue[];
}

export async function readXlsx(bytes: Uint8Array, file = 'file.xlsx'): Promise<RegistryFileTable> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  } catch {
    throw new InputError(`不是有效的 XLSX 文件 / not a valid XLSX file: ${file}`);
  }
  if (wb.worksheets.length === 0) throw new InputError(`XLSX 里没有工作表 / no worksheet in ${file}`);
  const visible = wb.worksheets.filter((ws) => ws.state !== 'hidden' && ws.state !== 'veryHidden');
  const hidden = wb.worksheets.filter((ws) => !visible.includes(ws)).map((ws) => ws.name);
  if (visible.length === 0) throw new InputError(`XLSX 里没有可见的工作表 / no visible worksheet in ${file}`);

  type Candidate = { sheet: ExcelJS.Worksheet; rows: SheetRow[]; at: number; texts: string[]; score: number };
  let chosen: Candidate | undefined;
  let fallback: Candidate | undefined;
  for (const sheet of visible) {
    const rows = sheetRows(sheet);
    const at = findHeader(rows.map((r) => ({ cells: r.values.map((v) => cellText(v)) })));
    if (at === undefined) continue;
    const texts = rows[at]!.values.map((v) => cellText(v));
    const candidate = { sheet, rows, at, texts, score: headerScore(texts) };
    if (hasRequiredColumns(texts)) {
      chosen = candidate;
      break;
    }
    if (!fallback || candidate.score > fallback.score) fallback = candidate;
  }
  chosen ??= fallback;
  if (!chosen) throw new InputError(`文件是空的 / the file is empty: ${file}`);

  const { sheet, rows, at, texts } = chosen;
  const header = texts.map(headerName);
  const problems: RegistryProblem[] = [];
  const data = rows.slice(at + 1).map(({ row, values }) => {
    const cells: string[] = [];
    for (let i = 0; i < values.length; i++) {
      const column = columnLabel(header, texts, i);
      const known = KNOWN_COLUMNS.includes(header[i] ?? '');
      const v = values[i];
      const date = dateOf(v);
      if (known && date !== undefined) {
        cells[i] = date;
        problems.push({ row, column, value: date, reason: '是日期单元格，不是文字（请把这一列设为“文本”后重新填写）/ a date cell, not text' });
        continue;
      }
      const link = URL_COLUMNS.includes(header[i] ?? '') ? linkTarget(v) : undefined;
      cells[i] = link ?? cellText(v);
    }
    return { row, cells };
  });
  const skipped = hidden.length > 0 ? `；已跳过隐藏的工作表：${hidden.join('、')}` : '';
  return {
    headerRow: rows[at]!.row,
    header,
    rawHeader: texts,
    rows: data,
    problems,
    sheet: sheet.name,
    readAs: `读的是工作表「${sheet.name}」${skipped}`,
    readAsEn: `worksheet "${sheet.name}"${hidden.length > 0 ? `; hidden sheets skipped: ${hidden.join(', ')}` : ''}`,
  };
}

function sheetRows(sheet: ExcelJS.Worksheet): SheetRow[] {
  const rows: SheetRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const values: ExcelJS.CellValue[] = [];
    row.eachCell({ includeEmpty: true }, (cell, col) => {
      values[col - 1] = cell.value;
    });
    for (let i = 0; i < values.length; i++) values[i] ??= null;
    rows.push({ row: rowNumber, values });
  });
  return rows;
}

const HTTP_URL = /^https?:\/\//i;

/** A hyperlink cell showing words (咨询入口) that links to an http(s) address → the address. */
function linkTarget(v: ExcelJS.CellValue): string | undefined {
  if (!v || typeof v !== 'object' || !('hyperlink' in v)) return undefined;
  const target = cleanCell(String(v.hyperlink ?? ''));
  return HTTP_URL.test(target) && !HTTP_URL.test(cleanCell(cellText(v))) ? target : undefined;
}

/** A date cell (or a formula whose result is a date) → its date as shown in Excel (YYYY-MM-DD[ HH:MM:SS]). */
function dateOf(v: ExcelJS.CellValue): string | undefined {
  let d: unknown = v;
  if (v && typeof v === 'object' && !(v instanceof Date) && ('formula' in v || 'sharedFormula' in v)) {
    d = (v as { result?: unknown }).result;
  }
  if (!(d instanceof Date)) return undefined;
  if (Number.isNaN(d.getTime())) return String(d);
  const iso = d.toISOString(); // exceljs keeps the sheet's wall-clock time in UTC
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.slice(0, 19).replace('T', ' ');
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

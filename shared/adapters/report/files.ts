/**
 * The report's files: CSV (UTF-8 with BOM), XLSX (exceljs streaming writer), HTML, JSON. Every text cell
 * goes through `neutralise`, so a hostile site name never becomes a live formula.
 */
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { createHash } from 'node:crypto';
import type { Report } from '../../domain/report/types.ts';
import { lettersTable, neutralise, overviewTable, sitesTable, type Cell, type Table } from '../../domain/report/tables.ts';
import { displayTime } from '../../domain/report/format.ts';

export const REPORT_FILES = {
  summary: 'summary.json',
  html: 'report.html',
  xlsx: 'report.xlsx',
  sitesCsv: 'report.csv',
  lettersCsv: 'letters.csv',
  input: 'input.json',
  method: 'method.json',
} as const;

export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function safe(c: Cell): string | number {
  if (c === null) return '';
  return typeof c === 'number' ? c : neutralise(c);
}

/** A table as CSV text, UTF-8 with a BOM so Excel opens Chinese correctly. */
export function tableCsv(t: Table): string {
  const rows = t.rows.map((r) => r.map(safe));
  // With \r\n records csv-stringify would stop quoting a cell that holds a lone \n or \r: such a cell could start a
  // row of its own in a spreadsheet. Every cell with a line break is quoted.
  return stringify([t.header.map((h) => neutralise(h)), ...rows], { bom: true, record_delimiter: '\r\n', quoted_match: /[\r\n]/ });
}

export function sitesCsv(report: Report): string {
  return tableCsv(sitesTable(report, displayTime));
}

export function lettersCsv(report: Report): string {
  return tableCsv(lettersTable(report, displayTime));
}

/**
 * A published JSON file: `< > &` and the line separators U+2028/U+2029 as \u escapes (the same value once parsed),
 * so a site name such as `</script><script>…` stays inert when an office pastes the JSON into a web page.
 */
export function jsonText(value: unknown, indent?: number): string {
  return `${JSON.stringify(value, null, indent).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}

export function summaryJson(report: Report): string {
  return jsonText(report.summary, 2);
}

/** report.xlsx with one sheet per table (总体情况, 附件-网站, 附件-信件); streamed, so it scales to national size. */
export async function writeXlsx(file: string, report: Report): Promise<void> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useStyles: true, useSharedStrings: false });
  wb.creator = 'huixin';
  const tables = [overviewTable(report.summary), sitesTable(report, displayTime), lettersTable(report, displayTime)];
  for (const t of tables) {
    const ws = wb.addWorksheet(t.name, { views: [{ state: 'frozen', xSplit: t.name === '总体情况' ? 1 : 2, ySplit: 1 }] });
    ws.columns = t.header.map((h, i) => ({ header: neutralise(h), width: t.widths[i] ?? 14 }));
    const head = ws.getRow(1);
    head.font = { bold: true, color: { argb: 'FFFFFFFF' } };
    head.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FF1F4E79' } };
    head.alignment = { vertical: 'middle', wrapText: true };
    head.commit();
    for (const r of t.rows) ws.addRow(r.map(safe)).commit();
    ws.commit();
  }
  await wb.commit();
}

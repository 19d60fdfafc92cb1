/**
 * Report inputs, all turned into the normalised `ReportInput`:
 * (a) a campaign from the store (see shared/app/report-store-input.ts and domain/report/from-store.ts),
 * (b) a JSON file (zod-validated; errors name the JSON path),
 * (c) an XLSX/CSV sheet with Chinese columns (errors name the row and the column; CSV in UTF-8, with or
 *     without BOM, or GBK).
 */
import { decodeTextFile } from '../text-file.ts';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { InputError } from '../../domain/errors.ts';
import { parseTime } from '../../domain/beijing-time.ts';
import { SITE_CATEGORIES, SITE_ID_RE, SITE_ID_RULE } from '../../domain/model.ts';
import type { ReportInput, ReportInputLetter, ReportInputSite } from '../../domain/report/types.ts';

const time = z.string().min(1);
const Maintenance = z.object({ from: time, to: time, note: z.string().optional() }).strict();
const LetterSchema = z
  .object({
    ordinal: z.number().int().min(1).optional(),
    submittedAt: time.nullable(),
    repliedAt: time.nullable().optional(),
    replyPrecision: z.enum(['instant', 'day']).optional(),
    replySource: z.enum(['mail', 'reply-list', 'staff']).optional(),
    channel: z.enum(['available', 'unavailable']).default('available'),
    gated: z.boolean().optional(),
    maintenance: Maintenance.optional(),
    evidence: z.array(z.string()).optional(),
  })
  .strict();
const SiteSchema = z
  .object({
    id: z.string().regex(SITE_ID_RE, SITE_ID_RULE),
    name: z.string().min(1),
    category: z.enum(SITE_CATEGORIES),
    region: z.string().default(''),
    letters: z.array(LetterSchema).min(1),
    history: z
      .array(z.object({ campaign: z.string().min(1), result: z.enum(['on-time', 'late', 'none', 'unavailable', 'pending', 'untested']) }).strict())
      .optional(),
  })
  .strict();
const TrendSchema = z.object({
  name: z.string().min(1),
  sitesTested: z.number().int().min(0),
  onTime: z.number().int().min(0),
  late: z.number().int().min(0),
  noReply: z.number().int().min(0),
  unavailable: z.number().int().min(0),
});
export const ReportInputSchema = z.object({
  campaign: z.object({
    id: z.string().optional(),
    name: z.string().min(1),
    workingDays: z.number().int().min(0).default(1),
    closedAt: time,
    windowClosesAt: time.optional(),
  }),
  sites: z.array(SiteSchema).min(1),
  trend: z.array(TrendSchema).optional(),
});

function jsonPath(p: readonly PropertyKey[]): string {
  let out = '$';
  for (const k of p) out += typeof k === 'number' ? `[${k}]` : `.${String(k)}`;
  return out;
}

function checkTime(value: string | null | undefined, where: string): void {
  if (value === null || value === undefined) return;
  try {
    parseTime(value);
  } catch (err) {
    throw new InputError(`${where}: ${(err as Error).message}`);
  }
}

/** Validate and normalise a parsed JSON value. `source` names the file in messages. */
export function reportInputFromJson(value: unknown, source = 'input'): ReportInput {
  const r = ReportInputSchema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new InputError(`${source}: ${jsonPath(issue.path)}: ${issue.message}`);
  }
  const d = r.data;
  checkTime(d.campaign.closedAt, `${source}: $.campaign.closedAt`);
  checkTime(d.campaign.windowClosesAt, `${source}: $.campaign.windowClosesAt`);
  const seen = new Set<string>();
  const sites: ReportInputSite[] = d.sites.map((s, i) => {
    if (seen.has(s.id)) throw new InputError(`${source}: $.sites[${i}].id: duplicate site ${s.id}`);
    seen.add(s.id);
    const letters: ReportInputLetter[] = s.letters.map((l, j) => {
      const at = `${source}: $.sites[${i}].letters[${j}]`;
      checkTime(l.submittedAt, `${at}.submittedAt`);
      checkTime(l.repliedAt, `${at}.repliedAt`);
      if (l.maintenance) {
        checkTime(l.maintenance.from, `${at}.maintenance.from`);
        checkTime(l.maintenance.to, `${at}.maintenance.to`);
      }
      if (l.submittedAt === null && l.channel === 'available' && !l.gated) {
        throw new InputError(`${at}.submittedAt: null while the channel is available (set "channel": "unavailable" or "gated": true)`);
      }
      const out: ReportInputLetter = { ordinal: l.ordinal ?? j + 1, submittedAt: l.submittedAt, repliedAt: l.repliedAt ?? null, channel: l.channel };
      if (l.replyPrecision) out.replyPrecision = l.replyPrecision;
      if (l.replySource) out.replySource = l.replySource;
      if (l.gated !== undefined) out.gated = l.gated;
      if (l.maintenance) out.maintenance = { from: l.maintenance.from, to: l.maintenance.to, ...(l.maintenance.note ? { note: l.maintenance.note } : {}) };
      if (l.evidence) out.evidence = l.evidence;
      return out;
    });
    const site: ReportInputSite = { id: s.id, name: s.name, category: s.category, region: s.region, letters };
    if (s.history?.length) site.history = s.history.map((h) => ({ campaign: h.campaign, result: h.result }));
    return site;
  });
  const campaign: ReportInput['campaign'] = { name: d.campaign.name, workingDays: d.campaign.workingDays, closedAt: d.campaign.closedAt };
  if (d.campaign.id) campaign.id = d.campaign.id;
  if (d.campaign.windowClosesAt) campaign.windowClosesAt = d.campaign.windowClosesAt;
  const input: ReportInput = { campaign, sites };
  if (d.trend) input.trend = d.trend;
  return input;
}

export async function readJsonInput(file: string): Promise<ReportInput> {
  const text = decodeTextFile(await readText(file)).text;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  return reportInputFromJson(value, file);
}

async function readText(file: string): Promise<Uint8Array & Buffer> {
  try {
    return (await readFile(file)) as Uint8Array & Buffer;
  } catch (err) {
    throw new InputError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}


/** Campaign facts a sheet does not carry: given on the command line. */
export interface SheetCampaign {
  name: string;
  workingDays: number;
  closedAt: string;
  windowClosesAt?: string;
}

const YES = new Set(['是', 'Y', 'y', 'yes', '可用', '1', 'true']);
const NO = new Set(['否', 'N', 'n', 'no', '不可用', '0', 'false']);

/** Rows of a sheet (header row first) → ReportInput. `rowBase` is the sheet row number of rows[0]. */
export function reportInputFromRows(rows: string[][], campaign: SheetCampaign, source: string): ReportInput {
  const header = (rows[0] ?? []).map((h) => h.trim());
  const col = (name: string) => header.indexOf(name);
  for (const required of ['网站名称', '网站标识码', '类别']) {
    if (col(required) < 0) throw new InputError(`${source}: 第1行: missing column ${required}`);
  }
  let n = 0;
  while (col(`第${n + 1}次提交时间`) >= 0) n++;
  if (n === 0) throw new InputError(`${source}: 第1行: missing column 第1次提交时间`);
  checkTime(campaign.closedAt, '--closed-at');
  const sites: ReportInputSite[] = [];
  const seen = new Set<string>();
  for (let r = 1; r < rows.length; r++) {
    const row = rows[r]!;
    if (row.every((c) => c.trim() === '')) continue;
    const at = (c: string) => `${source}: 第${r + 1}行 ${c}`;
    const get = (c: string) => (col(c) >= 0 ? (row[col(c)] ?? '').trim() : '');
    const name = get('网站名称');
    if (!name) throw new InputError(`${at('网站名称')}: empty`);
    const id = get('网站标识码');
    if (!SITE_ID_RE.test(id)) throw new InputError(`${at('网站标识码')}: ${JSON.stringify(id)}: ${SITE_ID_RULE}`);
    if (seen.has(id)) throw new InputError(`${at('网站标识码')}: duplicate site ${id}`);
    seen.add(id);
    const category = get('类别');
    if (!(SITE_CATEGORIES as readonly string[]).includes(category)) {
      throw new InputError(`${at('类别')}: ${JSON.stringify(category)} is not one of ${SITE_CATEGORIES.join('/')}`);
    }
    const letters: ReportInputLetter[] = [];
    for (let i = 1; i <= n; i++) {
      const sub = get(`第${i}次提交时间`);
      const rep = get(`第${i}次回复时间`);
      const avail = get(`第${i}次栏目可用`);
      if (!sub && !rep && !avail) continue;
      let channel: 'available' | 'unavailable' = 'available';
      if (avail) {
        if (YES.has(avail)) channel = 'available';
        else if (NO.has(avail)) channel = 'unavailable';
        else throw new InputError(`${at(`第${i}次栏目可用`)}: ${JSON.stringify(avail)} is not 是/否`);
      }
      if (sub) checkTime(sub, at(`第${i}次提交时间`));
      if (rep) checkTime(rep, at(`第${i}次回复时间`));
      if (!sub && channel === 'available') throw new InputError(`${at(`第${i}次提交时间`)}: empty while 第${i}次栏目可用 is 是`);
      letters.push({ ordinal: i, submittedAt: sub || null, repliedAt: rep || null, channel });
    }
    if (letters.length === 0) throw new InputError(`${at('第1次提交时间')}: the site has no letters`);
    sites.push({ id, name, category: category as ReportInputSite['category'], region: get('地区'), letters });
  }
  if (sites.length === 0) throw new InputError(`${source}: no sites`);
  const c: ReportInput['campaign'] = { name: campaign.name, workingDays: campaign.workingDays, closedAt: campaign.closedAt };
  if (campaign.windowClosesAt) c.windowClosesAt = campaign.windowClosesAt;
  return { campaign: c, sites };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** An XLSX cell as text: dates as Beijing wall time (Excel stores wall time without a zone). */
function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) {
    return `${v.getUTCFullYear()}-${pad(v.getUTCMonth() + 1)}-${pad(v.getUTCDate())}T${pad(v.getUTCHours())}:${pad(v.getUTCMinutes())}:${pad(v.getUTCSeconds())}`;
  }
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((t) => t.text).join('');
    if ('text' in v) return String(v.text);
    if ('result' in v) return cellText(v.result as ExcelJS.CellValue);
    return '';
  }
  return String(v);
}

export async function readSheetInput(file: string, campaign: SheetCampaign): Promise<ReportInput> {
  const buf = await readText(file);
  const ext = path.extname(file).toLowerCase();
  let rows: string[][];
  if (ext === '.xlsx') {
    const wb = new ExcelJS.Workbook();
    try {
      await wb.xlsx.load(buf as unknown as ArrayBuffer);
    } catch (err) {
      throw new InputError(`${file}: not a readable XLSX file (${(err as Error).message})`);
    }
    const ws = wb.worksheets[0];
    if (!ws) throw new InputError(`${file}: no worksheet`);
    rows = [];
    ws.eachRow({ includeEmpty: true }, (row, rowNumber) => {
      const cells: string[] = [];
      for (let c = 1; c <= ws.columnCount; c++) cells.push(cellText(row.getCell(c).value));
      rows[rowNumber - 1] = cells;
    });
    for (let i = 0; i < rows.length; i++) rows[i] ??= [];
  } else {
    try {
      rows = parseCsv(decodeTextFile(buf).text, { relax_column_count: true, skip_empty_lines: false }) as string[][];
    } catch (err) {
      throw new InputError(`${file}: not valid CSV (${(err as Error).message})`);
    }
  }
  return reportInputFromRows(rows, campaign, file);
}

/**
 * The site registry file, validated whole: rows with the Chinese headers → `Site[]`, or EVERY problem found
 * (`{ row, column, value, reason }`, `row` = the spreadsheet row number, header = row 1). Pure: no I/O.
 */
import { SITE_CATEGORIES, type Site, type SiteCategory } from './model.ts';

export const REGISTRY_COLUMNS = {
  name: '网站名称',
  id: '网站标识码',
  category: '类别',
  region: '地区',
  homeUrl: '首页',
  consultUrl: '咨询栏目地址',
  supervisorEmail: '主管单位邮箱',
} as const;
type Field = keyof typeof REGISTRY_COLUMNS;

const REQUIRED: readonly Field[] = ['name', 'id', 'category', 'region', 'homeUrl', 'consultUrl'];
const ALL: readonly Field[] = [...REQUIRED, 'supervisorEmail'];

/** A sheet as read from a file: the header cells and the data rows with their spreadsheet row numbers. */
export interface RawTable {
  /** Spreadsheet row number of the header (1 unless the file starts with blank rows). */
  headerRow: number;
  header: readonly string[];
  rows: ReadonlyArray<{ row: number; cells: readonly string[] }>;
}

export interface RegistryProblem {
  row: number;
  column: string;
  value: string;
  reason: string;
}

export type RegistryResult = { ok: true; sites: Site[] } | { ok: false; problems: RegistryProblem[] };

/** Trim ASCII and Unicode whitespace, including the full-width space U+3000, NBSP and zero-width marks. */
export function cleanCell(value: string): string {
  return value.replace(/^[\s\u3000\u00a0\u200b\ufeff]+|[\s\u3000\u00a0\u200b\ufeff]+$/g, '');
}

const ID_RE = /^\d{10}$/;
// Pragmatic address check (what a mail server would accept): local@domain.tld, no spaces.
const EMAIL_RE = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

function isHttpUrl(v: string): boolean {
  if (!/^https?:\/\//i.test(v)) return false;
  try {
    const u = new URL(v);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname.length > 0;
  } catch {
    return false;
  }
}

export function validateRegistry(table: RawTable): RegistryResult {
  const problems: RegistryProblem[] = [];
  const header = table.header.map(cleanCell);
  const index = new Map<Field, number>();
  for (const f of ALL) {
    const i = header.indexOf(REGISTRY_COLUMNS[f]);
    if (i >= 0) index.set(f, i);
  }
  for (const f of REQUIRED) {
    if (!index.has(f)) {
      problems.push({ row: table.headerRow, column: REGISTRY_COLUMNS[f], value: '', reason: '缺少必需的列' });
    }
  }
  if (problems.length > 0) return { ok: false, problems };

  const sites: Site[] = [];
  const firstRowOfId = new Map<string, number>();
  for (const { row, cells } of table.rows) {
    const get = (f: Field) => {
      const i = index.get(f);
      return i === undefined ? '' : cleanCell(cells[i] ?? '');
    };
    if (ALL.every((f) => get(f) === '') && cells.every((c) => cleanCell(c) === '')) continue; // a blank line
    const before = problems.length;
    const problem = (f: Field, value: string, reason: string) =>
      problems.push({ row, column: REGISTRY_COLUMNS[f], value, reason });
    for (const f of REQUIRED) if (get(f) === '') problem(f, '', '不能为空');

    const id = get('id');
    if (id !== '') {
      if (!ID_RE.test(id)) problem('id', id, '不是10位数字');
      else {
        const first = firstRowOfId.get(id);
        if (first !== undefined) problem('id', id, `与第${first}行重复`);
        else firstRowOfId.set(id, row);
      }
    }
    const category = get('category');
    if (category !== '' && !(SITE_CATEGORIES as readonly string[]).includes(category)) {
      problem('category', category, `不是已知类别（${SITE_CATEGORIES.join('/')}）`);
    }
    for (const f of ['homeUrl', 'consultUrl'] as const) {
      const v = get(f);
      if (v !== '' && !isHttpUrl(v)) problem(f, v, '不是 http(s) 绝对地址');
    }
    const email = get('supervisorEmail');
    if (email !== '' && !EMAIL_RE.test(email)) problem('supervisorEmail', email, '不是有效的邮箱地址');

    if (problems.length === before) {
      sites.push({
        id,
        name: get('name'),
        category: category as SiteCategory,
        region: get('region'),
        homeUrl: get('homeUrl'),
        consultUrl: get('consultUrl'),
        ...(email ? { supervisorEmail: email } : {}),
      });
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, sites };
}

/** `第3行 网站标识码: "61080000" 不是10位数字` */
export function formatProblem(p: RegistryProblem): string {
  return p.value === '' ? `第${p.row}行 ${p.column}: ${p.reason}` : `第${p.row}行 ${p.column}: "${p.value}" ${p.reason}`;
}

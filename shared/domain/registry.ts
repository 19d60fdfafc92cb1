/**
 * The site registry file, validated whole: rows with the Chinese headers → `Site[]`, or EVERY problem found
 * (`{ row, column, value, reason }`, `row` = the spreadsheet row number, header = row 1). Pure: no I/O.
 */
import { SITE_CATEGORIES, SITE_ID_RE, type Site, type SiteCategory } from './model.ts';

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

/**
 * Other names registries give the same columns (as `headerKey` writes them: no blanks, no note in brackets, no *
 * mark, lower case). 主管单位 alone is the supervising office's name, not its mailbox: not a registry column.
 */
const REGISTRY_ALIASES: Readonly<Record<Field, readonly string[]>> = {
  name: ['网站名称', '站点名称', '网站名', 'sitename', 'websitename', 'name'],
  id: ['网站标识码', '标识码', '网站标识', '网站代码', 'siteid', 'sitecode', 'websiteid', 'id'],
  category: ['类别', '网站类别', '网站类型', '网站分类', '类型', '分类', 'category', 'sitecategory', 'type'],
  region: ['地区', '所属地区', '所在地区', '所属区域', '区域', '地市', 'region', 'area', 'district'],
  homeUrl: ['首页', '网址', '网站地址', '网站网址', '首页地址', '首页网址', '网站首页', 'homeurl', 'homepage', 'url', 'siteurl', 'website'],
  consultUrl: [
    '咨询栏目地址', '互动栏目地址', '咨询栏目', '互动栏目', '咨询地址', '互动地址', '留言栏目地址', '咨询留言栏目地址',
    '咨询建言栏目地址', '咨询栏目网址', '互动栏目网址', 'consulturl', 'consultationurl', 'interactionurl', 'messageboardurl',
  ],
  supervisorEmail: ['主管单位邮箱', '主管单位电子邮箱', '主管邮箱', 'supervisoremail'],
};

/**
 * Full-width ASCII (an IME's ６１０８, ｈｔｔｐ：／／) and the ideographic space as their ASCII forms — but ，and ；,
 * which in an address cell mean two addresses (urlProblem names them).
 */
export function halfWidth(value: string): string {
  return value.replace(/[\uff01-\uff0b\uff0d-\uff1a\uff1c-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ');
}

/** A header cell as compared with the aliases: 网站名称（必填）, *网站名称, Site Name, site_name → 网站名称 / sitename. */
function headerKey(cell: string): string {
  return halfWidth(cleanCell(cell))
    .toLowerCase()
    .replace(/[\s_\-.]+/g, '')
    .replace(/(?:[(][^()]*[)])+$/, '')
    .replace(/^\*+|\*+$/g, '');
}

const FIELD_OF_KEY = new Map<string, Field>(ALL.flatMap((f) => REGISTRY_ALIASES[f].map((a) => [a, f] as const)));

/** The registry column a header cell names (under any of its names, with a note or a * mark), or undefined. */
export function registryField(cell: string): Field | undefined {
  return FIELD_OF_KEY.get(headerKey(cell));
}

/**
 * How a problem names column `i`: the header as the file has it when it uses another name (网址, Site ID), else the
 * registry's name (a note such as （必填） dropped).
 */
export function columnLabel(header: readonly string[], rawHeader: readonly string[] | undefined, i: number): string {
  const f = registryField(header[i] ?? '');
  if (f === undefined) return `第${i + 1}列`;
  const raw = cleanCell(rawHeader?.[i] ?? header[i] ?? '');
  return headerKey(raw) === headerKey(REGISTRY_COLUMNS[f]) ? REGISTRY_COLUMNS[f] : raw;
}

/** A sheet as read from a file: the header cells and the data rows with their spreadsheet row numbers. */
export interface RawTable {
  /** Spreadsheet row number of the header (1 unless the file starts with blank rows). */
  headerRow: number;
  header: readonly string[];
  rows: ReadonlyArray<{ row: number; cells: readonly string[] }>;
  /** Problems the reader found (a malformed row, bytes not valid in the file's encoding, a date cell): reported with
   * the validator's, a cell the reader already reported not reported twice. */
  problems?: readonly RegistryProblem[];
  /** How the file was read (`按 UTF-8、逗号分隔读取` / `read as UTF-8, comma-separated`), shown when columns are missing. */
  readAs?: string;
  readAsEn?: string;
  /** The header cells exactly as read (before a note such as （必填） is dropped), shown when columns are missing. */
  rawHeader?: readonly string[];
  /** XLSX: the worksheet read; every problem names it. */
  sheet?: string;
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

// Pragmatic address check (what a mail server would accept): local@domain.tld, no spaces.
const EMAIL_RE = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export interface RegistryOptions {
  /**
   * Accept loopback and private-network hosts (127.0.0.1, 10.x, 192.168.x, localhost…): the simulated sites of the
   * sandbox, an office testing an intranet site. Off by default — a government site is on the public internet, and
   * the browser that opens these addresses runs inside the office's network or a cloud account.
   */
  allowPrivateHosts?: boolean;
}

/** IPv4 dotted quad → its four numbers, or null. */
function ipv4(host: string): number[] | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  const parts = m ? m.slice(1).map(Number) : null;
  return parts && parts.every((n) => n <= 255) ? parts : null;
}

/**
 * What kind of host a URL names: `never` for addresses no site may have (link-local — the cloud metadata service at
 * 169.254.169.254 and Alibaba Cloud's 100.100.100.200 among them —, unspecified, multicast), `private` for loopback
 * and private networks, `public` otherwise. For a name, only the name is judged: what it resolves to is checked where
 * the connection is made (guarded-fetch's resolver; for the browser, its network is the boundary).
 */
export function hostKind(hostname: string): 'public' | 'private' | 'never' {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  // An IPv4-mapped IPv6 address (the URL parser writes ::ffff:169.254.169.254 as ::ffff:a9fe:a9fe) is its IPv4.
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
  // (A resolver may give the dotted form, ::ffff:127.0.0.1.)
  const mapped = hex
    ? [parseInt(hex[1]!, 16) >> 8, parseInt(hex[1]!, 16) & 255, parseInt(hex[2]!, 16) >> 8, parseInt(hex[2]!, 16) & 255].join('.')
    : /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(host)?.[1];
  const v4 = ipv4(mapped ?? host);
  if (v4) {
    const [a, b] = v4 as [number, number, number, number];
    if (a === 0 || a >= 224 || (a === 169 && b === 254) || (mapped ?? host) === '100.100.100.200') return 'never';
    if (a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127)) return 'private';
    return 'public';
  }
  if (host.includes(':')) {
    if (host === '::' || /^fe[89ab]/.test(host) || host.startsWith('ff')) return 'never';
    if (host === '::1' || /^f[cd]/.test(host)) return 'private';
    return 'public';
  }
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local') || host.endsWith('.internal')) return 'private';
  return 'public';
}

/** Why `v` is not a usable site address (Chinese, for the problem list), or null. */
export function urlProblem(v: string, options: RegistryOptions = {}): string | null {
  if (!/^https?:\/\//i.test(v)) return '不是 http(s) 绝对地址';
  if (/\s/.test(v)) return '含有空白（一格只填一个地址）';
  if (/[。，；、]/.test(v)) return '含有中文标点';
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return '不是 http(s) 绝对地址';
  }
  if (!u.hostname) return '不是 http(s) 绝对地址';
  if (u.username || u.password) return '地址中不能含用户名或密码';
  const kind = hostKind(u.hostname);
  if (kind === 'never') return '不是公网网站地址（链路本地、云元数据等地址）';
  if (kind === 'private' && !options.allowPrivateHosts) return '是本机或内网地址（沙箱与内网测试需 --allow-private-hosts）';
  return null;
}

export function validateRegistry(table: RawTable, options: RegistryOptions = {}): RegistryResult {
  const problems: RegistryProblem[] = [];
  const header = table.header.map(cleanCell);
  const fields = header.map(registryField);
  const index = new Map<Field, number>();
  for (const f of ALL) {
    const i = fields.indexOf(f);
    if (i >= 0) index.set(f, i);
    // a column named twice (or under two of its names): which one holds the value is a guess
    const again = i >= 0 ? fields.indexOf(f, i + 1) : -1;
    if (again >= 0) {
      const names = [...new Set([i, again].map((k) => columnLabel(header, table.rawHeader, k)))];
      const value = names.length > 1 ? names.join('、') : '';
      problems.push({ row: table.headerRow, column: REGISTRY_COLUMNS[f], value, reason: '列名重复（只能有一列）' });
    }
  }
  const label = (f: Field) => columnLabel(header, table.rawHeader, index.get(f)!);
  for (const f of REQUIRED) {
    if (!index.has(f)) {
      problems.push({ row: table.headerRow, column: REGISTRY_COLUMNS[f], value: '', reason: '缺少必需的列' });
    }
  }
  if (problems.length > 0) {
    if (table.rawHeader) problems.push(headerAsRead(table, table.rawHeader));
    return { ok: false, problems: withReadProblems(table, problems) };
  }

  const sites: Site[] = [];
  const firstRowOfId = new Map<string, number>();
  for (const { row, cells } of table.rows) {
    const get = (f: Field) => {
      const i = index.get(f);
      return i === undefined ? '' : cleanCell(cells[i] ?? '');
    };
    if (ALL.every((f) => get(f) === '') && cells.every((c) => cleanCell(c) === '')) continue; // a blank line
    const before = problems.length;
    const problem = (f: Field, value: string, reason: string) => problems.push({ row, column: label(f), value, reason });
    for (const f of REQUIRED) if (get(f) === '') problem(f, '', '不能为空');
    // Values past the last column of a text file: the row is shifted (an unquoted comma in a name), its cells under
    // the wrong headers. (A worksheet's cells cannot shift: a value there is a note beside the row.)
    const beyond = table.sheet === undefined ? cells.slice(header.length).filter((c) => cleanCell(c) !== '') : [];
    if (beyond.length > 0) {
      problems.push({ row, column: `第${header.length + 1}列起`, value: cleanCell(beyond[0]!), reason: '表头之外还有内容（多了分隔符？整行可能错位）' });
    }

    const id = siteId(get('id'));
    if (id !== '') {
      if (/^\d(?:\.\d+)?e\+?\d+$/i.test(id)) problem('id', get('id'), '是科学计数法，位数已丢失（请把这一列设为“文本”，填回完整的10位标识码）');
      else if (!SITE_ID_RE.test(id)) problem('id', get('id'), '不是10位数字或 bm 加8位数字');
      else {
        const first = firstRowOfId.get(id);
        if (first !== undefined) problem('id', id, `与第${first}行重复`);
        else firstRowOfId.set(id, row);
      }
    }
    const category = siteCategory(get('category'));
    if (category !== '' && !(SITE_CATEGORIES as readonly string[]).includes(category)) {
      problem('category', get('category'), `不是已知类别（${SITE_CATEGORIES.join('/')}）`);
    }
    for (const f of ['homeUrl', 'consultUrl'] as const) {
      const v = halfWidth(get(f));
      const why = v === '' ? null : urlProblem(v, options);
      if (why) problem(f, get(f), why);
    }
    const email = halfWidth(get('supervisorEmail'));
    if (email !== '' && !EMAIL_RE.test(email)) problem('supervisorEmail', get('supervisorEmail'), '不是有效的邮箱地址');

    if (problems.length === before) {
      sites.push({
        id,
        name: oneLine(get('name')),
        category: category as SiteCategory,
        region: oneLine(get('region')),
        homeUrl: halfWidth(get('homeUrl')),
        consultUrl: halfWidth(get('consultUrl')),
        ...(email ? { supervisorEmail: email } : {}),
      });
    }
  }
  const all = withReadProblems(table, problems);
  if (all.length > 0) return { ok: false, problems: all };
  return { ok: true, sites };
}

/**
 * A 网站标识码 as staff type or export it: full-width digits, blanks inside (6101 000018), Excel's text mark
 * ('6101000018), a number written by a tool (6101000018.0), an upper-case BM → the 标识码; anything else as it is.
 */
function siteId(v: string): string {
  const id = halfWidth(v).replace(/\s+/g, '').replace(/^'/, '').replace(/^(\d{10})\.0+$/, '$1');
  return /^bm\d{8}$/i.test(id) ? id.toLowerCase() : id;
}

/** A 类别 with blanks or the word 网站 after it (省政府门户网站) is that 类别. */
function siteCategory(v: string): string {
  const c = v.replace(/[\s\u3000]+/g, '');
  const bare = c.replace(/网站$/, '');
  return (SITE_CATEGORIES as readonly string[]).includes(bare) ? bare : c;
}

/** A cell typed over lines (Alt+Enter in Excel: 陕西省⏎人民政府) is one name. */
function oneLine(v: string): string {
  return v.replace(/\s*[\r\n]+\s*/g, '');
}

/** The reader's problems and the validator's (a cell the reader reported once), ordered by row. */
function withReadProblems(table: RawTable, problems: readonly RegistryProblem[]): RegistryProblem[] {
  const read = table.problems ?? [];
  if (read.length === 0) return [...problems];
  const seen = new Set(read.map((p) => `${p.row}\u0000${p.column}`));
  return [...read, ...problems.filter((p) => !seen.has(`${p.row}\u0000${p.column}`))]
    .map((p, i) => ({ p, i }))
    .sort((a, b) => a.p.row - b.p.row || a.i - b.i)
    .map(({ p }) => p);
}

/** The header as read, when required columns are missing: garbled or all in one cell means a wrong encoding or delimiter. */
function headerAsRead(table: RawTable, raw: readonly string[]): RegistryProblem {
  const shown = raw.slice(0, 12).map((c) => (c.length > 60 ? `${c.slice(0, 60)}…` : c));
  return {
    row: table.headerRow,
    column: '表头',
    value: shown.join(' | ') + (raw.length > 12 ? ' | …' : ''),
    reason:
      `是读到的表头（${table.readAs ?? ''}）：若是乱码或挤在一格里，文件的编码或分隔符不对；否则请核对列名` +
      ` / is the header as read (${table.readAsEn ?? ''}): garbled or all in one cell means a wrong encoding or delimiter`,
  };
}

/** `第3行 网站标识码: "61080000" 不是10位数字或 bm 加8位数字` */
export function formatProblem(p: RegistryProblem): string {
  return p.value === '' ? `第${p.row}行 ${p.column}: ${p.reason}` : `第${p.row}行 ${p.column}: "${p.value}" ${p.reason}`;
}

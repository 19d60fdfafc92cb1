import { describe, expect, it } from 'vitest';
import { cleanCell, formatProblem, hostKind, urlProblem, validateRegistry, type RawTable } from '../../shared/domain/registry.ts';

const HEADER = ['网站名称', '网站标识码', '类别', '地区', '首页', '咨询栏目地址', '主管单位邮箱'];
const GOOD = ['陕西省人民政府', '6100000001', '省政府门户', '陕西省', 'http://www.shaanxi.gov.cn/', 'https://www.shaanxi.gov.cn/hd/', 'gk@shaanxi.gov.cn'];

function table(rows: string[][], header: string[] = HEADER): RawTable {
  return { headerRow: 1, header, rows: rows.map((cells, i) => ({ row: i + 2, cells })) };
}
const withCell = (i: number, v: string, base = GOOD) => base.map((c, j) => (j === i ? v : c));
function problems(t: RawTable) {
  const r = validateRegistry(t);
  if (r.ok) throw new Error('expected problems');
  return r.problems;
}

describe('registry validation', () => {
  it('turns a good file into sites', () => {
    const r = validateRegistry(table([GOOD, withCell(1, '6108000039', withCell(6, ''))]));
    expect(r).toEqual({
      ok: true,
      sites: [
        {
          id: '6100000001',
          name: '陕西省人民政府',
          category: '省政府门户',
          region: '陕西省',
          homeUrl: 'http://www.shaanxi.gov.cn/',
          consultUrl: 'https://www.shaanxi.gov.cn/hd/',
          supervisorEmail: 'gk@shaanxi.gov.cn',
        },
        expect.objectContaining({ id: '6108000039' }),
      ],
    });
    if (r.ok) expect(r.sites[1]).not.toHaveProperty('supervisorEmail');
  });

  it('names every missing required column (header row) and reads no row', () => {
    expect(problems(table([GOOD], ['网站名称', '类别', '地区', '首页']))).toEqual([
      { row: 1, column: '网站标识码', value: '', reason: '缺少必需的列' },
      { row: 1, column: '咨询栏目地址', value: '', reason: '缺少必需的列' },
    ]);
  });

  it('accepts the columns in any order, ignores extra columns, and the e-mail column is optional', () => {
    const header = ['备注', '咨询栏目地址', '首页', '地区', '类别', '网站标识码', '网站名称'];
    const r = validateRegistry(table([['x', GOOD[5]!, GOOD[4]!, GOOD[3]!, GOOD[2]!, GOOD[1]!, GOOD[0]!]], header));
    expect(r.ok && r.sites[0]).toMatchObject({ id: '6100000001', name: '陕西省人民政府', consultUrl: GOOD[5] });
  });

  it('knows the columns under the other names registries give them (中文 and English), and names a bad cell by the file\'s own header', () => {
    const zh = ['序号', '网站名称', '网站标识码', '网站类别', '所属地区', '网址', '互动栏目地址', '主管单位'];
    const row = ['1', GOOD[0]!, GOOD[1]!, GOOD[2]!, GOOD[3]!, GOOD[4]!, GOOD[5]!, '陕西省人民政府办公厅'];
    const r = validateRegistry(table([row], zh));
    expect(r.ok && r.sites).toEqual([{ id: GOOD[1], name: GOOD[0], category: GOOD[2], region: GOOD[3], homeUrl: GOOD[4], consultUrl: GOOD[5] }]);
    const en = ['Site Name', 'Site_ID', 'Category', 'Region', 'Home URL', 'Consultation URL', 'Supervisor E-mail'];
    expect(validateRegistry(table([GOOD], en)).ok).toBe(true);
    expect(problems(table([withCell(5, 'www.shaanxi.gov.cn/hd')], en))).toEqual([
      { row: 2, column: 'Consultation URL', value: 'www.shaanxi.gov.cn/hd', reason: '不是 http(s) 绝对地址' },
    ]);
    // 主管单位 (the office's name) is not its mailbox; two names of one column are a duplicate, named as the file has them
    expect(problems(table([[...GOOD, GOOD[4]!]], [...HEADER, '网址']))).toContainEqual({ row: 1, column: '首页', value: '首页、网址', reason: '列名重复（只能有一列）' });
  });

  it('reads full-width addresses and a 类别 written with 网站 after it', () => {
    const r = validateRegistry(table([withCell(2, '省政府门户网站', withCell(5, 'ｈｔｔｐｓ：／／ｗｗｗ．ｓｈａａｎｘｉ．ｇｏｖ．ｃｎ/hd/'))]));
    expect(r.ok && r.sites[0]).toMatchObject({ category: '省政府门户', consultUrl: 'https://www.shaanxi.gov.cn/hd/' });
  });

  it('reports empty required cells with their spreadsheet row and column', () => {
    expect(problems(table([GOOD, withCell(0, '  ', withCell(1, '6100000002'))]))).toEqual([{ row: 3, column: '网站名称', value: '', reason: '不能为空' }]);
  });

  it('accepts the bm 标识码 of State Council departments and vertically managed offices (BM as typed is bm)', () => {
    const r = validateRegistry(table([withCell(1, 'bm07000001'), withCell(1, 'BM29030010', withCell(0, '国家税务总局河北省税务局'))]));
    expect(r.ok && r.sites.map((s) => s.id)).toEqual(['bm07000001', 'bm29030010']);
  });

  it('requires a 网站标识码 of 10 digits or bm and 8 digits', () => {
    for (const bad of ['61080000', '61080000390', '61080000a9', 'bm0700000', 'bm070000011', 'xm07000001', '6108-000039']) {
      expect(problems(table([withCell(1, bad)]))).toEqual([{ row: 2, column: '网站标识码', value: bad, reason: '不是10位数字或 bm 加8位数字' }]);
    }
  });

  it('reads a 网站标识码 in the shapes staff type or tools export: full-width, spaced, Excel\'s \' mark, a trailing .0', () => {
    const typed = ['６１０８００００３９', '6108 000040', "'6108000041", '6108000042.0', 'ＢＭ０７０００００１'];
    const r = validateRegistry(table(typed.map((id, i) => withCell(1, id, withCell(0, `站${i}`)))));
    expect(r.ok ? r.sites.map((s) => s.id) : r.problems).toEqual(['6108000039', '6108000040', '6108000041', '6108000042', 'bm07000001']);
  });

  it('says a 网站标识码 Excel wrote in scientific notation has lost its digits', () => {
    expect(problems(table([withCell(1, '6.108E+09')]))).toEqual([
      { row: 2, column: '网站标识码', value: '6.108E+09', reason: expect.stringContaining('科学计数法') },
    ]);
  });

  it('rejects a duplicate 网站标识码 naming both rows', () => {
    const p = problems(table([GOOD, withCell(1, '6100000002'), withCell(0, '别名')]));
    expect(p).toEqual([{ row: 4, column: '网站标识码', value: '6100000001', reason: '与第2行重复' }]);
    expect(formatProblem(p[0]!)).toBe('第4行 网站标识码: "6100000001" 与第2行重复');
  });

  it('rejects an unknown 类别', () => {
    expect(problems(table([withCell(2, '市级部门')]))).toEqual([
      { row: 2, column: '类别', value: '市级部门', reason: '不是已知类别（省政府门户/省级部门/市县政府门户/市县部门）' },
    ]);
  });

  it('requires absolute http(s) URLs for 首页 and 咨询栏目地址', () => {
    for (const bad of ['www.gov.cn', '/hd/index.html', 'ftp://x.gov.cn/', 'javascript:alert(1)', 'http://']) {
      expect(problems(table([withCell(4, bad)]))).toEqual([{ row: 2, column: '首页', value: bad, reason: '不是 http(s) 绝对地址' }]);
      expect(problems(table([withCell(5, bad)]))[0]?.column).toBe('咨询栏目地址');
    }
  });

  it('checks the e-mail format when one is given', () => {
    for (const bad of ['gk', 'gk@', '@x.cn', 'gk@x', 'g k@x.cn', 'gk@@x.cn']) {
      expect(problems(table([withCell(6, bad)]))).toEqual([{ row: 2, column: '主管单位邮箱', value: bad, reason: '不是有效的邮箱地址' }]);
    }
  });

  it('trims whitespace, including full-width spaces, in headers and cells', () => {
    const header = HEADER.map((h) => `\u3000${h} `);
    const r = validateRegistry(table([GOOD.map((c) => `\u3000 ${c}\u3000\t`)], header));
    expect(r.ok && r.sites[0]).toMatchObject({ id: '6100000001', name: '陕西省人民政府', supervisorEmail: 'gk@shaanxi.gov.cn' });
    expect(cleanCell('\ufeff\u00a0甲\u3000')).toBe('甲');
  });

  it('reports ALL problems of ALL rows, not just the first, and skips blank lines', () => {
    const p = problems(
      table([
        GOOD,
        ['', '', '', '', '', '', ''],
        ['西安市人民政府', '61080000', '市级', '西安市', 'ftp://x', '', 'bad'],
        withCell(0, ''),
      ]),
    );
    expect(p.map(formatProblem)).toEqual([
      '第4行 咨询栏目地址: 不能为空',
      '第4行 网站标识码: "61080000" 不是10位数字或 bm 加8位数字',
      '第4行 类别: "市级" 不是已知类别（省政府门户/省级部门/市县政府门户/市县部门）',
      '第4行 首页: "ftp://x" 不是 http(s) 绝对地址',
      '第4行 主管单位邮箱: "bad" 不是有效的邮箱地址',
      '第5行 网站名称: 不能为空',
      '第5行 网站标识码: "6100000001" 与第2行重复',
    ]);
  });

  it('uses the header row number the file has (blank lines above the header)', () => {
    const t: RawTable = { headerRow: 3, header: ['网站名称'], rows: [] };
    expect(problems(t)[0]).toMatchObject({ row: 3, column: '网站标识码' });
  });
});

describe('site addresses', () => {
  it('a government site is on the public internet: link-local, metadata, unspecified and multicast hosts are never accepted', () => {
    for (const host of ['169.254.169.254', '169.254.0.23', '2852039166', '100.100.100.200', '0.0.0.0', '224.0.0.1', '[fe80::1]', '[::ffff:169.254.169.254]', '[::]']) {
      expect(urlProblem(`http://${host}/latest/meta-data/`, { allowPrivateHosts: true }), host).toMatch(/不是公网网站地址/);
    }
  });

  it('loopback and private networks only with --allow-private-hosts (the sandbox, intranet tests)', () => {
    for (const host of ['127.0.0.1:8080', '10.1.2.3', '172.20.0.5', '192.168.1.10', '100.64.0.1', 'localhost', '[::1]', 'oa.internal']) {
      expect(urlProblem(`http://${host}/hd`), host).toMatch(/内网/);
      expect(urlProblem(`http://${host}/hd`, { allowPrivateHosts: true }), host).toBeNull();
    }
    expect(hostKind('www.xa.gov.cn')).toBe('public');
    expect(hostKind('172.32.0.1')).toBe('public');
  });

  it('refuses credentials, two addresses in one cell and Chinese punctuation, naming the reason', () => {
    expect(urlProblem('http://user:pw@www.xa.gov.cn/hd')).toMatch(/用户名或密码/);
    expect(urlProblem('http://www.xa.gov.cn/hd http://b.gov.cn/')).toMatch(/空白/);
    expect(urlProblem('http://www.xa.gov.cn。')).toMatch(/中文标点/);
    expect(urlProblem('www.xa.gov.cn/hd')).toMatch(/http\(s\)/);
    expect(urlProblem('https://www.xa.gov.cn/hdjl/zxts.jsp?id=1&t=咨询')).toBeNull();
  });

  it('the registry reports a private consultation address by row and column unless allowed', () => {
    const row = withCell(5, 'http://127.0.0.1:8080/zx/');
    expect(problems(table([row]))).toEqual([{ row: 2, column: '咨询栏目地址', value: 'http://127.0.0.1:8080/zx/', reason: expect.stringMatching(/内网/) }]);
    expect(validateRegistry(table([row]), { allowPrivateHosts: true }).ok).toBe(true);
  });
});


describe('rows and headers that would put values under the wrong column', () => {
  it('reports values past the last column (a shifted row) and a column named twice; a name typed over lines is one name', () => {
    const shifted = ['西安市', '人民政府', '6101000001', '市县政府门户', '陕西省西安市', 'http://www.xa.gov.cn/', 'http://www.xa.gov.cn/hd/', 'a@xa.gov.cn'];
    expect(problems(table([shifted]))).toContainEqual({ row: 2, column: '第8列起', value: 'a@xa.gov.cn', reason: expect.stringMatching(/表头之外/) });
    // trailing empty cells (Excel's trailing commas) are not content
    expect(validateRegistry(table([[...GOOD, '', '']])).ok).toBe(true);
    expect(problems(table([GOOD], [...HEADER.slice(0, 6), '网站名称']))).toContainEqual({ row: 1, column: '网站名称', value: '', reason: '列名重复（只能有一列）' });
    const r = validateRegistry(table([withCell(0, '陕西省\n人民政府')]));
    expect(r.ok && r.sites[0]!.name).toBe('陕西省人民政府');
  });
});

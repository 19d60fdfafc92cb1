import { describe, expect, it } from 'vitest';
import { addUser, ensureInitialAdmin, hashPassword, login, MemoryAuthStore, resolveSession, verifyPassword } from '../../shared/app/auth.ts';
import { regionKey, type SiteRow } from '../../shared/app/api/campaign-view.ts';
import { exportCells, filterRows, pageRows, parseSitesQuery } from '../../shared/app/api/sites-table.ts';
import { neutralise } from '../../shared/domain/report/tables.ts';
import { highestRole, roleAllows } from '../../shared/app/api/types.ts';
import { InputError } from '../../shared/domain/errors.ts';

const row = (i: number, over: Partial<SiteRow> = {}): SiteRow => ({
  siteId: String(1000000000 + i),
  name: `网站${i}`,
  region: i % 2 ? '广东省广州市' : '陕西省西安市',
  category: '市县部门',
  result: i % 3 === 0 ? 'late' : 'on-time',
  honour: false,
  health: 'ok',
  letters: 2,
  replied: i % 3,
  outcomes: ['on-time'],
  ...over,
});

describe('dashboard units', () => {
  it('roles: each includes the ones below it; Cognito groups give the highest role', () => {
    expect(roleAllows('admin', 'operator')).toBe(true);
    expect(roleAllows('viewer', 'operator')).toBe(false);
    expect(highestRole(['viewer', 'admin', 'other'])).toBe('admin');
    expect(highestRole(['other'])).toBeUndefined();
  });

  it('neutralises cells a spreadsheet would run as formulas, in every exported column', () => {
    for (const bad of ['=HYPERLINK("http://x")', '+1', '-1+2', '@SUM(A1)', '\tx', '\rx', '\nx', '  =1+1', '\u3000=1+1', '＝HYPERLINK("http://x")', '＋1', '－1', '＠SUM(A1)']) {
      expect(neutralise(bad).startsWith("'"), JSON.stringify(bad)).toBe(true);
    }
    expect(neutralise('西安市人民政府')).toBe('西安市人民政府');
    const cells = exportCells([row(1, { name: '=cmd|"/c calc"!A1', region: '+evil' })])[0]!;
    expect(cells[1]).toBe(`'=cmd|"/c calc"!A1`);
    expect(cells[2]).toBe("'+evil");
  });

  it('filters, sorts and pages 14,000 rows quickly and exactly', () => {
    const rows = Array.from({ length: 14_000 }, (_, i) => row(i));
    const t = performance.now();
    const q = parseSitesQuery({ region: '广东', result: 'late', sort: 'replied', dir: 'desc', page: '2', size: '100' });
    const filtered = filterRows(rows, q);
    const page = pageRows(filtered, q);
    expect(performance.now() - t).toBeLessThan(200);
    expect(filtered.every((r) => r.region.includes('广东') && r.result === 'late')).toBe(true);
    expect(page.total).toBe(filtered.length);
    expect(page.rows).toHaveLength(100);
    expect(page.rows[0]!.replied).toBeGreaterThanOrEqual(page.rows.at(-1)!.replied);
  });

  it('refuses a bad sites query with an InputError', () => {
    expect(() => parseSitesQuery({ sort: 'password' })).toThrow(InputError);
    expect(() => parseSitesQuery({ size: '100000' })).toThrow(InputError);
  });

  it('takes the province as the region key', () => {
    expect(regionKey('广东省广州市')).toBe('广东省');
    expect(regionKey('新疆维吾尔自治区/乌鲁木齐市')).toBe('新疆维吾尔自治区');
    expect(regionKey('北京市')).toBe('北京市');
  });

  it('hashes passwords with scrypt and salt: the same password twice gives two hashes, both verify', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).not.toBe(b);
    expect(a.startsWith('scrypt$')).toBe(true);
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterz', a)).toBe(false);
  });

  it('creates admin once at first start, refuses weak passwords, and expires sessions', async () => {
    const store = new MemoryAuthStore();
    let now = Date.parse('2026-03-02T00:00:00Z');
    const clock = { now: () => new Date(now) };
    const first = await ensureInitialAdmin(store, clock);
    expect(first?.name).toBe('admin');
    expect(await ensureInitialAdmin(store, clock)).toBeNull();
    await expect(addUser(store, { name: 'li', role: 'viewer', password: 'short', by: 't' }, clock)).rejects.toThrow(InputError);
    await expect(addUser(store, { name: 'li', role: 'boss', password: 'long enough password', by: 't' }, clock)).rejects.toThrow(InputError);
    await addUser(store, { name: 'li', role: 'operator', password: 'long enough password', by: 't' }, clock);
    expect(await login(store, 'li', 'wrong password here', clock)).toBeNull();
    expect(await login(store, 'nobody', 'long enough password', clock)).toBeNull();
    const s = await login(store, 'li', 'long enough password', clock, 60_000);
    expect(s?.session.role).toBe('operator');
    expect(s?.session.idHash).not.toBe(s?.sessionId);
    expect((await resolveSession(store, s!.sessionId, clock))?.user).toBe('li');
    now += 61_000;
    expect(await resolveSession(store, s!.sessionId, clock)).toBeUndefined();
  });
});

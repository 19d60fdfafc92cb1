import { describe, expect, it } from 'vitest';
import { defaultFleet, MAX_FLEET } from '../../sandbox/fleet.ts';
import { SITE_CATEGORIES } from '../../shared/domain/model.ts';
import { VARIANTS } from '../../sandbox/variants/index.ts';
import { validateRegistry } from '../../shared/domain/registry.ts';
import { parse } from 'csv-parse/sync';

const fakeSandbox = { urlOf: (k: string) => `http://127.0.0.1:1/s/${k}/`, consultUrlOf: (k: string) => `http://127.0.0.1:1/s/${k}/consult` };

describe('defaultFleet', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = defaultFleet({ count: 60, seed: 7 });
    const b = defaultFleet({ count: 60, seed: 7 });
    const c = defaultFleet({ count: 60, seed: 8 });
    expect(a.specs).toEqual(b.specs);
    expect(a.registry(fakeSandbox)).toEqual(b.registry(fakeSandbox));
    expect(a.specs.map((s) => s.variant)).not.toEqual(c.specs.map((s) => s.variant));
  });

  it('60 sites mix every behaviour in realistic proportions, with all four 通报 categories', () => {
    const f = defaultFleet({ count: 60, seed: 1 });
    expect(f.sites).toHaveLength(60);
    const count = (b: string) => f.sites.filter((s) => s.behaviour === b).length;
    expect(count('on-time')).toBeGreaterThanOrEqual(15);
    expect(count('never')).toBeGreaterThanOrEqual(6);
    for (const b of ['same-day', 'late', 'auto-ack-only', 'unavailable', 'gated', 'redirect-12345', 'unconfirmed']) expect(count(b), b).toBeGreaterThanOrEqual(1);
    expect(new Set(f.registry(fakeSandbox).map((s) => s.category))).toEqual(new Set(SITE_CATEGORIES));
    const variants = new Set(f.specs.map((s) => s.variant));
    for (const v of ['captcha', 'sms', 'login', 'redirect-12345', 'slow', 'not-found', 'server-error', 'no-form', 'site-error', 'jact', 'trs', 'gbk']) expect(variants.has(v as never), v).toBe(true);
  });

  it('registry rows carry unique 10-digit 网站标识码 that start with the region code, and sandbox URLs', () => {
    const f = defaultFleet({ count: 120, seed: 3 });
    const rows = f.registry(fakeSandbox);
    expect(new Set(rows.map((r) => r.id)).size).toBe(120);
    expect(new Set(f.specs.map((s) => s.key)).size).toBe(120);
    for (const r of rows) {
      expect(r.id).toMatch(/^61\d{8}$/);
      expect(r.name).toMatch(/网站$/);
      expect(r.homeUrl).toMatch(/^http:\/\/127\.0\.0\.1:1\/s\/sx\d{3}\/$/);
    }
    expect(rows[0]).toMatchObject({ id: '6100000001', name: '陕西省人民政府门户网站', category: '省政府门户', region: '陕西省' });
    expect(f.specs.every((s) => s.variant in VARIANTS)).toBe(true);
  });

  it('the registry CSV passes the registry validation and round-trips the rows', () => {
    const f = defaultFleet({ count: 60, seed: 4 });
    const [header, ...rows] = parse(f.registryCsv(fakeSandbox), { bom: true }) as string[][];
    const result = validateRegistry({ headerRow: 1, header: header as string[], rows: rows.map((cells, i) => ({ row: i + 2, cells })) }, { allowPrivateHosts: true }); // the sandbox is on 127.0.0.1
    expect(result).toEqual({ ok: true, sites: f.registry(fakeSandbox) });
  });

  it('expectedVerdicts follows each site\'s reply plan against the campaign deadline', () => {
    const f = defaultFleet({ count: 60, seed: 1 });
    const v1 = f.expectedVerdicts();
    const byBehaviour = (b: string) => v1.filter((v) => v.behaviour === b);
    expect(byBehaviour('same-day').every((v) => v.verdict === 'same-day' && v.siteResult === 'on-time')).toBe(true);
    expect(byBehaviour('on-time').every((v) => v.verdict === 'on-time' && v.replyAfterWorkingDays === 1)).toBe(true);
    expect(byBehaviour('late').every((v) => v.verdict === 'late' && (v.replyAfterWorkingDays ?? 0) >= 3)).toBe(true);
    expect(byBehaviour('never').every((v) => v.verdict === 'none')).toBe(true);
    expect(byBehaviour('auto-ack-only').every((v) => v.verdict === 'none')).toBe(true);
    expect(byBehaviour('unavailable').every((v) => v.letterState === 'unavailable' && v.siteResult === 'unavailable')).toBe(true);
    expect(byBehaviour('gated').every((v) => v.letterState === 'gated' && v.siteResult === undefined)).toBe(true);
    expect(byBehaviour('unconfirmed').every((v) => v.letterState === 'unconfirmed')).toBe(true);
    // a 5-working-day deadline makes every late site on time
    expect(f.expectedVerdicts({ workingDays: 5 }).filter((v) => v.behaviour === 'late').every((v) => v.verdict === 'on-time')).toBe(true);
  });

  it('scales to the whole candidate pool and refuses beyond it', () => {
    expect(defaultFleet({ count: MAX_FLEET, seed: 2 }).sites).toHaveLength(MAX_FLEET);
    expect(new Set(defaultFleet({ count: MAX_FLEET, seed: 2 }).sites.map((s) => s.site.id)).size).toBe(MAX_FLEET);
    expect(() => defaultFleet({ count: MAX_FLEET + 1 })).toThrow(RangeError);
    expect(defaultFleet({ count: 5, seed: 1 }).sites).toHaveLength(5);
  });
});

/**
 * The dashboard API through the local web server on dynalite: every route refuses the unauthenticated (401),
 * every state-changing route refuses a missing or wrong CSRF token and a too-weak role (403), sessions expire,
 * cookies and security headers are what a browser needs, and the overview and sites table agree with the store.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../../shared/app/auth.ts';
import { dashboardWiring, type DashboardWiring } from '../../shared/local/dashboard.ts';
import { openLocalStores, type OpenStores } from '../../shared/local/runtime.ts';
import { startWebServer, type WebServer } from '../../shared/local/web-server.ts';
import { MovableClock, SEED_NOW, seedDashboard, type Seeded } from '../e2e/dashboard-seed.ts';

const PNG_1x1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const PASSWORD = 'correct horse battery';

let stores: OpenStores;
let wiring: DashboardWiring;
let server: WebServer;
let seeded: Seeded;
let dir: string;
const clock = new MovableClock(Date.parse(SEED_NOW));

interface Session {
  cookie: string;
  csrf: string;
}

async function loginAs(user: string, password = PASSWORD): Promise<Session> {
  const r = await fetch(`${server.url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, password }) });
  expect(r.status).toBe(200);
  const cookie = r.headers.get('set-cookie')!.split(';')[0]!;
  const { csrf } = (await r.json()) as { csrf: string };
  return { cookie, csrf };
}

function call(method: string, p: string, s?: Session, o: { csrf?: string | null; body?: unknown } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (s) headers.cookie = s.cookie;
  const csrf = o.csrf === undefined ? s?.csrf : o.csrf;
  if (csrf) headers['x-csrf-token'] = csrf;
  return fetch(`${server.url}${p}`, { method, headers, ...(method === 'GET' ? {} : { body: JSON.stringify(o.body ?? {}) }) });
}

const concrete = (pattern: string) => pattern.replace(':id', 'x0000000000test');

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'huixin-dash-'));
  mkdirSync(path.join(dir, 'dist'));
  writeFileSync(path.join(dir, 'dist', 'index.html'), '<!doctype html><title>回信</title>');
  stores = await openLocalStores({ inMemory: true });
  wiring = dashboardWiring(stores, { dataDir: dir, clock, env: {} });
  seeded = await seedDashboard(stores, wiring, clock, PNG_1x1);
  for (const role of ['viewer', 'operator', 'admin']) await addUser(wiring.auth, { name: role, role, password: PASSWORD, by: 'test' }, clock);
  server = await startWebServer({ api: wiring.api, auth: wiring.auth, clock, staticDir: path.join(dir, 'dist') });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await stores?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('dashboard API: authentication and authorisation', () => {
  it('refuses every route without a session with 401', async () => {
    for (const r of wiring.api.routes) {
      const res = await call(r.method, concrete(r.pattern));
      expect(res.status, `${r.method} ${r.pattern}`).toBe(401);
    }
  });

  it('refuses every state-changing route without the CSRF token, or with a wrong one, with 403', async () => {
    const admin = await loginAs('admin');
    const posts = wiring.api.routes.filter((r) => r.method === 'POST');
    expect(posts.length).toBeGreaterThanOrEqual(7);
    for (const r of posts) {
      for (const csrf of [null, 'not-the-token', `${admin.csrf}x`]) {
        const res = await call('POST', concrete(r.pattern), admin, { csrf });
        expect(res.status, `${r.pattern} csrf=${csrf}`).toBe(403);
        expect(((await res.json()) as { error: string }).error).toBe('csrf');
      }
    }
  });

  it('refuses a state-changing request that is not JSON (a cross-site form post) or comes from another origin', async () => {
    const admin = await loginAs('admin');
    const form = await fetch(`${server.url}/api/mails/x/discard`, {
      method: 'POST',
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'note=x',
    });
    expect(form.status).toBe(415);
    const cross = await fetch(`${server.url}/api/mails/x/discard`, {
      method: 'POST',
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf, 'content-type': 'application/json', origin: 'http://evil.example' },
      body: '{}',
    });
    expect(cross.status).toBe(403);
  });

  it('refuses each route to a role below the one it declares with 403, and lets that role through', async () => {
    const sessions = { viewer: await loginAs('viewer'), operator: await loginAs('operator'), admin: await loginAs('admin') };
    const below = { viewer: [], operator: ['viewer'], admin: ['viewer', 'operator'] } as const;
    for (const r of wiring.api.routes) {
      for (const weak of below[r.role]) {
        const res = await call(r.method, concrete(r.pattern), sessions[weak]);
        expect(res.status, `${weak} ${r.method} ${r.pattern}`).toBe(403);
      }
      const res = await call(r.method, concrete(r.pattern), sessions[r.role]);
      expect([401, 403], `${r.role} ${r.method} ${r.pattern}`).not.toContain(res.status);
    }
  });

  it('sets an HttpOnly SameSite=Strict session cookie, refuses a wrong password, and expires sessions', async () => {
    const r = await fetch(`${server.url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'viewer', password: PASSWORD }) });
    const setCookie = r.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    const bad = await fetch(`${server.url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'viewer', password: 'wrong password!!' }) });
    expect(bad.status).toBe(401);
    const s = await loginAs('viewer');
    expect((await call('GET', '/api/me', s)).status).toBe(200);
    clock.set('2026-03-06T15:00:00+08:00'); // a day later: past the 8 h session
    try {
      expect((await call('GET', '/api/me', s)).status).toBe(401);
    } finally {
      clock.set(SEED_NOW);
    }
  });

  it('logs out: the session id stops working', async () => {
    const s = await loginAs('viewer');
    expect((await call('POST', '/auth/logout', s)).status).toBe(200);
    expect((await call('GET', '/api/me', s)).status).toBe(401);
  });

  it('sends the security headers on pages and API answers', async () => {
    for (const p of ['/', '/api/me']) {
      const res = await fetch(`${server.url}${p}`);
      const csp = res.headers.get('content-security-policy')!;
      expect(csp).toMatch(/script-src 'self'(;|$)/);
      expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
      expect(csp).toMatch(/frame-ancestors 'none'/);
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    }
  });
});

describe('dashboard API: what it shows', () => {
  it('the overview counts what the store holds', async () => {
    const s = await loginAs('viewer');
    const res = await call('GET', `/api/campaigns/${seeded.campaignId}/overview`, s);
    expect(res.status).toBe(200);
    const { overview: o } = (await res.json()) as { overview: { letters: number; buckets: Record<string, number>; states: Record<string, number>; dueToday: number; overdue: number } };
    const letters = await stores.letters.lettersOfCampaign(seeded.campaignId);
    expect(o.letters).toBe(letters.length);
    expect(o.states.gated).toBe(letters.filter((l) => l.state === 'gated').length);
    expect(o.buckets.sent).toBe(3);
    expect(o.buckets.sameDay).toBe(1);
    expect(o.buckets.unavailable).toBe(1);
    expect(o.dueToday).toBe(1); // the letter submitted on Wednesday is due Thursday
    expect(o.overdue).toBe(1);
  });

  it('filters, sorts and pages the sites table, and exports it with formulas neutralised', async () => {
    const s = await loginAs('viewer');
    const page = (await (await call('GET', `/api/campaigns/${seeded.campaignId}/sites?region=${encodeURIComponent('广东')}&sort=name`, s)).json()) as { total: number; rows: { siteId: string }[] };
    expect(page.total).toBe(2);
    expect(page.rows.map((r) => r.siteId)).toEqual(['4400000006', '4401000005']);
    const broken = (await (await call('GET', `/api/campaigns/${seeded.campaignId}/sites?health=unavailable`, s)).json()) as { rows: { siteId: string }[] };
    expect(broken.rows.map((r) => r.siteId)).toEqual(['4401000005']);
    const csv = await call('GET', `/api/campaigns/${seeded.campaignId}/sites/export?format=csv&region=${encodeURIComponent('广东')}`, s);
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const text = await csv.text();
    expect(text.trim().split('\n')).toHaveLength(3);
    const xlsx = await call('GET', `/api/campaigns/${seeded.campaignId}/sites/export?format=xlsx`, s);
    expect(Buffer.from(await xlsx.arrayBuffer()).subarray(0, 2).toString()).toBe('PK');
  });

  it('attaching a held mail (operator) turns the letter from pending to replied, records who, and refreshes the overview', async () => {
    const op = await loginAs('operator');
    const before = (await (await call('GET', `/api/letters/${seeded.awaiting.id}`, op)).json()) as { judgement: { verdict: string } };
    expect(before.judgement.verdict).toBe('pending');
    const held = (await (await call('GET', '/api/queues/held', op)).json()) as { total: number; items: { id: string }[] };
    expect(held.items.map((m) => m.id)).toContain(seeded.heldMailId);
    const res = await call('POST', `/api/mails/${seeded.heldMailId}/attach`, op, { body: { letterId: seeded.awaiting.id } });
    expect(res.status).toBe(200);
    const after = (await (await call('GET', `/api/letters/${seeded.awaiting.id}`, op)).json()) as { judgement: { verdict: string }; entries: { actor: string; type: string }[] };
    expect(after.judgement.verdict).toBe('on-time');
    expect(after.entries.some((e) => e.actor === 'staff:operator')).toBe(true);
    const { overview } = (await (await call('GET', `/api/campaigns/${seeded.campaignId}/overview`, op)).json()) as { overview: { buckets: Record<string, number> } };
    expect(overview.buckets.onTime).toBe(1);
    expect(((await call('GET', '/api/queues/held', op).then((r) => r.json())) as { total: number }).total).toBe(0);
  });

  it('records a hand submission of a gated letter with its 查询码, who and when', async () => {
    const op = await loginAs('operator');
    const gated = (await (await call('GET', '/api/queues/gated', op)).json()) as { items: { letter: { id: string } }[] };
    expect(gated.items.map((g) => g.letter.id)).toEqual([seeded.gated.id]);
    const res = await call('POST', `/api/letters/${seeded.gated.id}/submission`, op, { body: { submittedAt: '2026-03-05T14:30:00+08:00', queryCode: 'SG123' } });
    expect(res.status).toBe(200);
    const l = await stores.letters.getLetter(seeded.gated.id);
    expect(l?.state).toBe('submitted');
    expect(l?.queryCode).toBe('SG123');
    const again = await call('POST', `/api/letters/${seeded.gated.id}/submission`, op, { body: { submittedAt: '2026-03-05T14:30:00+08:00', queryCode: 'SG123' } });
    expect(again.status).toBe(400);
  });

  it('records a phone reply (operator) and undoes it with a new event: the verdict follows both', async () => {
    const op = await loginAs('operator');
    const id = seeded.overdue.id;
    const rec = await call('POST', `/api/letters/${id}/replies`, op, { body: { repliedAt: '2026-03-05T09:00:00+08:00', channel: 'phone', note: '电话答复' } });
    expect(rec.status).toBe(200);
    const { eventId } = (await rec.json()) as { eventId: string };
    let d = (await (await call('GET', `/api/letters/${id}`, op)).json()) as { judgement: { verdict: string }; entries: { type: string; actor: string }[] };
    expect(d.judgement.verdict).toBe('late');
    expect((await call('POST', `/api/letters/${id}/undo`, op, { body: { eventId } })).status).toBe(200);
    d = (await (await call('GET', `/api/letters/${id}`, op)).json()) as typeof d;
    expect(d.judgement.verdict).toBe('pending');
    expect(d.entries.filter((e) => e.actor === 'staff:operator').map((e) => e.type).sort()).toEqual(['staff.edit', 'staff.undo']); // same instant: either order
  });

  it('keeps the counters item equal to a recount from the letters after every change it saw', async () => {
    const admin = await loginAs('admin');
    const cached = (await (await call('GET', `/api/campaigns/${seeded.campaignId}/overview`, admin)).json()) as { cached: boolean; overview: Record<string, unknown> };
    expect(cached.cached).toBe(true);
    const fresh = (await (await call('POST', `/api/campaigns/${seeded.campaignId}/recount`, admin)).json()) as { overview: Record<string, unknown> };
    const { asOf: _a, ...c } = cached.overview;
    const { asOf: _b, ...f } = fresh.overview;
    expect(c).toEqual(f);
  });

  it('pages the work queues (a big campaign has thousands of overdue letters) and refuses a page size over 500', async () => {
    const v = await loginAs('viewer');
    const all = (await (await call('GET', '/api/queues/overdue', v)).json()) as { total: number; page: number; size: number; items: { letter: { id: string; siteId: string }; site: { id: string } | null }[] };
    expect(all.total).toBeGreaterThanOrEqual(1);
    expect(all.items).toHaveLength(Math.min(all.total, 100));
    expect(all.size).toBe(100);
    // each letter comes with its site (read for this page's letters only)
    for (const item of all.items) expect(item.site?.id).toBe(item.letter.siteId);
    const second = (await (await call('GET', `/api/queues/overdue?page=2&size=${all.total}`, v)).json()) as { total: number; items: unknown[] };
    expect(second).toMatchObject({ total: all.total, items: [] });
    const res = await call('GET', '/api/queues/held?size=100000', v);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/^size:/);
  });

  it('answers a malformed percent-escape in a path or a stray cookie with 400 or as usual, never 500', async () => {
    const v = await loginAs('viewer');
    const bad = await call('GET', '/api/sites/%E0%A4%A', v);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toBe('bad input');
    expect((await fetch(`${server.url}/%E0%A4%A`)).status).toBe(400);
    // another program on this host set a cookie that is not percent-encoding: the session still works
    const res = await fetch(`${server.url}/api/me`, { headers: { cookie: `other=%E0%A4%A; ${v.cookie}` } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { user: string }).user).toBe('viewer');
  });

  it('serves evidence objects and refuses keys that climb out', async () => {
    const v = await loginAs('viewer');
    const img = await call('GET', `/api/objects?key=${encodeURIComponent(seeded.screenshotKey)}`, v);
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toBe('image/png');
    expect((await call('GET', `/api/objects?key=${encodeURIComponent('../../etc/passwd')}`, v)).status).toBe(400);
  });
});

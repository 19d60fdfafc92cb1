/**
 * The dashboard in real Chromium (C2's launchBrowser) against the locally served dashboard on the embedded
 * default (dynalite in memory), with a small campaign seeded through the real use cases. Screenshots go to
 * test-artifacts/dashboard/; axe-core runs on every page (no serious or critical violation allowed).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../shared/adapters/browser/launch.ts';
import { addUser } from '../../shared/app/auth.ts';
import { dashboardWiring, type DashboardWiring } from '../../shared/local/dashboard.ts';
import { openLocalStores, type OpenStores } from '../../shared/local/runtime.ts';
import { startWebServer, type WebServer } from '../../shared/local/web-server.ts';
import { buildWeb } from '../../web/build.ts';
import { MovableClock, SEED_NOW, seedDashboard, type Seeded } from './dashboard-seed.ts';

const ARTIFACTS = path.resolve('test-artifacts', 'dashboard');
const PASSWORD = 'a long test password';
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let stores: OpenStores;
let wiring: DashboardWiring;
let server: WebServer;
let browser: Browser;
let page: Page;
let seeded: Seeded;
let dir: string;
const clock = new MovableClock(Date.parse(SEED_NOW));

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) as `${string}.png`, fullPage: true });
}

/** axe-core in the page (evaluated over the DevTools protocol, so the page's CSP stays as it is). */
async function accessibility(name: string): Promise<void> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const r = await (window as unknown as { axe: { run(o: unknown): Promise<{ violations: Array<{ id: string; impact: string; nodes: unknown[] }> }> } }).axe.run({ resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
  });
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad, `${name}: ${JSON.stringify(bad)}`).toEqual([]);
}

async function logIn(user: string): Promise<void> {
  await page.goto(`${server.url}/`, { waitUntil: 'load' });
  await page.waitForSelector('#user');
  await page.type('#user', user);
  await page.type('#password', PASSWORD);
  await Promise.all([page.waitForSelector('[data-testid="whoami"]'), page.click('form.login button[type="submit"]')]);
}

async function text(selector: string): Promise<string> {
  await page.waitForSelector(selector);
  return page.$eval(selector, (el) => el.textContent ?? '');
}

const number = async (testid: string) => Number((await text(`[data-testid="${testid}"] .n`)).trim());

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  dir = mkdtempSync(path.join(tmpdir(), 'huixin-e2e-'));
  const dist = await buildWeb(path.join(dir, 'dist'));
  browser = await launchBrowser({ allowPrivateHosts: true }); // test servers on 127.0.0.1
  // The evidence screenshot: what a submitter would have captured on a 提交成功 page.
  const evidencePage = await browser.newPage();
  await evidencePage.setContent('<html><body style="font-family:sans-serif;padding:40px"><h1>提交成功</h1><p>您的查询码：CX20260302A</p></body></html>');
  const png = await evidencePage.screenshot({ type: 'png' });
  await evidencePage.close();
  page = await browser.newPage();
  stores = await openLocalStores({ inMemory: true });
  wiring = dashboardWiring(stores, { dataDir: dir, clock, env: {} });
  seeded = await seedDashboard(stores, wiring, clock, png);
  for (const role of ['viewer', 'operator']) await addUser(wiring.auth, { name: role, role, password: PASSWORD, by: 'test' }, clock);
  server = await startWebServer({ api: wiring.api, auth: wiring.auth, clock, staticDir: dist });

}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await stores?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the dashboard in Chromium', () => {
  it('shows the login page, accessible, and refuses a wrong password', async () => {
    await page.goto(`${server.url}/`, { waitUntil: 'load' });
    await page.waitForSelector('#user');
    await accessibility('login');
    await shot('01-login');
    await page.type('#user', 'viewer');
    await page.type('#password', 'not the password');
    await page.click('form.login button[type="submit"]');
    expect(await text('[role="alert"]')).toMatch(/用户名或密码错误/);
  });

  it('logs in and shows overview numbers that match the store', async () => {
    await logIn('operator');
    await page.waitForSelector('[data-testid="b-sent"]');
    const letters = await stores.letters.lettersOfCampaign(seeded.campaignId);
    expect(await number('b-sent')).toBe(letters.filter((l) => l.submittedAt).length);
    expect(await number('b-gated')).toBe(letters.filter((l) => l.state === 'gated').length);
    expect(await number('b-unavailable')).toBe(letters.filter((l) => l.state === 'unavailable').length);
    expect(await number('b-same-day')).toBe(1);
    expect(await number('due-today')).toBe(1);
    expect(await number('overdue')).toBe(1);
    await page.waitForSelector('.chart svg');
    await accessibility('overview');
    await shot('02-overview');
    // the English toggle, and back
    await page.click('header .who button:first-of-type');
    await page.waitForFunction(() => document.querySelector('main h1')?.textContent === 'Overview');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    await page.click('header .who button:first-of-type');
    await page.waitForFunction(() => document.querySelector('main h1')?.textContent === '概览');
  });

  it('filters the sites table', async () => {
    await page.goto(`${server.url}/#/sites`, { waitUntil: 'load' });
    await page.waitForSelector('table.sites tbody tr');
    expect(await page.$$eval('table.sites tbody tr', (rows) => rows.length)).toBe(6);
    await page.type('#f-region', '广东');
    await page.click('form.filters button[type="submit"]');
    await page.waitForFunction(() => document.querySelectorAll('table.sites tbody tr').length === 2);
    const ids = await page.$$eval('table.sites tbody tr', (rows) => rows.map((r) => r.getAttribute('data-site')));
    expect(ids.sort()).toEqual(['4400000006', '4401000005']);
    expect(await text('[data-testid="sites-total"]')).toMatch(/2/);
    // codes from the server are shown in Chinese: channel health, the user's role
    expect(await page.$eval('tr[data-site="4401000005"] td:nth-child(6)', (el) => el.textContent)).toBe('渠道不可用');
    expect(await page.$eval('tr[data-site="4400000006"] td:nth-child(6)', (el) => el.textContent)).not.toMatch(/^[a-z-]+$/);
    expect(await text('[data-testid="whoami"]')).toBe('operator (操作员)');
    await accessibility('sites');
    await shot('03-sites-filtered');
  });

  it('opens a letter and shows its evidence screenshot and the reply that decided its verdict', async () => {
    await page.goto(`${server.url}/#/letter/${seeded.replied.id}`, { waitUntil: 'load' });
    await page.waitForSelector(`article[data-letter="${seeded.replied.id}"] [data-testid="evidence-screenshot"]`);
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('[data-testid="evidence-screenshot"]');
      return !!img && img.complete && img.naturalWidth > 100;
    });
    expect(await text('[data-testid="verdict"]')).toMatch(/当日回复/);
    expect(await text('[data-testid="decided-by"]')).toMatch(/回复 reply/);
    await accessibility('letter');
    await shot('04-letter-evidence');
  });

  it('shows a held mail escaped and its HTML only in a sandboxed frame, attaches it, and the verdict changes', async () => {
    await page.goto(`${server.url}/#/letter/${seeded.awaiting.id}`, { waitUntil: 'load' });
    expect(await text(`article[data-letter="${seeded.awaiting.id}"] [data-testid="verdict"]`)).toMatch(/待定/);
    await page.goto(`${server.url}/#/queues`, { waitUntil: 'load' });
    const form = `form[data-mail="${seeded.heldMailId}"]`;
    await page.waitForSelector(form);
    // the excerpt's <script> is text, not markup
    expect(await page.$eval(`${form} .excerpt`, (el) => el.textContent)).toMatch(/<script>/);
    await page.click(`${form} button.link`);
    await page.waitForSelector('[data-testid="mail-frame"]');
    expect(await page.$eval('[data-testid="mail-frame"]', (el) => el.getAttribute('sandbox'))).toBe('');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await accessibility('queues');
    await shot('05-queues-held');
    // discarding asks first; dismissed, the mail stays held (the attach below needs it held)
    const asked = new Promise<string>((resolve) => page.once('dialog', (d) => (resolve(d.message()), void d.dismiss())));
    await page.click(`${form} button.secondary`);
    expect(await asked).toMatch(/确定丢弃/);
    await page.type(`${form} input[name="letterId"]`, seeded.awaiting.id);
    await page.click(`${form} button[type="submit"]`);
    await page.waitForFunction(() => document.querySelector('[data-testid="queue-status"]')?.textContent?.includes('已完成'));
    await page.goto(`${server.url}/#/letter/${seeded.awaiting.id}`, { waitUntil: 'load' });
    await page.waitForFunction((id) => document.querySelector(`article[data-letter="${id}"] [data-testid="verdict"]`)?.textContent?.includes('及时回复'), {}, seeded.awaiting.id);
    expect(await text('[data-testid="decided-by"]')).toMatch(/staff:operator|function:ingest-mail|回复/);
    await shot('06-letter-after-attach');
    await page.goto(`${server.url}/#/`, { waitUntil: 'load' });
    await page.waitForSelector('[data-testid="b-on-time"]');
    expect(await number('b-on-time')).toBe(1);
  });

  it('refuses an operator action to a viewer (403) and says so', async () => {
    await page.click('header .who button:last-child'); // log out
    await page.waitForSelector('#user');
    await logIn('viewer');
    await page.goto(`${server.url}/#/queues`, { waitUntil: 'load' });
    const form = `form[data-gated="${seeded.gated.id}"]`;
    await page.waitForSelector(form);
    await page.type(`${form} input[name="submittedAt"]`, '2026-03-05T14:30:00+08:00');
    await page.type(`${form} input[name="queryCode"]`, 'SG1');
    const response = page.waitForResponse((r) => r.url().endsWith(`/api/letters/${seeded.gated.id}/submission`));
    await page.click(`${form} button[type="submit"]`);
    expect((await response).status()).toBe(403);
    expect(await text('[role="alert"]')).toMatch(/没有权限/);
    expect((await stores.letters.getLetter(seeded.gated.id))?.state).toBe('gated');
    await shot('07-viewer-refused');
  });
});

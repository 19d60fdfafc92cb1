/**
 * Launch the headless browser: puppeteer-core + @sparticuz/chromium (the same binary in Lambda and on Debian),
 * with a CJK font so every evidence screenshot shows Chinese glyphs, and no background network traffic.
 *
 * `HUIXIN_CHROMIUM_PATH` overrides the executable (e.g. Debian's /usr/bin/chromium).
 */
import { accessSync, constants as fsConstants, statfsSync } from 'node:fs';
import { copyFile, mkdir, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import chromium from '@sparticuz/chromium';
import puppeteer, { type Browser, type BrowserContext, type CDPSession, type Page } from 'puppeteer-core';
import { proxyArgs, startAddressGuard } from './address-guard.ts';

const require = createRequire(import.meta.url);

const EXTRA_ARGS = [
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-default-apps',
  '--mute-audio',
];

/** The TTF of Noto Sans SC shipped as an npm package (the @sparticuz fonts have no CJK). */
export function notoSansScPath(): string {
  return require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf');
}

export function isLambda(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.AWS_LAMBDA_FUNCTION_NAME);
}

/**
 * Make the CJK font visible to Chromium's fontconfig, the same way in both runtimes:
 * - copy the TTF into /tmp/fonts (the folder @sparticuz/chromium's own fonts.conf lists — what Lambda uses);
 * - write our own fonts.conf that lists the package's font folder AND /tmp/fonts, and return it for
 *   `FONTCONFIG_FILE` (on Debian the system fontconfig would otherwise ignore /tmp/fonts → tofu boxes).
 * Idempotent and cheap; returns the environment to pass to the browser process.
 */
export async function prepareFonts(): Promise<Record<string, string>> {
  const ttf = notoSansScPath();
  const tmpFonts = join(tmpdir(), 'fonts');
  await mkdir(tmpFonts, { recursive: true });
  const target = join(tmpFonts, 'NotoSansSC-Regular.ttf');
  const have = await stat(target).catch(() => undefined);
  if (!have) await copyFile(ttf, target).catch(() => undefined); // a read-only /tmp is survivable: the conf below lists the package dir
  const confDir = join(tmpdir(), 'huixin-fontconfig');
  await mkdir(confDir, { recursive: true });
  const conf = join(confDir, 'fonts.conf');
  const xml = `<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <dir>${dirname(ttf)}</dir>
  <dir>${tmpFonts}</dir>
  <dir>/var/task/fonts</dir>
  <dir>/opt/fonts</dir>
  <cachedir>${join(confDir, 'cache')}</cachedir>
  <alias><family>sans-serif</family><prefer><family>Noto Sans SC</family></prefer></alias>
  <alias><family>serif</family><prefer><family>Noto Sans SC</family></prefer></alias>
  <alias><family>monospace</family><prefer><family>Noto Sans SC</family></prefer></alias>
  <alias><family>SimSun</family><prefer><family>Noto Sans SC</family></prefer></alias>
  <alias><family>宋体</family><prefer><family>Noto Sans SC</family></prefer></alias>
  <alias><family>Microsoft YaHei</family><prefer><family>Noto Sans SC</family></prefer></alias>
  <alias><family>微软雅黑</family><prefer><family>Noto Sans SC</family></prefer></alias>
</fontconfig>
`;
  await writeFile(conf, xml);
  return { FONTCONFIG_FILE: conf, FONTCONFIG_PATH: confDir };
}

export interface LaunchOptions {
  /** Executable override; default `HUIXIN_CHROMIUM_PATH`, else the @sparticuz/chromium binary. */
  executablePath?: string;
  /** Skip the CJK font setup (only for the test that proves the font matters). */
  withoutCjkFont?: boolean;
  protocolTimeoutMs?: number;
  /**
   * Whether pages may reach any address, loopback and private ones included: the sandbox, an intranet test. Default
   * false: the browser goes out through the address guard (address-guard.ts), which refuses loopback, private,
   * link-local and metadata addresses by any route. With true there is no guard (its byte copying costs a little CPU per letter,
   * and the sandbox's sites are on loopback anyway): never for real sites on a cloud machine.
   */
  allowPrivateHosts?: boolean;
}

export async function launchBrowser(options: LaunchOptions = {}): Promise<Browser> {
  const executablePath = options.executablePath ?? process.env.HUIXIN_CHROMIUM_PATH ?? (await chromium.executablePath());
  const fontEnv = options.withoutCjkFont ? emptyFontEnv() : await prepareFonts();
  // --single-process (in @sparticuz's list) makes Chromium die on a second browser context; one process per
  // renderer costs some memory but lets every letter run in its own incognito context. Opt back in with
  // HUIXIN_CHROMIUM_SINGLE_PROCESS=1 (then pages share the default context and cookies are cleared per use).
  const single = process.env.HUIXIN_CHROMIUM_SINGLE_PROCESS === '1';
  // No WebGL needed: software GL (SwiftShader) only slows screenshots down; HUIXIN_CHROMIUM_GL=1 keeps it.
  const gl = process.env.HUIXIN_CHROMIUM_GL === '1';
  const GL_FLAGS = ['--use-gl=angle', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'];
  const args = withDisabledFeatures(
    [...chromium.args, ...EXTRA_ARGS, ...(gl ? [] : ['--disable-gpu', '--disable-webgl'])].filter(
      (a) =>
        !a.startsWith('--headless') && (single || a !== '--single-process') && (gl || !GL_FLAGS.includes(a)) && !UNSAFE_FLAGS.includes(a),
    ),
    DISABLED_FEATURES,
  ).map(withoutIsolationOff);
  const guard = options.allowPrivateHosts ? undefined : await startAddressGuard();
  const browser = await puppeteer
    .launch({
      executablePath,
      args: [...args, ...(guard ? proxyArgs(guard) : [])],
      // puppeteer adds --disable-dev-shm-usage (Chromium then keeps its shared memory in files under /tmp): right
      // for Lambda and small Docker /dev/shm, but where /tmp is a disk file system every shared-memory segment
      // (raster tiles, IPC buffers) becomes file-backed page faults: measured here ~8 ms CPU per letter, mostly sys.
      ...(useDevShm() ? { ignoreDefaultArgs: ['--disable-dev-shm-usage'] } : {}),
      headless: 'shell',
      env: { ...process.env, ...fontEnv } as Record<string, string>,
      defaultViewport: { width: 1280, height: 900 },
      // every in-page step of a letter has its own short bound (submit-form.ts `within`); this is the backstop for
      // the rest (an abandoned call still holds its slot until the protocol timeout ends it)
      protocolTimeout: options.protocolTimeoutMs ?? 20_000,
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
      acceptInsecureCerts: true, // many government sites have expired or mis-issued certificates
    })
    .catch(async (err: unknown) => {
      await guard?.close();
      throw err;
    });
  if (guard) browser.once('disconnected', () => void guard.close());
  if (single) singleProcess.add(browser);
  return browser;
}

const singleProcess = new WeakSet<Browser>();

/**
 * @sparticuz/chromium's flags that switch the web's own protections off, dropped: a government site's page is
 * hostile input, and with them any script on it could read (not just send to) every address this machine reaches —
 * loopback services, the cloud metadata endpoint, the Lambda runtime API. Same-origin policy, CORS and mixed-content
 * blocking stay on; so does site isolation (cross-site frames in their own renderer). (`--no-sandbox` stays: Lambda
 * and a root user cannot run Chromium's sandbox.)
 */
const UNSAFE_FLAGS = ['--disable-web-security', '--allow-running-insecure-content', '--disable-site-isolation-trials'];

/** The `--disable-features=` switch without the site-isolation features @sparticuz turns off. */
function withoutIsolationOff(arg: string): string {
  const prefix = '--disable-features=';
  if (!arg.startsWith(prefix)) return arg;
  const kept = arg.slice(prefix.length).split(',').filter((f) => f !== 'IsolateOrigins' && f !== 'site-per-process');
  return prefix + kept.join(',');
}

/**
 * Features switched off on top of @sparticuz's list (measured with `npm run bench -- submit`, CPU per letter):
 * - RenderDocument: a fresh RenderFrameHost (and compositor/raster resources) for every cross-document
 *   navigation; letters navigate 3+ times each, and reusing the frame host saves ~30 ms CPU per letter (a third
 *   of it sys time: shared-memory set-up and tear-down).
 * - BackForwardCache: we never go back; without this every page a letter leaves stays alive (frozen) in the
 *   renderer, holding memory, until evicted.
 */
const DISABLED_FEATURES = ['RenderDocument', 'BackForwardCache'];

/**
 * Merge `features` into the ONE `--disable-features=` switch of `args` (Chromium honours only the last
 * occurrence of a switch; puppeteer also merges its own defaults into the one it finds).
 */
export function withDisabledFeatures(args: readonly string[], features: readonly string[]): string[] {
  const prefix = '--disable-features=';
  const existing = args.filter((a) => a.startsWith(prefix)).flatMap((a) => a.slice(prefix.length).split(','));
  const merged = [...new Set([...existing, ...features].map((f) => f.trim()).filter(Boolean))];
  const out = args.filter((a) => !a.startsWith(prefix));
  if (merged.length) out.push(prefix + merged.join(','));
  return out;
}

/**
 * Chromium may keep its shared memory in /dev/shm only outside Lambda (no usable /dev/shm there) and when
 * /dev/shm is large (Docker's default 64 MB is not: renderers crash when it fills up). `HUIXIN_CHROMIUM_DEV_SHM=0|1`
 * forces the choice.
 */
export function useDevShm(env: NodeJS.ProcessEnv = process.env, freeBytes: (path: string) => number = freeBytesOf): boolean {
  if (env.HUIXIN_CHROMIUM_DEV_SHM === '1') return true;
  if (env.HUIXIN_CHROMIUM_DEV_SHM === '0' || isLambda(env)) return false;
  try {
    return freeBytes('/dev/shm') >= 1024 ** 3;
  } catch {
    return false;
  }
}

function freeBytesOf(path: string): number {
  accessSync(path, fsConstants.W_OK); // throws when Chromium could not create its segments there
  const s = statfsSync(path);
  return s.bavail * s.bsize;
}

function emptyFontEnv(): Record<string, string> {
  return {};
}

/**
 * One browser serves many letters: at most `size` pages at once. Each slot keeps its own incognito context and
 * page alive between letters (a renderer process costs far more to start than to reuse). Between two letters
 * the cookies and the storage of every origin the page visited are cleared through CDP, once when a letter
 * ends and again (cookies, plus any origin visited meanwhile) just before the next one starts, so nothing a
 * page did while idle (a timer, a meta refresh) leaks into the next letter. The page is NOT sent to
 * about:blank: that extra navigation cost ~15 ms CPU per letter, and the next letter's own navigation replaces
 * the document anyway (submitForm makes sure it is a new document, see `openFresh`). A dialog opened by an idle
 * page is dismissed so it cannot block the next navigation. (Single-process mode, where all pages share one
 * context, still parks idle pages on about:blank.) A slot is recycled (new context) after `recycleAfter` uses or
 * whenever cleaning fails.
 */
export class PagePool {
  private readonly idle: Slot[] = [];
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(
    readonly browser: Browser,
    readonly size = 4,
    readonly recycleAfter = 50,
  ) {}

  async use<T>(fn: (page: Page) => Promise<T>): Promise<T> {
    await this.acquire();
    let slot: Slot | undefined;
    let healthy = false;
    try {
      slot = await this.takeSlot();
      slot.uses++;
      slot.busy = true;
      const result = await fn(slot.page);
      slot.busy = false;
      healthy = await this.clean(slot);
      return result;
    } finally {
      if (slot) slot.busy = false;
      if (slot && healthy && slot.uses < this.recycleAfter) this.idle.push(slot);
      else if (slot) await this.dispose(slot);
      this.release();
    }
  }

  /** Close every idle page (the browser stays open). */
  async drain(): Promise<void> {
    await Promise.all(this.idle.splice(0).map((s) => this.dispose(s)));
  }

  /** An idle slot, cleaned again of whatever happened while it waited (or a new slot). */
  private async takeSlot(): Promise<Slot> {
    for (let slot = this.idle.pop(); slot; slot = this.idle.pop()) {
      // single-process mode shares one context (and its cookies) with the letters in flight: cleaned at release only
      if (!slot.context || (await this.clean(slot))) return slot;
      await this.dispose(slot);
    }
    return this.newSlot();
  }

  private async newSlot(): Promise<Slot> {
    if (singleProcess.has(this.browser)) {
      const page = await this.browser.newPage();
      return this.track({ page, uses: 0, origins: new Set(), busy: false });
    }
    const context = await this.browser.createBrowserContext();
    const page = await context.newPage();
    return this.track({ context, page, uses: 0, origins: new Set(), busy: false });
  }

  private track(slot: Slot): Slot {
    slot.page.on('framenavigated', (f) => {
      try {
        const o = new URL(f.url()).origin;
        if (o.startsWith('http')) slot.origins.add(o);
      } catch {
        /* about:blank */
      }
    });
    // an idle page's alert must not block the next goto; while a letter runs, submitForm answers dialogs
    // itself (it listens too), except in the instant before it starts listening
    slot.page.on('dialog', (d) => {
      if (!slot.busy || slot.page.listenerCount('dialog') <= 1) void d.dismiss().catch(() => undefined);
    });
    return slot;
  }

  private async clean(slot: Slot): Promise<boolean> {
    try {
      // single-process mode: its pages share one context, which cannot be cleaned again once the next letter may
      // be in flight elsewhere; the idle page is parked on about:blank instead (the old, slower way)
      if (!slot.context && !slot.busy && safePageUrl(slot.page) !== 'about:blank') await slot.page.goto('about:blank', { timeout: 5_000 });
      const session = (slot.session ??= await slot.page.createCDPSession());
      await session.send('Network.clearBrowserCookies');
      for (const origin of slot.origins) {
        await session.send('Storage.clearDataForOrigin', { origin, storageTypes: 'local_storage,session_storage,indexeddb,cache_storage,service_workers' });
        // the tab's own sessionStorage namespace survives clearDataForOrigin: clear it in place
        await session.send('DOMStorage.clear', { storageId: { securityOrigin: origin, isLocalStorage: false } });
      }
      slot.origins.clear();
      return true;
    } catch {
      return false;
    }
  }

  private async dispose(slot: Slot): Promise<void> {
    if (slot.context) await slot.context.close().catch(() => undefined);
    else await slot.page.close().catch(() => undefined);
  }

  private acquire(): Promise<void> {
    if (this.active < this.size) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}

function safePageUrl(page: Page): string {
  try {
    return page.url();
  } catch {
    return '';
  }
}

interface Slot {
  context?: BrowserContext;
  page: Page;
  session?: CDPSession;
  uses: number;
  /** Origins the page navigated to since the last cleaning. */
  origins: Set<string>;
  /** A letter is using the page (its dialogs are the letter's business). */
  busy: boolean;
}

/**
 * Launch the headless browser: puppeteer-core + @sparticuz/chromium (the same binary in Lambda and on Debian),
 * with a CJK font so every evidence screenshot shows Chinese glyphs, and no background network traffic.
 *
 * `HUIXIN_CHROMIUM_PATH` overrides the executable (e.g. Debian's /usr/bin/chromium).
 */
import { copyFile, mkdir, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import chromium from '@sparticuz/chromium';
import puppeteer, { type Browser, type BrowserContext, type CDPSession, type Page } from 'puppeteer-core';

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
  const args = [...chromium.args, ...EXTRA_ARGS, ...(gl ? [] : ['--disable-gpu', '--disable-webgl'])].filter(
    (a) => !a.startsWith('--headless') && (single || a !== '--single-process') && (gl || !GL_FLAGS.includes(a)),
  );
  const browser = await puppeteer.launch({
    executablePath,
    args,
    headless: 'shell',
    env: { ...process.env, ...fontEnv } as Record<string, string>,
    defaultViewport: { width: 1280, height: 900 },
    protocolTimeout: options.protocolTimeoutMs ?? 60_000,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    acceptInsecureCerts: true, // many government sites have expired or mis-issued certificates
  });
  if (single) singleProcess.add(browser);
  return browser;
}

const singleProcess = new WeakSet<Browser>();

function emptyFontEnv(): Record<string, string> {
  return {};
}

/**
 * One browser serves many letters: at most `size` pages at once. Each slot keeps its own incognito context and
 * page alive between letters (a renderer process costs far more to start than to reuse); between two letters the
 * page goes back to about:blank and its cookies and the storage of every origin it visited are cleared, so no
 * session leaks from one letter to the next. A slot is recycled (new context) after `recycleAfter` uses or
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
      slot = this.idle.pop() ?? (await this.newSlot());
      slot.uses++;
      const result = await fn(slot.page);
      healthy = await this.clean(slot);
      return result;
    } finally {
      if (slot && healthy && slot.uses < this.recycleAfter) this.idle.push(slot);
      else if (slot) await this.dispose(slot);
      this.release();
    }
  }

  /** Close every idle page (the browser stays open). */
  async drain(): Promise<void> {
    await Promise.all(this.idle.splice(0).map((s) => this.dispose(s)));
  }

  private async newSlot(): Promise<Slot> {
    if (singleProcess.has(this.browser)) {
      const page = await this.browser.newPage();
      return this.track({ page, uses: 0, origins: new Set() });
    }
    const context = await this.browser.createBrowserContext();
    const page = await context.newPage();
    return this.track({ context, page, uses: 0, origins: new Set() });
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
    return slot;
  }

  private async clean(slot: Slot): Promise<boolean> {
    try {
      await slot.page.goto('about:blank', { timeout: 5_000 });
      const session = (slot.session ??= await slot.page.createCDPSession());
      await session.send('Network.clearBrowserCookies');
      for (const origin of slot.origins) {
        await session.send('Storage.clearDataForOrigin', { origin, storageTypes: 'local_storage,session_storage,indexeddb,cache_storage,service_workers' });
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

interface Slot {
  context?: BrowserContext;
  page: Page;
  session?: CDPSession;
  uses: number;
  origins: Set<string>;
}

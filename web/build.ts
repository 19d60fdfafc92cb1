/** Build the dashboard's front end into web/dist with Vite's API (tests and `npm run build:web`). */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const WEB_ROOT = path.dirname(fileURLToPath(import.meta.url));
export const WEB_DIST = path.join(WEB_ROOT, 'dist');

/** Build into `outDir` (default web/dist); tests build into their own folder so that parallel runs never race. */
export async function buildWeb(outDir: string = WEB_DIST): Promise<string> {
  const { build } = await import('vite');
  await build({ configFile: path.join(WEB_ROOT, 'vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  return outDir;
}

/** Build only when web/dist has no index.html. */
export async function ensureWebBuilt(): Promise<string> {
  if (!existsSync(path.join(WEB_DIST, 'index.html'))) await buildWeb();
  return WEB_DIST;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await buildWeb();
  console.log(`built ${WEB_DIST}`);
}

// The dashboard's front end: `vite build --config web/vite.config.ts` → web/dist (hashed assets, no inline scripts).
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    // echarts (core + 3 chart types) is most of the bundle: ~200 KB gzipped, measured by bench/dashboard.ts
    chunkSizeWarningLimit: 800,
  },
});

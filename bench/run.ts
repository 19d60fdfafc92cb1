/**
 * Benchmark runner: `npm run bench` runs every bench/*.ts module except this one; `npm run bench -- verdicts`
 * runs just bench/verdicts.ts (several names allowed). A bench module exports `async function run(): Promise<BenchResult>`.
 * Each result prints as a small table with PASS/FAIL against its targets; the runner ends with the peak RSS and
 * exits 1 when a target failed or a bench threw.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export interface BenchFigure {
  /** What was measured, e.g. "verdicts/s (1,000,000 letters, one core)". */
  name: string;
  value: number;
  unit: string;
  /** The target this figure must meet, if any: value >= min, or value <= max. */
  target?: { min?: number; max?: number };
}

export interface BenchResult {
  /** The bench's name (its file name without .ts). */
  name: string;
  figures: BenchFigure[];
  /** Anything a reader needs to interpret the figures (machine, sizes, method). */
  notes?: string[];
}

export function passes(f: BenchFigure): boolean | undefined {
  if (!f.target) return undefined;
  if (f.target.min !== undefined && !(f.value >= f.target.min)) return false;
  if (f.target.max !== undefined && !(f.value <= f.target.max)) return false;
  return true;
}

const fmt = (n: number) => (Number.isInteger(n) ? n.toLocaleString('en-US') : n.toLocaleString('en-US', { maximumFractionDigits: 2 }));

function targetText(f: BenchFigure): string {
  if (!f.target) return '';
  const parts: string[] = [];
  if (f.target.min !== undefined) parts.push(`≥ ${fmt(f.target.min)}`);
  if (f.target.max !== undefined) parts.push(`≤ ${fmt(f.target.max)}`);
  return `${parts.join(', ')} ${f.unit}`;
}

/** Print a result as a table; returns false when any target failed. */
export function printResult(r: BenchResult): boolean {
  const rows = r.figures.map((f) => {
    const p = passes(f);
    return [f.name, `${fmt(f.value)} ${f.unit}`, targetText(f), p === undefined ? '' : p ? 'PASS' : 'FAIL'];
  });
  const head = ['figure', 'value', 'target', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  console.log(`\n== ${r.name} ==`);
  console.log(line(head));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) console.log(line(row));
  for (const n of r.notes ?? []) console.log(`  · ${n}`);
  return r.figures.every((f) => passes(f) !== false);
}

async function main(names: string[]): Promise<number> {
  const dir = import.meta.dirname;
  const available = readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
    .map((f) => f.slice(0, -3))
    .sort();
  const unknown = names.filter((n) => !available.includes(n));
  if (unknown.length) {
    console.error(`unknown bench: ${unknown.join(', ')} (available: ${available.join(', ')})`);
    return 2;
  }
  let ok = true;
  for (const name of names.length ? names : available) {
    (globalThis as { gc?: () => void }).gc?.();
    try {
      const mod = (await import(pathToFileURL(path.join(dir, `${name}.ts`)).href)) as { run?: () => Promise<BenchResult> };
      if (typeof mod.run !== 'function') throw new Error(`bench/${name}.ts does not export run()`);
      ok = printResult(await mod.run()) && ok;
    } catch (err) {
      ok = false;
      console.log(`\n== ${name} ==\nFAIL: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const rssMb = process.resourceUsage().maxRSS / 1024;
  console.log(`\npeak RSS: ${rssMb.toFixed(1)} MB`);
  return ok ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  process.exitCode = await main(process.argv.slice(2).filter((a) => a !== '--'));
}

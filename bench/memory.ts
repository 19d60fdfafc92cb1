/** What a benchmark's process tree (Node + Chromium + local servers) uses, from /proc. */
import { readdirSync, readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

/** Sum of RSS and PSS (kB) of a process and all its descendants, from /proc. */
export function treeMemoryKb(root: number): { rss: number; pss: number } {
  let rss = 0;
  let pss = 0;
  for (const pid of treePids(root)) {
    try {
      const s = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      rss += Number(/^Rss:\s+(\d+)/m.exec(s)?.[1] ?? 0);
      pss += Number(/^Pss:\s+(\d+)/m.exec(s)?.[1] ?? 0);
    } catch {
      try {
        rss += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
      } catch {
        /* exited */
      }
    }
  }
  return { rss, pss };
}

/**
 * Summed RSS (kB) of the given processes from /proc/<pid>/statm (the exited ones count 0): cheap, where `treeMemoryKb`
 * (smaps_rollup walks every page table of every process) costs ~7 ms of CPU per call with a browser running. Sample
 * this often and call `treeMemoryKb` only when the RSS has grown.
 */
export function rssKb(pids: readonly number[]): number {
  const pageKb = 4; // x86-64 / arm64 Linux base pages
  let rss = 0;
  for (const pid of pids) {
    try {
      rss += Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * pageKb;
    } catch {
      /* exited */
    }
  }
  return rss;
}

/** The pids of a process and all its descendants. */
export function treePids(root: number): number[] {
  const kids = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      kids.set(ppid, [...(kids.get(ppid) ?? []), Number(d)]);
    } catch {
      /* exited */
    }
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    out.push(pid);
    stack.push(...(kids.get(pid) ?? []));
  }
  return out;
}

/** CPU seconds used so far by a process tree (own + reaped children), from /proc (clock ticks of 10 ms). */
export function treeCpuSeconds(root: number): number {
  const kids = new Map<number, number[]>();
  const ticks = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      kids.set(Number(f[1]), [...(kids.get(Number(f[1])) ?? []), Number(d)]);
      ticks.set(Number(d), Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]));
    } catch {
      /* exited */
    }
  }
  let total = 0;
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    total += ticks.get(pid) ?? 0;
    stack.push(...(kids.get(pid) ?? []));
  }
  return total / 100;
}

/**
 * The peak memory of a process tree, sampled every `everyMs` on a worker thread of its own (memory-sampler.ts), so the
 * /proc reads never hold the event loop being measured: the cheap RSS sum each time, the costly PSS walk only when the
 * RSS has grown 1 % past the last walk (so the peak PSS is at most 1 % low). The sampler's own CPU is kept, to be taken
 * out of CPU figures.
 */
export function samplePeakMemory(root: number, everyMs: number): MemorySampler {
  const worker = new Worker(new URL('./memory-sampler.ts', import.meta.url), { workerData: { root, everyMs } });
  worker.unref();
  let last: SamplerReport = { peak: { rss: 0, pss: 0 }, micros: 0 };
  const waiting: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];
  let failure: Error | undefined;
  const fail = (err: Error) => {
    failure ??= err;
    for (const w of waiting.splice(0)) w.reject(failure);
  };
  worker.on('message', (m: SamplerReport & { forced?: boolean }) => {
    last = m;
    if (m.forced) waiting.shift()?.resolve();
  });
  worker.on('error', (err) => fail(new Error(`memory sampler failed: ${err.message}`)));
  worker.on('exit', () => fail(new Error('memory sampler stopped')));
  return {
    sample: () =>
      new Promise<void>((resolve, reject) => {
        if (failure) return reject(failure);
        waiting.push({ resolve, reject });
        worker.postMessage('sample');
      }),
    peak: () => ({ ...last.peak }),
    samplerMs: () => last.micros / 1000,
    stop: () => void worker.terminate(),
  };
}

export interface SamplerReport {
  peak: { rss: number; pss: number };
  /** The sampler thread's own CPU so far. */
  micros: number;
}

export interface MemorySampler {
  /** Take a full sample now (RSS and PSS), e.g. at the end of a run. */
  sample(): Promise<void>;
  peak(): { rss: number; pss: number };
  samplerMs(): number;
  stop(): void;
}

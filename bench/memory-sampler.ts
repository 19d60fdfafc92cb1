/** The worker thread of `samplePeakMemory` (memory.ts): samples a process tree's memory off the measured event loop. */
import { parentPort, workerData } from 'node:worker_threads';
import { rssKb, treeMemoryKb, treePids, type SamplerReport } from './memory.ts';

const { root, everyMs } = workerData as { root: number; everyMs: number };
const peak = { rss: 0, pss: 0 };

/** The tree's pids, found again every REFRESH samples: walking all of /proc is most of a sample's cost. */
const REFRESH = 4;
let pids: number[] = [];
let samples = 0;

function sample(force: boolean): void {
  if (force || samples++ % REFRESH === 0) pids = treePids(root);
  const rss = rssKb(pids);
  if (force || rss > peak.rss) {
    const m = treeMemoryKb(root);
    peak.rss = Math.max(peak.rss, rss, m.rss);
    peak.pss = Math.max(peak.pss, m.pss);
  }
}

function report(forced: boolean): void {
  const c = process.threadCpuUsage();
  parentPort!.postMessage({ peak, micros: c.user + c.system, forced } satisfies SamplerReport & { forced: boolean });
}

setInterval(() => {
  sample(false);
  report(false);
}, everyMs);
parentPort!.on('message', () => {
  sample(true);
  report(true);
});

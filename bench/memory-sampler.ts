/** The worker thread of `samplePeakMemory` (memory.ts): samples a process tree's memory off the measured event loop. */
import { parentPort, workerData } from 'node:worker_threads';
import { rssKb, treeMemoryKb, treePids, type SamplerReport } from './memory.ts';

const { root, everyMs } = workerData as { root: number; everyMs: number };
const peak = { rss: 0, pss: 0 };
/**
 * The PSS walk (smaps_rollup of every process: ~10 ms of kernel time each with a browser running) is taken when the
 * RSS sum passes the RSS of the last walk by more than this share, not at every new high: a campaign's RSS creeps up
 * by a few pages nearly every sample, and walking each time cost ~10 s of CPU in a 250-site run — on the cores being
 * measured. The peak PSS is then at most this share low (the final forced sample walks again).
 */
const WALK_GROWTH = 0.01;
let walkedAtRss = 0;

/** The tree's pids, found again every REFRESH samples: walking all of /proc is most of a sample's cost. */
const REFRESH = 4;
let pids: number[] = [];
let samples = 0;

function sample(force: boolean): void {
  if (force || samples++ % REFRESH === 0) pids = treePids(root);
  const rss = rssKb(pids);
  peak.rss = Math.max(peak.rss, rss);
  if (force || rss > walkedAtRss * (1 + WALK_GROWTH)) {
    const m = treeMemoryKb(root);
    walkedAtRss = Math.max(rss, m.rss);
    peak.rss = Math.max(peak.rss, m.rss);
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

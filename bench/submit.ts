/**
 * Submission throughput: one browser, N pages in parallel, 500 letters against the sandbox (the submittable
 * variants, round-robin over 50 sites), each with the full evidence (full-page screenshot + HTML + sha256).
 * Figures: letters/s sustained, cold launch time, peak RSS of the whole process tree (Node + every Chromium
 * process: the PSS sum against the target, the RSS sum — which counts shared pages once per process — alongside).
 * Env: HUIXIN_BENCH_LETTERS (500), HUIXIN_BENCH_PAGES (6: a letter waits on the site more than it computes — a
 * preview page alone holds its page ~1 s — so 6 pages keep 2 cores busy; ~1 GB PSS, under the 1.5 GB target).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchResult } from './run.ts';
import { launchBrowser } from '../shared/adapters/browser/launch.ts';
import { BrowserSubmitter, DEFAULT_BROWSER_PAGES } from '../shared/adapters/browser/submitter.ts';
import { FsObjectStore } from '../shared/adapters/object-store-fs.ts';
import { QUESTIONS } from '../shared/domain/questions.ts';
import { startSandbox } from '../sandbox/server.ts';
import type { VariantName } from '../sandbox/types.ts';
import { samplePeakMemory, treeCpuSeconds } from './memory.ts';

const VARIANTS: VariantName[] = ['jact', 'trs', 'aspnet', 'gbk', 'iframe', 'two-step', 'xhr-modal', 'csrf', 'multipart', 'confirm-preview'];


export async function run(): Promise<BenchResult> {
  const letters = Number(process.env.HUIXIN_BENCH_LETTERS ?? 500);
  const pages = Number(process.env.HUIXIN_BENCH_PAGES ?? DEFAULT_BROWSER_PAGES);
  const dir = await mkdtemp(join(tmpdir(), 'huixin-bench-submit-'));
  const sites = Array.from({ length: 50 }, (_, i) => ({ key: `b${i}`, variant: VARIANTS[i % VARIANTS.length]! }));
  const sandbox = await startSandbox({ sites });
  // The sampler's own CPU (reading /proc) is measurement, not submission: it is taken out of the CPU figures.
  const memory = samplePeakMemory(process.pid, 200);
  const t0 = performance.now();
  const browser = await launchBrowser({ allowPrivateHosts: true }); // the sandbox is on 127.0.0.1
  const launchMs = performance.now() - t0;
  const objects = new FsObjectStore(dir);
  const submitter = new BrowserSubmitter(browser, objects, { pages });
  const outcomes: Record<string, number> = {};
  try {
    let next = 0;
    const cpu0 = treeCpuSeconds(process.pid);
    const node0 = process.cpuUsage();
    const sampler0 = memory.samplerMs();
    const start = performance.now();
    const worker = async () => {
      for (;;) {
        const i = next++;
        if (i >= letters) return;
        const site = sites[i % sites.length]!;
        const q = QUESTIONS[i % QUESTIONS.length]!;
        const r = await submitter.submit({
          url: sandbox.consultUrlOf(site.key),
          content: { name: '王伟', phone: '13812345678', email: `l${i}@reply.example.cn`, title: q.title, body: q.body },
          evidencePrefix: `bench/${i}`,
        });
        outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
      }
    };
    await Promise.all(Array.from({ length: pages }, worker));
    const seconds = (performance.now() - start) / 1000;
    const samplerMs = memory.samplerMs() - sampler0;
    const cpuMsPerLetter = ((treeCpuSeconds(process.pid) - cpu0) * 1000 - samplerMs) / letters;
    const nodeCpu = process.cpuUsage(node0);
    const nodeMsPerLetter = ((nodeCpu.user + nodeCpu.system) / 1000 - samplerMs) / letters;
    await memory.sample();
    const peak = memory.peak();
    const accepted = sandbox.posts().filter((p) => p.outcome === 'accepted').length;
    return {
      name: 'submit',
      figures: [
        { name: `letters/s sustained (${letters} letters, ${pages} pages, evidence included)`, value: Math.round((letters / seconds) * 10) / 10, unit: 'letters/s', target: { min: 15 } },
        { name: 'CPU per letter, whole tree (Chromium + Node + the sandbox sites)', value: Math.round(cpuMsPerLetter), unit: 'ms' },
        { name: 'of which the Node process (puppeteer + the in-process sandbox)', value: Math.round(nodeMsPerLetter), unit: 'ms' },
        { name: `CPU-bound ceiling on ${cpus().length} idle cores (cores × 1000 / CPU per letter)`, value: Math.round((cpus().length * 10_000) / cpuMsPerLetter) / 10, unit: 'letters/s' },
        { name: 'browser launch (binary already inflated in /tmp)', value: Math.round(launchMs), unit: 'ms' },
        { name: 'peak memory, whole process tree (Node + Chromium), PSS summed', value: Math.round(peak.pss / 1024), unit: 'MB', target: { max: 1536 } },
        { name: 'peak RSS summed over the tree (counts shared pages once per process)', value: Math.round(peak.rss / 1024), unit: 'MB' },
        { name: 'letters confirmed (submitted)', value: outcomes.submitted ?? 0, unit: 'letters', target: { min: letters } },
      ],
      notes: [
        `outcomes: ${JSON.stringify(outcomes)}; POSTs accepted by the sandbox: ${accepted}`,
        'PSS splits pages shared between Chromium processes (the binary, fonts) among them: the sum is the physical memory the tree holds; summed RSS counts those pages once per process',
        `CPU figures exclude the bench's own /proc sampling (${Math.round(samplerMs)} ms in all)`,
        `machine: ${cpus().length} cores shared with other work (load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} at the end)`,
        `sandbox variants round-robin: ${VARIANTS.join(', ')}`,
      ],
    };
  } finally {
    memory.stop();
    await browser.close();
    await sandbox.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.filename && process.argv[1].endsWith('bench/submit.ts')) {
  const { printResult } = await import('./run.ts');
  printResult(await run());
}

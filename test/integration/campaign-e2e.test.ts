/**
 * A small campaign end to end on the embedded default — real dynalite, the in-process SQS server, the local scheduler,
 * Chromium submitting the sandbox's forms, the sandbox mailing replies through our SMTP gateway and publishing them on its
 * lists, the reply-list poller, the window close and the published report — and every letter's outcome checked against
 * what its sandbox site was told to do.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCalendar } from '../../shared/adapters/calendar-source.ts';
import { runDemo, type DemoResult } from '../../shared/local/demo.ts';
import { compareVerdicts } from '../../sandbox/verdict-check.ts';
import { parseInstant } from '../../shared/domain/beijing-time.ts';

describe('a campaign end to end on the embedded default', () => {
  let dir: string;
  let result: DemoResult;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'huixin-e2e-'));
    result = await runDemo({ outDir: dir, sites: 24, seed: 1 });
  }, 400_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('every letter reaches the state its site was told to produce, and every reply verdict is the expected one', () => {
    const expected = result.fleet.expectedVerdicts({ workingDays: 1 });
    expect(expected).toHaveLength(24);
    for (const e of expected) expect(result.letters.filter((l) => l.siteId === e.siteId), e.siteKey).toHaveLength(2);
    const { got, want } = compareVerdicts(expected, result.letters, { calendar: loadCalendar(), workingDays: 1, closesAt: '2026-12-31T17:30:00+08:00' });
    expect(got).toEqual(want);
  });

  it('each letter is submitted at its planned time, as its schedule would fire it in AWS (not when the fast clock got there)', () => {
    const submitted = result.letters.filter((l) => l.submittedAt);
    expect(submitted.length).toBeGreaterThan(0);
    for (const l of submitted) {
      const late = parseInstant(l.submittedAt!) - parseInstant(l.plannedAt);
      expect(late, `${l.id} planned ${l.plannedAt}, submitted ${l.submittedAt}`).toBeGreaterThanOrEqual(0);
      expect(late, `${l.id} planned ${l.plannedAt}, submitted ${l.submittedAt}`).toBeLessThan(2 * 60_000);
    }
  });

  it('the sandbox received each submitted letter exactly once (nothing sent twice)', () => {
    const submitted = result.letters.filter((l) => l.state === 'submitted' || l.state === 'unconfirmed');
    const codes = submitted.map((l) => l.queryCode).filter(Boolean);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('publishes a report whose summary matches the letters, and which re-derives', async () => {
    const summary = JSON.parse(await readFile(path.join(result.publishedAt, 'summary.json'), 'utf8')) as Record<string, unknown>;
    expect(summary.sitesTested).toBe(result.summary.sitesTested);
    const expected = result.fleet.expectedVerdicts({ workingDays: 1 });
    // An unconfirmed letter (no 提交成功 seen) is judged once a real reply proves it arrived.
    const count = (r: string) => expected.filter((e) => e.siteResult === r).length;
    expect(result.summary.late).toBe(count('late'));
    expect(result.summary.noReply).toBe(count('none'));
    expect(result.summary.unavailable).toBe(count('unavailable'));
    expect(result.summary.onTime).toBe(count('on-time'));
    const manifest = JSON.parse(await readFile(path.join(result.publishedAt, 'manifest.json'), 'utf8')) as { files: unknown };
    expect(manifest.files).toBeTruthy();
  });
});

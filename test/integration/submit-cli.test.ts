/** `huixin submit` end to end: one JSON object on stdout, exit 0 for every classified outcome, exit 2 on bad input. */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { startFixtures, type Fixtures } from './submit-fixtures.ts';

let fixtures: Fixtures;
let dir: string;
beforeAll(async () => {
  fixtures = await startFixtures();
  dir = await mkdtemp(join(tmpdir(), 'huixin-submit-cli-'));
});
afterAll(async () => {
  await fixtures?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((out += String(c)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((err += String(c)), true));
  try {
    const code = await main(['node', 'huixin', ...args]);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
    process.exitCode = undefined;
  }
}

describe('huixin submit', () => {
  it('--json prints one object with the outcome, 查询码, submittedAt and evidence with sha256; the letter arrived once', async () => {
    const r = await run(['submit', '--allow-private-hosts', '--url', fixtures.url('/basic'), '--question', '请问新生儿落户需要带什么材料？父母都要到场吗？', '--reply-to', 'l9@reply.example.cn', '--json', '--evidence-dir', dir]);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines).toHaveLength(1);
    const j = JSON.parse(lines[0]!);
    expect(j).toMatchObject({ outcome: 'submitted', reason: 'confirmed', queryCode: 'Q7K2M9' });
    expect(Date.parse(j.submittedAt)).not.toBeNaN();
    expect(j.evidence.sha256.screenshot).toMatch(/^[0-9a-f]{64}$/);
    expect((await stat(j.evidence.screenshot)).size).toBeGreaterThan(1000);
    expect(j.evidence.codes).toMatchObject({ 查询码: 'Q7K2M9', 信件编号: 'XJ20261123001' });
    const post = fixtures.posts('/basic/save').at(-1)!;
    expect(post.fields['mail.dzyx']).toBe('l9@reply.example.cn');
    expect(post.fields['mail.nr']).toBe('请问新生儿落户需要带什么材料？父母都要到场吗？');
  });

  it('--dry-run never posts and exits 0 with outcome ready; a gate is a classified outcome too (exit 0)', async () => {
    const before = fixtures.posts().length;
    const ready = await run(['submit', '--allow-private-hosts', '--url', fixtures.url('/div'), '--dry-run', '--json', '--evidence-dir', dir]);
    expect(ready.code).toBe(0);
    expect(JSON.parse(ready.out)).toMatchObject({ outcome: 'ready', submittedAt: null });
    const gated = await run(['submit', '--allow-private-hosts', '--url', fixtures.url('/captcha'), '--evidence-dir', dir]);
    expect(gated.code).toBe(0);
    expect(gated.out).toContain('gated');
    expect(fixtures.posts()).toHaveLength(before);
  });

  it('bad input exits 2 with a one-line message', async () => {
    const r = await run(['submit', '--url', 'not a url']);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect((await run(['submit', '--allow-private-hosts', '--url', fixtures.url('/basic'), '--reply-to', 'nope'])).code).toBe(2);
    // a message that does not name its option (zod's own) is prefixed with it
    for (const [option, value] of [['--timeout', '5'], ['--timeout', 'soon'], ['--evidence-dir', '']] as const) {
      const bad = await run(['submit', '--allow-private-hosts', '--url', fixtures.url('/basic'), option, value]);
      expect(bad.code).toBe(2);
      expect(bad.err).toMatch(new RegExp(`^huixin: ${option}: `));
    }
  });
});

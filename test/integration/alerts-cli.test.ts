import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
let dir: string;

function huixin(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, HUIXIN_DATA_DIR: path.join(dir, 'data') };
  for (const k of Object.keys(env)) if (k.startsWith('HUIXIN_ALERT_') || k === 'HUIXIN_SMTP_URL' || k === 'DYNAMODB_ENDPOINT' || k === 'HUIXIN_STORE') delete env[k];
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(REPO, 'bin/huixin.js'), ...args], { cwd: dir, env }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'huixin-alerts-cli-'));
  await writeFile(
    path.join(dir, 'sites.csv'),
    '网站名称,网站标识码,类别,地区,首页,咨询栏目地址,主管单位邮箱\n测试市人民政府,6100000001,市县政府门户,测试市,http://a.example/,http://a.example/zx/,\n',
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('huixin alerts (the real CLI, embedded store on disk)', { timeout: 240_000 }, () => {
  it('records a maintenance window, refuses a bad one with exit 2 and one line, lists no incidents, previews the daily digest', async () => {
    expect((await huixin('sites', 'import', 'sites.csv')).code).toBe(0);
    const ok = await huixin('alerts', 'maintenance', '6100000001', '--from', '2026-03-02T08:00:00+08:00', '--to', '2026-03-02T20:00:00+08:00', '--reason', '网站升级', '--by', 'ops');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('2026-03-02 08:00 → 2026-03-02 20:00');
    const bad = await huixin('alerts', 'maintenance', '6100000001', '--from', '2026-03-02T08:00:00+08:00', '--to', '2026-03-01T20:00:00+08:00', '--reason', 'x');
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('--to must be after --from');
    const list = await huixin('alerts', 'list');
    expect(list).toMatchObject({ code: 0 });
    expect(list.stdout).toContain('no open incidents');
    const digest = await huixin('alerts', 'digest', '--as-of', '2026-03-03T01:00:00Z');
    expect(digest.code).toBe(0);
    expect(digest.stdout).toContain('每日摘要 2026-03-03');
    // not ISO-8601: refused, not read by Date.parse as 2001-01-01
    const badAsOf = await huixin('alerts', 'digest', '--as-of', '1');
    expect(badAsOf.code).toBe(2);
    expect(badAsOf.stdout).toBe('');
    expect(badAsOf.stderr).toMatch(/--as-of: .*not a valid time/);
  });
});

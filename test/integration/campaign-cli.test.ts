/** The real `huixin campaign` / `huixin queue` CLI on the embedded store (dynalite on disk in a temp dir). */
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
  delete env.DYNAMODB_ENDPOINT;
  delete env.HUIXIN_STORE;
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(REPO, 'bin/huixin.js'), ...args], { cwd: dir, env }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'huixin-campaign-cli-'));
  await writeFile(
    path.join(dir, 'sites.csv'),
    '网站名称,网站标识码,类别,地区,首页,咨询栏目地址\n' +
      '西安市人民政府,6101000001,市县政府门户,陕西省西安市,http://a.gov.cn/,http://a.gov.cn/zx\n' +
      '陕西省教育厅,6100000002,省级部门,陕西省,http://b.gov.cn/,http://b.gov.cn/zx\n' +
      '陕西省人民政府,6100000003,省政府门户,陕西省,http://c.gov.cn/,http://c.gov.cn/zx\n',
  );
  await writeFile(path.join(dir, 'ids.txt'), '网站标识码\n6100000002\n# a comment\n6100000003\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('huixin campaign (the real CLI)', { timeout: 240_000 }, () => {
  it('creates a campaign from a file of site ids (idempotent with --id), shows status and list, pauses, cancels', async () => {
    expect((await huixin('sites', 'import', 'sites.csv')).code).toBe(0);
    const args = ['campaign', 'create', '--name', '2026年第四季度测试', '--sites', 'ids.txt', '--letters', '2', '--working-days', '1', '--window', '2026-12-31', '--start', '2026-12-01', '--id', 'c0000000000cli000001', '--json'];
    const first = await huixin(...args);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const created = JSON.parse(first.stdout);
    expect(created).toMatchObject({ id: 'c0000000000cli000001', state: 'running', created: true, letters: 4, windowClosesAt: '2026-12-31T23:59:59+08:00' });
    // By default 5 working days stay between each letter's deadline (1 working day) and the window's close, so a
    // late reply is still seen: no letter goes out after 2026-12-24 (the 6th working day before 12-31 is 12-24).
    expect(created.lastSendAt < '2026-12-25').toBe(true);
    expect(created.method).toMatchObject({ workingDays: 1 });
    const again = JSON.parse((await huixin(...args)).stdout);
    expect(again).toMatchObject({ created: false, letters: 4 });
    const renamed = await huixin(...args.map((a) => (a === '2026年第四季度测试' ? '另一个名称' : a)));
    expect(renamed.code).toBe(2);
    expect(renamed.stderr).toMatch(/已被另一活动使用/);

    const status = await huixin('campaign', 'status', 'c0000000000cli000001', '--as-of', '2026-12-01T08:00:00+08:00', '--json');
    expect(status.code).toBe(0);
    const s = JSON.parse(status.stdout);
    expect(s.states.planned).toBe(4);
    expect(s.sites.total).toBe(2);

    const list = await huixin('campaign', 'list');
    expect(list.stdout).toContain('c0000000000cli000001');
    expect(list.stdout).toContain('进行中');

    expect((await huixin('campaign', 'pause', 'c0000000000cli000001', '--by', '王芳')).stdout).toContain('paused');
    const cancel = await huixin('campaign', 'cancel', 'c0000000000cli000001');
    expect(cancel.stdout).toContain('cancelled');
    expect(cancel.stdout).toContain('4');
    // --watch on a campaign that has ended prints the final status once, as JSON with --json
    const watched = await huixin('campaign', 'status', 'c0000000000cli000001', '--watch', '--json');
    expect(watched.code, watched.stderr).toBe(0);
    expect(JSON.parse(watched.stdout)).toMatchObject({ id: 'c0000000000cli000001', state: 'cancelled' });
    const again2 = await huixin('campaign', 'resume', 'c0000000000cli000001');
    expect(again2.code).toBe(2);
    expect(again2.stderr).toMatch(/cannot resume a campaign that is cancelled/);
    expect(again2.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('exits 2 with one line for bad input: unknown calendar year, bad window, unknown letter', async () => {
    const year = await huixin('campaign', 'create', '--name', 'x', '--sites', 'all', '--window', '20', '--start', '2031-03-03');
    expect(year.code).toBe(2);
    expect(year.stderr).toMatch(/2031/);
    const late = await huixin('campaign', 'create', '--name', 'x', '--sites', 'all', '--window', '20', '--late-observation', 'many');
    expect(late.code).toBe(2);
    expect(late.stderr).toMatch(/--late-observation/);
    const window = await huixin('campaign', 'create', '--name', 'x', '--sites', 'all', '--window', 'soon');
    expect(window.code).toBe(2);
    const rec = await huixin('queue', 'record-submission', 'lnothere', '--at', '2026-11-23T10:00:00+08:00', '--query-code', 'X');
    expect(rec.code).toBe(2);
    expect(rec.stderr).toMatch(/no letter lnothere/);
    // --watch --interval 0 would query the store without pause: refused before anything is opened
    const interval = await huixin('campaign', 'status', 'c0000000000cli000001', '--watch', '--interval', '0');
    expect(interval.code).toBe(2);
    expect(interval.stderr).toMatch(/--interval .*≥ 1/);
    // a time that is not ISO-8601 ("1" would be read by Date.parse as the year 2001) is refused, naming the option
    const asOf = await huixin('letters', 'show', 'lnothere', '--as-of', '1');
    expect(asOf.code).toBe(2);
    expect(asOf.stderr).toMatch(/--as-of: .*not a valid time: "1"/);
  });

  it('has Chinese/English --help on every subcommand', async () => {
    for (const sub of [['campaign', 'create'], ['queue', 'record-submission']]) {
      const r = await huixin(...sub, '--help');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/[\u4e00-\u9fff]/);
      expect(r.stdout).toMatch(/[a-z]{4,}/);
    }
    // A missing command is a usage error: the help is shown, the exit code says so.
    const bare = await huixin('campaign');
    expect(bare.code).toBe(2);
    expect(bare.stdout + bare.stderr).toMatch(/create/);
  });
});

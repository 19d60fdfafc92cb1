/** `huixin users add/list` as a person runs them: password from stdin, bad input → exit 2 with one line. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, runHuixin } from '../cli-run.ts';

let dir: string;

const huixin = (args: string[], stdin = '') => runHuixin(dir, args, stdin);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'huixin-users-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('huixin users', () => {
  it('adds a user with the password from stdin, lists it, and refuses a duplicate, a weak password or an unknown role with exit 2', async () => {
    const ok = await huixin(['users', 'add', 'li', '--role', 'operator', '--password-stdin'], 'a long enough password\n');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/li \(operator\)/);
    const list = await huixin(['users', 'list']);
    expect(list.stdout).toMatch(/^li\toperator\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+08:00$/m); // created, in Beijing time
    expect(list.stdout).not.toMatch(/scrypt/);
    for (const [args, input] of [
      [['users', 'add', 'li', '--role', 'viewer', '--password-stdin'], 'another long password\n'],
      [['users', 'add', 'wang', '--role', 'viewer', '--password-stdin'], 'short\n'],
      [['users', 'add', 'wang', '--role', 'boss', '--password-stdin'], 'a long enough password\n'],
    ] as const) {
      const r = await huixin([...args], input);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n').filter((l) => !l.startsWith('npm warn'))).toHaveLength(1);
    }
  });
});

/** Run `use` with a loopback port another program holds. */
async function withTakenPort(use: (port: number) => Promise<void>): Promise<void> {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  try {
    await use((taken.address() as AddressInfo).port);
  } finally {
    await new Promise((resolve) => taken.close(resolve));
  }
}

describe('huixin serve', () => {
  it('with its dashboard port taken, says so in Chinese and English, stops what it started and exits 2 (never hangs)', async () => {
    await withTakenPort(async (port) => {
      const env: NodeJS.ProcessEnv = { ...process.env, HUIXIN_DATA_DIR: path.join(dir, 'serve-data') };
      delete env.DYNAMODB_ENDPOINT;
      delete env.HUIXIN_STORE;
      // a hung process is killed after 90 s (the test then fails on its exit code)
      const r = await new Promise<{ code: number | string | null; stderr: string }>((resolve) =>
        execFile(process.execPath, [path.join(REPO, 'bin/huixin.js'), 'serve', '--port', String(port), '--smtp-port', '0'], { cwd: dir, env, timeout: 90_000 }, (err, _stdout, stderr) =>
          resolve({ code: err ? ((err as { code?: number | string }).code ?? null) : 0, stderr }),
        ),
      );
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`127.0.0.1:${port} 已被另一个程序占用`);
      expect(r.stderr).toContain('already in use by another program: stop it or choose another --port');
    });
  }, 120_000);
});

describe('huixin mail serve', () => {
  it('with its port taken, or half a TLS pair, says what to do and exits 2 (it has the listen address and STARTTLS of serve)', async () => {
    await withTakenPort(async (port) => {
      const busy = await runHuixin(dir, ['mail', 'serve', '--port', String(port), '--host', '127.0.0.1']);
      expect(busy.code).toBe(2);
      expect(busy.stderr).toContain(`127.0.0.1:${port} 已被另一个程序占用`);
      const half = await runHuixin(dir, ['mail', 'serve', '--port', '0', '--tls-key', path.join(dir, 'key.pem')]);
      expect(half.code).toBe(2);
      expect(half.stderr).toContain('--tls-key 与 --tls-cert 需同时给出 / --tls-key and --tls-cert go together');
    });
  }, 120_000);
});

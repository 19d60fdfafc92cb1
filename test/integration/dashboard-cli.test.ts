/** `huixin users add/list` as a person runs them: password from stdin, bad input → exit 2 with one line. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHuixin } from '../cli-run.ts';

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

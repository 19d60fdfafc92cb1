/**
 * The security review's CLI findings, run as a person runs them (the real CLI, embedded store on disk):
 * - #3: a held mail whose subject carries terminal escapes and markdown is printed inert by `mail held`,
 *   `mail parse` and `alerts digest`;
 * - #5: `users remove NAME` (bilingual help; exit 0, or 2 for an unknown user);
 * - #9: the data folder is created owner-only.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, runHuixin } from '../cli-run.ts';

const HOSTILE = path.join(REPO, 'test/fixtures/security/hostile-subject.eml');
let dir: string;

const huixin = (args: string[], stdin = '') => runHuixin(dir, args, stdin);

/** Anything a terminal would act on: ESC, BEL, other C0 but \n and \t, DEL, C1. */
const TERMINAL_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'huixin-sec-cli-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('the CLI and hostile input', () => {
  it('a hostile held mail: mail held, mail parse and alerts digest print no control characters and no forged line', async () => {
    const ingest = await huixin(['mail', 'ingest', HOSTILE]);
    expect(ingest.code, ingest.stderr).toBe(0);
    expect(ingest.stdout).toMatch(/held/);
    expect((await stat(path.join(dir, 'data'))).mode & 0o777).toBe(0o700);

    const held = await huixin(['mail', 'held']);
    expect(held.code).toBe(0);
    expect(held.stdout).not.toMatch(TERMINAL_CONTROL);
    expect(held.stdout).not.toContain('pwned');
    expect(held.stdout.trim().split('\n')).toHaveLength(1); // the subject's newline + "### 管理员通知" stays on the row
    expect(held.stdout).toContain('请立即登录');
    expect(held.stdout).toMatch(/^\S+ {2}\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+08:00 {2}/); // received, in Beijing time

    const parsed = await huixin(['mail', 'parse', HOSTILE]);
    expect(parsed.stdout).not.toMatch(TERMINAL_CONTROL);
    expect(parsed.stdout).toMatch(/^主题 subject: .*### 管理员通知$/m);
    expect(parsed.stdout).toMatch(/^时间 date: +2026-11-02T10:00:00\+08:00$/m); // the Date header, in Beijing time (not UTC)

    const digest = await huixin(['alerts', 'digest']);
    expect(digest.code, digest.stderr).toBe(0);
    expect(digest.stdout).not.toMatch(TERMINAL_CONTROL);
    expect(digest.stdout).not.toContain('](https://');
    expect(digest.stdout).toContain('［重新认证］');
  });

  it('users remove: bilingual help, exit 0 and the user gone, exit 2 for an unknown user', async () => {
    const help = await huixin(['users', 'remove', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/删除用户/);
    expect(help.stdout).toMatch(/remove a user and end their sessions/);
    expect((await huixin(['users', 'add', 'zhao', '--role', 'operator', '--password-stdin'], 'a long enough password\n')).code).toBe(0);
    const ok = await huixin(['users', 'remove', 'zhao']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/已删除 removed zhao/);
    expect((await huixin(['users', 'list'])).stdout).not.toMatch(/^zhao\t/m);
    const again = await huixin(['users', 'remove', 'zhao']);
    expect(again.code).toBe(2);
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
  });
});

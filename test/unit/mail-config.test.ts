/** The reply-address secret on one machine: made once in the data folder; a different one in the environment is said. */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { localMailConfig } from '../../shared/adapters/mail/config.ts';

let dir: string | undefined;
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

describe('localMailConfig', () => {
  it('makes the secret once, owner-only, and keeps it', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'huixin-secret-'));
    const first = localMailConfig({}, dir, () => {});
    expect(first.replySecret).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(path.join(dir, 'reply-secret')).mode & 0o777).toBe(0o600);
    expect(localMailConfig({}, dir, () => {}).replySecret).toBe(first.replySecret);
  });

  it("warns when the environment gives a secret other than the one the data folder's letters were signed with", () => {
    dir = mkdtempSync(path.join(tmpdir(), 'huixin-secret-'));
    localMailConfig({}, dir, () => {});
    const stored = readFileSync(path.join(dir, 'reply-secret'), 'utf8').trim();
    const said: string[] = [];
    expect(localMailConfig({ HUIXIN_REPLY_SECRET: 'another-secret-of-enough-length' }, dir, (m) => said.push(m)).replySecret).toBe('another-secret-of-enough-length');
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/HUIXIN_REPLY_SECRET is not the reply-secret in the data folder/);
    localMailConfig({ HUIXIN_REPLY_SECRET: stored }, dir, (m) => said.push(m));
    expect(said).toHaveLength(1); // the same secret: nothing to say
  });
});

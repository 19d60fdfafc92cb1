/** The CLI's first check: an older Node.js gets a plain bilingual message (exit 2), not a stack trace from node:sqlite. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { nodeTooOld } from '../../bin/node-version.js';

describe('nodeTooOld', () => {
  it('refuses a Node.js older than 22.19 in both languages, naming the version found', () => {
    for (const v of ['20.20.2', '22.18.0', 'v18.0.0']) {
      const msg = nodeTooOld(v);
      expect(msg).toContain('需要 Node.js 22.19');
      expect(msg).toContain('needs Node.js >= 22.19');
      expect(msg).toContain(`v${v.replace(/^v/, '')}`);
    }
  });
  it('accepts 22.19 and later', () => {
    for (const v of ['22.19.0', '22.23.3', '23.0.0', '24.1.0']) expect(nodeTooOld(v)).toBeUndefined();
  });
  it('the running Node.js (the project’s own) passes, and the CLI starts with it', () => {
    expect(nodeTooOld(process.versions.node)).toBeUndefined();
    const r = spawnSync(process.execPath, ['bin/huixin.js', '--version'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');

async function huixin(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/huixin.js', 'timeliness', ...args], {
      cwd: root,
      env: { ...process.env, HUIXIN_CALENDAR_FILES: '', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('huixin timeliness (the real CLI)', () => {
  it('prints one JSON object with verdict, deadline, times in Beijing time, N, reply working days and the calendar; exit 0', async () => {
    const r = await huixin(['--submitted', '2026-02-13T15:30:00Z', '--replied', '2026-02-14T10:00:00+08:00']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      verdict: 'on-time',
      deadline: '2026-02-14T23:59:59+08:00',
      submittedAt: '2026-02-13T23:30:00+08:00',
      repliedAt: '2026-02-14T10:00:00+08:00',
      workingDays: 1,
      replyWorkingDays: 1,
      calendar: { source: 'chinese-days@1.5.7', override: null },
    });
    expect(out.calendar.years).toContain(2026);
    expect(out.asOf).toMatch(/\+08:00$/);
  });

  it('no reply with --as-of and --working-days: pending before the deadline ends', async () => {
    const r = await huixin(['--submitted', '2026-02-13T10:00:00+08:00', '--working-days', '2', '--as-of', '2026-02-24T08:00:00Z']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ verdict: 'pending', deadline: '2026-02-24T23:59:59+08:00', repliedAt: null, replyWorkingDays: null, workingDays: 2 });
  });

  it('a same-day reply on the last covered day is judged (no deadline: its year, 2027, has no calendar yet); a reply that may be late is refused, exit 2', async () => {
    const r = await huixin(['--submitted', '2026-12-31T10:00:00+08:00', '--replied', '2026-12-31T17:00:00+08:00']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ verdict: 'same-day', deadline: null, deadlineYearNotCovered: 2027, replyWorkingDays: 0 });
    const covered = await huixin(['--submitted', '2026-12-30T10:00:00+08:00', '--replied', '2026-12-30T17:00:00+08:00']);
    expect(JSON.parse(covered.stdout)).toMatchObject({ verdict: 'same-day', deadline: '2026-12-31T23:59:59+08:00', deadlineYearNotCovered: null });
    const maybeLate = await huixin(['--submitted', '2026-12-31T10:00:00+08:00', '--replied', '2027-01-04T09:00:00+08:00']);
    expect(maybeLate.code).toBe(2);
    expect(maybeLate.stderr).toContain('no official working-day calendar for 2027');
  });

  it.each([
    ['an unknown calendar year names the year', ['--submitted', '2031-03-03T10:00:00+08:00'], /2031/],
    ['a bad date', ['--submitted', '2026-02-30T10:00:00Z'], /2026-02-30/],
    ['a reply before the submission', ['--submitted', '2026-03-03T10:00:00+08:00', '--replied', '2026-03-03T09:00:00+08:00'], /before the submission/],
    ['a negative N', ['--submitted', '2026-03-03T10:00:00+08:00', '--working-days', '-1'], /working-days/],
  ])('bad input (%s) → one line on stderr, exit 2', async (_n, args, message) => {
    const r = await huixin(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it('the same 2031 letter works with --calendar FILE, and the file shows in the output', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'huixin-cli-'));
    const file = path.join(dir, '2031.json');
    // A made-up but plausible year (劳动节 05-01…05-04); a file must look like a State Council notice.
    writeFileSync(file, readFileSync(path.join(root, 'test/fixtures/calendar/2031-hypothetical.json')));
    const r = await huixin(['--submitted', '2031-05-01T10:00:00+08:00', '--replied', '2031-05-05', '--calendar', file]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ verdict: 'on-time', deadline: '2031-05-05T23:59:59+08:00', repliedAt: '2031-05-05' });
    expect(out.calendar.override).toEqual([{ file: '2031.json', year: 2031, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
    // …and through the platform setting
    const viaEnv = await huixin(['--submitted', '2031-05-01T10:00:00+08:00', '--replied', '2031-05-05'], { HUIXIN_CALENDAR_FILES: file });
    expect(viaEnv.code).toBe(0);
  });

  it.each([
    ['does not look like a notice (an empty 2026)', 'cal2026-empty.json', '{"year":2026,"days":[]}',
      ['cal2026-empty.json 不像国务院办公厅的放假通知', 'does not look like a State Council holiday notice']],
    ['is malformed (a trailing comma over several lines)', 'cal2027.json',
      '{"year": 2027, "days": [\n  {"name": "元旦", "date": "2027-01-01", "isOffDay": true},\n]}\n', ['cal2027.json 不是有效的 JSON', 'cal2027.json: not valid JSON']],
  ])('a calendar file that %s is refused: one line on stderr in Chinese and English naming the file, exit 2', async (_n, name, text, what) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'huixin-cli-'));
    const file = path.join(dir, name);
    writeFileSync(file, text);
    const r = await huixin(['--submitted', '2026-02-13T10:00:00+08:00', '--replied', '2026-02-16', '--calendar', file]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    for (const w of what) expect(r.stderr).toContain(w);
  });

  it('--help explains the command in Chinese and English, exit 0', async () => {
    const r = await huixin(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('判定一封信件的回复是否及时');
    expect(r.stdout).toContain('official Chinese working days');
    expect(r.stdout).toContain('--calendar <FILE>');
  });
});

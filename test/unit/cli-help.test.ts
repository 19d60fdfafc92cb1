/**
 * Every command, subcommand, argument and option of `huixin` — commander's own `-h, --help`, `-V, --version` and
 * `help [command]` included — has help in Chinese and English, as the staff read it; and README.md's command table
 * names every command and subcommand.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { commandsFor } from '../../cli/commands/index.ts';
import { buildProgram } from '../../cli/main.ts';

const CHINESE = /[\u4e00-\u9fff]/;
const ENGLISH = /[A-Za-z]{3,}/;

function helpLines(cmd: Command, at: string[] = []): Array<[string, string]> {
  const help = cmd.createHelp();
  const where = ['huixin', ...at].join(' ');
  return [
    ...help.visibleOptions(cmd).map((o): [string, string] => [`${where} ${o.flags}`, o.description]),
    ...help.visibleArguments(cmd).map((a): [string, string] => [`${where} <${a.name()}>`, a.description]),
    ...help.visibleCommands(cmd).map((c): [string, string] => [`${where} ${c.name()}`, c.description()]),
    ...cmd.commands.flatMap((c) => helpLines(c, [...at, c.name()])),
  ];
}

describe('huixin --help', () => {
  it('is bilingual (中文 / English) for every command, argument and option', async () => {
    const program = buildProgram(await commandsFor(['node', 'huixin', '--help']));
    const lines = helpLines(program);
    expect(lines.length).toBeGreaterThan(100);
    const notBilingual = lines.filter(([, text]) => !CHINESE.test(text) || !ENGLISH.test(text)).map(([where, text]) => `${where}: ${text}`);
    expect(notBilingual).toEqual([]);
  }, 60_000);
});

describe("README.md's command table", () => {
  it('names every command and subcommand the CLI has', async () => {
    const program = buildProgram(await commandsFor(['node', 'huixin', '--help']));
    const readme = readFileSync(path.resolve(import.meta.dirname, '../../README.md'), 'utf8');
    // the first cell of each row: `npx huixin sites import FILE` · `sites list`
    const rows = readme.split('\n').filter((l) => l.startsWith('| `npx huixin ')).map((l) => l.split(/(?<!\\)\|/)[1]!);
    expect(rows.length).toBeGreaterThan(5);
    const missing: string[] = [];
    for (const c of program.commands) {
      const own = rows.filter((r) => new RegExp(`npx huixin ${c.name()}(?![\\w-])`).test(r));
      if (own.length === 0) missing.push(c.name());
      for (const sub of c.commands) {
        // `campaign close` anywhere, or `close` in the command's own row (`pause/resume/cancel`, `mail held/attach/discard`)
        const named = rows.some((r) => r.includes(`${c.name()} ${sub.name()}`)) || own.some((r) => r.split(/[\s`/·|()[\]\\]+/).includes(sub.name()));
        if (!named) missing.push(`${c.name()} ${sub.name()}`);
      }
    }
    expect(missing).toEqual([]);
  }, 60_000);
});

describe("commander's own errors", () => {
  it('say what is wrong in Chinese too, the English and exit 2 kept', async () => {
    const program = buildProgram(await commandsFor(['node', 'huixin', 'campaign']));
    const written: string[] = [];
    const capture = (c: Command) => {
      c.configureOutput({ ...c.configureOutput(), writeErr: (s: string) => void written.push(s) });
      c.commands.forEach(capture);
    };
    capture(program);
    await expect(program.parseAsync(['node', 'huixin', 'campaign', 'status'])).rejects.toMatchObject({ exitCode: 1 });
    await expect(program.parseAsync(['node', 'huixin', 'campaign', 'list', '--bogus'])).rejects.toMatchObject({ code: 'commander.unknownOption' });
    expect(written.join('')).toContain("错误：缺少必需的参数 'id' / error: missing required argument 'id'");
    expect(written.join('')).toContain("错误：未知选项 '--bogus' / error: unknown option '--bogus'");
  });
});

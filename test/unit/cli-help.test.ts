/**
 * Every command, subcommand, argument and option of `huixin` — commander's own `-h, --help`, `-V, --version` and
 * `help [command]` included — has help in Chinese and English, as the staff read it.
 */
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

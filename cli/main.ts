import { Command, CommanderError } from 'commander';
import { InputError } from '../shared/domain/errors.ts';
import { commandsFor } from './commands/index.ts';
import { errOut } from './output.ts';

/** Exit codes: 0 ok, 1 failure, 2 bad input (including an unknown calendar year). */
export const EXIT = { ok: 0, failure: 1, badInput: 2 } as const;

export function buildProgram(commands: Array<(program: Command) => void>): Command {
  const program = new Command('huixin')
    .description('回信 huixin — 政府网站互动回应专项检查：信件测试、回复采集、及时性判定与结果通报')
    .version('0.1.0', '-V, --version', '显示版本号 / output the version number')
    // bilingual like the rest of the help; subcommands copy these when they are created (commander's inherited settings)
    .helpOption('-h, --help', '显示帮助 / display help for command')
    .helpCommand('help [command]', '显示某个命令的帮助 / display help for command')
    // commander's own one-line errors in Chinese too (subcommands inherit the output settings)
    .configureOutput({ outputError: (str, write) => write(bilingualCommanderError(str)) })
    .exitOverride();
  for (const register of commands) register(program);
  program.commands.forEach(function exitOverrideDeep(c: Command) {
    c.exitOverride();
    c.commands.forEach(exitOverrideDeep);
  });
  return program;
}

/** Commander's parse errors, each with its Chinese in front (the English and commander's suggestion kept). */
const COMMANDER_ERRORS: Array<[RegExp, (m: RegExpExecArray) => string]> = [
  [/^error: unknown command '([^']*)'/, (m) => `未知命令 '${m[1]}'`],
  [/^error: unknown option '([^']*)'/, (m) => `未知选项 '${m[1]}'`],
  [/^error: missing required argument '([^']*)'/, (m) => `缺少必需的参数 '${m[1]}'`],
  [/^error: required option '([^']*)' not specified/, (m) => `缺少必需的选项 '${m[1]}'`],
  [/^error: option '([^']*)' argument missing/, (m) => `选项 '${m[1]}' 缺少取值`],
  [/^error: too many arguments/, () => '参数过多'],
];

export function bilingualCommanderError(str: string): string {
  for (const [re, zh] of COMMANDER_ERRORS) {
    const m = re.exec(str);
    if (m) return `错误：${zh(m)} / ${str}`;
  }
  return str;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram(await commandsFor(argv));
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    return exitCodeFor(err);
  }
}

export function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0) return EXIT.ok;
    if (err.code === 'commander.help') return EXIT.badInput; // help shown because a command was missing (`huixin`, `huixin sites`)
    return EXIT.badInput; // commander has already printed its one-line message
  }
  if (err instanceof InputError) {
    errOut(`huixin: ${err.message}\n`);
    return EXIT.badInput;
  }
  const message = err instanceof Error ? err.message : String(err);
  errOut(`huixin: ${message}\n`);
  if (process.env.HUIXIN_DEBUG && err instanceof Error && err.stack) errOut(`${err.stack}\n`);
  return EXIT.failure;
}

import type { Command } from 'commander';

type Loader = () => Promise<{ register(program: Command): void }>;

/**
 * Every CLI command, by the name it registers, loaded on demand: `huixin timeliness …` imports only the timeliness
 * command (and so not Chromium, the AWS SDK or ExcelJS), which keeps every command quick to start. A command module
 * exports `register(program: Command): void` and keeps its logic in shared/ (the command only parses and prints).
 */
export const commandLoaders: Record<string, Loader> = {
  demo: () => import('./demo.ts'),
  serve: () => import('./serve.ts'),
  sites: () => import('./sites.ts'),
  campaign: () => import('./campaign.ts'),
  queue: () => import('./queue.ts'),
  submit: () => import('./submit.ts'),
  mail: () => import('./mail.ts'),
  letters: () => import('./letters.ts'),
  timeliness: () => import('./timeliness.ts'),
  report: () => import('./report.ts'),
  alerts: () => import('./alerts.ts'),
  sandbox: () => import('./sandbox.ts'),
  users: () => import('./users.ts'),
  'serve-web': () => import('./serve-web.ts'),
};

/** The commands to register for these arguments: only the one named, or all of them (for `--help` and unknown names). */
export async function commandsFor(argv: readonly string[]): Promise<Array<(program: Command) => void>> {
  const name = argv.slice(2).find((a) => !a.startsWith('-'));
  const loaders = name && commandLoaders[name] ? [commandLoaders[name]] : Object.values(commandLoaders);
  return (await Promise.all(loaders.map((load) => load()))).map((m) => m.register);
}

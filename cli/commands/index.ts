import type { Command } from 'commander';
import { register as demo } from './demo.ts';
import { register as campaign } from './campaign.ts';
import { register as letters } from './letters.ts';
import { register as mail } from './mail.ts';
import { register as queue } from './queue.ts';
import { register as report } from './report.ts';
import { register as sandbox } from './sandbox.ts';
import { register as sites } from './sites.ts';
import { register as submit } from './submit.ts';
import { register as timeliness } from './timeliness.ts';
import { register as users } from './users.ts';
import { register as serve } from './serve.ts';
import { register as serveWeb } from './serve-web.ts';
import { register as alerts } from './alerts.ts';

/**
 * Every CLI command registers itself here, one line each. A command module exports
 * `register(program: Command): void` and keeps its logic in shared/ (the command only parses and prints).
 */
export const commands: Array<(program: Command) => void> = [
  demo,
  campaign,
  letters,
  mail,
  queue,
  report,
  sandbox,
  sites,
  submit,
  timeliness,
  users,
  serve,
  serveWeb,
  alerts,
];

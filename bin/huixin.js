#!/usr/bin/env node
// The `huixin` command. The CLI is TypeScript run through tsx, so the repository needs no build step;
// `npx huixin` and the npm scripts find Node 22 first on PATH (the `node` dev dependency).
import { register } from 'tsx/esm/api';
import { exitIfNodeTooOld } from './node-version.js';

// node:sqlite (the local SQS server's persistence) is flagged experimental on Node 22; the warning only confuses operators.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = (warning, ...rest) =>
  /SQLite is an experimental feature/.test(String(warning?.message ?? warning)) ? undefined : emitWarning(warning, ...rest);

exitIfNodeTooOld();

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv);

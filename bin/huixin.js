#!/usr/bin/env node
// The `huixin` command. The CLI is TypeScript run through tsx, so the repository needs no build step;
// `npx huixin` and the npm scripts find Node 22 first on PATH (the `node` dev dependency).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv);

import type { Command } from 'commander';

/**
 * Every CLI command registers itself here, one line each. A command module exports
 * `register(program: Command): void` and keeps its logic in shared/ (the command only parses and prints).
 */
export const commands: Array<(program: Command) => void> = [
];

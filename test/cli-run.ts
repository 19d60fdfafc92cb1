/** Run the real CLI (`bin/huixin.js`) as a person does: a working folder, the embedded store in `<cwd>/data`, stdin. */
import { spawn } from 'node:child_process';
import path from 'node:path';

export const REPO = path.resolve(import.meta.dirname, '..');

export function runHuixin(cwd: string, args: string[], stdin = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // the embedded store in the working folder, never a developer's configured DynamoDB
    const env: NodeJS.ProcessEnv = { ...process.env, HUIXIN_DATA_DIR: path.join(cwd, 'data') };
    delete env.DYNAMODB_ENDPOINT;
    delete env.HUIXIN_STORE;
    const p = spawn(process.execPath, [path.join(REPO, 'bin/huixin.js'), ...args], { cwd, env });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    p.stdin.end(stdin);
  });
}

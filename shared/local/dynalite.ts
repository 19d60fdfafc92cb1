/**
 * dynalite in-process: the embedded default's DynamoDB. Listens on 127.0.0.1 on a random free port, in memory or on
 * disk (LevelDB via classic-level's prebuilt binary, which loads under Node 22). Spoken to by the same SDK code as AWS.
 */
import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { InputError } from '../domain/errors.ts';

export interface LocalDynamo {
  endpoint: string;
  close(): Promise<void>;
}

/**
 * Start dynalite. With `path`, the LevelDB files live there and a pid lock file (`<path>/huixin.lock`) keeps a
 * second process out with a clear InputError (LevelDB's own lock would surface as a hung request).
 */
export async function startDynalite(options: { path?: string } = {}): Promise<LocalDynamo> {
  let unlock = async () => {};
  if (options.path) {
    await mkdir(options.path, { recursive: true });
    unlock = await lockDir(options.path);
  }
  try {
    return await listen(options, unlock);
  } catch (err) {
    await unlock();
    throw err;
  }
}

async function listen(options: { path?: string }, unlock: () => Promise<void>): Promise<LocalDynamo> {
  // Imported lazily: Lambda bundles reach this module through openStores() but never run it (dynalite and its
  // LevelDB binary are left out of the bundle: see infra/constructs/huixin-function.ts).
  const { default: dynalite } = await import('dynalite');
  const server = dynalite({
    ...(options.path ? { path: options.path } : {}),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      (closed ??= new Promise<void>((resolve, reject) => {
        server.closeAllConnections?.();
        server.close((err) => (err ? reject(err) : resolve()));
      }).finally(unlock)),
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Take `<dir>/huixin.lock` (O_EXCL, holding our pid); a lock left by a dead process is taken over. */
async function lockDir(dir: string): Promise<() => Promise<void>> {
  const file = path.join(dir, 'huixin.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await open(file, 'wx');
      await fh.writeFile(String(process.pid));
      await fh.close();
      return async () => {
        await unlink(file).catch(() => {});
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
        throw new InputError(
          `数据目录正被另一个 huixin 进程（pid ${pid}）使用 / data dir in use by another huixin process (pid ${pid}): ${dir}`,
        );
      }
      await unlink(file).catch(() => {}); // stale: its process is gone
    }
  }
  throw new InputError(`无法锁定数据目录 / cannot lock the data dir: ${dir}`);
}

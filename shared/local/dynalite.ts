/**
 * dynalite in-process, on a worker thread: the embedded default's DynamoDB. Listens on 127.0.0.1 on a random free
 * port, in memory or on disk (LevelDB via classic-level's prebuilt binary, which loads under Node 22). Spoken to by the
 * same SDK code as AWS.
 */
import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
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
  // On a worker thread of its own (dynalite-worker.cjs): its request handling and LevelDB work run beside this event
  // loop, not on it. dynalite is resolved here (LevelDB via classic-level's prebuilt binary, which loads in a worker
  // too); Lambda bundles reach this module through openStores() but never run it (dynalite is left out of them: see
  // infra/constructs/huixin-function.ts).
  const module = createRequire(import.meta.url).resolve('dynalite');
  const worker = new Worker(new URL('./dynalite-worker.cjs', import.meta.url), {
    workerData: { module, options: { ...(options.path ? { path: options.path } : {}), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 } },
  });
  const port = await new Promise<number>((resolve, reject) => {
    const failed = (err: Error) => reject(err);
    worker.once('error', failed);
    worker.once('exit', (code) => reject(new Error(`dynalite thread exited (${code}) before it listened`)));
    worker.once('message', (m: { port?: number; error?: string }) => {
      worker.off('error', failed);
      worker.removeAllListeners('exit');
      if (m.port) resolve(m.port);
      else reject(new Error(`dynalite did not start: ${m.error ?? 'no port'}`));
    });
  }).catch(async (err: unknown) => {
    await worker.terminate();
    throw err;
  });
  // Later failures of the thread surface as refused requests; keep them off the floor of an unhandled 'error'.
  worker.on('error', (err) => process.stderr.write(`huixin: dynalite thread failed: ${err.message}\n`));
  let exited = false;
  worker.on('exit', () => (exited = true));
  let closed: Promise<void> | undefined;
  const stop = () =>
    new Promise<void>((resolve, reject) => {
      if (exited) return resolve(); // it died earlier: nothing to close, nothing will answer
      worker.once('exit', () => resolve());
      worker.once('message', (m: { closed?: boolean; error?: string }) => (m.error ? reject(new Error(m.error)) : resolve()));
      worker.postMessage('close');
    });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    // The thread ends (and the lock is released) whether or not dynalite closed cleanly.
    close: () => (closed ??= stop().finally(async () => {
      await worker.terminate();
      await unlock();
    })),
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

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
  /**
   * An SDK request handler that hands each request to dynalite's thread as a message, not through a loopback socket:
   * the same requests, signed and serialized by the same SDK code, answered by the same dynalite handler — for the
   * process's own clients (`createDynamoClient({ requestHandler })`). Other processes use `endpoint`.
   */
  requestHandler: ThreadHttpHandler;
  close(): Promise<void>;
}

/**
 * Start dynalite. With `path`, the LevelDB files live there and a pid lock file (`<path>/huixin.lock`) keeps a
 * second process out with a clear InputError (LevelDB's own lock would surface as a hung request).
 */
export async function startDynalite(options: { path?: string } = {}): Promise<LocalDynamo> {
  let unlock = async () => {};
  if (options.path) {
    await mkdir(options.path, { recursive: true, mode: 0o700 });
    unlock = await lockDir(options.path);
  }
  try {
    return await listen(options, unlock);
  } catch (err) {
    await unlock();
    throw err;
  }
}

/** What the SDK hands a request handler, and what it takes back (structurally @smithy/protocol-http's types). */
interface SdkRequest {
  method: string;
  path: string;
  query?: Record<string, string | Array<string | null> | null>;
  headers: Record<string, string>;
  body?: unknown;
}
interface SdkResponse {
  statusCode: number;
  reason?: string;
  headers: Record<string, string>;
  body: Uint8Array;
}
interface ThreadResponse {
  id: number;
  status: number;
  headers: Record<string, string>;
  body: string | Uint8Array;
  error?: string;
}

/** A refused request, as the SDK's retry strategy knows it from a socket (code ECONNREFUSED). */
function refused(message: string): Error {
  return Object.assign(new Error(message), { code: 'ECONNREFUSED' });
}

/** The SDK's request handler over dynalite's thread (see LocalDynamo.requestHandler). */
export class ThreadHttpHandler {
  readonly metadata = { handlerProtocol: 'http/1.1' };
  private readonly pending = new Map<number, { resolve: (r: ThreadResponse) => void; reject: (err: Error) => void }>();
  private seq = 0;
  private down: string | undefined;

  constructor(private readonly worker: Worker) {}

  /** A response from the thread. */
  settle(m: ThreadResponse): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.error) p.reject(new Error(`dynalite: ${m.error}`));
    else p.resolve(m);
  }

  /** The thread is gone: every request waiting and every later one is refused. */
  fail(reason: string): void {
    this.down ??= reason;
    for (const p of this.pending.values()) p.reject(refused(reason));
    this.pending.clear();
  }

  handle(request: SdkRequest, options: { abortSignal?: { aborted: boolean; addEventListener?: (type: 'abort', fn: () => void) => void } } = {}): Promise<{ response: SdkResponse }> {
    if (this.down) return Promise.reject(refused(this.down));
    const signal = options.abortSignal;
    if (signal?.aborted) return Promise.reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' }));
    const body = request.body;
    if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array)) {
      return Promise.reject(new Error('dynalite thread handler: streaming request bodies are not supported'));
    }
    const id = this.seq++;
    const query = request.query ? queryString(request.query) : '';
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(request.headers)) headers[k.toLowerCase()] = v;
    return new Promise<{ response: SdkResponse }>((resolve, reject) => {
      this.pending.set(id, {
        resolve: (m) => resolve({ response: { statusCode: m.status, headers: m.headers, body: typeof m.body === 'string' ? Buffer.from(m.body, 'utf8') : m.body } }),
        reject,
      });
      signal?.addEventListener?.('abort', () => {
        if (this.pending.delete(id)) reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' }));
      });
      this.worker.postMessage({ id, method: request.method, url: `${request.path}${query ? `?${query}` : ''}`, headers, body });
    });
  }

  updateHttpClientConfig(): void {}

  httpHandlerConfigs(): Record<string, never> {
    return {};
  }

  /** The SDK client's destroy(): the thread belongs to startDynalite's close(), not to a client. */
  destroy(): void {}
}

function queryString(query: NonNullable<SdkRequest['query']>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === null) q.append(k, '');
    else if (Array.isArray(v)) for (const x of v) q.append(k, x ?? '');
    else q.append(k, v);
  }
  return q.toString();
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
  const handler = new ThreadHttpHandler(worker);
  const closing: Array<(m: { closed?: boolean; error?: string }) => void> = [];
  worker.on('message', (m: ThreadResponse | { closed?: boolean; error?: string }) => {
    if ('id' in m) handler.settle(m);
    else closing.shift()?.(m);
  });
  // Later failures of the thread refuse the requests in flight and after; keep them off the floor of an unhandled
  // 'error'.
  worker.on('error', (err) => {
    process.stderr.write(`huixin: dynalite thread failed: ${err.message}\n`);
    handler.fail(`dynalite thread failed: ${err.message}`);
  });
  let exited = false;
  worker.on('exit', () => {
    exited = true;
    handler.fail('dynalite thread stopped');
  });
  let closed: Promise<void> | undefined;
  const stop = () =>
    new Promise<void>((resolve, reject) => {
      if (exited) return resolve(); // it died earlier: nothing to close, nothing will answer
      worker.once('exit', () => resolve());
      closing.push((m) => (m.error ? reject(new Error(m.error)) : resolve()));
      worker.postMessage('close');
    });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requestHandler: handler,
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

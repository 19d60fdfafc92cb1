/**
 * The ObjectStore port on one machine: a folder. The sha256 of every object is computed on write (and is what
 * the evidence records), so a later reader can check that a file was not changed.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, resolve, sep } from 'node:path';
import type { ObjectStore, StoredObject } from '../app/ports.ts';

export function sha256Hex(body: Uint8Array | string): string {
  return createHash('sha256').update(body).digest('hex');
}

export class FsObjectStore implements ObjectStore {
  readonly root: string;
  constructor(root: string) {
    this.root = resolve(root);
  }

  private pathOf(key: string): string {
    const clean = normalize(key).replace(/^([/\\])+/, '');
    if (!key || isAbsolute(key) || clean.split(sep).includes('..')) throw new Error(`invalid object key: ${key}`);
    return join(this.root, clean);
  }

  async put(key: string, body: Uint8Array | string, contentType: string): Promise<StoredObject> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    // write-then-rename: a reader never sees half a file
    const tmp = `${path}.${process.pid}.${Date.now().toString(36)}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, path);
    return { key, sha256: sha256Hex(bytes), size: bytes.byteLength, contentType };
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(this.pathOf(key)));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  locate(key: string): string {
    return this.pathOf(key);
  }
}

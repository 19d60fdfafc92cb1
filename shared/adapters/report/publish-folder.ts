/**
 * Local publisher: ROOT/v1/, ROOT/v2/… Each version folder is created exclusively (never reused) and its
 * files and the folder itself are made read-only, so a published version is never overwritten.
 */
import { chmod, mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConflictError } from '../../domain/errors.ts';
import type { ReportPublisher } from '../../app/report.ts';

export class FolderPublisher implements ReportPublisher {
  constructor(readonly root: string) {}

  async versions(): Promise<number[]> {
    let names: string[];
    try {
      names = await readdir(this.root);
    } catch {
      return [];
    }
    return names
      .map((n) => /^v(\d+)$/.exec(n))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
  }

  async write(version: number, files: ReadonlyArray<{ name: string; body: Uint8Array; contentType?: string }>): Promise<string> {
    await mkdir(this.root, { recursive: true });
    const dir = path.join(this.root, `v${version}`);
    try {
      await mkdir(dir); // not recursive: fails if the version exists
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new ConflictError(`version v${version} already exists in ${this.root}`);
      throw err;
    }
    for (const f of files) {
      const file = path.join(dir, f.name);
      await writeFile(file, f.body, { flag: 'wx', mode: 0o444 });
      await chmod(file, 0o444);
    }
    await chmod(dir, 0o555);
    return dir;
  }
}

import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FsMailObjectStore } from '../../shared/adapters/mail/fs-mail-store.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'huixin-mailstore-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('FsMailObjectStore (raw mail on disk)', () => {
  it('stores small and large objects byte for byte with their sha256, leaving no temporary files', async () => {
    const store = new FsMailObjectStore(dir);
    const small = Buffer.from('From: a@b.cn\r\n\r\n答复\r\n');
    const large = Buffer.alloc(300 * 1024, 7);
    const a = await store.put('mail/raw/a.eml', small, 'message/rfc822');
    const b = await store.put('mail/raw/b.eml', large, 'message/rfc822');
    expect(a).toEqual({ key: 'mail/raw/a.eml', sha256: createHash('sha256').update(small).digest('hex'), size: small.length, contentType: 'message/rfc822' });
    expect(b.size).toBe(large.length);
    expect(Buffer.from((await store.get('mail/raw/a.eml'))!)).toEqual(small);
    expect(Buffer.from((await store.get('mail/raw/b.eml'))!)).toEqual(large);
    expect((await readdir(join(dir, 'mail/raw'))).sort()).toEqual(['a.eml', 'b.eml']);
  });

  it('re-creates a folder removed after it was first used, and overwrites the same key (a retry) in place', async () => {
    const store = new FsMailObjectStore(dir);
    await store.put('mail/raw/x.eml', 'one', 'message/rfc822');
    await rm(join(dir, 'mail'), { recursive: true, force: true });
    await store.put('mail/raw/x.eml', 'two', 'message/rfc822');
    await store.put('mail/raw/x.eml', 'two', 'message/rfc822');
    expect(await readFile(join(dir, 'mail/raw/x.eml'), 'utf8')).toBe('two');
    expect(await readdir(join(dir, 'mail/raw'))).toEqual(['x.eml']);
  });

  it('refuses keys that climb out of its folder, as FsObjectStore does', async () => {
    await expect(new FsMailObjectStore(dir).put('../evil.eml', 'x', 'message/rfc822')).rejects.toThrow(/invalid object key/);
  });
});

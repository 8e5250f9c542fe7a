/**
 * Blobs as files under one directory (the embedded mode's data dir). Writes go to a temp file
 * renamed into place, so a crash never leaves a half blob under its key.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { assertKey, type BlobStore } from './port.ts';

export class DiskBlobStore implements BlobStore {
  readonly engine = 'disk' as const;

  constructor(readonly root: string) {}

  /** The file behind a key (for code that must hand a path to another program). */
  pathOf(key: string): string {
    assertKey(key);
    return join(this.root, key);
  }

  async put(key: string, data: Buffer): Promise<void> {
    const file = this.pathOf(key);
    await mkdir(dirname(file), { recursive: true });
    const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, data);
    await rename(tmp, file);
  }

  async putStream(key: string, data: Readable, bytes: number): Promise<void> {
    const file = this.pathOf(key);
    await mkdir(dirname(file), { recursive: true });
    const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await pipeline(data, createWriteStream(tmp));
      const st = await stat(tmp);
      if (st.size !== bytes) throw new Error(`blob ${key}: wrote ${st.size} bytes, expected ${bytes}`);
      await rename(tmp, file);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.pathOf(key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async read(key: string): Promise<Readable | undefined> {
    return (await this.stat(key)) ? createReadStream(this.pathOf(key), { highWaterMark: 1 << 20 }) : undefined;
  }

  async stat(key: string): Promise<{ bytes: number } | undefined> {
    try {
      const st = await stat(this.pathOf(key));
      return st.isFile() ? { bytes: st.size } : undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async deletePrefix(prefix: string): Promise<void> {
    // Prefixes used here are directories (a transfer's chunk folder).
    const p = prefix.replace(/\/$/, '');
    assertKey(p);
    await rm(join(this.root, p), { recursive: true, force: true });
  }

  async ping(): Promise<boolean> {
    await mkdir(this.root, { recursive: true });
    return true;
  }
}

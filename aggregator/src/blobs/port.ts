/**
 * The blob-store port: clip files and their in-transfer chunks, by key. Two adapters: local
 * disk (the embedded single process) and S3 (object storage shared by every aggregator instance,
 * so a transfer started on one instance completes on another).
 *
 * Keys are '/'-separated relative paths of [A-Za-z0-9._-] segments (no '..'), the same on every
 * adapter, so a disk store can be copied into a bucket as is.
 */
import { createHash } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';

export interface BlobStore {
  readonly engine: 'disk' | 's3';
  put(key: string, data: Buffer): Promise<void>;
  /** Writes a blob from a stream of exactly `bytes` bytes. */
  putStream(key: string, data: Readable, bytes: number): Promise<void>;
  /** The whole blob, or undefined when there is none. */
  get(key: string): Promise<Buffer | undefined>;
  /** A stream of the blob (downloads), or undefined when there is none. */
  read(key: string): Promise<Readable | undefined>;
  /** Size, or undefined when there is none. */
  stat(key: string): Promise<{ bytes: number } | undefined>;
  delete(key: string): Promise<void>;
  /** Deletes every blob whose key starts with `prefix` (a finished transfer's chunks). */
  deletePrefix(prefix: string): Promise<void>;
  /** Whether the store answers (readiness). */
  ping(): Promise<boolean>;
}

const KEY_RE = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

export function assertKey(key: string): void {
  if (!KEY_RE.test(key) || key.split('/').some((s) => s === '.' || s === '..')) throw new Error(`invalid blob key '${key}'`);
}

/**
 * Joins `parts` (in order) into `target` when their concatenation hashes to `sha256`; the parts
 * stay (the caller deletes them after recording completion). Two passes (hash, then copy) so a
 * wrong file is never written under its content address.
 */
export async function composeBlobs(store: BlobStore, target: string, parts: string[], sha256: string): Promise<{ ok: true; bytes: number } | { ok: false; actual: string; missing?: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for (const p of parts) {
    const s = await store.read(p);
    if (!s) return { ok: false, actual: '', missing: p };
    for await (const chunk of s) {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
  }
  const actual = hash.digest('hex');
  if (actual !== sha256) return { ok: false, actual };
  if (!(await store.stat(target))) {
    const out = new PassThrough();
    const writing = store.putStream(target, out, bytes);
    (async () => {
      try {
        for (const p of parts) {
          const s = await store.read(p);
          if (!s) throw new Error(`blob ${p} vanished while composing`);
          for await (const chunk of s) if (!out.write(chunk)) await new Promise((r) => out.once('drain', r));
        }
        out.end();
      } catch (err) {
        out.destroy(err as Error);
      }
    })();
    await writing;
  }
  return { ok: true, bytes };
}

/**
 * The blob-store contract, run against both adapters: local disk, and S3 through
 * @aws-sdk/client-s3 against s3rver (a real S3 HTTP server, path-style, with the SDK's checksum
 * options set for S3-compatible servers).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DiskBlobStore } from '../../src/blobs/disk.ts';
import { S3BlobStore } from '../../src/blobs/s3.ts';
import { composeBlobs, type BlobStore } from '../../src/blobs/port.ts';
import { startS3Server, type S3Server } from '../../../test/support/s3.ts';
import { tempDir } from '../../../test/support/tmp.ts';

const tmp = tempDir('cf-blobs-');
let s3: S3Server;

const adapters: Array<[string, () => Promise<BlobStore>]> = [
  ['disk', async () => new DiskBlobStore(join(tmp.path, 'disk'))],
  [
    's3',
    async () => {
      s3 ??= await startS3Server(join(tmp.path, 's3'), 'clips');
      return new S3BlobStore({ endpoint: s3.endpoint, bucket: 'clips', accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, prefix: 'cf/' });
    },
  ],
];

for (const [name, make] of adapters) {
  const t = suite(`blobs: ${name}`);
  let store: BlobStore;
  t.before(async () => {
    store = await make();
  });

  t('put, get, stat, read, delete', async () => {
    assert.ok(await store.ping());
    const data = randomBytes(70_000);
    await store.put('a/b/c.bin', data);
    assert.equal((await store.stat('a/b/c.bin'))?.bytes, data.length);
    assert.ok((await store.get('a/b/c.bin'))!.equals(data));
    const parts: Buffer[] = [];
    for await (const c of (await store.read('a/b/c.bin'))!) parts.push(c as Buffer);
    assert.ok(Buffer.concat(parts).equals(data));
    await store.delete('a/b/c.bin');
    assert.is(await store.get('a/b/c.bin'), undefined);
    assert.is(await store.stat('a/b/c.bin'), undefined);
    assert.is(await store.read('a/b/c.bin'), undefined);
  });

  t('putStream writes exactly the bytes given', async () => {
    const data = randomBytes(300_000);
    await store.putStream('s/one', Readable.from([data.subarray(0, 1000), data.subarray(1000)]), data.length);
    assert.ok((await store.get('s/one'))!.equals(data));
  });

  t('keys are checked (no traversal, no odd characters)', async () => {
    for (const bad of ['../x', 'a//b', '/abs', 'a/../b', 'sp ace', '']) {
      await store.put(bad, Buffer.from('x')).then(
        () => assert.unreachable(`accepted ${bad}`),
        (err: Error) => assert.match(err.message, /invalid blob key/),
      );
    }
  });

  t('compose joins chunks under the content address only when the hash matches; deletePrefix clears a transfer', async () => {
    const chunks = [randomBytes(256 * 1024), randomBytes(256 * 1024), randomBytes(1234)];
    for (let i = 0; i < chunks.length; i++) await store.put(`partial/xfer1/${i}`, chunks[i]!);
    const whole = Buffer.concat(chunks);
    const sha = createHash('sha256').update(whole).digest('hex');
    const parts = chunks.map((_, i) => `partial/xfer1/${i}`);
    const wrong = await composeBlobs(store, 'clips/wrong.mp4', parts, '0'.repeat(64));
    assert.is(wrong.ok, false);
    assert.is(await store.stat('clips/wrong.mp4'), undefined, 'nothing written under a wrong address');
    const missing = await composeBlobs(store, 'clips/x.mp4', [...parts, 'partial/xfer1/9'], sha);
    assert.equal(missing.ok ? '' : missing.missing, 'partial/xfer1/9');
    const ok = await composeBlobs(store, `clips/${sha}.mp4`, parts, sha);
    assert.equal(ok, { ok: true, bytes: whole.length });
    assert.ok((await store.get(`clips/${sha}.mp4`))!.equals(whole));
    await store.deletePrefix('partial/xfer1');
    for (const p of parts) assert.is(await store.stat(p), undefined);
    assert.ok(await store.stat(`clips/${sha}.mp4`), 'deletePrefix leaves other keys');
  });

  t.run();
}

// uvu runs suites in order; the last one closes the server.
const end = suite('blobs: cleanup');
end('stop s3rver', async () => {
  await s3?.close();
  tmp.cleanup();
});
end.run();

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { applyMigrations, openAgentDb } from '../../src/storage/db.ts';
import { RECORDER_MIGRATIONS } from '../../src/storage/recorder-schema.ts';
import { SegmentIndex } from '../../src/storage/segment-index.ts';
import { verifyCamera } from '../../src/storage/verify.ts';
import { tempDir } from '../../../test/support/tmp.ts';

/** Writes a fake segment file and indexes it, as the recorder does. */
function addFakeSegment(index: SegmentIndex, dataDir: string, cameraId: string, n: number, startMs: number) {
  const path = `segments/${cameraId}/run-${String(n).padStart(6, '0')}.mp4`;
  mkdirSync(join(dataDir, 'segments', cameraId), { recursive: true });
  const content = Buffer.from(`footage ${cameraId} ${n}`);
  writeFileSync(join(dataDir, path), content);
  return index.addSegment({ cameraId, path, startMs, endMs: startMs + 2000, bytes: content.length, sha256: createHash('sha256').update(content).digest('hex') });
}

test('migrations from several modules apply once each, by id', () => {
  const dir = tempDir();
  try {
    const db = openAgentDb(dir.path, RECORDER_MIGRATIONS);
    const outbox = [{ id: 'outbox-001', up: 'CREATE TABLE outbox (id INTEGER PRIMARY KEY)' }];
    assert.equal(applyMigrations(db, outbox), ['outbox-001']);
    assert.equal(applyMigrations(db, [...RECORDER_MIGRATIONS, ...outbox]), []);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    db.close();
    const again = openAgentDb(dir.path, RECORDER_MIGRATIONS);
    const ids = (again.prepare('SELECT id FROM schema_migrations ORDER BY id').all() as { id: string }[]).map((r) => r.id);
    assert.equal(ids, ['outbox-001', ...RECORDER_MIGRATIONS.map((m) => m.id)].sort());
    again.close();
  } finally {
    dir.cleanup();
  }
});

test('segments chain by the previous hash per camera, and usage follows status', () => {
  const dir = tempDir();
  try {
    const index = new SegmentIndex(openAgentDb(dir.path, RECORDER_MIGRATIONS));
    const a1 = addFakeSegment(index, dir.path, 'camA', 1, 0);
    const b1 = addFakeSegment(index, dir.path, 'camB', 1, 0);
    const a2 = addFakeSegment(index, dir.path, 'camA', 2, 2000);
    assert.is(a1.prevSha256, null);
    assert.is(b1.prevSha256, null);
    assert.is(a2.prevSha256, a1.sha256);
    assert.is.not(a2.link, a1.link);
    assert.equal(index.usage('camA'), { bytes: a1.bytes + a2.bytes, segments: 2 });
    index.markRemoved(a1.id, 'expired', 'age');
    assert.equal(index.usage('camA'), { bytes: a2.bytes, segments: 1 });
    assert.equal(index.usage(), { bytes: a2.bytes + b1.bytes, segments: 2 });
  } finally {
    dir.cleanup();
  }
});

test('verify: intact, one byte altered, a file deleted, a row removed, a row edited', async () => {
  const dir = tempDir();
  try {
    const db = openAgentDb(dir.path, RECORDER_MIGRATIONS);
    const index = new SegmentIndex(db);
    const segs = [0, 1, 2, 3, 4, 5].map((n) => addFakeSegment(index, dir.path, 'cam1', n, 1_000_000 + n * 2000));
    let report = await verifyCamera(index, dir.path, 'cam1');
    assert.ok(report.ok);
    assert.is(report.counts.intact, 6);

    // one byte changed in segment 1, segment 2's file deleted
    const file1 = join(dir.path, segs[1]!.path);
    const bytes = Buffer.from(`footage cam1 1`);
    bytes[0] = bytes[0]! ^ 1;
    writeFileSync(file1, bytes);
    unlinkSync(join(dir.path, segs[2]!.path));
    // retention removing segment 0 is not a finding
    index.markRemoved(segs[0]!.id, 'expired', 'age');
    report = await verifyCamera(index, dir.path, 'cam1');
    assert.not.ok(report.ok);
    assert.equal(report.segments.map((s) => s.verdict), ['expired', 'altered', 'missing', 'intact', 'intact', 'intact']);

    // someone removes row 4 from the index and edits row 5's times
    db.prepare('DELETE FROM segments WHERE id = ?').run(segs[4]!.id);
    report = await verifyCamera(index, dir.path, 'cam1', { fromMs: segs[3]!.startMs });
    assert.equal(report.chainBreaks.map((b) => b.segmentId), [segs[5]!.id]);
    db.prepare('UPDATE segments SET start_ms = start_ms + 500 WHERE id = ?').run(segs[3]!.id);
    report = await verifyCamera(index, dir.path, 'cam1', { fromMs: segs[3]!.startMs });
    assert.is(report.segments[0]!.verdict, 'altered');
    assert.match(report.segments[0]!.detail ?? '', /chain link/);
  } finally {
    dir.cleanup();
  }
});

test.run();

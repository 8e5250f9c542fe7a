import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, statSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openAgentDb } from '../../src/storage/db.ts';
import { RECORDER_MIGRATIONS } from '../../src/storage/recorder-schema.ts';
import { SegmentIndex } from '../../src/storage/segment-index.ts';
import { cameraDir, reconcileCamera } from '../../src/recorder/reconcile.ts';
import { probeMedia } from '../../src/recorder/ffmpeg.ts';
import { verifyCamera } from '../../src/storage/verify.ts';
import { tempDir } from '../../../test/support/tmp.ts';
import { makeSegmentFiles, recordFake } from './fixtures.ts';

test('after a crash: partial segment repaired and indexed, junk removed, vanished rows marked missing', async () => {
  const dir = tempDir();
  try {
    const index = new SegmentIndex(openAgentDb(dir.path, RECORDER_MIGRATIONS));
    const rows = await recordFake(index, dir.path, 'cam1', 3, Date.now() - 60_000);
    // the crash: run2's first segment finished but not indexed, its second cut mid-write,
    // a third only a few bytes long; plus a leftover temporary file and a vanished segment
    const orphans = makeSegmentFiles(dir.path, 'cam1', 3, 2, 'run2');
    const camDir = cameraDir(dir.path, 'cam1');
    truncateSync(join(camDir, orphans[1]!), Math.floor(statSync(join(camDir, orphans[1]!)).size * 0.6));
    truncateSync(join(camDir, orphans[2]!), 100);
    writeFileSync(join(camDir, 'run2-000009.tmp.mp4'), 'half a remux');
    unlinkSync(join(dir.path, rows[1]!.path));

    const result = await reconcileCamera(index, dir.path, 'cam1');
    assert.equal(result.repaired.map((r) => r.path.split('/').pop()), [orphans[0], orphans[1]]);
    assert.equal(result.removed.map((p) => p.split('/').pop()), [orphans[2]]);
    assert.equal(result.missing.map((r) => r.id), [rows[1]!.id]);
    assert.ok(result.repaired.every((r) => r.origin === 'repaired' && r.durationMs > 0));

    // disk and index now agree: every file indexed, every present row has its file
    const files = readdirSync(camDir).sort();
    const present = index.chain('cam1').filter((r) => r.status === 'present').map((r) => r.path.split('/').pop()).sort();
    assert.equal(files, present);
    const partial = await probeMedia(join(camDir, orphans[1]!));
    assert.ok(partial && partial.durationS > 0.1 && partial.durationS < 2, `repaired partial lasts ${partial?.durationS}s`);
    // the repaired segments joined the chain; only the vanished one is reported
    const report = await verifyCamera(index, dir.path, 'cam1');
    assert.equal(report.counts, { intact: 4, altered: 0, missing: 1, expired: 0 });
    assert.equal(report.chainBreaks, []);

    // a second pass finds nothing to do
    const again = await reconcileCamera(index, dir.path, 'cam1');
    assert.equal([again.repaired.length, again.removed.length, again.missing.length], [0, 0, 0]);
    assert.not.ok(existsSync(join(camDir, 'run2-000009.tmp.mp4')));
  } finally {
    dir.cleanup();
  }
});

test.run();

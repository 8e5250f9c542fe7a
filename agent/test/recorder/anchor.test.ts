/**
 * The centre's anchor: the hash chain alone cannot tell a history rebuilt from scratch (every
 * file, hash and link recomputed by someone with the box in hand) from the real one. The newest
 * link the centre received with a health sample can: a rebuilt history does not hold it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openAgentDb } from '../../src/storage/db.ts';
import { RECORDER_MIGRATIONS } from '../../src/storage/recorder-schema.ts';
import { SegmentIndex } from '../../src/storage/segment-index.ts';
import { sha256File } from '../../src/storage/hash.ts';
import { verifyCamera } from '../../src/storage/verify.ts';
import { recordFake } from './fixtures.ts';
import { tempDir } from '../../../test/support/tmp.ts';

const T0 = Date.parse('2026-11-22T06:00:00Z');

test('verify holds the anchor of the real history, and refuses a rebuilt one', async () => {
  const dir = tempDir();
  try {
    const db = openAgentDb(dir.path, RECORDER_MIGRATIONS);
    const index = new SegmentIndex(db);
    const rows = await recordFake(index, dir.path, 'gate', 3, T0);
    // What the centre stored from the agent's last health sample.
    const anchor = index.lastInChain('gate')!.link;

    const honest = await verifyCamera(index, dir.path, 'gate', { anchors: [anchor] });
    assert.ok(honest.ok);
    assert.equal(honest.anchors, [{ link: anchor, segmentId: rows[2]!.id, found: true }]);

    // Someone replaces the middle segment and rebuilds the whole index consistently.
    writeFileSync(join(dir.path, rows[1]!.path), Buffer.from('forged footage'));
    db.exec('DELETE FROM segments');
    for (const r of rows) {
      index.addSegment({ cameraId: 'gate', path: r.path, startMs: r.startMs, endMs: r.endMs, bytes: r.bytes, sha256: await sha256File(join(dir.path, r.path)) });
    }
    const withoutAnchor = await verifyCamera(index, dir.path, 'gate');
    assert.ok(withoutAnchor.ok, 'a consistently rebuilt chain passes on its own: that is why the anchor is kept elsewhere');
    const withAnchor = await verifyCamera(index, dir.path, 'gate', { anchors: [anchor] });
    assert.not.ok(withAnchor.ok);
    assert.equal(withAnchor.anchors.map((a) => [a.link, a.found]), [[anchor, false]]);
    db.close();
  } finally {
    dir.cleanup();
  }
});

test.run();

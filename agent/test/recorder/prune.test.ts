/**
 * The index stays bounded like the footage: rows of segments retention deleted long ago are
 * pruned from the start of the chain, behind a checkpoint that keeps the rest verifiable.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { openAgentDb } from '../../src/storage/db.ts';
import { RECORDER_MIGRATIONS } from '../../src/storage/recorder-schema.ts';
import { SegmentIndex } from '../../src/storage/segment-index.ts';
import { sha256File } from '../../src/storage/hash.ts';
import { verifyCamera } from '../../src/storage/verify.ts';
import { makeSegmentFiles, recordFake } from './fixtures.ts';
import { cameraDir, relativeSegmentPath } from '../../src/recorder/reconcile.ts';
import { tempDir } from '../../../test/support/tmp.ts';

const T0 = Date.parse('2026-11-01T06:00:00Z');
const LATER = T0 + 40 * 86_400_000;

function setup() {
  const dir = tempDir();
  const db = openAgentDb(dir.path, RECORDER_MIGRATIONS);
  return { dir, db, index: new SegmentIndex(db) };
}

test('only a prefix of expired rows older than the cut-off is pruned, and the rest still verifies', async () => {
  const { dir, db, index } = setup();
  try {
    const rows = await recordFake(index, dir.path, 'gate', 5, T0);
    for (const r of [rows[0]!, rows[1]!, rows[3]!]) index.markRemoved(r.id, 'expired', 'age', T0 + 1);
    const headAnchor = index.lastInChain('gate')!.link;
    assert.is(index.pruneExpired('gate', LATER), 2, 'rows 1-2 go; row 4 stays, since row 3 is still present');
    assert.equal(index.chain('gate').map((r) => r.id), [rows[2]!.id, rows[3]!.id, rows[4]!.id]);
    assert.equal(index.checkpoint('gate'), { segmentId: rows[1]!.id, sha256: rows[1]!.sha256, link: rows[1]!.link, endMs: rows[1]!.endMs, prunedRows: 2 });

    const report = await verifyCamera(index, dir.path, 'gate', { anchors: [headAnchor, rows[1]!.link, rows[0]!.link] });
    assert.equal(report.chainBreaks, [], 'the chain goes on from the checkpoint');
    assert.equal(report.counts, { intact: 2, altered: 0, missing: 0, expired: 1 });
    assert.equal(report.anchors.map((a) => a.found), [true, true, false], 'an anchor older than the checkpoint cannot be shown any more');
    assert.match(report.anchors[2]!.detail!, /pruned/);
    db.close();
  } finally {
    dir.cleanup();
  }
});

test('rows newer than the cut-off are kept, and pruning twice adds up', async () => {
  const { dir, db, index } = setup();
  try {
    const rows = await recordFake(index, dir.path, 'gate', 3, T0);
    for (const r of rows) index.markRemoved(r.id, 'expired', 'age', T0 + 1);
    assert.is(index.pruneExpired('gate', rows[0]!.endMs + 1), 1);
    assert.is(index.pruneExpired('gate', LATER), 2);
    assert.is(index.checkpoint('gate')!.prunedRows, 3);
    db.close();
  } finally {
    dir.cleanup();
  }
});

test('a camera whose whole chain was pruned goes on from the checkpoint when it records again', async () => {
  const { dir, db, index } = setup();
  try {
    const rows = await recordFake(index, dir.path, 'gate', 2, T0);
    for (const r of rows) index.markRemoved(r.id, 'expired', 'age', T0 + 1);
    index.pruneExpired('gate', LATER);
    assert.equal(index.chain('gate'), []);
    const [file] = makeSegmentFiles(dir.path, 'gate', 1, 2, 'run2');
    const full = join(cameraDir(dir.path, 'gate'), file!);
    const next = index.addSegment({ cameraId: 'gate', path: relativeSegmentPath('gate', file!), startMs: LATER, endMs: LATER + 2000, bytes: statSync(full).size, sha256: await sha256File(full) });
    assert.is(next.prevSha256, rows[1]!.sha256, 'linked to the last pruned row');
    const report = await verifyCamera(index, dir.path, 'gate');
    assert.ok(report.ok, JSON.stringify(report.chainBreaks));
    db.close();
  } finally {
    dir.cleanup();
  }
});

test.run();

/**
 * Every hole accounted for: the interval logic, and a start after repeated crashes (an agent
 * killed before its first segment completed, then a run whose camera was away) giving every
 * hole a gap row with its cause.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { utimesSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../../test/support/tmp.ts';
import { waitFor } from '../../../test/support/wait.ts';
import { attributeHoles, MIN_GAP_MS, uncovered, unaccountedHoles } from '../../src/storage/coverage.ts';
import { openAgentDb } from '../../src/storage/db.ts';
import { RECORDER_MIGRATIONS } from '../../src/storage/recorder-schema.ts';
import { SegmentIndex } from '../../src/storage/segment-index.ts';
import { cameraDir } from '../../src/recorder/reconcile.ts';
import { SiteRecorder, type RecorderEvent } from '../../src/recorder/site-recorder.ts';
import { makeSegmentFiles, recordFake } from './fixtures.ts';
import { quietLogger } from './helpers.ts';

test('uncovered: the parts of a range no interval covers, short ones ignored', () => {
  const covered = [
    { fromMs: 0, toMs: 10 },
    { fromMs: 12, toMs: 20 },
    { fromMs: 15, toMs: 30 }, // overlapping
    { fromMs: 30.1, toMs: 40 },
  ];
  assert.equal(uncovered(0, 50, covered, 1), [
    { fromMs: 10, toMs: 12 },
    { fromMs: 40, toMs: 50 },
  ]);
  assert.equal(uncovered(0, 50, covered, 0).length, 3, 'without a minimum the 0.1 sliver counts');
  assert.equal(uncovered(5, 5, covered), []);
  assert.equal(uncovered(100, 110, covered), [{ fromMs: 100, toMs: 110 }]);
});

test('attributeHoles: agent-down before the last run and after its last note, the noted cause in between', () => {
  const holes = [{ fromMs: 0, toMs: 100 }];
  assert.equal(attributeHoles(holes, { runStartedMs: 40, aliveMs: 70, aliveCause: 'camera-unreachable' }), [
    { fromMs: 0, toMs: 40, cause: 'agent-down' },
    { fromMs: 40, toMs: 70, cause: 'camera-unreachable' },
    { fromMs: 70, toMs: 100, cause: 'agent-down' },
  ]);
  // recording when last noted: the missing footage died with the agent
  assert.equal(attributeHoles(holes, { runStartedMs: 40, aliveMs: 70, aliveCause: null }), [{ fromMs: 0, toMs: 100, cause: 'agent-down' }]);
  // nothing noted (a database from before the notes)
  assert.equal(attributeHoles(holes, { runStartedMs: null, aliveMs: null, aliveCause: null }), [{ fromMs: 0, toMs: 100, cause: 'agent-down' }]);
  // a note older than the hole
  assert.equal(attributeHoles([{ fromMs: 200, toMs: 300 }], { runStartedMs: 40, aliveMs: 70, aliveCause: 'stall' }), [{ fromMs: 200, toMs: 300, cause: 'agent-down' }]);
  // a note covering the whole hole
  assert.equal(attributeHoles([{ fromMs: 50, toMs: 60 }], { runStartedMs: 40, aliveMs: 70, aliveCause: 'disk-full' }), [{ fromMs: 50, toMs: 60, cause: 'disk-full' }]);
});

test('unaccountedHoles: holes between footage without a gap row', () => {
  const segs = [
    { fromMs: 0, toMs: 10 },
    { fromMs: 20, toMs: 30 },
    { fromMs: 50, toMs: 60 },
  ];
  assert.equal(unaccountedHoles(segs, [{ fromMs: 10, toMs: 20 }], 1), [{ fromMs: 30, toMs: 50 }]);
  assert.equal(unaccountedHoles(segs, [{ fromMs: 10, toMs: 20 }, { fromMs: 30, toMs: 50 }], 1), []);
  assert.equal(unaccountedHoles([], [], 1), []);
});

test('footage after a hole does not move the covered time: a start that died after reconcile still finds the hole', async () => {
  const dir = tempDir();
  try {
    const index = new SegmentIndex(openAgentDb(dir.path, RECORDER_MIGRATIONS));
    const t0 = Date.now() - 60_000;
    await recordFake(index, dir.path, 'gate', 2, t0 - 4000, 2, String(t0 - 4000));
    assert.is(index.recordingState('gate')!.coveredToMs, t0);
    // reconcile repaired a cut-off segment 30 s later, then the start died before its audit
    await recordFake(index, dir.path, 'gate', 1, t0 + 28_000, 2, String(t0 + 28_000));
    assert.is(index.recordingState('gate')!.coveredToMs, t0, 'the hole before it is still to be accounted for');
    index.addGap('gate', t0, t0 + 28_000, 'agent-down');
    assert.is(index.recordingState('gate')!.coveredToMs, t0 + 28_000);
    index.coverTo('gate', t0 + 30_000);
    assert.is(index.recordingState('gate')!.coveredToMs, t0 + 30_000);
    index.db.close();
  } finally {
    dir.cleanup();
  }
});

test('repeated crashes, one before its first segment, then a run with the camera away: every hole gets a gap row with its cause', async () => {
  const dir = tempDir();
  const data = dir.path;
  let rec: SiteRecorder | undefined;
  try {
    const t0 = Date.now() - 120_000;
    const index = new SegmentIndex(openAgentDb(data, RECORDER_MIGRATIONS));
    // run A recorded two segments up to t0, noted it was recording at t0 + 1 s, then died
    await recordFake(index, data, 'gate', 2, t0 - 4000, 2, String(t0 - 10_000));
    index.markAlive(t0 - 10_000, [{ cameraId: 'gate', cause: null }], t0 + 1000);
    // run B started at t0 + 25 s, was still connecting at t0 + 29 s, and was killed while
    // writing its first segment (last written at t0 + 30 s): never indexed, no gap row
    index.markAlive(t0 + 25_000, [{ cameraId: 'gate', cause: 'agent-down' }], t0 + 29_000);
    const [partial] = makeSegmentFiles(data, 'gate', 1, 2, String(t0 + 25_000));
    utimesSync(join(cameraDir(data, 'gate'), partial!), new Date(t0 + 30_000), new Date(t0 + 30_000));
    index.db.close();

    // run C: the camera does not answer; stopped once it noted why
    const events: RecorderEvent[] = [];
    const camera = { id: 'gate', rtspUrl: 'rtsp://127.0.0.1:1/gate', audio: 'none' as const };
    rec = new SiteRecorder({ dataDir: data, cameras: [camera], segmentSeconds: 2, backoff: { initialMs: 100, maxMs: 500 }, logger: quietLogger });
    rec.on('event', (e) => events.push(e));
    await rec.start();
    const c = rec;
    const repaired = c.index.chain('gate').find((r) => r.origin === 'repaired');
    assert.ok(repaired, "run B's cut-off segment was repaired at start");
    let gaps = c.index.gaps('gate');
    assert.equal(
      gaps.map((g) => [g.fromMs, g.toMs, g.cause]),
      [[t0, repaired.startMs, 'agent-down']],
      'the hole between run A and run B: agent down',
    );
    assert.ok(events.some((e) => e.kind === 'recording.gap' && e.data?.cause === 'agent-down'), 'and it was reported');
    const noted = await waitFor('run C noted the camera away', () => {
      const s = c.index.recordingState('gate');
      return s?.aliveCause === 'camera-unreachable' ? s : undefined;
    });
    await rec.stop();
    rec = undefined;

    // run D: accounts for run C's time: agent down until C started, camera away until its last note
    rec = new SiteRecorder({ dataDir: data, cameras: [camera], segmentSeconds: 2, backoff: { initialMs: 100, maxMs: 500 }, logger: quietLogger });
    await rec.start();
    gaps = rec.index.gaps('gate');
    assert.equal(
      gaps.slice(1).map((g) => [g.fromMs, g.toMs, g.cause]),
      [
        [repaired.endMs, noted.runStartedMs!, 'agent-down'],
        [noted.runStartedMs!, noted.aliveMs!, 'camera-unreachable'],
      ],
    );
    const rows = rec.index.chain('gate').map((r) => ({ fromMs: r.startMs, toMs: r.endMs }));
    assert.equal(unaccountedHoles(rows, gaps, MIN_GAP_MS), [], 'no hole without a cause');
    assert.ok(rec.index.recordingState('gate')!.coveredToMs! >= noted.aliveMs!, 'covered up to the last note');
    await rec.stop();
    rec = undefined;

    // a further start with nothing new adds nothing twice
    rec = new SiteRecorder({ dataDir: data, cameras: [camera], segmentSeconds: 2, backoff: { initialMs: 100, maxMs: 500 }, logger: quietLogger });
    await rec.start();
    const again = rec.index.gaps('gate');
    for (let i = 0; i < gaps.length; i++) assert.equal([again[i]!.fromMs, again[i]!.toMs, again[i]!.cause], [gaps[i]!.fromMs, gaps[i]!.toMs, gaps[i]!.cause]);
    assert.ok(again.every((g, i) => i === 0 || g.fromMs >= again[i - 1]!.toMs), 'gap rows never overlap');
  } finally {
    await rec?.stop();
    dir.cleanup();
  }
});

test.run();

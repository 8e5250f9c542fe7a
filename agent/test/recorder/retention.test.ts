import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openAgentDb } from '../../src/storage/db.ts';
import { RECORDER_MIGRATIONS } from '../../src/storage/recorder-schema.ts';
import { SegmentIndex, type SegmentRow } from '../../src/storage/segment-index.ts';
import { RetentionCleaner } from '../../src/retention/cleaner.ts';
import { SiteRecorder, type RecorderEvent } from '../../src/recorder/site-recorder.ts';
import { diskUsage } from '../../src/system/metrics.ts';
import { tempDir } from '../../../test/support/tmp.ts';
import { recordFake } from './fixtures.ts';
import { mountSmallDisk } from './mount.ts';
import { skip } from '../../../test/support/skip.ts';
import { quietLogger } from './helpers.ts';

const MIN = 60_000;

test('age per camera and a byte budget, oldest first, pinned segments kept', async () => {
  const dir = tempDir();
  try {
    const index = new SegmentIndex(openAgentDb(dir.path, RECORDER_MIGRATIONS));
    const now = Date.now();
    // 10 two-second segments per camera, the first 30 minutes ago, one every 2 minutes
    const a: SegmentRow[] = [];
    const b: SegmentRow[] = [];
    for (let i = 0; i < 10; i++) {
      a.push(...(await recordFake(index, dir.path, 'camA', 1, now - 30 * MIN + i * 2 * MIN, 2, `a${i}`)));
      b.push(...(await recordFake(index, dir.path, 'camB', 1, now - 30 * MIN + i * 2 * MIN + 1000, 2, `b${i}`)));
    }
    // an evidence hold on camA's two oldest minutes, a pending upload on camB's oldest
    index.addPin({ cameraId: 'camA', fromMs: a[0]!.startMs, toMs: a[1]!.endMs, kind: 'hold', note: 'case 42' });
    index.addPin({ cameraId: 'camB', fromMs: b[0]!.startMs, toMs: b[0]!.endMs, kind: 'upload' });

    // camA keeps 15 minutes; the budget holds about 12 segments
    const segBytes = a[5]!.bytes;
    const policy = { maxAgeMs: { camA: 15 * MIN }, maxBytes: segBytes * 12 };
    const run = new RetentionCleaner(index, dir.path, policy, quietLogger).runOnce(now);

    const present = (rows: typeof a) => rows.filter((r) => index.segment(r.id)!.status === 'present');
    // camA: segments ending more than 15 min ago go (i = 0..7 end before now-15min) except the held two
    assert.equal(present(a).map((r) => r.id), [a[0]!.id, a[1]!.id, a[8]!.id, a[9]!.id]);
    assert.ok(run.byReason.age === 6);
    // then the budget takes camB's oldest unpinned until the total fits
    assert.ok(index.usage().bytes <= policy.maxBytes, 'within budget');
    assert.ok(present(b).some((r) => r.id === b[0]!.id), 'pinned upload kept');
    assert.ok(!present(b).some((r) => r.id === b[1]!.id), 'oldest unpinned went first');
    assert.ok(present(b).some((r) => r.id === b[9]!.id), 'newest kept');
    // files follow rows
    for (const r of [...a, ...b]) assert.is(existsSync(join(dir.path, r.path)), index.segment(r.id)!.status === 'present', r.path);
    assert.equal(run.losses, []);
  } finally {
    dir.cleanup();
  }
});

test('free-space floor: unpinned first, then pinned, whose loss is an event', async () => {
  const { disk, reason } = mountSmallDisk('4m');
  // root can mount a tmpfs (CI runs as root): there the test must run for real
  if (!disk) return skip(`free-space floor test: ${reason}`, { requiredInCi: process.getuid?.() === 0 });
  try {
    const db = openAgentDb(disk.path, RECORDER_MIGRATIONS);
    const index = new SegmentIndex(db);
    const rows = await recordFake(index, disk.path, 'cam1', 6, Date.now() - 10 * MIN);
    const rec = new SiteRecorder({ dataDir: disk.path, cameras: [], db, retention: { minFreePercent: 50 }, logger: quietLogger });
    rec.pin('cam1', rows[0]!.startMs, rows[5]!.endMs, 'hold', 'everything is evidence');
    const events: RecorderEvent[] = [];
    rec.on('event', (e) => events.push(e));
    // someone else's file eats the disk down to ~30% free
    const { totalBytes, freeBytes } = diskUsage(disk.path)!;
    writeFileSync(join(disk.path, 'filler'), Buffer.alloc(Math.floor(freeBytes - totalBytes * 0.3)));

    const run = rec.runCleaner()!;
    assert.ok(run.deleted > 0 && run.byReason.floor === run.deleted);
    assert.is(run.losses.length, 1);
    const loss = events.find((e) => e.kind === 'retention.loss');
    assert.ok(loss, 'retention.loss event');
    assert.is(loss!.cameraId, 'cam1');
    assert.is(loss!.data?.segments, run.deleted);
    assert.is(loss!.startedAt, new Date(rows[0]!.startMs).toISOString(), 'oldest first');
    assert.equal(index.events('retention.loss').map((e) => e.id), [loss!.eventId], 'stored too');
    db.close();
  } finally {
    disk.cleanup();
  }
});

test.run();

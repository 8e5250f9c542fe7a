import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startRtspSim, type RtspSim } from '../../../test/sim/rtsp.ts';
import { waitFor } from '../../../test/support/wait.ts';
import { SiteRecorder, type RecorderEvent } from '../../src/recorder/site-recorder.ts';
import { cameraDir } from '../../src/recorder/reconcile.ts';
import { openAgentDb } from '../../src/storage/db.ts';
import { SegmentIndex } from '../../src/storage/segment-index.ts';
import { verifyCamera } from '../../src/storage/verify.ts';
import { diskUsage } from '../../src/system/metrics.ts';
import { mountSmallDisk } from './mount.ts';
import { skip } from '../../../test/support/skip.ts';
import { presentRows, quietLogger, SMALL } from './helpers.ts';

test('a full disk (ENOSPC) is survived: event, gap, recording resumes when space returns', async () => {
  const { disk, reason } = mountSmallDisk('3m');
  // root can mount a tmpfs (CI runs as root): there the test must run for real
  if (!disk) return skip(`disk-full test: ${reason}`, { requiredInCi: process.getuid?.() === 0 });
  let sim: RtspSim | undefined;
  let rec: SiteRecorder | undefined;
  try {
    sim = await startRtspSim({ streams: [{ name: 'gate', ...SMALL }] });
    rec = new SiteRecorder({
      dataDir: disk.path,
      cameras: [{ id: 'gate', rtspUrl: sim.url('gate'), audio: 'none' }],
      segmentSeconds: 2,
      backoff: { initialMs: 200, maxMs: 1000 },
      logger: quietLogger,
    });
    const events: RecorderEvent[] = [];
    rec.on('event', (e) => events.push(e));
    await rec.start();
    const r = rec;
    await waitFor('first segment', () => presentRows(r.index, 'gate').length >= 1);
    // leave room for a few seconds of footage only
    const filler = join(disk.path, 'filler');
    writeFileSync(filler, Buffer.alloc(Math.max(0, diskUsage(disk.path)!.freeBytes - 150_000)));
    await waitFor('disk.full event', () => events.some((e) => e.kind === 'disk.full'));
    const whenFull = presentRows(r.index, 'gate').length;

    unlinkSync(filler);
    await waitFor('recording again', () => presentRows(r.index, 'gate').length >= whenFull + 2);
    const gaps = r.index.gaps('gate');
    assert.ok(gaps.some((g) => g.cause === 'disk-full'), `a disk-full gap (${JSON.stringify(gaps)})`);
    assert.ok(r.health()[0]!.recording);
    await rec.stop();
    rec = undefined;

    // nothing half-written survives: disk and index agree, and the chain holds
    const index = new SegmentIndex(openAgentDb(disk.path));
    const files = readdirSync(cameraDir(disk.path, 'gate')).sort();
    assert.equal(presentRows(index, 'gate').map((row) => row.path.split('/').pop()).sort(), files);
    const report = await verifyCamera(index, disk.path, 'gate');
    assert.ok(report.ok, JSON.stringify(report.counts));
    index.db.close();
  } finally {
    await rec?.stop();
    await sim?.close();
    disk.cleanup();
  }
});

test.run();

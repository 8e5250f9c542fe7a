import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startRtspSim, type RtspSim } from '../../../test/sim/rtsp.ts';
import { waitFor } from '../../../test/support/wait.ts';
import { tempDir } from '../../../test/support/tmp.ts';
import { SiteRecorder } from '../../src/recorder/site-recorder.ts';
import { probeMedia } from '../../src/recorder/ffmpeg.ts';
import { verifyCamera } from '../../src/storage/verify.ts';
import { discontinuities, presentRows, quietLogger, SMALL } from './helpers.ts';
import { join } from 'node:path';

test('three cameras record contiguous, playable, chained segments with measured health', async () => {
  const dir = tempDir();
  let sim: RtspSim | undefined;
  let rec: SiteRecorder | undefined;
  try {
    const names = ['gate', 'market', 'station'];
    sim = await startRtspSim({ streams: names.map((name) => ({ name, ...SMALL })) });
    rec = new SiteRecorder({
      dataDir: dir.path,
      cameras: names.map((id) => ({ id, rtspUrl: sim!.url(id), audio: 'none' })),
      segmentSeconds: 2,
      logger: quietLogger,
    });
    await rec.start();
    const r = rec;
    await waitFor('5 segments per camera', () => names.every((n) => presentRows(r.index, n).length >= 5));
    const health = await waitFor('measured fps', () => {
      const h = r.health();
      return h.every((c) => c.fps !== undefined && c.bitrateKbps !== undefined) && h;
    });
    for (const h of health) {
      assert.ok(h.online && h.recording, `${h.cameraId} online and recording`);
      assert.ok(Math.abs(h.fps! - 10) < 3, `${h.cameraId} fps ${h.fps}`);
      assert.ok(h.bitrateKbps! > 20 && h.bitrateKbps! < 3000, `${h.cameraId} bitrate ${h.bitrateKbps}`);
      assert.ok(h.bytesStored! > 0 && h.lastSegmentAt);
      assert.is(h.gapsLastHour, 0);
    }
    await rec.stop();
    rec = undefined;

    const { SegmentIndex } = await import('../../src/storage/segment-index.ts');
    const { openAgentDb } = await import('../../src/storage/db.ts');
    const index = new SegmentIndex(openAgentDb(dir.path));
    for (const n of names) {
      const rows = presentRows(index, n);
      assert.equal(discontinuities(rows), [], `${n}: segments touch end to start`);
      assert.equal(index.gaps(n), []);
      // cut on keyframes near 2 s (the last one, closed at stop, may be shorter)
      for (const row of rows.slice(0, -1)) assert.ok(row.durationMs >= 1500 && row.durationMs <= 3500, `${n} segment of ${row.durationMs} ms`);
      const info = await probeMedia(join(dir.path, rows[1]!.path));
      assert.is(info?.videoCodec, 'h264');
      assert.is(info?.width, 320);
      const report = await verifyCamera(index, dir.path, n);
      assert.ok(report.ok && report.counts.intact === rows.length, `${n} verifies intact`);
    }
    index.db.close();
  } finally {
    await rec?.stop();
    await sim?.close();
    dir.cleanup();
  }
});

test.run();

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startRtspSim, type RtspSim } from '../../../test/sim/rtsp.ts';
import { waitFor } from '../../../test/support/wait.ts';
import { tempDir } from '../../../test/support/tmp.ts';
import { SiteRecorder, type RecorderEvent } from '../../src/recorder/site-recorder.ts';
import { discontinuities, presentRows, quietLogger, SMALL } from './helpers.ts';

test('a camera that goes away and comes back: gap recorded, recording resumes', async () => {
  const dir = tempDir();
  let sim: RtspSim | undefined;
  let rec: SiteRecorder | undefined;
  try {
    sim = await startRtspSim({ streams: [{ name: 'gate', ...SMALL }] });
    rec = new SiteRecorder({
      dataDir: dir.path,
      cameras: [{ id: 'gate', rtspUrl: sim.url('gate'), audio: 'none' }],
      segmentSeconds: 2,
      backoff: { initialMs: 200, maxMs: 1000 },
      ioTimeoutMs: 3000,
      stallTimeoutMs: 6000,
      logger: quietLogger,
    });
    const events: RecorderEvent[] = [];
    rec.on('event', (e) => events.push(e));
    await rec.start();
    const r = rec;
    await waitFor('2 segments', () => presentRows(r.index, 'gate').length >= 2);

    await sim.stopCamera('gate');
    await waitFor('camera seen offline', () => r.health()[0]!.online === false);
    const offline = r.health()[0]!;
    assert.is(offline.recording, false);
    assert.ok(events.some((e) => e.kind === 'camera.offline'));
    const before = presentRows(r.index, 'gate').length;

    await sim.startCamera('gate');
    await waitFor('recording again', () => presentRows(r.index, 'gate').length >= before + 2, { timeoutMs: 90_000 });
    assert.ok(r.health()[0]!.online);

    const gaps = r.index.gaps('gate');
    assert.is(gaps.length, 1, 'one gap');
    const gap = gaps[0]!;
    assert.ok(gap.toMs > gap.fromMs);
    assert.match(gap.cause, /camera-unreachable|stream-ended|stall|ffmpeg-error/);
    // the gap is exactly the hole between the footage before and after
    const rows = presentRows(r.index, 'gate');
    const holes = discontinuities(rows);
    assert.is(holes.length, 1);
    assert.equal([holes[0]![0].endMs, holes[0]![1].startMs], [gap.fromMs, gap.toMs]);
    const gapEvent = events.find((e) => e.kind === 'recording.gap');
    assert.ok(gapEvent, 'gap event emitted');
    assert.is(gapEvent!.data?.cause, gap.cause);
    assert.is(r.health()[0]!.gapsLastHour, 1);
    await rec.stop();
    rec = undefined;
  } finally {
    await rec?.stop();
    await sim?.close();
    dir.cleanup();
  }
});

test.run();

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openAgentDb } from '../../src/storage/db.ts';
import { RECORDER_MIGRATIONS } from '../../src/storage/recorder-schema.ts';
import { SegmentIndex } from '../../src/storage/segment-index.ts';
import { exportClip, NoFootageError } from '../../src/clips/export.ts';
import { probeMedia } from '../../src/recorder/ffmpeg.ts';
import { tempDir } from '../../../test/support/tmp.ts';
import { recordFake } from './fixtures.ts';

const T0 = Date.parse('2026-11-22T06:00:00Z');

test('a clip across segments: duration, codec, faststart, source hashes', async () => {
  const dir = tempDir();
  try {
    const index = new SegmentIndex(openAgentDb(dir.path, RECORDER_MIGRATIONS));
    const rows = await recordFake(index, dir.path, 'cam1', 5, T0);
    const out = join(dir.path, 'clip.mp4');
    const clip = await exportClip(index, dir.path, { cameraId: 'cam1', fromMs: T0 + 3000, toMs: T0 + 7000, out });

    const info = await probeMedia(out, { countPackets: true });
    assert.ok(info, 'ffprobe reads the clip');
    assert.is(info!.videoCodec, 'h264');
    assert.is(info!.width, 160);
    assert.ok(Math.abs(info!.durationS - 4) <= 0.5, `duration ${info!.durationS}s, wanted about 4 s`);
    assert.ok(Math.abs(info!.videoPackets! - 40) <= 5, `${info!.videoPackets} frames, wanted about 40`);
    // segments 1..3 cover [2s, 8s)
    const wanted = rows.slice(1, 4).map((r) => r.sha256);
    assert.equal(clip.segmentHashes, wanted);
    assert.ok(clip.allVerified);
    assert.match(info!.formatTags.comment ?? '', `segments-sha256=${wanted.join(',')}`);
    // faststart: the moov box comes before mdat
    const head = readFileSync(out).subarray(0, 4096).toString('latin1');
    assert.ok(head.includes('moov'), 'moov at the front');
    assert.equal(JSON.parse(readFileSync(`${out}.json`, 'utf8')).sha256, clip.sha256);
  } finally {
    dir.cleanup();
  }
});

test('pre- and post-roll widen the clip; altered sources are flagged; no footage is an error', async () => {
  const dir = tempDir();
  try {
    const index = new SegmentIndex(openAgentDb(dir.path, RECORDER_MIGRATIONS));
    const rows = await recordFake(index, dir.path, 'cam1', 5, T0);
    const bytes = readFileSync(join(dir.path, rows[2]!.path));
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
    writeFileSync(join(dir.path, rows[2]!.path), bytes);
    const out = join(dir.path, 'event.mp4');
    const clip = await exportClip(index, dir.path, { cameraId: 'cam1', fromMs: T0 + 4000, toMs: T0 + 6000, preRollMs: 2000, postRollMs: 2000, out });
    const info = await probeMedia(out);
    assert.ok(Math.abs(info!.durationS - 6) <= 0.5, `duration ${info!.durationS}s, wanted about 6 s`);
    assert.not.ok(clip.allVerified);
    assert.equal(clip.sources.filter((s) => !s.verified).map((s) => s.path), [rows[2]!.path]);
    try {
      await exportClip(index, dir.path, { cameraId: 'cam1', fromMs: T0 - 60_000, toMs: T0 - 30_000, out });
      assert.unreachable('no footage there');
    } catch (err) {
      assert.instance(err, NoFootageError);
    }
  } finally {
    dir.cleanup();
  }
});

test.run();

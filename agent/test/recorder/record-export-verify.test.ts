import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startRtspSim, type RtspSim } from '../../../test/sim/rtsp.ts';
import { tempDir } from '../../../test/support/tmp.ts';
import { probeMedia } from '../../src/recorder/ffmpeg.ts';
import { openAgentDb } from '../../src/storage/db.ts';
import { SegmentIndex } from '../../src/storage/segment-index.ts';
import type { VerifyReport } from '../../src/storage/verify.ts';
import { runAgentCli, SMALL } from './helpers.ts';

test('record, export and verify as a technician runs them; one altered byte and one deleted file are reported', async () => {
  const dir = tempDir();
  let sim: RtspSim | undefined;
  try {
    sim = await startRtspSim({ streams: [{ name: 'door', ...SMALL }], username: 'tech', password: 's3cret!' });
    const data = join(dir.path, 'data');

    // the password comes from the environment, never argv; a password in the URL is refused
    const refused = await runAgentCli(['record', sim.url('door').replace('rtsp://', 'rtsp://tech:s3cret!@'), '--data', data]);
    assert.is(refused.code, 2);
    assert.match(refused.stderr, /no password in the URL/);
    assert.not.match(refused.stderr, /s3cret/);

    const rec = await runAgentCli(
      ['record', sim.url('door'), '--data', data, '--segment-seconds', '2', '--duration', '9', '--user', 'tech', '--password-env', 'CAM_PW', '--audio', 'none'],
      { CAM_PW: 's3cret!' },
    );
    assert.is(rec.code, 0, rec.stderr);
    const cameraId = rec.stdout.trim();
    assert.is(cameraId, '127-0-0-1-' + sim.port + '-door');
    assert.not.match(rec.stderr, /s3cret/);

    const index = new SegmentIndex(openAgentDb(data));
    const rows = index.chain(cameraId);
    assert.ok(rows.length >= 4, `${rows.length} segments recorded`);
    const from = new Date(rows[1]!.startMs + 500).toISOString();
    const to = new Date(rows[1]!.startMs + 3500).toISOString();

    const out = join(dir.path, 'clip.mp4');
    const exp = await runAgentCli(['export', '--data', data, '--camera', cameraId, '--from', from, '--to', to, '-o', out]);
    assert.is(exp.code, 0, exp.stderr);
    const info = await probeMedia(out);
    assert.is(info?.videoCodec, 'h264');
    assert.ok(info!.durationS >= 2.5 && info!.durationS <= 4.6, `clip of ${info!.durationS} s for 3 s asked (cut on keyframes)`);
    const manifest = JSON.parse(readFileSync(`${out}.json`, 'utf8'));
    assert.equal(manifest.segmentHashes, [rows[1]!.sha256, rows[2]!.sha256]);

    let ver = await runAgentCli(['verify', '--data', data, '--camera', cameraId]);
    assert.is(ver.code, 0, ver.stdout);
    assert.match(ver.stdout, /OK/);

    const altered = join(data, rows[1]!.path);
    const bytes = readFileSync(altered);
    bytes[Math.floor(bytes.length / 2)] = bytes[Math.floor(bytes.length / 2)]! ^ 0x01;
    writeFileSync(altered, bytes);
    unlinkSync(join(data, rows[2]!.path));

    ver = await runAgentCli(['verify', '--data', data, '--camera', cameraId, '--json']);
    assert.is(ver.code, 3);
    const report = JSON.parse(ver.stdout) as VerifyReport;
    assert.not.ok(report.ok);
    assert.equal(
      report.segments.filter((s) => s.verdict !== 'intact').map((s) => [s.path, s.verdict]),
      [[rows[1]!.path, 'altered'], [rows[2]!.path, 'missing']],
    );
    assert.is(report.counts.intact, rows.length - 2);

    index.db.close();
  } finally {
    await sim?.close();
    dir.cleanup();
  }
});

test.run();

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { classifyFfmpegFailure, parseSegmentListLine, ProgressParser, redactLine } from '../../src/recorder/ffmpeg-output.ts';
import { backoffDelay } from '../../src/recorder/backoff.ts';
import { buildRecordArgs } from '../../src/recorder/ffmpeg-args.ts';

test('segment list lines', () => {
  assert.equal(parseSegmentListLine('/data/segments/cam1/17-000002.mp4,4.900000,6.900000'), { file: '17-000002.mp4', startS: 4.9, endS: 6.9 });
  assert.equal(parseSegmentListLine('"a b.mp4",0.000000,2.000000'), { file: 'a b.mp4', startS: 0, endS: 2 });
  assert.is(parseSegmentListLine('frame=12'), undefined);
  assert.is(parseSegmentListLine('x.mp4,5,4'), undefined);
});

test('progress blocks', () => {
  const p = new ProgressParser();
  assert.is(p.push('frame=11'), undefined);
  p.push('out_time_us=600098');
  p.push('total_size=N/A');
  assert.equal(p.push('progress=continue'), { frame: 11, outTimeUs: 600098, totalSize: undefined, end: false });
  assert.equal(p.push('progress=end'), { frame: undefined, outTimeUs: undefined, totalSize: undefined, end: true });
});

test('failure causes and redaction', () => {
  assert.is(classifyFfmpegFailure(['[segment] Failed to open segment: No space left on device']), 'disk-full');
  assert.is(classifyFfmpegFailure(['[rtsp] method DESCRIBE failed: 401 Unauthorized']), 'auth-failed');
  assert.is(classifyFfmpegFailure(['rtsp://u:p@10.0.0.1/x: Connection refused']), 'camera-unreachable');
  assert.is(redactLine('rtsp://admin:hunter2@10.0.0.1:554/live: Connection refused'), 'rtsp://10.0.0.1:554/live: Connection refused');
});

test('backoff grows, is capped and jittered', () => {
  const policy = { initialMs: 100, maxMs: 1000 };
  assert.is(backoffDelay(0, policy, () => 1), 100);
  assert.is(backoffDelay(0, policy, () => 0), 50);
  assert.is(backoffDelay(3, policy, () => 1), 800);
  assert.is(backoffDelay(10, policy, () => 1), 1000);
});

test('recording arguments: TCP, stream copy, fragmented MP4 segments', () => {
  const args = buildRecordArgs({ url: 'rtsp://127.0.0.1/cam', outputPattern: '/d/%06d.mp4', segmentSeconds: 10, audio: 'none', ioTimeoutMs: 5000 }).join(' ');
  assert.match(args, '-rtsp_transport tcp -timeout 5000000');
  assert.match(args, '-c:v copy');
  assert.match(args, '-segment_time 10 -reset_timestamps 1 -segment_format mp4');
  assert.match(args, 'frag_keyframe');
});

test.run();

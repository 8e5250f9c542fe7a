// runFeed: one ffmpeg per camera delivers frames and audio to a pipeline, until the source ends.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FfmpegFrameSource } from '../../src/detection/frames/ffmpeg.ts';
import { DetectionPipeline, type DetectionEvent } from '../../src/detection/pipeline.ts';
import { runFeed } from '../../src/detection/feed.ts';
import type { Detector } from '../../src/detection/detectors/detector.ts';
import { tempDir } from '../../../test/support/tmp.ts';

const run = promisify(execFile);
const dir = tempDir('camfleet-feed-');
const clip = join(dir.path, 'camera.mkv');

test.before(async () => {
  // A moving test pattern with an audio track: quiet noise and a bang at 2 s.
  const audio = "0.003*(random(0)-0.5)+if(between(t\\,2\\,2.1)\\,0.95*sin(2*PI*200*t)\\,0)";
  await run('ffmpeg', ['-loglevel', 'error', '-nostdin', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=10:duration=3', '-f', 'lavfi', '-t', '3', '-i', `aevalsrc=exprs='${audio}':s=16000`,
    '-c:v', 'mpeg4', '-c:a', 'pcm_s16le', '-shortest', clip], { timeout: 60_000 });
});
test.after(() => dir.cleanup());

test('frames and the audio of one ffmpeg process reach the pipeline; a bang becomes a sound event', async () => {
  let detectorCalls = 0;
  const detector: Detector = { name: 'count', detect: async () => (detectorCalls++, []), close: async () => {} };
  const events: DetectionEvent[] = [];
  const pipeline = new DetectionPipeline({ cameraId: 'cam', detector, tamper: false, onEvent: (e) => events.push(e) });
  const source = new FfmpegFrameSource({ input: clip, sourceWidth: 320, sourceHeight: 240, fps: 4, audio: true, clock: 'wall' });
  try {
    await runFeed(source, pipeline);
    await source.done();
  } finally {
    await source.close();
  }
  assert.is(pipeline.stats.frames, 12);
  assert.ok(detectorCalls > 0 && detectorCalls <= 12);
  assert.equal(events.map((e) => e.kind), ['sound']);
  assert.ok((events[0]!.data!.peakDbfs as number) > -3);
});

test('a source that cannot be opened reports ffmpeg\'s error without credentials', async () => {
  const source = new FfmpegFrameSource({ input: 'rtsp://admin:secret@127.0.0.1:1/stream', sourceWidth: 320, sourceHeight: 240, fps: 1 });
  const frames = [];
  for await (const f of source.frames()) frames.push(f);
  const err = await source.done().then(() => undefined, (e: Error) => e);
  await source.close();
  assert.is(frames.length, 0);
  assert.ok(err, 'done() rejects');
  assert.match(err!.message, /ffmpeg failed on rtsp:\/\/127\.0\.0\.1:1\/stream/);
  assert.not.match(err!.message, /secret/);
});

test.run();

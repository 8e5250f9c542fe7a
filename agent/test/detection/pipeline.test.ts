import { test } from 'uvu';
import * as assert from 'uvu/assert';
import jpeg from 'jpeg-js';
import { EventBody } from '@camfleet/shared';
import { type ClipRequest, DetectionPipeline, type DetectionEvent } from '../../src/detection/pipeline.ts';
import type { Detector } from '../../src/detection/detectors/detector.ts';
import type { Detection, Frame } from '../../src/detection/types.ts';
import { waitFor } from '../../../test/support/wait.ts';
import { at, scene, withNoise, withRect } from './synthetic.ts';

const still = scene();
const YELLOW: [number, number, number] = [250, 250, 0];

/** Stands in for the network: finds the yellow rectangle the test drew and calls it a person. */
class YellowBoxDetector implements Detector {
  readonly name = 'yellow-box';
  calls = 0;
  async detect(frame: Frame): Promise<Detection[]> {
    this.calls++;
    let x1 = Infinity, y1 = Infinity, x2 = -1, y2 = -1;
    for (let y = 0; y < frame.height; y++)
      for (let x = 0; x < frame.width; x++) {
        const i = (y * frame.width + x) * 3;
        if (frame.data[i]! > 240 && frame.data[i + 1]! > 240 && frame.data[i + 2]! < 15) {
          x1 = Math.min(x1, x); y1 = Math.min(y1, y); x2 = Math.max(x2, x); y2 = Math.max(y2, y);
        }
      }
    return x2 < 0 ? [] : [{ class: 'person', classId: 0, score: 0.9, box: [x1, y1, x2 - x1 + 1, y2 - y1 + 1] }];
  }
  async close(): Promise<void> {}
}

/** A detector that waits until released, to hold the queue full. */
class HeldDetector implements Detector {
  readonly name = 'held';
  private releases: Array<() => void> = [];
  seen: number[] = [];
  detect(frame: Frame): Promise<Detection[]> {
    this.seen.push(frame.timeMs);
    return new Promise((resolve) => this.releases.push(() => resolve([])));
  }
  release(): void {
    for (const r of this.releases.splice(0)) r();
  }
  async close(): Promise<void> {}
}

const T0 = Date.parse('2026-11-22T08:00:00Z');
const frames = (n: number, draw: (f: Frame, i: number) => Frame) => Array.from({ length: n }, (_, i) => at(draw(withNoise(still, 6, i), i), T0 + i * 500));

test('a person crossing the scene gives one object event with snapshot, source-pixel box and a clip request', async () => {
  const events: DetectionEvent[] = [];
  const clips: ClipRequest[] = [];
  const detector = new YellowBoxDetector();
  const pipeline = new DetectionPipeline({
    cameraId: 'cam-1', detector, sourceWidth: 640, sourceHeight: 480, tamper: false, sound: false,
    tracker: { maxAgeMs: 2000 }, onEvent: (e) => events.push(e), requestClip: (c) => clips.push(c),
  });
  // 4 still frames, 8 with the person walking, 10 still again.
  const all = frames(22, (f, i) => (i >= 4 && i < 12 ? withRect(f, 20 + (i - 4) * 30, 80, 30, 70, YELLOW) : f));
  for (const f of all) {
    pipeline.pushFrame(f);
    await pipeline.idle();
  }
  await pipeline.finish();
  assert.is(events.length, 1, JSON.stringify(events.map((e) => e.kind)));
  const e = EventBody.parse(events[0]);
  assert.is(e.kind, 'object');
  assert.is(e.cameraId, 'cam-1');
  assert.is(e.startedAt, new Date(T0 + 4 * 500).toISOString());
  assert.is(e.endedAt, new Date(T0 + 11 * 500).toISOString());
  assert.is(e.data.class, 'person');
  // Frame pixels ×2: the 320×240 feed of a 640×480 camera.
  const box = e.data.box as number[];
  assert.is(box[2], 60);
  assert.is(box[3], 140);
  const img = jpeg.decode(Buffer.from(e.snapshotJpegBase64!, 'base64'));
  assert.equal([img.width, img.height], [320, 240]);
  assert.equal(clips, [{ eventId: e.eventId, cameraId: 'cam-1', fromMs: T0 + 2000 - 5000, toMs: T0 + 5500 + 5000, reason: 'person detected' }]);
  // Motion gating: the detector ran on the moving frames (and the one after), not the still ones.
  assert.ok(detector.calls >= 8 && detector.calls <= 10, `detector ran ${detector.calls} times`);
});

test('an object that never moves (a parked car) gives no event while others move', async () => {
  const events: DetectionEvent[] = [];
  const pipeline = new DetectionPipeline({ cameraId: 'c', detector: new YellowBoxDetector(), tamper: false, sound: false, onEvent: (e) => events.push(e) });
  const parked = withRect(still, 250, 150, 40, 30, YELLOW);
  const seq = Array.from({ length: 12 }, (_, i) => at(withRect(withNoise(parked, 6, i), 10 + i * 15, 20, 20, 20, [0, 0, 255]), T0 + i * 500));
  for (const f of seq) {
    pipeline.pushFrame(f);
    await pipeline.idle();
  }
  await pipeline.finish();
  assert.ok(pipeline.stats.detectedFrames >= 8);
  assert.equal(events, []);
  assert.is(pipeline.stats.stationaryTracks, 1);
});

test('without gating every frame goes to the detector', async () => {
  const detector = new YellowBoxDetector();
  const pipeline = new DetectionPipeline({ cameraId: 'c', detector, motion: false, tamper: false, sound: false, onEvent: () => {} });
  for (const f of frames(6, (f) => f)) {
    pipeline.pushFrame(f);
    await pipeline.idle();
  }
  assert.is(detector.calls, 6);
});

test('a slow detector makes the pipeline drop frames, never queue them up', async () => {
  const detector = new HeldDetector();
  const pipeline = new DetectionPipeline({ cameraId: 'c', detector, motion: false, tamper: false, sound: false, queueSize: 2, onEvent: () => {} });
  const fs = frames(7, (f) => f);
  for (const f of fs) pipeline.pushFrame(f);
  // Frame 0 is in the detector; of 1..6 only the newest two wait.
  assert.is(pipeline.stats.droppedFrames, 4);
  await waitFor('queue drained', () => {
    detector.release();
    return detector.seen.length === 3 && pipeline.stats.detectedFrames === 3;
  });
  await pipeline.idle();
  assert.equal(detector.seen, [fs[0]!.timeMs, fs[5]!.timeMs, fs[6]!.timeMs]);
});

test('covering the camera gives a tamper event, uncovering a closing one', async () => {
  const events: DetectionEvent[] = [];
  const pipeline = new DetectionPipeline({ cameraId: 'cam-2', detector: new YellowBoxDetector(), motion: false, sound: false, tamper: { holdFrames: 2, clearMs: 2000 }, onEvent: (e) => events.push(e) });
  const black = { ...still, data: new Uint8Array(still.data.length) };
  const seq = [...frames(6, (f) => f), ...frames(3, () => black), ...frames(3, (f) => f)].map((f, i) => at(f, T0 + i * 1000));
  for (const f of seq) pipeline.pushFrame(f);
  await pipeline.finish();
  const parsed = events.map((e) => EventBody.parse(e));
  assert.equal(parsed.map((e) => [e.kind, e.data.tamper, e.data.state]), [['tamper', 'covered', 'raised'], ['tamper', 'covered', 'cleared']]);
  assert.is(parsed[1]!.data.raisedEventId, parsed[0]!.eventId);
  assert.ok(parsed[0]!.snapshotJpegBase64);
});

test('a bang on the audio track gives a sound event with its peak level', async () => {
  const events: DetectionEvent[] = [];
  const pipeline = new DetectionPipeline({ cameraId: 'cam-3', detector: new YellowBoxDetector(), onEvent: (e) => events.push(e) });
  const audio = new Int16Array(16_000 * 4);
  for (let i = 0; i < 800; i++) audio[16_000 * 3 + i] = Math.round(30000 * Math.sin(i) * Math.exp(-i / 300));
  pipeline.pushAudio(audio, T0);
  const [e] = events.map((x) => EventBody.parse(x));
  assert.is(e?.kind, 'sound');
  assert.is(e!.startedAt, new Date(T0 + 3000).toISOString());
  assert.ok((e!.data.peakDbfs as number) > -2);
});

test.run();

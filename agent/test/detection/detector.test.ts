// NanoDet-g on onnxruntime finds the people and vehicles in real photographs and footage.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decode, NanoDetDetector, preprocess, type NanoDetLevel } from '../../src/detection/detectors/nanodet.ts';
import { OnnxNanoDetRunner } from '../../src/detection/detectors/onnx-runner.ts';
import { COCO_LABELS } from '../../src/detection/detectors/coco-labels.ts';
import { decodeImage, FfmpegFrameSource } from '../../src/detection/frames/ffmpeg.ts';
import { type Detection, type Frame, iou } from '../../src/detection/types.ts';
import { opencvSample } from './media.ts';

let runner: OnnxNanoDetRunner;
test.before(async () => {
  runner = await OnnxNanoDetRunner.create();
});
test.after(async () => {
  await runner.close();
});

const classesOf = (ds: Detection[]) => new Set(ds.map((d) => d.class));
const contains = (d: Detection, x: number, y: number) => x >= d.box[0] && x <= d.box[0] + d.box[2] && y >= d.box[1] && y <= d.box[1] + d.box[3];

test('decoding: a cell whose distributions peak at 2 strides gives a 4-stride box around the cell centre', () => {
  // One stride-8 level of 52×52 cells; cell (col 10, row 5) scores 0.9 for "car".
  const size = 52;
  const scores = new Float32Array(size * size * 80);
  const regression = new Float32Array(size * size * 44).fill(-20);
  const cell = 5 * size + 10;
  scores[cell * 80 + 2] = 0.9;
  for (let side = 0; side < 4; side++) regression[cell * 44 + side * 11 + 2] = 20; // all mass on bin 2
  const levels: NanoDetLevel[] = [{ stride: 8, size, scores, regression }];
  const [d] = decode(levels, { sourceWidth: 832, sourceHeight: 416 });
  // Centre (10.5·8, 5.5·8) = (84, 44) in the 416 input; ±16 px; x scaled ×2 to the source.
  assert.equal(d, { class: 'car', classId: 2, score: 0.9, box: [136, 28, 64, 32] });
});

test('decoding keeps only the configured classes and applies NMS', () => {
  const size = 52;
  const scores = new Float32Array(size * size * 80);
  const regression = new Float32Array(size * size * 44).fill(-20);
  for (const [cell, cls, s] of [[100, 0, 0.8], [101, 0, 0.7], [300, 16, 0.9]] as const) {
    scores[cell * 80 + cls] = s;
    for (let side = 0; side < 4; side++) regression[cell * 44 + side * 11 + 3] = 20;
  }
  const out = decode([{ stride: 8, size, scores, regression }], { sourceWidth: 416, sourceHeight: 416 });
  // Cells 100 and 101 are neighbours with heavily overlapping boxes: one person survives; the dog is not of interest.
  assert.equal(out.map((d) => [d.class, d.score]), [['person', 0.8]]);
});

test('one object scored as two classes on the same pixels is one detection (cross-class suppression)', () => {
  const size = 13;
  const scores = new Float32Array(size * size * 80);
  const regression = new Float32Array(size * size * 44).fill(-20);
  const cell = 6 * size + 6;
  scores[cell * 80 + 7] = 0.5; // truck
  scores[(cell + 1) * 80 + 5] = 0.43; // bus, next cell: nearly the same box
  for (const c of [cell, cell + 1]) for (let side = 0; side < 4; side++) regression[c * 44 + side * 11 + 5] = 20;
  const level = { stride: 32, size, scores, regression };
  assert.equal(decode([level], { sourceWidth: 416, sourceHeight: 416 }).map((d) => d.class), ['truck']);
  // Per-class only (crossClassIou 1): both survive, as before the fix.
  assert.equal(decode([level], { sourceWidth: 416, sourceHeight: 416, crossClassIou: 1 }).map((d) => d.class), ['truck', 'bus']);
});

test('letterbox: boxes map back with one scale and no offset; the padding holds the mean (0)', () => {
  const size = 40; // 320 / 8
  const scores = new Float32Array(size * size * 80);
  const regression = new Float32Array(size * size * 44).fill(-20);
  const cell = 10 * size + 20; // centre (164, 84) in the 320 input
  scores[cell * 80] = 0.9;
  for (let side = 0; side < 4; side++) regression[cell * 44 + side * 11 + 2] = 20; // ±16
  const [d] = decode([{ stride: 8, size, scores, regression }], { sourceWidth: 640, sourceHeight: 360, inputSize: 320, resize: 'letterbox' });
  // 640×360 → 320×180 (×0.5): box (148, 68)–(180, 100) → (296, 136, 64, 64) in the source.
  assert.equal(d!.box, [296, 136, 64, 64]);
  const frame: Frame = { width: 64, height: 32, channels: 3, data: new Uint8Array(64 * 32 * 3).fill(200), timeMs: 0, ptsMs: 0 };
  const input = preprocess(frame, 'bgr-meanstd', 64, 'letterbox');
  assert.ok(input[10 * 64 + 10]! > 1, 'content row normalised'); // row 10 of 0..31 content
  assert.is(input[40 * 64 + 10], 0, 'padding row at the mean');
});

test('the 320 model (converted at set-up) finds the footballer where the 416 one does', async () => {
  const frame = await decodeImage(opencvSample('messi5.jpg'));
  const small = await OnnxNanoDetRunner.create({ inputSize: 320 });
  try {
    assert.is(small.inputSize, 320);
    const a = (await new NanoDetDetector(runner).detect(frame)).find((d) => d.class === 'person')!;
    const b = (await new NanoDetDetector(small, { resize: 'letterbox' }).detect(frame)).find((d) => d.class === 'person')!;
    assert.ok(b && iou(a.box, b.box) > 0.8, `416 ${a.box} vs 320 letterbox ${b?.box}`);
  } finally {
    await small.close();
  }
});

test('a footballer and the ball (messi5.jpg)', async () => {
  const frame = await decodeImage(opencvSample('messi5.jpg'));
  const detector = new NanoDetDetector(runner, { classes: COCO_LABELS });
  const found = await detector.detect(frame);
  assert.ok(classesOf(found).has('person'), JSON.stringify(found));
  assert.ok(classesOf(found).has('sports ball'), JSON.stringify(found));
  const best = found.find((d) => d.class === 'person')!;
  assert.ok(best.score > 0.6 && contains(best, 250, 180), `player box ${best.box}`);
});

test('a parked car in front of a building (building.jpg)', async () => {
  const frame = await decodeImage(opencvSample('building.jpg'));
  const found = await new NanoDetDetector(runner).detect(frame);
  const car = found.find((d) => d.class === 'car');
  assert.ok(car && contains(car, 140, 512), JSON.stringify(found));
});

test('pedestrians in street footage (vtest.avi, a few frames)', async () => {
  const path = opencvSample('vtest.avi');
  const source = new FfmpegFrameSource({ input: path, sourceWidth: 768, sourceHeight: 576, fps: 1, clock: 'stream', startMs: 0 });
  const frames: Frame[] = [];
  try {
    for await (const f of source.frames()) {
      frames.push(f);
      if (frames.length === 3) break;
    }
  } finally {
    await source.close();
  }
  assert.is(frames.length, 3);
  assert.equal(frames.map((f) => f.ptsMs), [0, 1000, 2000]);
  const detector = new NanoDetDetector(runner);
  for (const frame of frames) {
    const people = (await detector.detect(frame)).filter((d) => d.class === 'person' && d.score > 0.5);
    assert.ok(people.length >= 3, `frame at ${frame.ptsMs} ms: ${people.length} people`);
  }
});

test.run();

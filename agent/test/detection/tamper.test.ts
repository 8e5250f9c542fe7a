import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TamperDetector, type TamperChange } from '../../src/detection/tamper/tamper-detector.ts';
import { decodeImage } from '../../src/detection/frames/ffmpeg.ts';
import type { Frame } from '../../src/detection/types.ts';
import { opencvSample } from './media.ts';
import { at, withNoise, withRect } from './synthetic.ts';

let street: Frame;
/** The same photograph at 1/2 size: the long sequences below stay quick (the detector works on a 320-wide grid anyway). */
let small: Frame;
test.before(async () => {
  street = await decodeImage(opencvSample('building.jpg'));
  const w = street.width >> 1;
  const h = street.height >> 1;
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set(street.data.subarray((2 * y * street.width + 2 * x) * 3, (2 * y * street.width + 2 * x) * 3 + 3), (y * w + x) * 3);
  small = { ...street, width: w, height: h, data };
});

function boxBlur(frame: Frame, radius: number): Frame {
  const { width: w, height: h } = frame;
  const tmp = new Float32Array(frame.data.length);
  const out = new Uint8Array(frame.data.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let d = -radius; d <= radius; d++) s += frame.data[(y * w + Math.min(w - 1, Math.max(0, x + d))) * 3 + c]!;
        tmp[(y * w + x) * 3 + c] = s / (2 * radius + 1);
      }
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let d = -radius; d <= radius; d++) s += tmp[(Math.min(h - 1, Math.max(0, y + d)) * w + x) * 3 + c]!;
        out[(y * w + x) * 3 + c] = s / (2 * radius + 1);
      }
  return { ...frame, data: out };
}

/** The camera turned: the view slides sideways by `dx` pixels and shows something else there. */
function shifted(frame: Frame, dx: number): Frame {
  const { width: w, height: h } = frame;
  const out = new Uint8Array(frame.data.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const sx = x + dx;
      const src = sx < w ? (y * w + sx) * 3 : ((h - 1 - y) * w + (sx - w)) * 3;
      out.set(frame.data.subarray(src, src + 3), (y * w + x) * 3);
    }
  return { ...frame, data: out };
}

function feed(detector: TamperDetector, frames: Frame[]): TamperChange[] {
  return frames.flatMap((f) => detector.update(f));
}
const normal = (n: number, from = 0) => Array.from({ length: n }, (_, i) => at(withNoise(street, 6, from + i), (from + i) * 1000));

test('a normal scene with noise and a passer-by raises nothing', () => {
  const detector = new TamperDetector();
  const frames = normal(20).map((f, i) => (i > 8 && i < 14 ? withRect(f, 100 + 60 * (i - 9), 350, 80, 200, [20, 20, 30]) : f));
  assert.equal(feed(detector, frames), []);
});

test('covered (blacked out) raises after holdFrames and clears when uncovered', () => {
  const detector = new TamperDetector({ holdFrames: 3 });
  feed(detector, normal(8));
  const black = { ...street, data: new Uint8Array(street.data.length).fill(3) };
  const covered = feed(detector, Array.from({ length: 4 }, (_, i) => at(withNoise(black, 2, 100 + i), (20 + i) * 1000)));
  assert.equal(covered.map((c) => [c.kind, c.state, c.timeMs]), [['covered', 'raised', 22_000]]);
  const back = feed(detector, normal(4, 30));
  assert.equal(back.map((c) => [c.kind, c.state]), [['covered', 'cleared']]);
});

test('defocused raises, a sharp picture clears it', () => {
  const detector = new TamperDetector({ holdFrames: 2 });
  feed(detector, normal(8));
  const soft = boxBlur(street, 6);
  const blurred = feed(detector, [at(soft, 20_000), at(soft, 21_000), at(soft, 22_000)]);
  assert.equal(blurred.map((c) => [c.kind, c.state]), [['defocused', 'raised']]);
  assert.ok(blurred[0]!.value < 0.35, `sharpness ratio ${blurred[0]!.value}`);
  // Cleared once sharp for clearMs (10 s) since the last blurred frame at 22 s.
  assert.equal(feed(detector, normal(2, 30)), []);
  assert.equal(feed(detector, normal(3, 31)).map((c) => [c.kind, c.state, c.timeMs]), [['defocused', 'cleared', 32_000]]);
});

test('moved (scene changed) gives one event once the new view holds, and the new view becomes the reference', () => {
  const detector = new TamperDetector({ holdFrames: 2, settleFrames: 6 });
  feed(detector, normal(8));
  const turned = shifted(street, 300);
  const changes = feed(detector, Array.from({ length: 20 }, (_, i) => at(withNoise(turned, 6, 500 + i), (20 + i) * 1000)));
  // Departure seen at 21 s (2 frames), still for 6 more frames: 27 s. Raised and cleared together (re-learnt).
  assert.equal(changes.map((c) => [c.kind, c.state, c.timeMs]), [['moved', 'raised', 27_000], ['moved', 'cleared', 27_000]]);
  assert.equal(feed(detector, Array.from({ length: 5 }, (_, i) => at(withNoise(turned, 6, 700 + i), (40 + i) * 1000))), []);
});

test('a patrol between presets raises "moved" for a new view only, never again for views it knows', () => {
  // rearmMs 0: only the known-view memory keeps the patrol quiet.
  const detector = new TamperDetector({ rearmMs: 0 });
  const presets = [small, shifted(small, 150), shifted(small, 250)];
  const pans = presets.map((v) => [1, 2, 3].map((k) => shifted(v, 30 * k)));
  let t = 0;
  for (let k = 0; k < 8; k++) detector.update(at(withNoise(small, 6, t), t++ * 1000));
  const changes: TamperChange[] = [];
  for (let round = 0; round < 6; round++) {
    presets.forEach((view, p) => {
      // 3 s of panning (the picture slides), then 12 s at the preset.
      for (const pan of pans[p]!) changes.push(...detector.update(at(withNoise(pan, 6, t), t++ * 1000)));
      for (let k = 0; k < 12; k++) changes.push(...detector.update(at(withNoise(view, 6, t), t++ * 1000)));
    });
  }
  const raised = changes.filter((c) => c.kind === 'moved' && c.state === 'raised');
  // The two presets other than the first view are new once each; 18 pans in all.
  assert.equal(raised.length, 2, JSON.stringify(changes.map((c) => [c.kind, c.state, c.timeMs])));
});

test('a picture that scrolls all the time raises one "moved" that stays open, cleared when it stands still', () => {
  const detector = new TamperDetector({ unsettledFrames: 40 });
  feed(detector, Array.from({ length: 8 }, (_, i) => at(withNoise(small, 6, i), i * 1000)));
  const changes: TamperChange[] = [];
  // 6 px per frame, never back to the start: a slow endless scroll (or pan).
  for (let i = 1; i <= 70; i++) changes.push(...detector.update(at(withNoise(shifted(small, 6 * i), 6, i), (10 + i) * 1000)));
  assert.equal(changes.map((c) => [c.kind, c.state]), [['moved', 'raised']]);
  const still = shifted(small, 420);
  const after = feed(detector, Array.from({ length: 10 }, (_, i) => at(withNoise(still, 6, 900 + i), (100 + i) * 1000)));
  assert.equal(after.map((c) => [c.kind, c.state]), [['moved', 'cleared']]);
});

test('a cover that flickers on and off is one covered event', () => {
  const detector = new TamperDetector({ holdFrames: 2 });
  feed(detector, Array.from({ length: 8 }, (_, i) => at(withNoise(small, 6, i), i * 1000)));
  const black = { ...small, data: new Uint8Array(small.data.length).fill(3) };
  const changes: TamperChange[] = [];
  for (let i = 0; i < 40; i++) {
    const f = i % 5 < 3 ? at(withNoise(black, 2, i), (20 + i) * 1000) : at(withNoise(small, 6, i), (20 + i) * 1000);
    changes.push(...detector.update(f));
  }
  assert.equal(changes.map((c) => [c.kind, c.state]), [['covered', 'raised']]);
});

test('lighting changes (dusk) are not tamper', () => {
  const detector = new TamperDetector();
  feed(detector, normal(8));
  const dusk = { ...street, data: street.data.map((v) => v * 0.45) };
  assert.equal(feed(detector, Array.from({ length: 6 }, (_, i) => at(withNoise(dusk, 4, 900 + i), (20 + i) * 1000))), []);
});

test.run();

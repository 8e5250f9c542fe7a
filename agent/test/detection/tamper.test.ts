import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TamperDetector, type TamperChange } from '../../src/detection/tamper/tamper-detector.ts';
import { decodeImage } from '../../src/detection/frames/ffmpeg.ts';
import type { Frame } from '../../src/detection/types.ts';
import { opencvSample } from './media.ts';
import { at, withNoise, withRect } from './synthetic.ts';

let street: Frame;
test.before(async () => {
  street = await decodeImage(opencvSample('building.jpg'));
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
  assert.equal(feed(detector, normal(2, 30)).map((c) => [c.kind, c.state]), [['defocused', 'cleared']]);
});

test('moved (scene changed) gives one event and the new view becomes the reference', () => {
  const detector = new TamperDetector({ holdFrames: 2 });
  feed(detector, normal(8));
  const turned = shifted(street, 300);
  const changes = feed(detector, [0, 1, 2, 3, 4].map((i) => at(withNoise(turned, 6, 500 + i), (20 + i) * 1000)));
  assert.equal(changes.map((c) => [c.kind, c.state, c.timeMs]), [['moved', 'raised', 21_000], ['moved', 'cleared', 21_000]]);
});

test('lighting changes (dusk) are not tamper', () => {
  const detector = new TamperDetector();
  feed(detector, normal(8));
  const dusk = { ...street, data: street.data.map((v) => v * 0.45) };
  assert.equal(feed(detector, Array.from({ length: 6 }, (_, i) => at(withNoise(dusk, 4, 900 + i), (20 + i) * 1000))), []);
});

test.run();

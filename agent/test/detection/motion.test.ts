import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MotionDetector } from '../../src/detection/motion/motion-detector.ts';
import { brighter, scene, withNoise, withRect } from './synthetic.ts';

const still = scene();

test('a still scene with sensor noise is not motion', () => {
  const motion = new MotionDetector();
  for (let i = 0; i < 30; i++) assert.not.ok(motion.update(withNoise(still, 8, i)).motion, `frame ${i}`);
});

test('a moving object is motion, and its region is where the object is', () => {
  const motion = new MotionDetector();
  motion.update(withNoise(still, 8, 100));
  for (let i = 0; i < 10; i++) {
    const x = 20 + i * 25;
    const result = motion.update(withNoise(withRect(still, x, 100, 30, 40, [230, 230, 30]), 8, 200 + i));
    assert.ok(result.motion, `frame ${i}`);
    const overlaps = (r: number[]) => r[0]! < x + 30 && r[0]! + r[2]! > x && r[1]! < 140 && r[1]! + r[3]! > 100;
    assert.ok(result.regions.some(overlaps), `frame ${i}: ${JSON.stringify(result.regions)}`);
    assert.ok(result.regions.every(overlaps), `frame ${i}: a region away from the object: ${JSON.stringify(result.regions)}`);
  }
});

test('gating: only the frames with the moving object pass', () => {
  const motion = new MotionDetector();
  let passed = 0;
  const objectFrames = new Set([10, 11, 12, 13, 14, 15]);
  for (let i = 0; i < 40; i++) {
    const base = withNoise(still, 8, 300 + i);
    const frame = objectFrames.has(i) ? withRect(base, 30 * (i - 9), 60, 28, 28, [20, 20, 200]) : base;
    if (motion.update(frame).motion) passed++;
  }
  // The object's frames, plus at most one for the background to forget where it last was.
  assert.ok(passed >= objectFrames.size && passed <= objectFrames.size + 1, `passed ${passed}`);
});

test('a lighting change is not motion', () => {
  const motion = new MotionDetector();
  motion.update(withNoise(still, 8, 1));
  for (let i = 0; i < 5; i++) assert.not.ok(motion.update(withNoise(brighter(still, 10 * (i + 1)), 8, 10 + i)).motion, `step ${i}`);
  // Dusk: the whole picture at 40 % of its brightness.
  const dusk = { ...still, data: still.data.map((v) => v * 0.4) };
  const dark = motion.update(withNoise(dusk, 4, 50));
  assert.not.ok(dark.motion);
});

test('zones and masks decide where motion counts', () => {
  const leftHalf: Array<[number, number]> = [[0, 0], [0.5, 0], [0.5, 1], [0, 1]];
  const inZone = new MotionDetector({ zones: [leftHalf] });
  const masked = new MotionDetector({ masks: [leftHalf] });
  for (const m of [inZone, masked]) m.update(withNoise(still, 8, 1));
  const objectOnLeft = withNoise(withRect(still, 40, 80, 40, 40, [250, 250, 250]), 8, 2);
  assert.ok(inZone.update(objectOnLeft).motion);
  assert.not.ok(masked.update(objectOnLeft).motion);
  const objectOnRight = withNoise(withRect(still, 240, 80, 40, 40, [250, 250, 250]), 8, 3);
  assert.not.ok(new MotionDetector({ zones: [leftHalf] }).update(still).motion);
  const zoneOnly = new MotionDetector({ zones: [leftHalf] });
  zoneOnly.update(withNoise(still, 8, 4));
  assert.not.ok(zoneOnly.update(objectOnRight).motion);
});

test('an object that stops (or the ghost of one that left) joins the background after absorbAfterMs', () => {
  const motion = new MotionDetector({ absorbAfterMs: 3000 });
  motion.update({ ...withNoise(still, 8, 1), timeMs: 0 });
  const parked = withRect(still, 100, 100, 60, 40, [240, 240, 240]);
  const seen: boolean[] = [];
  for (let t = 500; t <= 6000; t += 500) seen.push(motion.update({ ...withNoise(parked, 8, t), timeMs: t }).motion);
  // Moving in: motion; still there after 3 s: background.
  assert.ok(seen[0]);
  assert.not.ok(seen.at(-1));
  assert.ok(seen.indexOf(false) >= 5, JSON.stringify(seen));
});

test.run();

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LoudSoundDetector, type LoudSound } from '../../src/detection/sound/loud-sound.ts';
import { rng } from './synthetic.ts';

const RATE = 16_000;

/** Street background: noise at about `dbfs` RMS. */
function background(seconds: number, dbfs: number, seed = 1): Int16Array {
  const r = rng(seed);
  const amplitude = 32768 * 10 ** (dbfs / 20) * Math.sqrt(3); // uniform noise: rms = a/√3
  return Int16Array.from({ length: seconds * RATE }, () => Math.round((r() * 2 - 1) * amplitude));
}

/** A bang: a near full-scale decaying burst of `ms` milliseconds mixed in at `atSecond`. */
function withBang(signal: Int16Array, atSecond: number, ms = 120, seed = 9): Int16Array {
  const r = rng(seed);
  const out = Int16Array.from(signal);
  const start = atSecond * RATE;
  const n = (ms * RATE) / 1000;
  for (let i = 0; i < n; i++) {
    const v = out[start + i]! + (r() * 2 - 1) * 32000 * Math.exp(-i / (n / 4));
    out[start + i] = Math.max(-32768, Math.min(32767, Math.round(v)));
  }
  return out;
}

/** Feeds the signal in uneven chunks, as a pipe delivers it. */
function feed(detector: LoudSoundDetector, signal: Int16Array, startMs = 0): LoudSound[] {
  const events: LoudSound[] = [];
  for (let offset = 0, i = 0; offset < signal.length; i++) {
    const size = 700 + ((i * 389) % 1500);
    events.push(...detector.push(signal.subarray(offset, offset + size), startMs + (offset * 1000) / RATE));
    offset += size;
  }
  return events;
}

test('silence gives no event', () => {
  assert.equal(feed(new LoudSoundDetector(), new Int16Array(5 * RATE)), []);
});

test('steady street noise gives no event', () => {
  assert.equal(feed(new LoudSoundDetector(), background(8, -40)), []);
});

test('an impulse far above the background gives one event with its peak level and time', () => {
  const events = feed(new LoudSoundDetector(), withBang(background(8, -45), 5), 1_000_000);
  assert.is(events.length, 1, JSON.stringify(events));
  const [e] = events;
  assert.ok(Math.abs(e!.timeMs - 1_005_000) <= 50, `time ${e!.timeMs}`);
  assert.ok(e!.peakDbfs > -3, `peak ${e!.peakDbfs}`);
  assert.ok(Math.abs(e!.backgroundDbfs - -45) < 3, `background ${e!.backgroundDbfs}`);
});

test('thresholds are configurable: a loud background hides a modest peak', () => {
  // The same bang over a loud market (-12 dBFS) rises too little above it.
  assert.equal(feed(new LoudSoundDetector({ riseDb: 25 }), withBang(background(8, -12), 5)), []);
  // A quieter impulse (-14 dBFS peak) passes only if the floor allows it.
  const quiet = withBang(new Int16Array(6 * RATE), 3).map((v) => v / 5);
  assert.is(feed(new LoudSoundDetector({ minPeakDbfs: -20 }), quiet).length, 1);
  assert.is(feed(new LoudSoundDetector({ minPeakDbfs: -6 }), quiet).length, 0);
});

test('a burst of shots within the cooldown is one event', () => {
  let signal = background(8, -45);
  for (const t of [4, 4.3, 4.6]) signal = withBang(signal, t, 60);
  assert.is(feed(new LoudSoundDetector({ cooldownMs: 2000 }), signal).length, 1);
});

test.run();

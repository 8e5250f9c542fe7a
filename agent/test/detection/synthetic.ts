// Synthetic frames for motion and tamper tests: a textured still scene with sensor noise, and
// objects drawn onto it.
import type { Frame } from '../../src/detection/types.ts';

export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

/** A still "street": gradients plus blocky texture, grey-ish RGB, deterministic. */
export function scene(width = 320, height = 240, seed = 1): Frame {
  const r = rng(seed);
  const blocks = Array.from({ length: 64 }, () => r() * 120);
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const b = blocks[(Math.floor(x / 40) + Math.floor(y / 30) * 8) % 64]!;
      const v = 40 + (x / width) * 60 + b + ((x * 7 + y * 13) % 17);
      const i = (y * width + x) * 3;
      data[i] = v;
      data[i + 1] = v * 0.9;
      data[i + 2] = v * 0.8;
    }
  }
  return { width, height, channels: 3, data, timeMs: 0, ptsMs: 0 };
}

export function withNoise(frame: Frame, amplitude: number, seed: number): Frame {
  const r = rng(seed);
  const data = new Uint8Array(frame.data.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.max(0, Math.min(255, frame.data[i]! + (r() * 2 - 1) * amplitude));
  return { ...frame, data };
}

export function withRect(frame: Frame, x: number, y: number, w: number, h: number, rgb: [number, number, number]): Frame {
  const data = new Uint8Array(frame.data);
  for (let yy = Math.max(0, y); yy < Math.min(frame.height, y + h); yy++) {
    for (let xx = Math.max(0, x); xx < Math.min(frame.width, x + w); xx++) {
      const i = (yy * frame.width + xx) * 3;
      data[i] = rgb[0];
      data[i + 1] = rgb[1];
      data[i + 2] = rgb[2];
    }
  }
  return { ...frame, data };
}

export function brighter(frame: Frame, delta: number): Frame {
  return { ...frame, data: frame.data.map((v) => Math.max(0, Math.min(255, v + delta))) };
}

export function at(frame: Frame, timeMs: number): Frame {
  return { ...frame, timeMs, ptsMs: timeMs };
}

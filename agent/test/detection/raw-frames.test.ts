// Cutting raw pipes into frames and samples, whatever the chunking (how ffmpeg's pipes deliver).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Readable } from 'node:stream';
import { pcmChunks, rawFrames } from '../../src/detection/frames/raw-frames.ts';

function chunked(bytes: Uint8Array, sizes: number[]): Readable {
  const parts: Buffer[] = [];
  for (let offset = 0, i = 0; offset < bytes.length; i++) {
    const n = sizes[i % sizes.length]!;
    parts.push(Buffer.from(bytes.subarray(offset, offset + n)));
    offset += n;
  }
  return Readable.from(parts);
}

test('frames split across and packed within chunks come out whole, in order, with stream times', async () => {
  const w = 4, h = 3, frameBytes = w * h * 3;
  const bytes = Uint8Array.from({ length: frameBytes * 5 }, (_, i) => Math.floor(i / frameBytes) * 10 + (i % 7));
  const frames = [];
  for await (const f of rawFrames(chunked(bytes, [7, 50, 1, 90]), { width: w, height: h, channels: 3 }, { fps: 2, clock: 'stream', startMs: 1000 })) frames.push(f);
  assert.is(frames.length, 5);
  assert.equal(frames.map((f) => [f.ptsMs, f.timeMs]), [[0, 1000], [500, 1500], [1000, 2000], [1500, 2500], [2000, 3000]]);
  frames.forEach((f, k) => assert.equal(Array.from(f.data), Array.from(bytes.subarray(k * frameBytes, (k + 1) * frameBytes)), `frame ${k}`));
});

test('a trailing partial frame (ffmpeg killed mid-frame) is not emitted', async () => {
  const frames = [];
  for await (const f of rawFrames(chunked(new Uint8Array(2 * 12 + 5), [10]), { width: 2, height: 2, channels: 3 }, { fps: 1, clock: 'wall' })) frames.push(f);
  assert.is(frames.length, 2);
});

test('s16le samples split on odd byte boundaries', async () => {
  const samples = Int16Array.from([0, 1, -1, 32767, -32768, 1234, -4321]);
  const bytes = new Uint8Array(samples.buffer);
  const out: number[] = [];
  for await (const c of pcmChunks(chunked(bytes, [3, 1, 5]))) out.push(...c);
  assert.equal(out, Array.from(samples));
});

test.run();

// Cuts a raw video byte stream (ffmpeg `-f rawvideo`) into frames. Used for ffmpeg processes this
// module starts and for a raw pipe the recorder's own ffmpeg may expose (see README).
import type { Readable } from 'node:stream';
import type { Frame } from '../types.ts';

export interface RawGeometry {
  width: number;
  height: number;
  channels: 1 | 3;
}

export interface RawTiming {
  /** Frames per second of the stream (after ffmpeg's fps filter). */
  fps: number;
  /** 'wall': timeMs = arrival time (live feeds). 'stream': timeMs = startMs + index / fps (files). */
  clock: 'wall' | 'stream';
  startMs?: number;
}

export async function* rawFrames(stream: Readable, geometry: RawGeometry, timing: RawTiming): AsyncGenerator<Frame> {
  const frameBytes = geometry.width * geometry.height * geometry.channels;
  const startMs = timing.startMs ?? Date.now();
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let index = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    pending.push(chunk);
    pendingBytes += chunk.length;
    if (pendingBytes < frameBytes) continue;
    let all = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
    let offset = 0;
    while (pendingBytes - offset >= frameBytes) {
      // Copy: the frame may outlive the chunk (queues, snapshots).
      const data = new Uint8Array(frameBytes);
      data.set(all.subarray(offset, offset + frameBytes));
      offset += frameBytes;
      const ptsMs = (index * 1000) / timing.fps;
      const timeMs = timing.clock === 'wall' ? Date.now() : startMs + ptsMs;
      index++;
      yield { width: geometry.width, height: geometry.height, channels: geometry.channels, data, timeMs, ptsMs };
    }
    all = all.subarray(offset);
    pending = all.length ? [all] : [];
    pendingBytes = all.length;
  }
}

/** Cuts s16le mono PCM into Int16Array chunks (an odd trailing byte waits for the next chunk). */
export async function* pcmChunks(stream: Readable): AsyncGenerator<Int16Array> {
  let carry: Buffer | undefined;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const buf = carry ? Buffer.concat([carry, chunk]) : chunk;
    const even = buf.length & ~1;
    carry = even < buf.length ? buf.subarray(even) : undefined;
    if (even === 0) continue;
    const samples = new Int16Array(even / 2);
    for (let i = 0; i < samples.length; i++) samples[i] = buf.readInt16LE(2 * i);
    yield samples;
  }
}

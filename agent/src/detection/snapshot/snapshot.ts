// JPEG snapshots with the detection box drawn, for events (EventBody.snapshotJpegBase64).
import jpeg from 'jpeg-js';
import type { Box, Frame } from '../types.ts';

export type Rgb = [number, number, number];

/** Draws a rectangle outline of `thickness` pixels into an RGB frame copy. Box in frame pixels. */
export function drawBox(frame: Frame, box: Box, color: Rgb = [255, 40, 40], thickness = 2): Frame {
  if (frame.channels !== 3) throw new Error('drawBox needs an RGB frame');
  const data = new Uint8Array(frame.data);
  const { width: w, height: h } = frame;
  const x1 = Math.max(0, Math.min(w - 1, Math.round(box[0])));
  const y1 = Math.max(0, Math.min(h - 1, Math.round(box[1])));
  const x2 = Math.max(0, Math.min(w - 1, Math.round(box[0] + box[2])));
  const y2 = Math.max(0, Math.min(h - 1, Math.round(box[1] + box[3])));
  const paint = (x: number, y: number) => {
    const i = (y * w + x) * 3;
    data[i] = color[0];
    data[i + 1] = color[1];
    data[i + 2] = color[2];
  };
  for (let t = 0; t < thickness; t++) {
    for (let x = x1; x <= x2; x++) {
      paint(x, Math.min(h - 1, y1 + t));
      paint(x, Math.max(0, y2 - t));
    }
    for (let y = y1; y <= y2; y++) {
      paint(Math.min(w - 1, x1 + t), y);
      paint(Math.max(0, x2 - t), y);
    }
  }
  return { ...frame, data };
}

/** Encodes an RGB or grey frame as JPEG. */
export function encodeJpeg(frame: Frame, quality = 75): Buffer {
  const rgba = Buffer.alloc(frame.width * frame.height * 4);
  for (let p = 0, n = frame.width * frame.height; p < n; p++) {
    const s = p * frame.channels;
    rgba[4 * p] = frame.data[s]!;
    rgba[4 * p + 1] = frame.data[frame.channels === 3 ? s + 1 : s]!;
    rgba[4 * p + 2] = frame.data[frame.channels === 3 ? s + 2 : s]!;
    rgba[4 * p + 3] = 255;
  }
  return jpeg.encode({ data: rgba, width: frame.width, height: frame.height }, quality).data;
}

/** EventBody caps snapshots at 300 000 base64 characters: lower the quality until it fits. */
export function snapshotBase64(frame: Frame, boxes: Box[], maxChars = 300_000): string {
  let drawn = frame;
  for (const box of boxes) drawn = drawBox(drawn, box);
  for (const quality of [75, 60, 45, 30, 15]) {
    const b64 = encodeJpeg(drawn, quality).toString('base64');
    if (b64.length <= maxChars) return b64;
  }
  throw new Error(`snapshot of ${frame.width}x${frame.height} does not fit in ${maxChars} base64 characters`);
}

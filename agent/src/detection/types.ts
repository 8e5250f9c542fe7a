/** One decoded video frame: packed 8-bit pixels, row-major, no padding. */
export interface Frame {
  width: number;
  height: number;
  /** 3 = RGB, 1 = grey. */
  channels: 1 | 3;
  data: Uint8Array;
  /** Capture time, ms since the epoch (for a file: start time + position). */
  timeMs: number;
  /** Position in the source, ms from its start (files); equals timeMs - start for live feeds. */
  ptsMs: number;
}

/** [x, y, width, height] in pixels of the frame it refers to. */
export type Box = [number, number, number, number];

export interface Detection {
  class: string;
  classId: number;
  score: number;
  box: Box;
}

export function iou(a: Box, b: Box): number {
  const x1 = Math.max(a[0], b[0]);
  const y1 = Math.max(a[1], b[1]);
  const x2 = Math.min(a[0] + a[2], b[0] + b[2]);
  const y2 = Math.min(a[1] + a[3], b[1] + b[3]);
  const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  const union = a[2] * a[3] + b[2] * b[3] - inter;
  return union > 0 ? inter / union : 0;
}

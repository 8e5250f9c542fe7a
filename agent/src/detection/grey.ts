// Small grey images: the cheap representation motion and tamper analysis work on.
import type { Frame } from './types.ts';

export interface GreyImage {
  width: number;
  height: number;
  data: Float32Array;
}

/** Area-averaged downscale of an RGB or grey frame to `width` columns (aspect kept), as luma. */
export function toGrey(frame: Frame, width: number): GreyImage {
  const w = Math.max(1, Math.min(width, frame.width));
  const h = Math.max(1, Math.round((frame.height * w) / frame.width));
  const out = new Float32Array(w * h);
  const counts = new Float32Array(w * h);
  const c = frame.channels;
  const colOf = new Int32Array(frame.width);
  for (let x = 0; x < frame.width; x++) colOf[x] = Math.min(w - 1, Math.floor((x * w) / frame.width));
  const src = frame.data;
  for (let y = 0; y < frame.height; y++) {
    const rowOut = Math.min(h - 1, Math.floor((y * h) / frame.height)) * w;
    let i = y * frame.width * c;
    for (let x = 0; x < frame.width; x++, i += c) {
      const luma = c === 3 ? 0.299 * src[i]! + 0.587 * src[i + 1]! + 0.114 * src[i + 2]! : src[i]!;
      const o = rowOut + colOf[x]!;
      out[o]! += luma;
      counts[o]! += 1;
    }
  }
  for (let i = 0; i < out.length; i++) out[i] = out[i]! / Math.max(1, counts[i]!);
  return { width: w, height: h, data: out };
}

/** 3×3 box blur (edges clamped): suppresses sensor noise before differencing. */
export function blur3(img: GreyImage): GreyImage {
  const { width: w, height: h, data } = img;
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let sum = 0;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = Math.min(h - 1, Math.max(0, y + dy));
        for (let dx = -1; dx <= 1; dx++) sum += data[yy * w + Math.min(w - 1, Math.max(0, x + dx))]!;
      }
      out[y * w + x] = sum / 9;
    }
  }
  return { width: w, height: h, data: out };
}

/** A polygon in normalised frame coordinates (0..1), e.g. [[0,0],[1,0],[1,0.5],[0,0.5]]. */
export type Polygon = Array<[number, number]>;

function insidePolygon(x: number, y: number, poly: Polygon): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i]!;
    const [xj, yj] = poly[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** 1 where a cell's centre is inside any zone (all cells when there are none) and inside no mask. */
export function rasteriseZones(width: number, height: number, zones: Polygon[] = [], masks: Polygon[] = []): Uint8Array {
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const px = (x + 0.5) / width;
      const py = (y + 0.5) / height;
      const inZone = zones.length === 0 || zones.some((z) => insidePolygon(px, py, z));
      const masked = masks.some((m) => insidePolygon(px, py, m));
      out[y * width + x] = inZone && !masked ? 1 : 0;
    }
  }
  return out;
}

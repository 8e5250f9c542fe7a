// Cheap motion detection: frame differencing against a running-average background on a small
// grey image, restricted to zones and masks, robust to sensor noise (blur + minimum blob size)
// and to lighting changes (global brightness compensation; a change covering most of the picture
// is taken as lighting, not motion, and becomes the new background).
import { blur3, type GreyImage, type Polygon, rasteriseZones, toGrey } from '../grey.ts';
import type { Box, Frame } from '../types.ts';

export interface MotionConfig {
  /** Columns of the analysis grid (aspect kept). */
  gridWidth?: number;
  /** Grey-level difference (0..255) above which a cell has changed. */
  pixelThreshold?: number;
  /** Smallest changed blob that counts, as a fraction of the active area. */
  minBlobFraction?: number;
  /** Background learning rate per frame (0..1). */
  learningRate?: number;
  /** A cell changed for longer than this joins the background (a parked car, the ghost of one that left). */
  absorbAfterMs?: number;
  /** Above this changed fraction the change is global (lights, exposure, camera gain). */
  globalChangeFraction?: number;
  /** Where motion counts (normalised polygons); empty = everywhere. */
  zones?: Polygon[];
  /** Where motion never counts (trees, clocks, busy road outside the area of interest). */
  masks?: Polygon[];
}

export interface MotionResult {
  motion: boolean;
  /** Changed fraction of the active area after blob filtering. */
  changedFraction: number;
  /** Bounding boxes of moving blobs, in frame pixels. */
  regions: Box[];
  /** Set when the frame was taken as a global (lighting) change. */
  globalChange: boolean;
}

export class MotionDetector {
  private background?: Float32Array;
  /** Per cell: time since when it has been changed (NaN: not changed). */
  private changedSince?: Float64Array;
  private active?: Uint8Array;
  private activeCells = 0;
  private readonly cfg: Required<MotionConfig>;

  constructor(config: MotionConfig = {}) {
    this.cfg = {
      gridWidth: 96,
      pixelThreshold: 20,
      minBlobFraction: 0.002,
      learningRate: 0.05,
      absorbAfterMs: 5000,
      globalChangeFraction: 0.6,
      zones: [],
      masks: [],
      ...config,
    };
  }

  update(frame: Frame): MotionResult {
    const img = blur3(toGrey(frame, this.cfg.gridWidth));
    if (!this.background || this.background.length !== img.data.length) {
      this.background = Float32Array.from(img.data);
      this.changedSince = new Float64Array(img.data.length).fill(Number.NaN);
      this.active = rasteriseZones(img.width, img.height, this.cfg.zones, this.cfg.masks);
      this.activeCells = this.active.reduce((a, b) => a + b, 0);
      return { motion: false, changedFraction: 0, regions: [], globalChange: false };
    }
    const bg = this.background;
    const active = this.active!;
    // Lighting compensation: fit background ≈ gain·current + offset over the active area
    // (least squares), so exposure, gain and dimming changes are not differences.
    let n = 0, sc = 0, sb = 0, scc = 0, scb = 0;
    for (let i = 0; i < img.data.length; i++) {
      if (!active[i]) continue;
      const c = img.data[i]!;
      n++;
      sc += c;
      sb += bg[i]!;
      scc += c * c;
      scb += c * bg[i]!;
    }
    const varC = n ? scc / n - (sc / n) ** 2 : 0;
    const gain = varC > 1 ? Math.min(4, Math.max(0.25, (scb / n - (sc / n) * (sb / n)) / varC)) : 1;
    const offset = n ? sb / n - gain * (sc / n) : 0;
    const adjusted = (i: number) => gain * img.data[i]! + offset;
    const changed = new Uint8Array(img.data.length);
    let rawChanged = 0;
    for (let i = 0; i < img.data.length; i++) {
      if (active[i] && Math.abs(adjusted(i) - bg[i]!) > this.cfg.pixelThreshold) {
        changed[i] = 1;
        rawChanged++;
      }
    }
    const rawFraction = this.activeCells ? rawChanged / this.activeCells : 0;
    if (rawFraction > this.cfg.globalChangeFraction) {
      bg.set(img.data);
      this.changedSince!.fill(Number.NaN);
      return { motion: false, changedFraction: rawFraction, regions: [], globalChange: true };
    }
    const minCells = Math.max(2, Math.ceil(this.cfg.minBlobFraction * this.activeCells));
    const blobs = findBlobs(changed, img.width, img.height, minCells);
    const kept = blobs.reduce((a, b) => a + b.cells, 0);
    // Moving areas learn slower, so a slow object does not melt into the background; what has
    // stayed changed for absorbAfterMs is taken in at once, so ghosts do not linger.
    const a = this.cfg.learningRate;
    const since = this.changedSince!;
    for (let i = 0; i < bg.length; i++) {
      if (!changed[i]) {
        since[i] = Number.NaN;
        bg[i] = bg[i]! * (1 - a) + adjusted(i) * a;
      } else if (Number.isNaN(since[i]!)) {
        since[i] = frame.timeMs;
        bg[i] = bg[i]! * (1 - a / 4) + adjusted(i) * (a / 4);
      } else if (frame.timeMs - since[i]! >= this.cfg.absorbAfterMs) {
        bg[i] = adjusted(i);
        since[i] = Number.NaN;
      } else {
        bg[i] = bg[i]! * (1 - a / 4) + adjusted(i) * (a / 4);
      }
    }
    const sx = frame.width / img.width;
    const sy = frame.height / img.height;
    return {
      motion: blobs.length > 0,
      changedFraction: this.activeCells ? kept / this.activeCells : 0,
      regions: blobs.map((b) => [b.x1 * sx, b.y1 * sy, (b.x2 - b.x1 + 1) * sx, (b.y2 - b.y1 + 1) * sy] as Box),
      globalChange: false,
    };
  }
}

interface Blob {
  cells: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** 8-connected components of set cells, keeping those of at least minCells. */
export function findBlobs(mask: Uint8Array, w: number, h: number, minCells: number): Blob[] {
  const seen = new Uint8Array(mask.length);
  const blobs: Blob[] = [];
  const stack: number[] = [];
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || seen[start]) continue;
    const blob: Blob = { cells: 0, x1: w, y1: h, x2: 0, y2: 0 };
    stack.push(start);
    seen[start] = 1;
    while (stack.length) {
      const i = stack.pop()!;
      const x = i % w;
      const y = (i - x) / w;
      blob.cells++;
      blob.x1 = Math.min(blob.x1, x);
      blob.y1 = Math.min(blob.y1, y);
      blob.x2 = Math.max(blob.x2, x);
      blob.y2 = Math.max(blob.y2, y);
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
          const j = ny * w + nx;
          if (mask[j] && !seen[j]) {
            seen[j] = 1;
            stack.push(j);
          }
        }
      }
    }
    if (blob.cells >= minCells) blobs.push(blob);
  }
  return blobs;
}

export type { GreyImage };

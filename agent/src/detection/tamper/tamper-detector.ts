// Camera tamper detection on small grey frames, against a reference learned from the first
// frames and slowly refreshed while the picture is normal:
//  - covered: the picture has (almost) no contrast left: lens covered, blacked out, sprayed;
//  - defocused: edge energy fell far below the reference's (lens turned, smeared, fogged);
//  - moved: most blocks of the picture no longer correlate with the reference (camera turned).
// A condition must hold for `holdFrames` frames to raise, and be gone for as many to clear.
import { type GreyImage, toGrey } from '../grey.ts';
import type { Frame } from '../types.ts';

export type TamperKind = 'covered' | 'defocused' | 'moved';

export interface TamperConfig {
  gridWidth?: number;
  /** Standard deviation of grey levels below which the picture is "covered". */
  coveredStd?: number;
  /** Edge energy below this fraction of the reference's is "defocused". */
  defocusRatio?: number;
  /** A block whose correlation with the reference is below this has changed. */
  blockCorrelation?: number;
  /** Fraction of changed blocks from which the camera counts as moved. */
  movedFraction?: number;
  /** Frames a condition must persist to raise (and be gone to clear). */
  holdFrames?: number;
  /** Frames averaged into the first reference. */
  referenceFrames?: number;
  /** Reference refresh rate while normal (follows day and night). */
  refreshRate?: number;
}

export interface TamperChange {
  kind: TamperKind;
  state: 'raised' | 'cleared';
  timeMs: number;
  /** The measure that decided (std, sharpness ratio, or changed block fraction). */
  value: number;
}

export interface TamperMeasures {
  std: number;
  sharpnessRatio: number;
  changedBlockFraction: number;
}

const BLOCKS_X = 8;
const BLOCKS_Y = 6;

function stats(img: GreyImage): { mean: number; std: number } {
  let s = 0;
  let ss = 0;
  for (const v of img.data) {
    s += v;
    ss += v * v;
  }
  const n = img.data.length;
  const mean = s / n;
  return { mean, std: Math.sqrt(Math.max(0, ss / n - mean * mean)) };
}

/** Mean absolute Laplacian: high for sharp edges, low when defocused. */
function sharpness(img: GreyImage): number {
  const { width: w, height: h, data } = img;
  let sum = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      sum += Math.abs(4 * data[i]! - data[i - 1]! - data[i + 1]! - data[i - w]! - data[i + w]!);
    }
  }
  return sum / Math.max(1, (w - 2) * (h - 2));
}

/** Fraction of blocks whose normalised cross-correlation with the reference is below `threshold`. */
function changedBlocks(img: GreyImage, ref: Float32Array, threshold: number): number {
  const { width: w, height: h, data } = img;
  let changed = 0;
  let counted = 0;
  for (let by = 0; by < BLOCKS_Y; by++) {
    for (let bx = 0; bx < BLOCKS_X; bx++) {
      const x0 = Math.floor((bx * w) / BLOCKS_X);
      const x1 = Math.floor(((bx + 1) * w) / BLOCKS_X);
      const y0 = Math.floor((by * h) / BLOCKS_Y);
      const y1 = Math.floor(((by + 1) * h) / BLOCKS_Y);
      let n = 0, sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          const a = data[y * w + x]!;
          const b = ref[y * w + x]!;
          n++;
          sa += a;
          sb += b;
          saa += a * a;
          sbb += b * b;
          sab += a * b;
        }
      }
      const va = saa / n - (sa / n) ** 2;
      const vb = sbb / n - (sb / n) ** 2;
      // A flat block in the reference (sky, wall) says nothing about a move.
      if (vb < 4) continue;
      counted++;
      const ncc = va < 1e-6 ? 0 : (sab / n - (sa / n) * (sb / n)) / Math.sqrt(va * vb);
      if (ncc < threshold) changed++;
    }
  }
  return counted ? changed / counted : 0;
}

export class TamperDetector {
  private readonly cfg: Required<TamperConfig>;
  private reference?: Float32Array;
  private referenceSharpness = 0;
  private learned = 0;
  private readonly streak: Record<TamperKind, number> = { covered: 0, defocused: 0, moved: 0 };
  private readonly clearStreak: Record<TamperKind, number> = { covered: 0, defocused: 0, moved: 0 };
  private readonly raised = new Set<TamperKind>();
  last?: TamperMeasures;

  constructor(config: TamperConfig = {}) {
    this.cfg = {
      gridWidth: 320,
      coveredStd: 6,
      defocusRatio: 0.35,
      blockCorrelation: 0.4,
      movedFraction: 0.6,
      holdFrames: 3,
      referenceFrames: 5,
      refreshRate: 0.02,
      ...config,
    };
  }

  get active(): ReadonlySet<TamperKind> {
    return this.raised;
  }

  update(frame: Frame): TamperChange[] {
    const img = toGrey(frame, this.cfg.gridWidth);
    const { std } = stats(img);
    const sharp = sharpness(img);
    if (!this.reference || this.reference.length !== img.data.length || this.learned < this.cfg.referenceFrames) {
      this.learn(img, sharp);
      return [];
    }
    const covered = std < this.cfg.coveredStd;
    const sharpnessRatio = this.referenceSharpness > 0 ? sharp / this.referenceSharpness : 1;
    const defocused = !covered && sharpnessRatio < this.cfg.defocusRatio;
    const changedBlockFraction = covered || defocused ? 0 : changedBlocks(img, this.reference, this.cfg.blockCorrelation);
    const moved = changedBlockFraction >= this.cfg.movedFraction;
    this.last = { std, sharpnessRatio, changedBlockFraction };

    const changes: TamperChange[] = [];
    const step = (kind: TamperKind, on: boolean, value: number) => {
      if (on) {
        this.streak[kind]++;
        this.clearStreak[kind] = 0;
        if (!this.raised.has(kind) && this.streak[kind] >= this.cfg.holdFrames) {
          this.raised.add(kind);
          changes.push({ kind, state: 'raised', timeMs: frame.timeMs, value });
        }
      } else {
        this.streak[kind] = 0;
        this.clearStreak[kind]++;
        if (this.raised.has(kind) && this.clearStreak[kind] >= this.cfg.holdFrames) {
          this.raised.delete(kind);
          changes.push({ kind, state: 'cleared', timeMs: frame.timeMs, value });
        }
      }
    };
    step('covered', covered, std);
    step('defocused', defocused, sharpnessRatio);
    step('moved', moved, changedBlockFraction);

    if (this.raised.has('moved')) {
      // A camera that was turned stays turned: the new view becomes the reference, so the
      // event ends and detection carries on from the new view.
      this.reference = Float32Array.from(img.data);
      this.referenceSharpness = sharp;
      this.raised.delete('moved');
      this.streak.moved = 0;
      changes.push({ kind: 'moved', state: 'cleared', timeMs: frame.timeMs, value: changedBlockFraction });
    } else if (this.raised.size === 0 && !covered && !defocused && !moved) {
      const r = this.cfg.refreshRate;
      for (let i = 0; i < img.data.length; i++) this.reference[i] = this.reference[i]! * (1 - r) + img.data[i]! * r;
      this.referenceSharpness = this.referenceSharpness * (1 - r) + sharp * r;
    }
    return changes;
  }

  private learn(img: GreyImage, sharp: number): void {
    if (!this.reference || this.reference.length !== img.data.length) {
      this.reference = Float32Array.from(img.data);
      this.referenceSharpness = sharp;
      this.learned = 1;
      return;
    }
    this.learned++;
    const k = 1 / this.learned;
    for (let i = 0; i < img.data.length; i++) this.reference[i] = this.reference[i]! * (1 - k) + img.data[i]! * k;
    this.referenceSharpness = this.referenceSharpness * (1 - k) + sharp * k;
  }
}

// Camera tamper detection on small grey frames, against a reference learned from the first
// frames and slowly refreshed while the picture is normal:
//  - covered: the picture has (almost) no contrast left: lens covered, blacked out, sprayed;
//  - defocused: edge energy fell far below the reference's (lens turned, smeared, fogged);
//  - moved: most blocks of the picture no longer correlate with the reference (camera turned).
// Without floods (issue 15: a scrolling picture raised "moved" every few frames):
//  - covered/defocused raise after `holdFrames` frames and clear only after `clearMs` without the
//    condition, measured against looser clear thresholds (hysteresis), so a flickering lens cover
//    is one event;
//  - "moved" is a view change that lasts: when most blocks stop matching the reference, the
//    detector waits for the picture to settle. A view it already knows (a PTZ tour's presets, up
//    to `knownViews`) becomes the reference silently; a new view that stays still for
//    `settleFrames` raises one "moved" and becomes the reference (raised and cleared together: the
//    camera now looks elsewhere, re-learned); a picture that never settles (continuous panning, a
//    scrolling or shaking image) raises one "moved" after `unsettledFrames` that stays open until
//    the picture is still again; a further new view within `rearmMs` of a "moved" is learnt
//    without an event (a camera being turned by hand settles several times). Nothing is raised while a passing bus merely fills the view and
//    leaves (the old view comes back).
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
  /** A covered/defocused condition clears after this long without it (frame clock). */
  clearMs?: number;
  /** Frames a new view must stay still to count as the camera's new view. */
  settleFrames?: number;
  /** Frames of a picture that never settles before one "moved" is raised for it. */
  unsettledFrames?: number;
  /** Views remembered (a patrol's presets), the current one included. */
  knownViews?: number;
  /** After a "moved", another new view within this long is learnt without an event (frame clock). */
  rearmMs?: number;
}

export interface TamperChange {
  kind: TamperKind;
  state: 'raised' | 'cleared';
  timeMs: number;
  /** The measure that decided (std, sharpness ratio, or changed block fraction). */
  value: number;
  /** "moved" cleared because a new view was learnt (not because the old one came back). */
  relearned?: boolean;
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

interface View {
  grey: Float32Array;
  sharpness: number;
}

export class TamperDetector {
  private readonly cfg: Required<TamperConfig>;
  private reference?: Float32Array;
  private referenceSharpness = 0;
  private learned = 0;
  private readonly streak: Record<TamperKind, number> = { covered: 0, defocused: 0, moved: 0 };
  /** Frame time the condition was last seen, while raised. */
  private readonly lastSeenMs: Record<TamperKind, number> = { covered: 0, defocused: 0, moved: 0 };
  private readonly raised = new Set<TamperKind>();
  /** Other views seen before (the current reference is not in the list). */
  private views: View[] = [];
  /** While the view departs from the reference: the latest picture and how long it has been still. */
  private departure?: { anchor: Float32Array; still: number; frames: number };
  /** Frame time of the last "moved" raised. */
  private lastMovedMs = -Infinity;
  /** New views learnt without an event (within rearmMs of the previous one). */
  quietRelearns = 0;
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
      clearMs: 10_000,
      settleFrames: 6,
      unsettledFrames: 60,
      knownViews: 4,
      rearmMs: 300_000,
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
    const changes: TamperChange[] = [];
    // Looser thresholds once raised: the condition must be clearly gone to count as gone.
    const covered = std < this.cfg.coveredStd * (this.raised.has('covered') ? 1.5 : 1);
    const sharpnessRatio = this.referenceSharpness > 0 ? sharp / this.referenceSharpness : 1;
    const defocused = !covered && sharpnessRatio < this.cfg.defocusRatio * (this.raised.has('defocused') ? 1.4 : 1);
    const changedBlockFraction = covered || defocused ? 0 : changedBlocks(img, this.reference, this.cfg.blockCorrelation);
    this.last = { std, sharpnessRatio, changedBlockFraction };

    const step = (kind: 'covered' | 'defocused', on: boolean, value: number) => {
      if (on) {
        this.streak[kind]++;
        this.lastSeenMs[kind] = frame.timeMs;
        if (!this.raised.has(kind) && this.streak[kind] >= this.cfg.holdFrames) {
          this.raised.add(kind);
          changes.push({ kind, state: 'raised', timeMs: frame.timeMs, value });
        }
      } else {
        this.streak[kind] = 0;
        if (this.raised.has(kind) && frame.timeMs - this.lastSeenMs[kind] >= this.cfg.clearMs) {
          this.raised.delete(kind);
          changes.push({ kind, state: 'cleared', timeMs: frame.timeMs, value });
        }
      }
    };
    step('covered', covered, std);
    step('defocused', defocused, sharpnessRatio);
    if (!covered && !defocused) this.watchView(img, sharp, changedBlockFraction, frame.timeMs, changes);

    if (this.raised.size === 0 && !this.departure && !covered && !defocused) {
      const r = this.cfg.refreshRate;
      for (let i = 0; i < img.data.length; i++) this.reference[i] = this.reference[i]! * (1 - r) + img.data[i]! * r;
      this.referenceSharpness = this.referenceSharpness * (1 - r) + sharp * r;
    }
    return changes;
  }

  /** The "moved" state machine (see the top of the file). */
  private watchView(img: GreyImage, sharp: number, changed: number, timeMs: number, changes: TamperChange[]): void {
    const moved = changed >= this.cfg.movedFraction;
    if (!this.departure) {
      this.streak.moved = moved ? this.streak.moved + 1 : 0;
      if (this.streak.moved >= this.cfg.holdFrames) this.departure = { anchor: Float32Array.from(img.data), still: 0, frames: 0 };
      return;
    }
    const d = this.departure;
    d.frames++;
    if (!moved) {
      // The old view is back (something passed in front, or the camera came back).
      this.endDeparture(img, sharp, changed, timeMs, changes, false);
      return;
    }
    const known = this.views.findIndex((v) => changedBlocks(img, v.grey, this.cfg.blockCorrelation) < this.cfg.movedFraction / 2);
    if (known >= 0) {
      // A preset of a tour seen before: it becomes the reference, the previous one is remembered.
      const v = this.views[known]!;
      this.views.splice(known, 1);
      this.remember();
      this.reference = Float32Array.from(v.grey);
      this.referenceSharpness = v.sharpness;
      this.endDeparture(img, sharp, changed, timeMs, changes, false);
      return;
    }
    // Still = like the picture where the streak began (not merely like the previous frame), so a
    // slow pan or scroll, a little per frame, never counts as settled.
    const still = changedBlocks(img, d.anchor, this.cfg.blockCorrelation) < this.cfg.movedFraction / 2;
    if (still) d.still++;
    else {
      d.still = 0;
      d.anchor = Float32Array.from(img.data);
    }
    if (d.still >= this.cfg.settleFrames) {
      // A new view that holds: the camera was turned. One event; the view is learnt.
      this.remember();
      this.reference = Float32Array.from(img.data);
      this.referenceSharpness = sharp;
      this.endDeparture(img, sharp, changed, timeMs, changes, true);
    } else if (!this.raised.has('moved') && d.frames >= this.cfg.unsettledFrames && timeMs - this.lastMovedMs >= this.cfg.rearmMs) {
      this.raised.add('moved');
      this.lastMovedMs = timeMs;
      changes.push({ kind: 'moved', state: 'raised', timeMs, value: changed });
    }
  }

  private endDeparture(_img: GreyImage, _sharp: number, changed: number, timeMs: number, changes: TamperChange[], newView: boolean): void {
    this.departure = undefined;
    this.streak.moved = 0;
    if (newView && !this.raised.has('moved')) {
      if (timeMs - this.lastMovedMs < this.cfg.rearmMs) {
        this.quietRelearns++;
        return;
      }
      this.lastMovedMs = timeMs;
      changes.push({ kind: 'moved', state: 'raised', timeMs, value: changed });
    }
    if (newView || this.raised.has('moved')) {
      this.raised.delete('moved');
      changes.push({ kind: 'moved', state: 'cleared', timeMs, value: changed, ...(newView ? { relearned: true } : {}) });
    }
  }

  /** Keeps the current reference among the known views (oldest forgotten first). */
  private remember(): void {
    if (!this.reference) return;
    this.views.push({ grey: this.reference, sharpness: this.referenceSharpness });
    while (this.views.length > this.cfg.knownViews - 1) this.views.shift();
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

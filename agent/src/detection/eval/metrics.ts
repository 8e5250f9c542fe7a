// Detection metrics as COCO/PASCAL compute them, at one IoU threshold (0.5 by default):
// greedy matching of score-sorted detections to the best-overlapping unmatched ground truth of the
// same class group, crowd regions ("iscrowd") absorbing unmatched detections instead of counting
// them false, all-point interpolated average precision, and recall/precision at an operating score
// split by object size (COCO areas: small < 32², medium < 96², large otherwise).
import { type Box, iou } from '../types.ts';

export type SizeBucket = 'small' | 'medium' | 'large';
export const SIZE_BUCKETS: readonly SizeBucket[] = ['small', 'medium', 'large'];

export function sizeOf(box: Box): SizeBucket {
  const area = box[2] * box[3];
  return area < 32 * 32 ? 'small' : area < 96 * 96 ? 'medium' : 'large';
}

export interface GroundTruth {
  imageId: string;
  group: string;
  box: Box;
  crowd?: boolean;
}

export interface ScoredDetection {
  imageId: string;
  group: string;
  box: Box;
  score: number;
}

/** Share of `a`'s area inside `b` (a crowd region absorbs a detection mostly inside it). */
function insideShare(a: Box, b: Box): number {
  const x1 = Math.max(a[0], b[0]);
  const y1 = Math.max(a[1], b[1]);
  const x2 = Math.min(a[0] + a[2], b[0] + b[2]);
  const y2 = Math.min(a[1] + a[3], b[1] + b[3]);
  const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  return a[2] * a[3] > 0 ? inter / (a[2] * a[3]) : 0;
}

export interface Matched {
  /** Per detection (score order): true positive, false positive, or ignored (inside a crowd). */
  outcome: Array<{ det: ScoredDetection; kind: 'tp' | 'fp' | 'ignored'; gt?: GroundTruth }>;
  /** Non-crowd ground truths of the group. */
  positives: GroundTruth[];
}

/** Matches one class group's detections to its ground truths, image by image. */
export function match(gts: GroundTruth[], dets: ScoredDetection[], group: string, iouThreshold = 0.5): Matched {
  const sorted = dets.filter((d) => d.group === group).sort((a, b) => b.score - a.score);
  const byImage = new Map<string, GroundTruth[]>();
  for (const g of gts) if (g.group === group) byImage.set(g.imageId, [...(byImage.get(g.imageId) ?? []), g]);
  const taken = new Set<GroundTruth>();
  const outcome: Matched['outcome'] = [];
  for (const det of sorted) {
    const candidates = byImage.get(det.imageId) ?? [];
    let best: GroundTruth | undefined;
    let bestIou = iouThreshold;
    for (const g of candidates) {
      if (g.crowd || taken.has(g)) continue;
      const o = iou(det.box, g.box);
      if (o >= bestIou) {
        bestIou = o;
        best = g;
      }
    }
    if (best) {
      taken.add(best);
      outcome.push({ det, kind: 'tp', gt: best });
    } else if (candidates.some((g) => g.crowd && insideShare(det.box, g.box) >= 0.5)) {
      outcome.push({ det, kind: 'ignored' });
    } else {
      outcome.push({ det, kind: 'fp' });
    }
  }
  return { outcome, positives: gts.filter((g) => g.group === group && !g.crowd) };
}

/** All-point interpolated AP (area under the precision envelope), as PASCAL VOC 2010+ and COCO. */
export function averagePrecision(m: Matched): number {
  if (m.positives.length === 0) return NaN;
  let tp = 0;
  let fp = 0;
  const recall: number[] = [0];
  const precision: number[] = [1];
  for (const o of m.outcome) {
    if (o.kind === 'ignored') continue;
    if (o.kind === 'tp') tp++;
    else fp++;
    recall.push(tp / m.positives.length);
    precision.push(tp / (tp + fp));
  }
  for (let i = precision.length - 2; i >= 0; i--) precision[i] = Math.max(precision[i]!, precision[i + 1]!);
  let ap = 0;
  for (let i = 1; i < recall.length; i++) ap += (recall[i]! - recall[i - 1]!) * precision[i]!;
  return ap;
}

export interface OperatingPoint {
  tp: number;
  fp: number;
  positives: number;
  recall: number;
  precision: number;
}

function point(tp: number, fp: number, positives: number): OperatingPoint {
  return { tp, fp, positives, recall: positives ? tp / positives : NaN, precision: tp + fp ? tp / (tp + fp) : NaN };
}

/** Recall and precision of detections scored ≥ `score`, overall and per size (ground truths by their
 * own size, false positives by the detection's size, as COCO's area ranges do). */
export function atScore(m: Matched, score: number): { all: OperatingPoint; bySize: Record<SizeBucket, OperatingPoint> } {
  const kept = m.outcome.filter((o) => o.det.score >= score && o.kind !== 'ignored');
  const bySize = {} as Record<SizeBucket, OperatingPoint>;
  for (const s of SIZE_BUCKETS) {
    const tp = kept.filter((o) => o.kind === 'tp' && sizeOf(o.gt!.box) === s).length;
    const fp = kept.filter((o) => o.kind === 'fp' && sizeOf(o.det.box) === s).length;
    bySize[s] = point(tp, fp, m.positives.filter((g) => sizeOf(g.box) === s).length);
  }
  const tp = kept.filter((o) => o.kind === 'tp').length;
  return { all: point(tp, kept.length - tp, m.positives.length), bySize };
}

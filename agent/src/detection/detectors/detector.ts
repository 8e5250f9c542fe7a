import type { Detection, Frame } from '../types.ts';

/** Any object detector: give it a frame, get boxes in that frame's pixels. */
export interface Detector {
  /** e.g. "nanodet-g/onnxruntime". */
  readonly name: string;
  detect(frame: Frame): Promise<Detection[]>;
  close(): Promise<void>;
}

export interface DetectorOptions {
  /** Class names to report; others are dropped before NMS. Default: DEFAULT_CLASSES. */
  classes?: readonly string[];
  /** Minimum class score (0..1). */
  scoreThreshold?: number;
  /** IoU above which a lower-scored box of the same class is suppressed. */
  iouThreshold?: number;
  maxDetections?: number;
}

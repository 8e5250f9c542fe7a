// Detector variants, apart from create.ts so the config schema does not load onnxruntime.

/**
 * The detector variants a camera's config can choose (detection.model). Each is measured by
 * `npm run eval -- detection`; the figures are in agent/src/detection/README.md.
 */
export const DETECTOR_MODELS = {
  /** NanoDet-g at 416×416, frame stretched to the square, as shipped until issue 15. */
  'nanodet-g-416': { inputSize: 416, resize: 'stretch' },
  'nanodet-g-320': { inputSize: 320, resize: 'stretch' },
  'nanodet-g-512': { inputSize: 512, resize: 'stretch' },
  'nanodet-g-416-letterbox': { inputSize: 416, resize: 'letterbox' },
  'nanodet-g-320-letterbox': { inputSize: 320, resize: 'letterbox' },
} as const satisfies Record<string, { inputSize: number; resize: 'stretch' | 'letterbox' }>;
export type DetectorModel = keyof typeof DETECTOR_MODELS;
/**
 * Chosen by `npm run eval -- detection` (README, "Evaluation"): best recall on large and medium
 * persons and vehicles, ≈0.65× the CPU of the 416 stretched model; weaker on small (far) objects.
 */
export const DEFAULT_DETECTOR_MODEL: DetectorModel = 'nanodet-g-320-letterbox';


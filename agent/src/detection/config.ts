// Per-camera detection settings, as a strict zod schema the agent's config can embed
// (e.g. cameras[].detection). Every field has a default: `{}` is a working configuration.
import { z } from 'zod';
import { COCO_LABELS, DEFAULT_CLASSES } from './detectors/coco-labels.ts';
import { DEFAULT_DETECTOR_MODEL, DETECTOR_MODELS, type DetectorModel } from './detectors/models.ts';

const point = z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]);
const polygon = z.array(point).min(3);

export const DetectionConfig = z
  .object({
    enabled: z.boolean().default(true),
    backend: z.enum(['onnx', 'tfjs-wasm']).default('onnx'),
    /** Detector variant (network input side, letterbox or stretch); see DETECTOR_MODELS. */
    model: z.enum(Object.keys(DETECTOR_MODELS) as [DetectorModel, ...DetectorModel[]]).default(DEFAULT_DETECTOR_MODEL),
    /** Frames per second decoded for analysis (from the sub stream). */
    fps: z.number().min(0.1).max(15).default(2),
    classes: z.array(z.enum(COCO_LABELS)).min(1).default([...DEFAULT_CLASSES] as Array<(typeof COCO_LABELS)[number]>),
    scoreThreshold: z.number().min(0.05).max(1).default(0.35),
    prerollMs: z.number().int().min(0).max(60_000).default(5_000),
    postrollMs: z.number().int().min(0).max(60_000).default(5_000),
    motion: z
      .object({
        enabled: z.boolean().default(true),
        zones: z.array(polygon).default([]),
        masks: z.array(polygon).default([]),
        pixelThreshold: z.number().min(1).max(255).default(20),
        minBlobFraction: z.number().min(0).max(1).default(0.002),
      })
      .strict()
      .default({ enabled: true, zones: [], masks: [], pixelThreshold: 20, minBlobFraction: 0.002 }),
    tamper: z
      .object({
        enabled: z.boolean().default(true),
        holdFrames: z.number().int().min(1).max(100).default(3),
        defocusRatio: z.number().min(0.01).max(1).default(0.35),
        movedFraction: z.number().min(0.1).max(1).default(0.6),
      })
      .strict()
      .default({ enabled: true, holdFrames: 3, defocusRatio: 0.35, movedFraction: 0.6 }),
    sound: z
      .object({
        enabled: z.boolean().default(true),
        minPeakDbfs: z.number().min(-96).max(0).default(-20),
        riseDb: z.number().min(1).max(96).default(25),
        cooldownMs: z.number().int().min(0).max(60_000).default(2_000),
      })
      .strict()
      .default({ enabled: true, minPeakDbfs: -20, riseDb: 25, cooldownMs: 2_000 }),
  })
  .strict();
export type DetectionConfig = z.infer<typeof DetectionConfig>;

/** The pipeline settings a camera's DetectionConfig stands for (the detector is made apart). */
export function pipelineSettings(c: DetectionConfig) {
  return {
    motion: c.motion.enabled ? { zones: c.motion.zones, masks: c.motion.masks, pixelThreshold: c.motion.pixelThreshold, minBlobFraction: c.motion.minBlobFraction } : (false as const),
    tamper: c.tamper.enabled ? { holdFrames: c.tamper.holdFrames, defocusRatio: c.tamper.defocusRatio, movedFraction: c.tamper.movedFraction } : (false as const),
    sound: c.sound.enabled ? { minPeakDbfs: c.sound.minPeakDbfs, riseDb: c.sound.riseDb, cooldownMs: c.sound.cooldownMs } : (false as const),
    prerollMs: c.prerollMs,
    postrollMs: c.postrollMs,
  };
}

/** The agent configuration's `recording` section (kept apart so config.ts stays light). */
import { z } from 'zod';

export const RecordingConfigSchema = z
  .object({
    /** Segment length in seconds (cut on the next keyframe). */
    segmentSeconds: z.number().int().min(1).max(3600).default(10),
    /** Default maximum age of footage, hours (absent: no age limit). */
    maxAgeHours: z.number().positive().optional(),
    /** Per-camera maximum age, hours, by camera id. */
    cameraMaxAgeHours: z.record(z.string(), z.number().positive()).default({}),
    /** Budget for all cameras' segments, GiB (absent: no budget). */
    maxGiB: z.number().positive().optional(),
    /** Keep at least this percentage of the data disk free. */
    minFreePercent: z.number().min(0).max(95).default(5),
    retentionIntervalSeconds: z.number().int().min(1).default(30),
    /** Days the index keeps rows of deleted footage before pruning them (the chain goes on from a checkpoint). */
    expiredIndexDays: z.number().positive().default(30),
    audio: z.enum(['copy', 'aac', 'none']).default('aac'),
  })
  .strict();
export type RecordingConfig = z.infer<typeof RecordingConfigSchema>;


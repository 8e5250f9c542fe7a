/** The `timeseries:` section of the aggregator config (see port.ts). */
import { z } from 'zod';
import { SecretRef } from '@camfleet/shared';

export const TimeSeriesConfigSchema = z.discriminatedUnion('engine', [
  z
    .object({
      engine: z.literal('sqlite'),
      /** Raw health samples are kept this long, then folded to one point per camera and hour. */
      rawHours: z.number().positive().max(24 * 90).default(6),
      /** Health history older than this is deleted. */
      retentionDays: z.number().positive().max(3650).default(30),
      /** How often retention runs. */
      maintainEveryMinutes: z.number().positive().default(10),
    })
    .strict(),
  z
    .object({
      engine: z.literal('victoria'),
      /** VictoriaMetrics' HTTP address, e.g. http://victoria:8428. */
      url: z.string().url(),
      token: SecretRef.optional(),
      /** Passed to the server as -retentionPeriod by `npm run cluster`; the server enforces it. */
      retentionDays: z.number().positive().max(3650).default(30),
      flushIntervalMs: z.number().int().min(10).default(1000),
    })
    .strict(),
]);

export type TimeSeriesConfig = z.infer<typeof TimeSeriesConfigSchema>;

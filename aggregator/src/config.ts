/** The aggregator's configuration file (YAML or JSON), validated at load. */
import { z } from 'zod';
import { loadConfig } from '@camfleet/shared';

const Tls = z
  .object({
    port: z.number().int().min(0).max(65535).default(8883),
    certFile: z.string(),
    keyFile: z.string(),
  })
  .strict();

export const AggregatorConfigSchema = z
  .object({
    /** Where the database, clips and other state live. */
    dataDir: z.string().default('./aggregator-data'),
    mqtt: z
      .object({
        host: z.string().default('0.0.0.0'),
        /** 0 picks a free port (tests). */
        port: z.number().int().min(0).max(65535).default(1883),
        tls: Tls.optional(),
      })
      .strict()
      .default({ host: '0.0.0.0', port: 1883 }),
    http: z
      .object({
        host: z.string().default('0.0.0.0'),
        port: z.number().int().min(0).max(65535).default(8080),
      })
      .strict()
      .default({ host: '0.0.0.0', port: 8080 }),
    log: z.object({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info') }).strict().default({ level: 'info' }),
  })
  .strict();

export type AggregatorConfig = z.infer<typeof AggregatorConfigSchema>;

export function loadAggregatorConfig(file?: string, overrides?: Record<string, unknown>): AggregatorConfig {
  return loadConfig(AggregatorConfigSchema, { file, overrides, ignoreEnv: ['CAMFLEET_LOG_LEVEL', 'CAMFLEET_DEBUG'] });
}

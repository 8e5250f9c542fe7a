/**
 * The `storage:` section of the aggregator config: which relational engine holds the state.
 * SQLite (default) keeps the embedded single process of the demo, a ward or a small town;
 * PostgreSQL lets several aggregator instances share one store.
 */
import { z } from 'zod';
import { SecretRef } from '@camfleet/shared';

export const StorageConfigSchema = z.discriminatedUnion('engine', [
  z.object({ engine: z.literal('sqlite') }).strict(),
  z
    .object({
      engine: z.literal('postgres'),
      /** postgres://user:password@host:5432/db, as a secret (it usually carries the password). */
      url: SecretRef,
      /** Connections per aggregator instance. */
      poolSize: z.number().int().min(1).max(200).default(10),
      /** How long to wait between attempts while PostgreSQL is down at start-up. */
      connectRetryMs: z.number().int().min(50).default(2_000),
    })
    .strict(),
]);

export type StorageConfig = z.infer<typeof StorageConfigSchema>;

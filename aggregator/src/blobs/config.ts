/**
 * `blobs:` in the aggregator's configuration: where clip files live.
 *
 *   blobs: { engine: disk }                  # default: <dataDir>/ (clips/..., as before)
 *   blobs:
 *     engine: s3
 *     endpoint: http://minio:9000
 *     bucket: camfleet-clips
 *     accessKeyId: camfleet
 *     secretAccessKey: { env: S3_SECRET }
 */
import { z } from 'zod';
import { SecretRef, resolveSecret } from '@camfleet/shared';
import { DiskBlobStore } from './disk.ts';
import { S3BlobStore } from './s3.ts';
import type { BlobStore } from './port.ts';

export const BlobsConfigSchema = z.discriminatedUnion('engine', [
  z.object({ engine: z.literal('disk'), dir: z.string().optional() }).strict(),
  z
    .object({
      engine: z.literal('s3'),
      endpoint: z.string().url(),
      region: z.string().default('us-east-1'),
      bucket: z.string().min(3),
      prefix: z.string().default(''),
      accessKeyId: z.string(),
      secretAccessKey: SecretRef,
      createBucket: z.boolean().default(false),
    })
    .strict(),
]);
export type BlobsConfig = z.infer<typeof BlobsConfigSchema>;

export function createBlobStore(cfg: BlobsConfig, dataDir: string): BlobStore {
  if (cfg.engine === 'disk') return new DiskBlobStore(cfg.dir ?? dataDir);
  return new S3BlobStore({ ...cfg, secretAccessKey: resolveSecret(cfg.secretAccessKey) });
}

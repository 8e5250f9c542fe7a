/** The aggregator's configuration file (YAML or JSON), validated at load. */
import { z } from 'zod';
import { loadConfig, SecretRef } from '@camfleet/shared';
import { DashboardConfigSchema } from './dashboard/config.ts';
import { StorageConfigSchema } from './storage/config.ts';
import { TimeSeriesConfigSchema } from './timeseries/config.ts';
import { BrokerConfigSchema } from './transport/config.ts';
import { BlobsConfigSchema } from './blobs/config.ts';

const Tls = z
  .object({
    port: z.number().int().min(0).max(65535).default(8883),
    certFile: z.string(),
    keyFile: z.string(),
    /** CA certificate handed to enrolling agents when the broker's certificate is self-signed/private. */
    caFile: z.string().optional(),
  })
  .strict();

/** Store-and-forward, clip transfer and command settings of the central end of the uplink. */
const Uplink = z
  .object({
    /** MQTT URL given to enrolling agents; default: derived from the enroll request's host and the broker port. */
    publicMqttUrl: z.string().optional(),
    /** Ingest writes are committed in batches of up to this many messages... */
    batchMaxMessages: z.number().int().min(1).max(10_000).default(500),
    /** ...or after this many milliseconds; the agent's PUBACK waits for the commit. */
    batchMaxDelayMs: z.number().int().min(0).max(5_000).default(5),
    /** How long seen (agentId, seq) pairs are kept for de-duplication. */
    dedupWindowHours: z.number().positive().default(7 * 24),
    /** Re-send `clip.need` for a clip that made no progress for this long. */
    clipNeedRetrySeconds: z.number().positive().default(30),
    /** Largest clip the aggregator accepts. */
    maxClipBytes: z.number().int().positive().default(2 * 1024 ** 3),
    /** Default command timeout when the API caller gives none. */
    commandTimeoutSeconds: z.number().positive().max(86_400).default(30),
  })
  .strict();

/** Time-series export (InfluxDB line protocol; VictoriaMetrics accepts it too). */
const Influx = z
  .object({
    url: z.string().url(),
    token: SecretRef.optional(),
    org: z.string().default('camfleet'),
    bucket: z.string().default('camfleet'),
    flushIntervalMs: z.number().int().min(10).default(5_000),
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
        /** Open the plaintext listener on `port`. Set false (with `tls`) for TLS only: agents' secrets never cross the network in clear. */
        plain: z.boolean().default(true),
        /** Key agent secrets are HMAC'd under (>= 32 bytes); default: a random key in <dataDir>/agent-secret.key (0600). */
        agentSecretKey: SecretRef.optional(),
        /** Per-agent payload byte quota: an agent over it is slowed (its PUBACKs wait), others are not. */
        agentBytesPerSecond: z.number().int().min(1024).default(2 * 1024 * 1024),
        agentBurstBytes: z.number().int().min(1024).default(8 * 1024 * 1024),
        /** Larger MQTT packets are refused by cutting the connection before they are buffered. */
        maxPacketBytes: z.number().int().min(1024).default(640 * 1024),
        /** Per-connection publish rate (messages/second, token bucket); a client beyond it is disconnected. */
        publishRatePerSecond: z.number().positive().default(500),
        publishBurst: z.number().int().positive().default(1000),
        /** How often connected agents are checked against revocations made by other processes (CLI). */
        revocationCheckMs: z.number().int().min(50).default(1000),
      })
      .strict()
      .prefault({}),
    http: z
      .object({
        host: z.string().default('0.0.0.0'),
        port: z.number().int().min(0).max(65535).default(8080),
        /** Serve HTTPS instead of HTTP (or terminate TLS in a reverse proxy: see aggregator/src/api/README.md). */
        tls: z.object({ certFile: z.string(), keyFile: z.string() }).strict().optional(),
        /** Largest request body on any route; larger ones are refused with 413 before they are read. */
        maxBodyBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
        /** Open server-sent event streams (GET /api/v1/stream) per user. */
        maxStreamsPerUser: z.number().int().min(1).max(100).default(4),
      })
      .strict()
      .prefault({}),
    uplink: Uplink.prefault({}),
    /** Which transport carries the agents' MQTT: embedded aedes (default) or a RabbitMQ cluster (transport/config.ts). */
    broker: BrokerConfigSchema.default({ engine: 'embedded' }),
    /** Where clips live: files under dataDir (default) or an S3 bucket (blobs/config.ts). */
    blobs: BlobsConfigSchema.default({ engine: 'disk' }),
    metrics: z
      .object({
        influx: Influx.optional(),
        /**
         * GET /metrics (Prometheus). Closed unless one of: `token` (scrapers send
         * `Authorization: Bearer <token>`), or `listen` (served only on that separate, internal
         * address, not on the API port). Both may be set.
         */
        prometheus: z
          .object({
            token: SecretRef.optional(),
            listen: z.object({ host: z.string().default('127.0.0.1'), port: z.number().int().min(0).max(65535) }).strict().optional(),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    /**
     * The audit trail's anchor outside the database (aggregator/src/audit/anchor.ts): a signed head
     * after every entry and a signed checkpoint every `checkpointEvery` entries, so that whoever can
     * write the database cannot rebuild the chain unnoticed. `anchorKey` (>= 32 bytes) should come
     * from a secret store; without it a random key is created in `anchorDir` (mode 0600).
     */
    audit: z
      .object({
        /** Default: <dataDir>/audit-anchor. Put it on storage the database's administrators cannot write. */
        anchorDir: z.string().optional(),
        anchorKey: SecretRef.optional(),
        checkpointEvery: z.number().int().min(1).default(100),
      })
      .strict()
      .prefault({}),
    /** Web dashboard settings (optional map tiles): see dashboard/config.ts. */
    dashboard: DashboardConfigSchema.prefault({}),
    /** Relational store: { engine: sqlite } (embedded, default) or { engine: postgres, url: <SecretRef> }: storage/config.ts. */
    storage: StorageConfigSchema.prefault({ engine: 'sqlite' }),
    /** Health history: { engine: sqlite, rawHours, retentionDays } (default) or { engine: victoria, url, retentionDays }: timeseries/config.ts. */
    timeseries: TimeSeriesConfigSchema.prefault({ engine: 'sqlite' }),
    log: z.object({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info') }).strict().default({ level: 'info' }),
  })
  .strict();

export type AggregatorConfig = z.infer<typeof AggregatorConfigSchema>;

export function loadAggregatorConfig(file?: string, overrides?: Record<string, unknown>): AggregatorConfig {
  return loadConfig(AggregatorConfigSchema, { file, overrides, ignoreEnv: ['CAMFLEET_LOG_LEVEL', 'CAMFLEET_DEBUG'] });
}

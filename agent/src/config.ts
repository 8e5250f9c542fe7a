/** The agent's configuration file (YAML or JSON), validated at load. */
import { join } from 'node:path';
import { z } from 'zod';
import { loadConfig, SecretRef, validateConfig } from '@camfleet/shared';
import { DetectionConfig } from './detection/config.ts';
import { RecordingConfigSchema } from './recorder/config-schema.ts';
import { KeystoreRef } from './keystore/keystore.ts';
import { CAMERA_ID } from './cameras/camera-id.ts';
import { applyManagedOverlay, readManagedOverlay } from './runtime/managed-config.ts';

/** A camera's password: a secret of the box's keystore, or (set by the box's owner only) env, file or value. */
export const CameraSecret = z.union([KeystoreRef, SecretRef]);
export type CameraSecret = z.infer<typeof CameraSecret>;

export const CameraConfigSchema = z
  .object({
    /** Stable id, unique on this site; used in topics' payloads and file names. */
    id: z.string().regex(CAMERA_ID, 'letters, digits, _ and - (max 64)'),
    name: z.string().optional(),
    /** ONVIF device service URL, when the camera speaks ONVIF. */
    onvifUrl: z.string().url().optional(),
    /** RTSP URL of the main stream; found by probing when absent. No credentials in it. */
    rtspUrl: z.string().url().optional(),
    /** RTSP URL of the sub stream (used for detection when present). */
    subRtspUrl: z.string().url().optional(),
    /**
     * The camera's vendor family (a firmware-profiles/ id such as `hikvision`): its URL templates
     * give the streams and snapshot when ONVIF is absent or does not name them.
     */
    vendor: z.string().regex(/^[a-z0-9-]+$/, 'a firmware profile id (e.g. hikvision)').optional(),
    /** The camera's address for the vendor's templates; default: the host of onvifUrl or rtspUrl. */
    host: z.string().min(1).max(253).regex(/^[A-Za-z0-9.:[\]-]+$/, 'a host name or address').optional(),
    /** 1-based channel for the vendor's templates (an NVR input; 1 for a camera). */
    channel: z.number().int().min(1).max(256).optional(),
    rtspPort: z.number().int().min(1).max(65535).optional(),
    httpPort: z.number().int().min(1).max(65535).optional(),
    username: z.string().optional(),
    password: CameraSecret.optional(),
    record: z.boolean().default(true),
    /** Run detection on this camera (settings from the agent's `detection` section). */
    detect: z.boolean().default(true),
  })
  .strict()
  .refine((c) => c.onvifUrl || c.rtspUrl || (c.vendor && c.host), { message: 'a camera needs onvifUrl, rtspUrl, or vendor and host' });
export type CameraConfig = z.infer<typeof CameraConfigSchema>;

export const AgentConfigSchema = z
  .object({
    /** Where the agent keeps its database, recordings and credentials. */
    dataDir: z.string().default('./agent-data'),
    /** The credentials written by `enroll` (mode 0600). Default: <dataDir>/credentials.json. */
    credentialsFile: z.string().optional(),
    /** The box's named secrets (mode 0600, `camfleet-agent secret set`). Default: <dataDir>/keystore.json. */
    keystoreFile: z.string().optional(),
    aggregator: z
      .object({
        /** Overrides the MQTT URL stored with the credentials. */
        mqttUrl: z.string().optional(),
        /** Overrides the HTTP URL stored with the credentials (clock comparison). */
        httpUrl: z.string().url().optional(),
        /** CA certificate for mqtts:// when the aggregator's certificate is not publicly trusted. */
        caFile: z.string().optional(),
      })
      .strict()
      .default({}),
    /** Store-and-forward and bandwidth of the uplink (see agent/src/uplink/README.md). */
    uplink: z
      .object({
        /** Byte budget per second for everything the agent sends (token bucket); 0 = unlimited. */
        bandwidthBytesPerSecond: z.number().int().min(0).default(0),
        /** Messages per second on the uplink; must stay under the aggregator's mqtt.publishRatePerSecond (500). */
        maxMessagesPerSecond: z.number().int().min(0).default(200),
        /** Outbox bound: beyond it, health samples are coalesced (events are never dropped). */
        outboxMaxMessages: z.number().int().min(10).default(100_000),
        outboxMaxBytes: z.number().int().min(64 * 1024).default(512 * 1024 * 1024),
        /** Unacknowledged outbox messages on the wire at once. */
        maxInFlight: z.number().int().min(1).max(1000).default(64),
      })
      .strict()
      .prefault({}),
    heartbeatSeconds: z.number().positive().default(10),
    /** How often ONVIF cameras are probed and checked against the standard again. */
    probeIntervalMinutes: z.number().positive().default(60),
    /** MQTT keepalive: the broker declares the agent dead (last will) after 1.5 times this. */
    keepaliveSeconds: z.number().int().min(1).max(600).default(10),
    cameras: z.array(CameraConfigSchema).default([]),
    /** Detection settings for every camera (motion gating, objects, tamper, sound); `{}` is a working default. */
    detection: DetectionConfig.default(DetectionConfig.parse({})),
    /** Segment length, retention (age, byte budget, free-space floor): see agent/src/recorder/README.md. */
    recording: RecordingConfigSchema.prefault({}),
    log: z.object({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info') }).strict().default({ level: 'info' }),
  })
  .strict();
export type AgentConfig = z.infer<typeof AgentConfigSchema>;

/**
 * The box's file (and CAMFLEET_* variables), then the settings the centre manages
 * (`<dataDir>/managed-config.json`, written by `config.apply`) laid over it. The centre's file
 * holds only the keys it may change (runtime/remote-config.ts); the box's file is never written.
 */
export function loadAgentConfig(file?: string, overrides?: Record<string, unknown>): AgentConfig {
  const boxOnly = loadBoxConfig(file, overrides);
  const overlay = readManagedOverlay(managedConfigPath(boxOnly));
  if (!overlay) return boxOnly;
  const combined = applyManagedOverlay(AgentConfigSchema.parse(boxOnly) as unknown as Record<string, unknown>, overlay);
  return validateConfig(AgentConfigSchema, combined, `${file ?? 'configuration'} + ${managedConfigPath(boxOnly)}`);
}

/** The box's own configuration (file and CAMFLEET_* variables), without the centre's settings. */
export function loadBoxConfig(file?: string, overrides?: Record<string, unknown>): AgentConfig {
  return loadConfig(AgentConfigSchema, { file, overrides, ignoreEnv: ['CAMFLEET_LOG_LEVEL', 'CAMFLEET_DEBUG'] });
}

/** Where the centre-managed settings are kept (beside the agent's data, never in the box's file). */
export function managedConfigPath(config: Pick<AgentConfig, 'dataDir'>): string {
  return join(config.dataDir, 'managed-config.json');
}

export function keystorePath(config: Pick<AgentConfig, 'dataDir' | 'keystoreFile'>): string {
  return config.keystoreFile ?? join(config.dataDir, 'keystore.json');
}

export function credentialsPath(config: AgentConfig): string {
  return config.credentialsFile ?? join(config.dataDir, 'credentials.json');
}

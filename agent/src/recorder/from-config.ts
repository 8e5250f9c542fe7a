/**
 * The agent configuration's `recording` section, and a SiteRecorder built from an agent
 * configuration: every camera with `record: true` and an `rtspUrl`, its credentials (username +
 * SecretRef password) put into the URL that only ffmpeg sees.
 */
import { resolveSecret, type Logger } from '@camfleet/shared';
import type { AgentDb } from '../storage/db.ts';
import { SiteRecorder, type RecordedCamera } from './site-recorder.ts';
import { RecordingConfigSchema, type RecordingConfig } from './config-schema.ts';

export { RecordingConfigSchema, type RecordingConfig };

const HOUR_MS = 3_600_000;

export interface ConfiguredCamera {
  id: string;
  rtspUrl?: string;
  username?: string;
  password?: Parameters<typeof resolveSecret>[0];
  record?: boolean;
}

/** The URL ffmpeg gets: the configured one with the camera's credentials in it. */
export function recordingUrl(c: ConfiguredCamera, env: NodeJS.ProcessEnv = process.env): string {
  const url = new URL(c.rtspUrl!);
  if (c.username) {
    url.username = encodeURIComponent(c.username);
    if (c.password) url.password = encodeURIComponent(resolveSecret(c.password, env));
  }
  return url.toString();
}

export function siteRecorderFromConfig(
  config: { dataDir: string; cameras: ConfiguredCamera[]; recording?: Partial<RecordingConfig> },
  opts: { logger?: Logger; db?: AgentDb; env?: NodeJS.ProcessEnv } = {},
): SiteRecorder {
  const r = RecordingConfigSchema.parse(config.recording ?? {});
  const cameras: RecordedCamera[] = config.cameras
    .filter((c) => c.record !== false && c.rtspUrl)
    .map((c) => ({ id: c.id, rtspUrl: recordingUrl(c, opts.env), audio: r.audio }));
  return new SiteRecorder({
    dataDir: config.dataDir,
    cameras,
    segmentSeconds: r.segmentSeconds,
    retention: {
      defaultMaxAgeMs: r.maxAgeHours === undefined ? undefined : r.maxAgeHours * HOUR_MS,
      maxAgeMs: Object.fromEntries(Object.entries(r.cameraMaxAgeHours).map(([id, h]) => [id, h * HOUR_MS])),
      maxBytes: r.maxGiB === undefined ? undefined : Math.floor(r.maxGiB * 2 ** 30),
      minFreePercent: r.minFreePercent,
      expiredRowsKeepMs: r.expiredIndexDays * 24 * HOUR_MS,
    },
    retentionIntervalMs: r.retentionIntervalSeconds * 1000,
    logger: opts.logger,
    db: opts.db,
  });
}

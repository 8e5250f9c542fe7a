/**
 * What the agent knows about each camera it manages: the probed record (ONVIF), its
 * conformance result against the city standard, and the stream URLs to record and analyse.
 *
 * Cameras with an `onvifUrl` are probed and checked at start and then every
 * `probeIntervalMinutes` (and on a `reprobe` command); a configured `rtspUrl` wins over the
 * probed one. Factory passwords are tried only by the technician's `check`, never by these
 * periodic re-checks, so a running agent cannot lock a camera out.
 */
import { resolveSecret, type CameraRecord, type ConformanceResult, type Logger } from '@camfleet/shared';
import type { CameraConfig } from '../config.ts';
import { checkTarget, loadStandard, type CheckOutcome } from '../conformance/index.ts';
import type { Credentials } from '../onvif/auth.ts';

export interface InventoryEntry {
  record?: CameraRecord;
  conformance?: ConformanceResult;
  /** Why the last probe failed, when it did. */
  probeError?: string;
  probedAt?: string;
}

export type Checker = (target: string, credentials: Credentials | undefined) => Promise<CheckOutcome>;

/** Main stream = the profile with the most pixels; sub stream = the one with the fewest, if different. */
export function pickStreams(record: CameraRecord): { main?: string; sub?: string } {
  const withUri = record.profiles.filter((p) => p.streamUri);
  if (withUri.length === 0) return {};
  const byPixels = [...withUri].sort((a, b) => b.width * b.height - a.width * a.height);
  const main = byPixels[0]!;
  const sub = byPixels[byPixels.length - 1]!;
  return { main: main.streamUri, sub: sub !== main ? sub.streamUri : undefined };
}

export class CameraInventory {
  private readonly entries = new Map<string, InventoryEntry>();

  constructor(
    private readonly cameras: readonly CameraConfig[],
    private readonly logger: Logger,
    private readonly check: Checker = defaultChecker(),
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  entry(id: string): InventoryEntry {
    return this.entries.get(id) ?? {};
  }

  /** The URL to record: configured, else the probed main stream. Without credentials. */
  streamUrl(camera: CameraConfig): string | undefined {
    const record = this.entries.get(camera.id)?.record;
    return camera.rtspUrl ?? (record ? pickStreams(record).main : undefined);
  }

  subStreamUrl(camera: CameraConfig): string | undefined {
    const record = this.entries.get(camera.id)?.record;
    return camera.subRtspUrl ?? (record ? pickStreams(record).sub : undefined);
  }

  /** The picture size of one of the camera's streams, when the probe saw it. */
  streamSize(cameraId: string, streamUrl: string): { width: number; height: number } | undefined {
    const p = this.entries.get(cameraId)?.record?.profiles.find((pr) => pr.streamUri === streamUrl);
    return p && p.width > 0 && p.height > 0 ? { width: p.width, height: p.height } : undefined;
  }

  /** Probes and checks every ONVIF camera, a few at a time; never throws. */
  async probeAll(concurrency = 4): Promise<void> {
    const queue = this.cameras.filter((c) => c.onvifUrl);
    const worker = async () => {
      for (let c = queue.shift(); c; c = queue.shift()) await this.probeOne(c);
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
  }

  async probeOne(camera: CameraConfig): Promise<InventoryEntry> {
    if (!camera.onvifUrl) return this.entry(camera.id);
    const previous = this.entries.get(camera.id) ?? {};
    try {
      const credentials = camera.username
        ? { username: camera.username, password: camera.password ? resolveSecret(camera.password, this.env) : '' }
        : undefined;
      const outcome = await this.check(camera.onvifUrl, credentials);
      const entry: InventoryEntry = { record: outcome.probe.record, conformance: outcome.result, probedAt: new Date().toISOString() };
      this.entries.set(camera.id, entry);
      this.logger.info({ camera: camera.id, verdict: outcome.result.verdict }, 'camera probed and checked');
      return entry;
    } catch (err) {
      // Keep what an earlier probe found: a camera that is briefly away keeps its record.
      const entry: InventoryEntry = { ...previous, probeError: (err as Error).message, probedAt: new Date().toISOString() };
      this.entries.set(camera.id, entry);
      this.logger.warn({ camera: camera.id, err: (err as Error).message }, 'camera probe failed');
      return entry;
    }
  }
}

function defaultChecker(): Checker {
  const standard = loadStandard();
  return (target, credentials) => checkTarget(target, credentials, { standard, defaultCredentialAttempts: 0 });
}

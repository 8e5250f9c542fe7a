/**
 * What the agent knows about each camera it manages: the probed record (ONVIF), its
 * conformance result against the city standard, and the stream URLs to record and analyse.
 *
 * Cameras with an `onvifUrl` are probed and checked at start and then every
 * `probeIntervalMinutes` (and on a `reprobe` command). A stream URL comes from, in order: the
 * configuration (`rtspUrl`, `subRtspUrl`), the ONVIF probe, and the vendor family's URL templates
 * (firmware-profiles/) when ONVIF is absent or names no stream: the family configured as
 * `vendor`, else the one the probe recognised. Factory passwords are tried only by the
 * technician's `check`, never by these periodic re-checks, so a running agent cannot lock a
 * camera out.
 */
import type { CameraRecord, ConformanceResult, Logger } from '@camfleet/shared';
import type { CameraConfig } from '../config.ts';
import { checkTarget, loadStandard, type CheckOutcome } from '../conformance/index.ts';
import type { Credentials } from '../onvif/auth.ts';
import { profiles as loadedProfiles, type FirmwareProfile } from '../firmware/index.ts';
import { plainPassword } from './secrets.ts';
import { vendorUrls, type VendorUrls } from './vendor-urls.ts';

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

/** The host the vendor's templates are filled with: configured, else that of the ONVIF or RTSP URL. */
function templateHost(c: CameraConfig): string | undefined {
  if (c.host) return c.host;
  for (const u of [c.onvifUrl, c.rtspUrl]) {
    if (!u) continue;
    try {
      return new URL(u).hostname;
    } catch {
      // validated by the schema; ignore
    }
  }
  return undefined;
}

export class CameraInventory {
  private readonly entries = new Map<string, InventoryEntry>();
  private cameras: readonly CameraConfig[];

  /** `cameras` with their passwords resolved (cameras/secrets.ts). */
  constructor(
    cameras: readonly CameraConfig[],
    private readonly logger: Logger,
    private readonly check: Checker = defaultChecker(),
    private readonly profiles: () => readonly FirmwareProfile[] = loadedProfiles,
  ) {
    this.cameras = cameras;
  }

  /** A new camera list (a configuration reload): entries of removed cameras are forgotten. */
  setCameras(cameras: readonly CameraConfig[]): void {
    this.cameras = cameras;
    const ids = new Set(cameras.map((c) => c.id));
    for (const id of [...this.entries.keys()]) if (!ids.has(id)) this.entries.delete(id);
  }

  entry(id: string): InventoryEntry {
    return this.entries.get(id) ?? {};
  }

  /** Forgets what was probed of a camera (its address or credentials changed). */
  forget(id: string): void {
    this.entries.delete(id);
  }

  /** The URL to record: configured, else the probed main stream, else the vendor's template. Without credentials. */
  streamUrl(camera: CameraConfig): string | undefined {
    const record = this.entries.get(camera.id)?.record;
    return camera.rtspUrl ?? (record ? pickStreams(record).main : undefined) ?? this.templates(camera).main;
  }

  subStreamUrl(camera: CameraConfig): string | undefined {
    const record = this.entries.get(camera.id)?.record;
    if (camera.subRtspUrl) return camera.subRtspUrl;
    const probed = record ? pickStreams(record) : {};
    if (probed.sub) return probed.sub;
    // A probed main without a sub: the template's sub only when the main is the template's too
    // (mixing a probed stream with a guessed one could name two different encoders).
    const t = this.templates(camera);
    return probed.main || camera.rtspUrl ? undefined : t.sub;
  }

  /** Where a JPEG of the camera is fetched: the probed snapshot URI, else the vendor's template. */
  snapshotUrl(camera: CameraConfig): string | undefined {
    return this.entries.get(camera.id)?.record?.profiles.find((p) => p.snapshotUri)?.snapshotUri ?? this.templates(camera).snapshot;
  }

  /** The vendor family whose templates apply: configured, else recognised by the probe. */
  vendorProfile(camera: CameraConfig): FirmwareProfile | undefined {
    const id = camera.vendor ?? this.entries.get(camera.id)?.record?.firmwareProfile;
    if (!id) return undefined;
    return this.profiles().find((p) => p.id === id);
  }

  private templates(camera: CameraConfig): VendorUrls {
    const profile = this.vendorProfile(camera);
    const host = templateHost(camera);
    if (!profile || !host) return {};
    return vendorUrls(profile, { host, rtspPort: camera.rtspPort, httpPort: camera.httpPort, channel: camera.channel });
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
      const credentials = camera.username ? { username: camera.username, password: plainPassword(camera) ?? '' } : undefined;
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

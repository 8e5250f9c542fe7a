/**
 * The agent's answers to the centre's commands that concern its cameras, configuration and
 * sharing (clip requests are in uplink/clip-request.ts, transfer control in uplink/clips.ts).
 */
import { redactUrlsIn } from '@camfleet/shared';
import type { AgentConfig, CameraConfig } from '../config.ts';
import type { CameraInventory } from '../cameras/inventory.ts';
import { recordingUrl } from '../recorder/from-config.ts';
import { snapshot } from '../health/snapshot.ts';
import { CommandError, type CommandDispatcher } from '../uplink/commands.ts';
import { applyRemotePatch, ConfigPatchError } from './config-apply.ts';
import { cameraHosts, type KeystoreView } from './remote-config.ts';
import { parseSharingUpdate, SharingUpdateError, type SharingLevel, type SharingState } from './sharing.ts';
import { plainPassword, type ResolvedCamera } from '../cameras/secrets.ts';

/** A snapshot must fit in one reply message with room to spare. */
const MAX_SNAPSHOT_BYTES = 300 * 1024;

export interface RuntimeCommandDeps {
  commands: CommandDispatcher;
  /** The cameras as configured now (passwords as references), and with their secrets resolved. */
  cameras(): readonly CameraConfig[];
  resolved(id: string): ResolvedCamera | undefined;
  inventory: CameraInventory;
  reprobe(): Promise<void>;
  /** The running configuration, against which a remote patch is checked. */
  config(): AgentConfig;
  /** The centre-managed settings file; without one, config.apply is refused. */
  managedFile?: string;
  /** The box's keystore as the policy sees it: names and host bindings (never values), and binding. */
  keystore(): KeystoreView & { bind(bindings: ReadonlyMap<string, readonly string[]>): void };
  /** The box's own configuration (its file, without the centre's settings), when there is a file. */
  boxConfig(): AgentConfig | undefined;
  /** Called after a config change was written and acknowledged, with the new configuration. */
  reload?(config: AgentConfig): void;
  sharing: SharingState;
  /** Cancels clip uploads (made under a grant now revoked). */
  cancelClips(clipIds: string[]): void;
}

/** The URL when its host is one of the camera's configured hosts (or the camera has none configured). */
function onCameraHost(c: ResolvedCamera, url: string | undefined): string | undefined {
  if (!url) return undefined;
  const hosts = cameraHosts(c);
  try {
    return hosts.size === 0 || hosts.has(new URL(url).hostname.toLowerCase().replace(/^\[|\]$/g, '')) ? url : undefined;
  } catch {
    return undefined;
  }
}

/** The grant a footage command was authorised under, when the centre says so (a grantee's access). */
export function grantOf(args: Record<string, unknown>): string | undefined {
  if (args.grantId === undefined || args.grantId === null) return undefined;
  if (typeof args.grantId !== 'string' || args.grantId.length === 0) throw new CommandError('bad-args', 'grantId must be a grant id');
  return args.grantId;
}

/** Refuses footage of a grant that is revoked, unknown here, or does not share this level. */
export function checkShared(sharing: SharingState, cameraId: string, args: Record<string, unknown>, level: SharingLevel): void {
  const verdict = sharing.mayServe(cameraId, grantOf(args), level);
  if (!verdict.ok) throw new CommandError(verdict.code, verdict.message);
}

export function registerRuntimeCommands(deps: RuntimeCommandDeps): void {
  const camera = (args: Record<string, unknown>): ResolvedCamera => {
    if (typeof args.cameraId !== 'string') throw new CommandError('bad-args', 'cameraId must be a camera id');
    const c = deps.resolved(args.cameraId);
    if (!c) throw new CommandError('unknown-camera', `no camera '${args.cameraId.slice(0, 64)}' on this agent`);
    return c;
  };

  deps.commands.register('reprobe', async () => {
    await deps.reprobe();
    return {
      cameras: deps.cameras().map((c) => {
        const e = deps.inventory.entry(c.id);
        return { id: c.id, verdict: e.conformance?.verdict ?? null, probeError: e.probeError ?? null };
      }),
    };
  });

  deps.commands.register('snapshot', async (args) => {
    const c = camera(args);
    checkShared(deps.sharing, c.id, args, 'snapshots');
    const streamUrl = deps.inventory.streamUrl(c);
    // The probed snapshot URI (or the vendor's template); HTTP Basic would hand the password to
    // whatever host it names, so one outside the camera's own hosts is not used.
    const snapshotUri = onCameraHost(c, deps.inventory.snapshotUrl(c));
    const credentials = c.username ? { username: c.username, password: plainPassword(c) ?? '' } : undefined;
    const jpeg = await snapshot({
      snapshotUri,
      streamUrl: streamUrl ? recordingUrl({ ...c, rtspUrl: streamUrl }) : undefined,
      credentials,
    }).catch((err: Error) => {
      // ffmpeg and HTTP errors can echo the URL; never send credentials back.
      throw new CommandError('snapshot-failed', redactUrlsIn(err.message));
    });
    if (jpeg.length > MAX_SNAPSHOT_BYTES) throw new CommandError('too-large', `snapshot is ${jpeg.length} bytes, more than a reply carries`);
    // A revocation may have arrived while the frame was being taken.
    checkShared(deps.sharing, c.id, args, 'snapshots');
    return { cameraId: c.id, takenAt: new Date().toISOString(), jpegBase64: jpeg.toString('base64') };
  });

  deps.commands.register('config.apply', (args) => {
    if (!deps.managedFile) throw new CommandError('no-config-file', 'this agent keeps no centre-managed settings');
    try {
      const { config, diff } = applyRemotePatch(deps.managedFile, deps.config(), args.patch, deps.keystore(), deps.boxConfig());
      // Reload after the reply is on its way, so the centre hears that the change was taken.
      if (diff.length > 0) setTimeout(() => deps.reload?.(config), 500).unref();
      return { changed: [...new Set(diff.map((d) => d.path.split('.').slice(0, d.path.startsWith('cameras.') ? 2 : 1).join('.')))], diff, reloading: diff.length > 0 };
    } catch (err) {
      if (err instanceof ConfigPatchError) throw new CommandError('invalid-config', err.message);
      throw err;
    }
  });

  deps.commands.register('sharing.update', (args) => {
    let update;
    try {
      update = parseSharingUpdate(args);
    } catch (err) {
      if (err instanceof SharingUpdateError) throw new CommandError('bad-args', err.message);
      throw err;
    }
    const { revokedClips } = deps.sharing.apply(update);
    deps.cancelClips(revokedClips);
    return { grantId: update.grantId, change: update.change, cameras: update.cameras.map((c) => c.cameraId), cancelledClips: revokedClips.length };
  });
}

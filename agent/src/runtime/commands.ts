/**
 * The agent's answers to the centre's commands that concern its cameras and configuration
 * (clip requests are in uplink/clip-request.ts, transfer control in uplink/clips.ts).
 */
import { resolveSecret } from '@camfleet/shared';
import type { CameraConfig } from '../config.ts';
import type { CameraInventory } from '../cameras/inventory.ts';
import { recordingUrl } from '../recorder/from-config.ts';
import { snapshot } from '../health/snapshot.ts';
import { CommandError, type CommandDispatcher } from '../uplink/commands.ts';
import { applyPatchToFile, ConfigPatchError } from './config-apply.ts';

/** A snapshot must fit in one reply message with room to spare. */
const MAX_SNAPSHOT_BYTES = 300 * 1024;

export interface RuntimeCommandDeps {
  commands: CommandDispatcher;
  cameras: readonly CameraConfig[];
  inventory: CameraInventory;
  reprobe(): Promise<void>;
  /** The file `run` was started with; without one, config.apply is refused. */
  configFile?: string;
  /** Called after a config change was written and acknowledged. */
  restart?(): void;
}

export function registerRuntimeCommands(deps: RuntimeCommandDeps): void {
  const camera = (args: Record<string, unknown>): CameraConfig => {
    const c = deps.cameras.find((cam) => cam.id === args.cameraId);
    if (!c) throw new CommandError('unknown-camera', `no camera '${String(args.cameraId)}' on this agent`);
    return c;
  };

  deps.commands.register('reprobe', async () => {
    await deps.reprobe();
    return {
      cameras: deps.cameras.map((c) => {
        const e = deps.inventory.entry(c.id);
        return { id: c.id, verdict: e.conformance?.verdict ?? null, probeError: e.probeError ?? null };
      }),
    };
  });

  deps.commands.register('snapshot', async (args) => {
    const c = camera(args);
    const streamUrl = deps.inventory.streamUrl(c);
    const record = deps.inventory.entry(c.id).record;
    const credentials = c.username ? { username: c.username, password: c.password ? resolveSecret(c.password) : '' } : undefined;
    const jpeg = await snapshot({
      snapshotUri: record?.profiles.find((p) => p.snapshotUri)?.snapshotUri,
      streamUrl: streamUrl ? recordingUrl({ ...c, rtspUrl: streamUrl }) : undefined,
      credentials,
    }).catch((err: Error) => {
      // ffmpeg and HTTP errors can echo the URL; never send credentials back.
      throw new CommandError('snapshot-failed', err.message.replace(/[a-z]+:\/\/[^@\s/]*@/gi, (m) => m.replace(/\/\/.*@/, '//')));
    });
    if (jpeg.length > MAX_SNAPSHOT_BYTES) throw new CommandError('too-large', `snapshot is ${jpeg.length} bytes, more than a reply carries`);
    return { cameraId: c.id, takenAt: new Date().toISOString(), jpegBase64: jpeg.toString('base64') };
  });

  deps.commands.register('config.apply', (args) => {
    if (!deps.configFile) throw new CommandError('no-config-file', 'this agent was started without a config file');
    try {
      const changed = applyPatchToFile(deps.configFile, args.patch);
      // Restart after the reply is on its way, so the centre hears that the change was taken.
      setTimeout(() => deps.restart?.(), 500).unref();
      return { changed, restarting: true };
    } catch (err) {
      if (err instanceof ConfigPatchError) throw new CommandError('invalid-config', err.message);
      throw err;
    }
  });
}

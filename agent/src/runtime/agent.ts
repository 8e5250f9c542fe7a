/**
 * The running agent (`camfleet-agent run`), assembled in one place: the shared context, then the
 * components in start order (uplink, probing, recording, commands, detection, reporting), each
 * with start/stop and a reload that touches only what changed. Capabilities live in their own
 * modules (recorder, detection, uplink, cameras); this file only connects them.
 */
import { mkdirSync, unwatchFile, watchFile } from 'node:fs';
import { join } from 'node:path';
import { setMaxListeners } from 'node:events';
import { createLogger, type CameraReport, type Logger, type Message } from '@camfleet/shared';
import { credentialsPath, keystorePath, loadBoxConfig, managedConfigPath, type AgentConfig } from '../config.ts';
import { readCredentials } from '../uplink/credentials.ts';
import { SeqCounter } from '../uplink/seq.ts';
import { Uplink } from '../uplink/connection.ts';
import { UPLINK_MIGRATIONS } from '../uplink/schema.ts';
import { openAgentDb } from '../storage/db.ts';
import { registerClipRequest } from '../uplink/clip-request.ts';
import { CommandError } from '../uplink/commands.ts';
import { CameraInventory } from '../cameras/inventory.ts';
import { Keystore } from '../keystore/keystore.ts';
import { registerRuntimeCommands, checkShared, grantOf } from './commands.ts';
import { needsRestart, reloadComponents, startComponents, stopComponents, type Component } from './components.ts';
import { resolveCameras, type RuntimeContext } from './context.ts';
import { DetectionComponent } from './detecting.ts';
import { ProbingComponent } from './probing.ts';
import { RecordingComponent } from './recording.ts';
import { ReportingComponent } from './reporting.ts';
import { SHARING_MIGRATIONS, SharingState } from './sharing.ts';
import { keystoreHosts } from './remote-config.ts';
import { LiveStreamer } from '../live/streamer.ts';

export interface RunningAgent {
  agentId: string;
  uplink: Uplink;
  /** The latest camera reports (what the last `cameras` message said). */
  cameras(): CameraReport[];
  /** Probes and checks every ONVIF camera again and reports the result (the `reprobe` command). */
  reprobe(): Promise<void>;
  /** Applies a new configuration in place; false when it needs a restart (which was requested). */
  reload(config: AgentConfig): Promise<boolean>;
  /** The components, for status and tests (recording, detection...). */
  readonly parts: { recording: RecordingComponent; detection: DetectionComponent; sharing: SharingState; inventory: CameraInventory };
  stop(): Promise<void>;
}

export interface StartOptions {
  /** The box's config file `run` was started with (the centre's changes go beside the data, not in it). */
  configFile?: string;
  /** Asked for when a change can only be applied by stopping and starting again. */
  requestRestart?(): void;
}

export async function startAgent(
  config: AgentConfig,
  logger: Logger = createLogger('agent', { level: config.log.level }),
  options: StartOptions = {},
): Promise<RunningAgent> {
  mkdirSync(config.dataDir, { recursive: true });
  const credentials = readCredentials(credentialsPath(config));
  const mqttUrl = config.aggregator.mqttUrl ?? credentials.mqttUrl;
  if (!mqttUrl) throw new Error('no aggregator MQTT URL: set aggregator.mqttUrl or enroll again');
  const keystore = new Keystore(keystorePath(config));
  const db = openAgentDb(config.dataDir, [...UPLINK_MIGRATIONS, ...SHARING_MIGRATIONS]);

  let reporting: ReportingComponent | undefined;
  const uplink = new Uplink({
    credentials,
    mqttUrl,
    caFile: config.aggregator.caFile ?? credentials.caFile,
    db,
    bandwidthBytesPerSecond: config.uplink.bandwidthBytesPerSecond,
    maxMessagesPerSecond: config.uplink.maxMessagesPerSecond,
    outboxMaxMessages: config.uplink.outboxMaxMessages,
    outboxMaxBytes: config.uplink.outboxMaxBytes,
    maxInFlight: config.uplink.maxInFlight,
    keepaliveSeconds: config.keepaliveSeconds,
    seq: new SeqCounter(join(config.dataDir, 'seq.json')),
    logger,
    onConnect: () => reporting?.onConnect(),
    // Held until every component registered its commands (released below).
    holdCommands: true,
    onCommand: (m: Message<'command'>) => logger.info({ command: m.body.name }, 'command received'),
  });

  const cameras = resolveCameras(config, keystore, logger);
  // The keystore secrets the configuration uses are bound to their cameras' hosts (remote-config.ts).
  try {
    keystore.bind(keystoreHosts(config.cameras));
  } catch (err) {
    logger.warn({ err: (err as Error).message }, 'keystore not updated');
  }
  const ctx: RuntimeContext = {
    config,
    cameras,
    logger,
    agentId: credentials.agentId,
    db,
    uplink,
    keystore,
    inventory: new CameraInventory(cameras, logger),
    sharing: new SharingState(db),
  };

  const recording = new RecordingComponent(ctx);
  // Every pending event clip waits on this signal; there can be many at once.
  const shutdown = new AbortController();
  setMaxListeners(0, shutdown.signal);
  let deliverClip: ReturnType<typeof registerClipRequest> | undefined;
  const detection = new DetectionComponent(ctx, (r) => {
    if (!deliverClip) return;
    void deliverClip
      .deliver({
        cameraId: r.cameraId,
        fromMs: r.fromMs,
        toMs: r.toMs,
        reason: r.reason,
        eventId: r.eventId,
        // The last segment covering the post-roll is closed and indexed a segment later.
        notBeforeMs: r.toMs + (ctx.config.recording.segmentSeconds + 5) * 1000,
        signal: shutdown.signal,
      })
      .catch((err) => {
        if (!shutdown.signal.aborted) logger.warn({ camera: r.cameraId, err: (err as Error).message }, 'event clip not delivered');
      });
  });
  reporting = new ReportingComponent(ctx, recording, config.aggregator.httpUrl ?? credentials.httpUrl);
  const afterProbe = async () => {
    // Only the cameras whose streams the probe found or moved get a new recorder and detector.
    await recording.sync();
    await detection.sync();
    await reporting!.refresh();
    await reporting!.publishCameras();
  };
  const probing = new ProbingComponent(ctx, { afterProbe });

  const cancelClips = (clipIds: string[]) => {
    for (const id of clipIds) {
      uplink.clips.cancel(id);
      ctx.sharing.forgetClip(id);
    }
    if (clipIds.length) logger.info({ clips: clipIds.length }, 'clip uploads of a revoked share cancelled');
  };
  const commands: Component = {
    name: 'commands',
    start() {
      deliverClip = registerClipRequest(uplink, recording.index, ctx.config.dataDir, logger, {
        authorize: (cameraId, args) => checkShared(ctx.sharing, cameraId, args, 'clips'),
        offered: (clipId, cameraId, args) => {
          const grantId = grantOf(args);
          if (!grantId) return;
          ctx.sharing.trackClip(clipId, grantId, cameraId);
          // Revoked while the clip was being cut: cancel it before a chunk leaves.
          const verdict = ctx.sharing.mayServe(cameraId, grantId, 'clips');
          if (!verdict.ok) {
            cancelClips([clipId]);
            throw new CommandError(verdict.code, verdict.message);
          }
        },
      });
      uplink.clips.onFinished((clipId) => ctx.sharing.forgetClip(clipId));
      registerRuntimeCommands({
        commands: uplink.commands,
        cameras: () => ctx.config.cameras,
        resolved: (id) => ctx.cameras.find((c) => c.id === id),
        inventory: ctx.inventory,
        reprobe: () => probing.reprobe(),
        config: () => ctx.config,
        managedFile: managedConfigPath(ctx.config),
        keystore: () => ({ names: new Set(keystore.names()), boundHosts: (n) => keystore.boundHosts(n), bind: (b) => keystore.bind(b) }),
        boxConfig: () => (options.configFile ? loadBoxConfig(options.configFile) : undefined),
        reload: (next) => void reload(next),
        sharing: ctx.sharing,
        cancelClips,
      });
      // A revocation that came while a clip of its grant was being cut (or before a crash).
      cancelClips(ctx.sharing.clipsOfRevoked());
    },
    stop() {
      shutdown.abort();
    },
  };
  const uplinkPart: Component = {
    name: 'uplink',
    start() {},
    async stop() {
      await uplink.close();
      db.close();
    },
  };

  // Live view on demand: dials out to the centre's relay (agent/src/live/README.md).
  const live = new LiveStreamer({
    commands: uplink.commands,
    agentId: credentials.agentId,
    password: credentials.password,
    httpUrl: config.aggregator.httpUrl ?? credentials.httpUrl,
    caFile: config.aggregator.caFile ?? credentials.caFile,
    camera: (id) => ctx.cameras.find((c) => c.id === id),
    inventory: ctx.inventory,
    sharing: ctx.sharing,
    logger,
  });
  const components: Component[] = [uplinkPart, probing, recording, commands, live, detection, reporting];
  await startComponents(components, logger);
  uplink.commands.release();
  // A secret changed on the box (`secret set`) reaches the cameras that use it: the same
  // configuration is reloaded, which replaces only the recorders and detectors whose resolved
  // credentials changed. Polled (cheap stat), so it also sees the file's atomic replacement.
  const onKeystore = (now: { mtimeMs: number }, before: { mtimeMs: number }) => {
    if (now.mtimeMs !== before.mtimeMs) void reload(ctx.config);
  };
  watchFile(keystore.file, { interval: 2000, persistent: false }, onKeystore);
  logger.info({ agentId: credentials.agentId, cameras: config.cameras.length }, 'agent started');

  let reloading = Promise.resolve(true);
  async function apply(next: AgentConfig): Promise<boolean> {
    const prev = ctx.config;
    const restartFor = needsRestart(next, prev);
    if (restartFor.length) {
      logger.info({ keys: restartFor }, 'configuration change needs a restart of the runtime');
      options.requestRestart?.();
      return false;
    }
    ctx.config = next;
    ctx.cameras = resolveCameras(next, keystore, logger);
    ctx.inventory.setCameras(ctx.cameras);
    const ok = await reloadComponents([probing, recording, detection], next, prev);
    if (!ok) {
      options.requestRestart?.();
      return false;
    }
    await reporting!.refresh();
    await reporting!.publishCameras();
    logger.info({ cameras: next.cameras.length }, 'configuration reloaded');
    return true;
  }
  /** Reloads one at a time: a second change waits for the first. */
  function reload(next: AgentConfig): Promise<boolean> {
    reloading = reloading.then(() => apply(next)).catch((err) => {
      logger.error({ err: (err as Error).message }, 'reload failed; restarting the runtime');
      options.requestRestart?.();
      return false;
    });
    return reloading;
  }

  return {
    agentId: credentials.agentId,
    uplink,
    cameras: () => reporting!.cameras(),
    reprobe: () => probing.reprobe(),
    reload,
    parts: { recording, detection, sharing: ctx.sharing, inventory: ctx.inventory },
    async stop() {
      unwatchFile(keystore.file, onKeystore);
      await reloading.catch(() => undefined);
      await stopComponents(components, logger);
    },
  };
}

/**
 * The running agent: wires the uplink to the site's cameras and the box's own figures. Each
 * capability (recording, detection, probing) lives in its own module; this file connects them.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, redactUrl, type CameraReport, type Logger, type Message } from '@camfleet/shared';
import { credentialsPath, type AgentConfig, type CameraConfig } from '../config.ts';
import { readCredentials } from '../uplink/credentials.ts';
import { SeqCounter } from '../uplink/seq.ts';
import { Uplink } from '../uplink/connection.ts';
import { UPLINK_MIGRATIONS } from '../uplink/schema.ts';
import { openAgentDb } from '../storage/db.ts';
import { recordingUrl, siteRecorderFromConfig } from '../recorder/from-config.ts';
import { SiteDetection } from './detection.ts';
import { registerClipRequest } from '../uplink/clip-request.ts';
import { registerRuntimeCommands } from './commands.ts';
import { setMaxListeners } from 'node:events';
import { rtspAlive } from '../cameras/rtsp-check.ts';
import { CameraInventory } from '../cameras/inventory.ts';
import { AgentHealthSampler } from '../health/agent-health.ts';
import { measureClockOffset } from '../system/clock.ts';
import { AGENT_BUILD, AGENT_VERSION } from '../version.ts';

export interface RunningAgent {
  agentId: string;
  uplink: Uplink;
  /** The latest camera reports (what the last `cameras` message said). */
  cameras(): CameraReport[];
  /** Probes and checks every ONVIF camera again and reports the result (the `reprobe` command). */
  reprobe(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** The config file the agent runs from; `config.apply` writes the centre's changes into it. */
  configFile?: string;
  /** Asked for after a configuration change, to stop and start again with the new file. */
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
  const startedAt = new Date();
  // The box's figures, CPU counted for the agent and its ffmpeg children together.
  let childPids: () => number[] = () => [];
  const box = new AgentHealthSampler(config.dataDir, () => childPids(), startedAt.getTime());
  // The clock offset against the centre, measured every few minutes (alerts on skew use it).
  const httpUrl = config.aggregator.httpUrl ?? credentials.httpUrl;
  let clockOffsetMs: number | undefined;
  const measureClock = async () => {
    if (httpUrl) clockOffsetMs = (await measureClockOffset(httpUrl))?.offsetMs ?? clockOffsetMs;
  };
  void measureClock();
  const clockTimer = setInterval(() => void measureClock(), 5 * 60_000);
  clockTimer.unref();
  /** The camera list the aggregator last acknowledged; a (re)connect forgets it so it is sent again. */
  let lastPublished: string | undefined;
  let reports: CameraReport[] = config.cameras.map((c) => ({ id: c.id, name: c.name, online: false, recording: false }));

  const db = openAgentDb(config.dataDir, UPLINK_MIGRATIONS);
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
    onConnect: () => {
      lastPublished = undefined;
      void publishCameras();
      void publishHeartbeat();
    },
    onCommand: (m: Message<'command'>) => logger.info({ command: m.body.name }, 'command received'),
  });

  // Probing and the conformance check (agent/src/cameras/inventory.ts): ONVIF cameras are
  // probed before recording starts, since the probe is what finds their stream URLs.
  const inventory = new CameraInventory(config.cameras, logger);
  await inventory.probeAll();
  /** The stream URLs recording and detection were built with. */
  const streamsAtStart = streamsOf(config.cameras, inventory);

  // Recording (agent/src/recorder): one supervised ffmpeg per camera, indexed in the same
  // database; its events (gaps, retention losses, full disk, camera on/offline) go to the outbox.
  const recorder = siteRecorderFromConfig(
    { ...config, cameras: config.cameras.map((c) => ({ ...c, rtspUrl: inventory.streamUrl(c) })) },
    { logger, db },
  );
  childPids = () => recorder.childPids();
  recorder.on('event', (e) => {
    uplink.publish('event', { ...e, data: e.data ?? {} }).catch((err) => logger.warn({ err: (err as Error).message }, 'event publish failed'));
  });

  // Detection (agent/src/detection): each camera's sub stream, motion-gated; events go to the
  // outbox, and each asks for a clip of the buffer around it.
  const shutdown = new AbortController();
  // Every pending event clip waits on this signal; there can be many at once.
  setMaxListeners(0, shutdown.signal);
  const clips = registerClipRequest(uplink, recorder.index, config.dataDir, logger);
  const detection = new SiteDetection({
    cameras: config.cameras.flatMap((c) => {
      const url = c.detect ? (inventory.subStreamUrl(c) ?? inventory.streamUrl(c)) : undefined;
      if (!url) return [];
      return [{ id: c.id, url: recordingUrl({ ...c, rtspUrl: url }), ...inventory.streamSize(c.id, url), config: config.detection }];
    }),
    logger,
    onEvent: (e) => void uplink.publish('event', e).catch((err) => logger.warn({ err: (err as Error).message }, 'event publish failed')),
    requestClip: (r) =>
      void clips
        .deliver({
          cameraId: r.cameraId,
          fromMs: r.fromMs,
          toMs: r.toMs,
          reason: r.reason,
          eventId: r.eventId,
          // The last segment covering the post-roll is closed and indexed a segment later.
          notBeforeMs: r.toMs + (config.recording.segmentSeconds + 5) * 1000,
          signal: shutdown.signal,
        })
        .catch((err) => {
          if (!shutdown.signal.aborted) logger.warn({ camera: r.cameraId, err: (err as Error).message }, 'event clip not delivered');
        }),
  });

  async function cameraReport(c: CameraConfig): Promise<CameraReport> {
    const url = inventory.streamUrl(c);
    const { record, conformance, probeError } = inventory.entry(c.id);
    const online = url ? await rtspAlive(url) : false;
    return {
      id: c.id,
      name: c.name,
      online,
      recording: recorder.health().find((h) => h.cameraId === c.id)?.recording ?? false,
      record,
      conformance,
      problem: online
        ? undefined
        : url
          ? `RTSP not answering at ${redactUrl(url)}`
          : `no stream URL known${probeError ? ` (ONVIF probe failed: ${probeError.slice(0, 200)})` : ''}`,
    };
  }

  async function reprobe(cameras: readonly CameraConfig[] = config.cameras): Promise<void> {
    await Promise.all(cameras.map((c) => inventory.probeOne(c)));
    await refreshCameras();
    await publishCameras();
    // A camera that was away at start, or moved its streams: recording and detection are built
    // from the streams, so start again with the new ones.
    if (streamsOf(config.cameras, inventory) !== streamsAtStart && options.requestRestart) {
      logger.info('camera streams changed; restarting recording and detection');
      options.requestRestart();
    }
  }
  registerRuntimeCommands({
    commands: uplink.commands,
    cameras: config.cameras,
    inventory,
    reprobe,
    configFile: options.configFile,
    restart: options.requestRestart,
  });
  const probeTimer = setInterval(() => void reprobe(), config.probeIntervalMinutes * 60_000);
  probeTimer.unref();
  // Cameras whose streams are still unknown (off at start, wrong password fixed since) are
  // tried every minute rather than every probe interval.
  const retryTimer = setInterval(() => {
    const unresolved = config.cameras.filter((c) => c.onvifUrl && !inventory.streamUrl(c));
    if (unresolved.length) void reprobe(unresolved);
  }, 60_000);
  retryTimer.unref();

  async function refreshCameras(): Promise<void> {
    reports = await Promise.all(config.cameras.map(cameraReport));
  }

  async function publishCameras(): Promise<void> {
    const snapshot = JSON.stringify(reports);
    if (!uplink.connected || snapshot === lastPublished) return;
    try {
      await uplink.publish('cameras', { cameras: reports });
      lastPublished = snapshot;
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'cameras publish failed');
    }
  }

  async function publishHeartbeat(): Promise<void> {
    if (!uplink.connected) return;
    await uplink
      .publish('heartbeat', {
        version: AGENT_VERSION,
        build: AGENT_BUILD,
        startedAt: startedAt.toISOString(),
        cameraCount: config.cameras.length,
        ...box.sample(),
        outboxPending: uplink.outbox.stats().messages,
        clockOffsetMs,
      })
      .catch((err) => logger.warn({ err: err.message }, 'heartbeat publish failed'));
  }

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  async function tick(): Promise<void> {
    if (stopped) return;
    await refreshCameras();
    await publishCameras();
    await publishHeartbeat();
    await uplink.publish('health', { sampledAt: new Date().toISOString(), cameras: recorder.health() }).catch(() => undefined);
    if (!stopped) timer = setTimeout(tick, config.heartbeatSeconds * 1000);
  }
  await recorder.start();
  detection.start();
  await refreshCameras();
  timer = setTimeout(tick, 0);
  logger.info({ agentId: credentials.agentId, cameras: config.cameras.length }, 'agent started');

  return {
    agentId: credentials.agentId,
    uplink,
    cameras: () => reports,
    reprobe,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      clearInterval(probeTimer);
      clearInterval(retryTimer);
      clearInterval(clockTimer);
      shutdown.abort();
      await detection.stop();
      await recorder.stop();
      await uplink.close();
      db.close();
    },
  };
}

/** The main and sub stream URL of each camera, as one comparable string. */
function streamsOf(cameras: readonly CameraConfig[], inventory: CameraInventory): string {
  return JSON.stringify(cameras.map((c) => [c.id, inventory.streamUrl(c) ?? null, inventory.subStreamUrl(c) ?? null]));
}

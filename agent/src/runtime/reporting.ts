/**
 * The reporting component: every `heartbeatSeconds` the camera list (when it changed), the
 * heartbeat with the box's figures, and the recorders' health; the clock offset against the
 * centre every few minutes. The camera list is sent again after each (re)connect.
 */
import { redactUrl, type CameraReport } from '@camfleet/shared';
import type { CameraConfig } from '../config.ts';
import { rtspAlive } from '../cameras/rtsp-check.ts';
import { AgentHealthSampler } from '../health/agent-health.ts';
import { measureClockOffset } from '../system/clock.ts';
import { AGENT_BUILD, AGENT_VERSION } from '../version.ts';
import type { Component } from './components.ts';
import type { RuntimeContext } from './context.ts';
import type { RecordingComponent } from './recording.ts';

export class ReportingComponent implements Component {
  readonly name = 'reporting';
  private readonly startedAt = new Date();
  private readonly box: AgentHealthSampler;
  private reports: CameraReport[];
  /** The camera list the aggregator last acknowledged; a (re)connect forgets it so it is sent again. */
  private lastPublished: string | undefined;
  private clockOffsetMs: number | undefined;
  private clockTimer: NodeJS.Timeout | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;

  constructor(
    private readonly ctx: RuntimeContext,
    private readonly recording: RecordingComponent,
    /** The centre's HTTP URL, for the clock comparison. */
    private readonly httpUrl: string | undefined,
  ) {
    // The box's figures, CPU counted for the agent and its ffmpeg children together.
    this.box = new AgentHealthSampler(ctx.config.dataDir, () => recording.childPids(), this.startedAt.getTime());
    this.reports = ctx.config.cameras.map((c) => ({ id: c.id, name: c.name, online: false, recording: false }));
  }

  cameras(): CameraReport[] {
    return this.reports;
  }

  start(): Promise<void> {
    this.stopped = false;
    void this.measureClock();
    this.clockTimer = setInterval(() => void this.measureClock(), 5 * 60_000);
    this.clockTimer.unref();
    this.timer = setTimeout(() => void this.tick(), 0);
    return this.refresh();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.clockTimer);
  }

  /** Called on every (re)connect of the uplink. */
  onConnect(): void {
    this.lastPublished = undefined;
    void this.publishCameras();
    void this.publishHeartbeat();
  }

  private async measureClock(): Promise<void> {
    if (this.httpUrl) this.clockOffsetMs = (await measureClockOffset(this.httpUrl))?.offsetMs ?? this.clockOffsetMs;
  }

  private async cameraReport(c: CameraConfig): Promise<CameraReport> {
    const { inventory } = this.ctx;
    const url = inventory.streamUrl(c);
    const { record, conformance, probeError } = inventory.entry(c.id);
    const online = url ? await rtspAlive(url) : false;
    return {
      id: c.id,
      name: c.name,
      online,
      recording: this.recording.health().find((h) => h.cameraId === c.id)?.recording ?? false,
      record,
      conformance,
      problem: online
        ? undefined
        : url
          ? `RTSP not answering at ${redactUrl(url)}`
          : `no stream URL known${probeError ? ` (ONVIF probe failed: ${probeError.slice(0, 200)})` : ''}`,
    };
  }

  async refresh(): Promise<void> {
    this.reports = await Promise.all(this.ctx.cameras.map((c) => this.cameraReport(c)));
  }

  async publishCameras(): Promise<void> {
    const { uplink, logger } = this.ctx;
    const snapshot = JSON.stringify(this.reports);
    if (!uplink.connected || snapshot === this.lastPublished) return;
    try {
      await uplink.publish('cameras', { cameras: this.reports });
      this.lastPublished = snapshot;
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'cameras publish failed');
    }
  }

  private async publishHeartbeat(): Promise<void> {
    const { uplink, logger, config } = this.ctx;
    if (!uplink.connected) return;
    await uplink
      .publish('heartbeat', {
        version: AGENT_VERSION,
        build: AGENT_BUILD,
        startedAt: this.startedAt.toISOString(),
        cameraCount: config.cameras.length,
        ...this.box.sample(),
        outboxPending: uplink.outbox.stats().messages,
        clockOffsetMs: this.clockOffsetMs,
      })
      .catch((err) => logger.warn({ err: (err as Error).message }, 'heartbeat publish failed'));
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    await this.refresh();
    await this.publishCameras();
    await this.publishHeartbeat();
    await this.ctx.uplink.publish('health', { sampledAt: new Date().toISOString(), cameras: this.recording.health() }).catch(() => undefined);
    // heartbeatSeconds is read each time: a reload changes the pace without a restart.
    if (!this.stopped) this.timer = setTimeout(() => void this.tick(), this.ctx.config.heartbeatSeconds * 1000);
  }
}

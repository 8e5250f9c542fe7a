/**
 * The probing component: ONVIF cameras probed and checked every `probeIntervalMinutes`, those
 * whose streams are still unknown (off at start, wrong password fixed since) every minute, and
 * at once on the `reprobe` command. When a probe finds or moves a camera's streams, only that
 * camera's recorder and detector are replaced (RecordingComponent/DetectionComponent.sync).
 */
import type { AgentConfig, CameraConfig } from '../config.ts';
import type { Component } from './components.ts';
import type { RuntimeContext } from './context.ts';

export interface ProbingHooks {
  /** After probes: bring recorders, detectors and the camera reports in line. */
  afterProbe(): Promise<void>;
}

export class ProbingComponent implements Component {
  readonly name = 'probing';
  private probeTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ctx: RuntimeContext,
    private readonly hooks: ProbingHooks,
  ) {}

  /** Probes (by default every camera) again, then applies what changed. */
  async reprobe(cameras: readonly CameraConfig[] = this.ctx.cameras): Promise<void> {
    await Promise.all(cameras.map((c) => this.ctx.inventory.probeOne(c)));
    await this.hooks.afterProbe();
  }

  /** The first probe, before recording starts: the probe is what finds ONVIF cameras' streams. */
  async start(): Promise<void> {
    await this.ctx.inventory.probeAll();
    this.arm();
  }

  private arm(): void {
    clearInterval(this.probeTimer);
    clearInterval(this.retryTimer);
    this.probeTimer = setInterval(() => void this.reprobe(), this.ctx.config.probeIntervalMinutes * 60_000);
    this.probeTimer.unref();
    this.retryTimer = setInterval(() => {
      const unresolved = this.ctx.cameras.filter((c) => c.onvifUrl && !this.ctx.inventory.streamUrl(c));
      if (unresolved.length) void this.reprobe(unresolved);
    }, 60_000);
    this.retryTimer.unref();
  }

  stop(): void {
    clearInterval(this.probeTimer);
    clearInterval(this.retryTimer);
  }

  /** Cameras whose address or credentials changed are probed afresh; the timers follow the new interval. */
  async reload(next: AgentConfig, prev: AgentConfig): Promise<boolean> {
    const changed = this.ctx.cameras.filter((c) => {
      const before = prev.cameras.find((p) => p.id === c.id);
      const after = next.cameras.find((p) => p.id === c.id);
      return !before || JSON.stringify(probeFacts(before)) !== JSON.stringify(probeFacts(after!));
    });
    for (const c of changed) this.ctx.inventory.forget(c.id);
    await Promise.all(changed.filter((c) => c.onvifUrl).map((c) => this.ctx.inventory.probeOne(c)));
    if (next.probeIntervalMinutes !== prev.probeIntervalMinutes) this.arm();
    return true;
  }
}

function probeFacts(c: CameraConfig): unknown[] {
  return [c.onvifUrl, c.username, c.password, c.vendor, c.host, c.channel, c.rtspPort, c.httpPort];
}

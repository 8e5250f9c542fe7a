/**
 * The detection component: SiteDetection (detection.ts) kept in line with the cameras. A camera
 * added, removed, or whose analysed stream or detection settings changed starts or stops only
 * its own pipeline; the others and the shared detector go on.
 */
import type { ClipRequest } from '../detection/index.ts';
import { recordingUrl } from '../recorder/from-config.ts';
import { syncWorkers, type Component } from './components.ts';
import type { RuntimeContext } from './context.ts';
import { SiteDetection, type DetectedCamera } from './detection.ts';

export class DetectionComponent implements Component {
  readonly name = 'detection';
  private site: SiteDetection | undefined;
  private readonly running = new Map<string, string>();
  /** What the last sync changed (status and tests: a reload touches only these cameras). */
  lastSync: { added: string[]; removed: string[] } = { added: [], removed: [] };

  constructor(
    private readonly ctx: RuntimeContext,
    private readonly requestClip: (r: ClipRequest) => void,
  ) {}

  private wanted(): Map<string, { spec: string; value: DetectedCamera }> {
    const out = new Map<string, { spec: string; value: DetectedCamera }>();
    const { inventory } = this.ctx;
    for (const c of this.ctx.cameras) {
      const url = c.detect ? (inventory.subStreamUrl(c) ?? inventory.streamUrl(c)) : undefined;
      if (!url) continue;
      const value: DetectedCamera = { id: c.id, url: recordingUrl({ ...c, rtspUrl: url }), ...inventory.streamSize(c.id, url), config: this.ctx.config.detection };
      out.set(c.id, { spec: JSON.stringify(value), value });
    }
    return out;
  }

  async start(): Promise<void> {
    this.site = new SiteDetection({
      cameras: [],
      logger: this.ctx.logger,
      onEvent: (e) => void this.ctx.uplink.publish('event', e).catch((err) => this.ctx.logger.warn({ err: (err as Error).message }, 'event publish failed')),
      requestClip: this.requestClip,
    });
    this.site.start();
    await this.sync();
  }

  async stop(): Promise<void> {
    await this.site?.stop();
    this.site = undefined;
    this.running.clear();
  }

  /** The cameras being analysed now. */
  cameraIds(): string[] {
    return this.site?.cameraIds() ?? [];
  }

  async sync(): Promise<{ added: string[]; removed: string[] }> {
    const site = this.site;
    if (!site) return { added: [], removed: [] };
    const result = await syncWorkers(this.running, this.wanted(), {
      add: (_id, cam) => site.addCamera(cam),
      remove: (id) => site.removeCamera(id),
    });
    if (result.added.length || result.removed.length) this.ctx.logger.info(result, 'detection pipelines changed');
    this.lastSync = result;
    return result;
  }

  async reload(): Promise<boolean> {
    await this.sync();
    return true;
  }
}

/**
 * The recording component: one SiteRecorder (agent/src/recorder) for the site, one ffmpeg per
 * camera. A camera-list change or a camera whose streams the probe found (or moved) adds or
 * removes only that camera's recorder; a change of the `recording` section (segment length,
 * retention) rebuilds the site recorder, which the other components never notice.
 */
import type { RecordingConfig } from '../recorder/config-schema.ts';
import { recordingUrl, siteRecorderFromConfig } from '../recorder/from-config.ts';
import type { SiteRecorder } from '../recorder/site-recorder.ts';
import type { RecordedCamera } from '../recorder/site-recorder.ts';
import type { SegmentIndex } from '../storage/segment-index.ts';
import type { AgentConfig } from '../config.ts';
import { syncWorkers, type Component } from './components.ts';
import type { RuntimeContext } from './context.ts';

export class RecordingComponent implements Component {
  readonly name = 'recording';
  private site: SiteRecorder | undefined;
  /** Camera id → the spec its recorder was started with. */
  private readonly running = new Map<string, string>();
  /** What the last sync changed (status and tests: a reload touches only these cameras). */
  lastSync: { added: string[]; removed: string[] } = { added: [], removed: [] };

  constructor(private readonly ctx: RuntimeContext) {}

  /** The segment index (shared database): valid across rebuilds. */
  get index(): SegmentIndex {
    return this.recorder().index;
  }

  recorder(): SiteRecorder {
    if (!this.site) throw new Error('recording is not started');
    return this.site;
  }

  health() {
    return this.site?.health() ?? [];
  }

  childPids(): number[] {
    return this.site?.childPids() ?? [];
  }

  /** The cameras to record now, with the URL (credentials included) each recorder gets. */
  private wanted(): Map<string, { spec: string; value: RecordedCamera }> {
    const out = new Map<string, { spec: string; value: RecordedCamera }>();
    const audio = this.ctx.config.recording.audio;
    for (const c of this.ctx.cameras) {
      const url = this.ctx.inventory.streamUrl(c);
      if (!c.record || !url) continue;
      const value: RecordedCamera = { id: c.id, rtspUrl: recordingUrl({ ...c, rtspUrl: url }), audio };
      out.set(c.id, { spec: JSON.stringify(value), value });
    }
    return out;
  }

  async start(): Promise<void> {
    const wanted = this.wanted();
    // Started with every camera at once, so that the recorder accounts for the holes an earlier
    // run left (crash, power cut) in each camera's record; later changes go camera by camera.
    const site = siteRecorderFromConfig(
      {
        dataDir: this.ctx.config.dataDir,
        cameras: this.ctx.cameras.flatMap((c) => (wanted.has(c.id) ? [{ ...c, rtspUrl: this.ctx.inventory.streamUrl(c) }] : [])),
        recording: this.ctx.config.recording,
      },
      { logger: this.ctx.logger, db: this.ctx.db },
    );
    site.on('event', (e) => {
      this.ctx.uplink.publish('event', { ...e, data: e.data ?? {} }).catch((err) => this.ctx.logger.warn({ err: (err as Error).message }, 'event publish failed'));
    });
    this.site = site;
    await site.start();
    for (const [id, w] of wanted) this.running.set(id, w.spec);
  }

  async stop(): Promise<void> {
    await this.site?.stop();
    this.site = undefined;
    this.running.clear();
  }

  /** Adds, removes or replaces only the recorders whose camera changed. */
  async sync(): Promise<{ added: string[]; removed: string[] }> {
    const site = this.recorder();
    const result = await syncWorkers(this.running, this.wanted(), {
      add: (_id, cam) => site.addCamera(cam),
      remove: (id) => site.removeCamera(id),
    });
    if (result.added.length || result.removed.length) this.ctx.logger.info(result, 'recorders changed');
    this.lastSync = result;
    return result;
  }

  async reload(next: AgentConfig, prev: AgentConfig): Promise<boolean> {
    if (sameRecording(next.recording, prev.recording)) {
      await this.sync();
      return true;
    }
    this.ctx.logger.info('recording settings changed; restarting the recorder');
    await this.stop();
    await this.start();
    return true;
  }
}

function sameRecording(a: RecordingConfig, b: RecordingConfig): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

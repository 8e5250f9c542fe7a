/**
 * Detection on the site's cameras: one shared detector (the network is loaded once), one
 * pipeline per camera fed by a low-rate ffmpeg decode of its sub stream, restarted with backoff
 * when the camera goes away. Events and clip requests go to the callbacks the runtime gives.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { EventBody, type Logger } from '@camfleet/shared';
import {
  DetectionPipeline,
  FfmpegFrameSource,
  createDetector,
  pipelineSettings,
  probeMedia,
  runFeed,
  type ClipRequest,
  type DetectionConfig,
  type Detector,
} from '../detection/index.ts';
import type { BodyOf } from '@camfleet/shared';

export interface DetectedCamera {
  id: string;
  /** The stream to analyse (sub stream preferred), credentials included: never logged. */
  url: string;
  /** The picture size, when the probe knew it; otherwise read from the stream. */
  width?: number;
  height?: number;
  config: DetectionConfig;
}

export interface SiteDetectionOptions {
  cameras: DetectedCamera[];
  logger: Logger;
  onEvent(event: BodyOf<'event'>): void;
  requestClip?(request: ClipRequest): void;
  /** First and longest wait between reconnects. */
  backoffMs?: { min: number; max: number };
}

export class SiteDetection {
  private stopped = false;
  private readonly abort = new AbortController();
  private readonly sources = new Set<FfmpegFrameSource>();
  private readonly loops: Promise<void>[] = [];
  private readonly detectors = new Map<string, Promise<Detector>>();

  constructor(private readonly opts: SiteDetectionOptions) {}

  start(): void {
    for (const camera of this.opts.cameras) {
      if (camera.config.enabled) this.loops.push(this.runCamera(camera));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await Promise.all([...this.sources].map((s) => s.close()));
    await Promise.all(this.loops);
  }

  private detector(backend: DetectionConfig['backend']): Promise<Detector> {
    let d = this.detectors.get(backend);
    if (!d) {
      // One thread per inference: measured as the efficient setting on a small box (see the detection bench).
      d = createDetector(backend, { threads: 1 });
      this.detectors.set(backend, d);
    }
    return d;
  }

  private async runCamera(camera: DetectedCamera): Promise<void> {
    const { logger } = this.opts;
    const backoff = this.opts.backoffMs ?? { min: 2_000, max: 60_000 };
    let wait = backoff.min;
    let pipeline: DetectionPipeline | undefined;
    while (!this.stopped) {
      try {
        const info = camera.width && camera.height ? undefined : await probeMedia(camera.url);
        const width = camera.width ?? info!.width;
        const height = camera.height ?? info!.height;
        pipeline ??= new DetectionPipeline({
          cameraId: camera.id,
          detector: await this.detector(camera.config.backend),
          sourceWidth: width,
          sourceHeight: height,
          ...pipelineSettings(camera.config),
          onEvent: (e) => this.opts.onEvent(EventBody.parse(e)),
          requestClip: this.opts.requestClip,
          onError: (err) => logger.warn({ camera: camera.id, err: err.message }, 'detection error'),
        });
        const source = new FfmpegFrameSource({
          input: camera.url,
          sourceWidth: width,
          sourceHeight: height,
          fps: camera.config.fps,
          audio: info?.hasAudio ?? false,
          clock: 'wall',
        });
        this.sources.add(source);
        const started = Date.now();
        try {
          await runFeed(source, pipeline);
          await source.done();
        } finally {
          this.sources.delete(source);
        }
        if (Date.now() - started > 60_000) wait = backoff.min;
      } catch (err) {
        if (this.stopped) break;
        logger.warn({ camera: camera.id, err: (err as Error).message }, 'detection feed stopped; retrying');
      }
      if (this.stopped) break;
      // Jitter so that cameras behind one dead switch do not reconnect in lockstep.
      await sleep(wait * (0.5 + Math.random() / 2), undefined, { signal: this.abort.signal }).catch(() => undefined);
      wait = Math.min(backoff.max, wait * 2);
    }
  }
}

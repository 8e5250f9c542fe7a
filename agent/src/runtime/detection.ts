/**
 * Detection on the site's cameras: one shared detector (the network is loaded once), one
 * pipeline per camera fed by a low-rate ffmpeg decode of its sub stream, restarted with backoff
 * when the camera goes away. Events and clip requests go to the callbacks the runtime gives.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { EventBody, type Logger } from '@camfleet/shared';
import type { ClipRequest, DetectionConfig, DetectionPipeline, Detector, FfmpegFrameSource } from '../detection/index.ts';
import type { BodyOf } from '@camfleet/shared';
import { backoffDelay } from '../recorder/backoff.ts';

/**
 * The detection modules (pipeline, tracker, frame decoding, the detector and its onnxruntime) are
 * loaded on the first camera that is analysed, not when the agent starts: an agent with no camera
 * or with detection off does not carry them in memory (issue 17: idle RSS).
 */
let detectionModules: Promise<typeof import('../detection/index.ts')> | undefined;
const loadDetection = () => (detectionModules ??= import('../detection/index.ts'));

export interface DetectedCamera {
  id: string;
  /** The stream to analyse (sub stream preferred), credentials included: never logged. */
  url: string;
  /** The picture size, when the probe knew it; otherwise read from the stream. */
  width?: number;
  height?: number;
  /** Whether the stream carries audio, when known; otherwise a probe of the stream tells. */
  hasAudio?: boolean;
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
  /** One running loop per camera, each stoppable on its own (a camera removed or changed). */
  private readonly running = new Map<string, { abort: AbortController; sources: Set<FfmpegFrameSource>; loop: Promise<void> }>();
  private readonly detectors = new Map<string, Promise<Detector>>();

  constructor(private readonly opts: SiteDetectionOptions) {}

  start(): void {
    for (const camera of this.opts.cameras) this.addCamera(camera);
  }

  /** The cameras analysed now. */
  cameraIds(): string[] {
    return [...this.running.keys()];
  }

  /** Starts analysing one camera while the others go on; a disabled camera is not started. */
  addCamera(camera: DetectedCamera): void {
    if (this.stopped || !camera.config.enabled || this.running.has(camera.id)) return;
    const entry = { abort: new AbortController(), sources: new Set<FfmpegFrameSource>(), loop: Promise.resolve() };
    this.running.set(camera.id, entry);
    entry.loop = this.runCamera(camera, entry.abort.signal, entry.sources);
  }

  /** Stops analysing one camera (its decoder closed); the others go on. */
  async removeCamera(cameraId: string): Promise<boolean> {
    const entry = this.running.get(cameraId);
    if (!entry) return false;
    this.running.delete(cameraId);
    entry.abort.abort();
    await Promise.all([...entry.sources].map((s) => s.close()));
    await entry.loop;
    return true;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.running.keys()].map((id) => this.removeCamera(id)));
  }

  private detector(backend: DetectionConfig['backend'], model: DetectionConfig['model']): Promise<Detector> {
    const key = `${backend}/${model}`;
    let d = this.detectors.get(key);
    if (!d) {
      // One thread per inference: measured as the efficient setting on a small box (see the detection bench).
      d = loadDetection().then((m) => m.createDetector(backend, { threads: 1, model }));
      this.detectors.set(key, d);
    }
    return d;
  }

  private async runCamera(camera: DetectedCamera, signal: AbortSignal, sources: Set<FfmpegFrameSource>): Promise<void> {
    const { logger } = this.opts;
    const backoff = this.opts.backoffMs ?? { min: 2_000, max: 60_000 };
    const policy = { initialMs: backoff.min, maxMs: backoff.max };
    let attempt = 0;
    let pipeline: DetectionPipeline | undefined;
    while (!signal.aborted) {
      try {
        const { DetectionPipeline, FfmpegFrameSource, pipelineSettings, probeMedia, runFeed } = await loadDetection();
        // Probed whenever size or audio is unknown: loud-sound detection needs to know the stream
        // has audio, and the camera's probe record does not say (issue 15: sound never ran).
        const info = camera.width && camera.height && camera.hasAudio !== undefined ? undefined : await probeMedia(camera.url);
        const width = camera.width ?? info!.width;
        const height = camera.height ?? info!.height;
        pipeline ??= new DetectionPipeline({
          cameraId: camera.id,
          detector: await this.detector(camera.config.backend, camera.config.model),
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
          audio: camera.hasAudio ?? info?.hasAudio ?? false,
          clock: 'wall',
        });
        sources.add(source);
        // Removed while the source was being set up: close it rather than leave it running.
        if (signal.aborted) await source.close();
        const started = Date.now();
        try {
          await runFeed(source, pipeline);
          await source.done();
        } finally {
          sources.delete(source);
        }
        if (Date.now() - started > 60_000) attempt = 0;
      } catch (err) {
        if (signal.aborted) break;
        logger.warn({ camera: camera.id, err: (err as Error).message }, 'detection feed stopped; retrying');
      }
      if (signal.aborted) break;
      // The recorder's backoff (jittered, so cameras behind one dead switch do not reconnect in lockstep).
      await sleep(backoffDelay(attempt++, policy), undefined, { signal }).catch(() => undefined);
    }
  }
}

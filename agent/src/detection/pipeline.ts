// One camera's detection pipeline: frames → tamper check and motion gate (cheap, every frame) →
// bounded queue → object detector → tracker → events; audio → loud-sound detector → events.
// The queue holds at most `queueSize` frames: when the detector falls behind, the oldest
// waiting frame is dropped (counted in stats), so a slow box sees fewer frames, never a backlog.
import { randomUUID } from 'node:crypto';
import type { EventBody } from '@camfleet/shared';
import type { z } from 'zod';
import type { Detector } from './detectors/detector.ts';
import { MotionDetector, type MotionConfig } from './motion/motion-detector.ts';
import { snapshotBase64 } from './snapshot/snapshot.ts';
import { LoudSoundDetector, type SoundConfig } from './sound/loud-sound.ts';
import { TamperDetector, type TamperConfig } from './tamper/tamper-detector.ts';
import { type Track, Tracker, type TrackerConfig } from './tracker/tracker.ts';
import type { Box, Detection, Frame } from './types.ts';

export type DetectionEvent = z.input<typeof EventBody>;

/** What the pipeline asks of the recorder: keep and offer footage around an event. */
export interface ClipRequest {
  eventId: string;
  cameraId: string;
  fromMs: number;
  toMs: number;
  reason: string;
}

export interface DetectionPipelineOptions {
  cameraId: string;
  detector: Detector;
  /** Camera picture size; boxes in events are in these pixels. Default: the frame's size. */
  sourceWidth?: number;
  sourceHeight?: number;
  /** false: every frame goes to the detector (no gating). */
  motion?: MotionConfig | false;
  tracker?: TrackerConfig;
  tamper?: TamperConfig | false;
  sound?: SoundConfig | false;
  queueSize?: number;
  prerollMs?: number;
  postrollMs?: number;
  onEvent: (event: DetectionEvent) => void;
  /** Every detector result, boxes in source pixels (the `detect` command prints these). */
  onDetections?: (frame: Frame, detections: Detection[]) => void;
  requestClip?: (request: ClipRequest) => void;
  onError?: (err: Error) => void;
}

export interface PipelineStats {
  frames: number;
  motionFrames: number;
  detectedFrames: number;
  droppedFrames: number;
  events: number;
  /** Tracks that ended without ever overlapping motion: not reported. */
  stationaryTracks: number;
  detectMsTotal: number;
}

const iso = (ms: number) => new Date(ms).toISOString();
const overlaps = (a: Box, b: Box) => a[0] < b[0] + b[2] && b[0] < a[0] + a[2] && a[1] < b[1] + b[3] && b[1] < a[1] + a[3];

export class DetectionPipeline {
  readonly stats: PipelineStats = { frames: 0, motionFrames: 0, detectedFrames: 0, droppedFrames: 0, events: 0, stationaryTracks: 0, detectMsTotal: 0 };
  private readonly motion?: MotionDetector;
  private readonly tamper?: TamperDetector;
  private readonly sound?: LoudSoundDetector;
  private readonly tracker: Tracker<Frame>;
  private readonly queue: Array<{ frame: Frame; regions?: Box[] }> = [];
  /** Tracks seen overlapping a motion region at least once (parked cars never are). */
  private readonly movedTracks = new Set<number>();
  private readonly queueSize: number;
  private busy = false;
  private idleWaiters: Array<() => void> = [];
  private readonly tamperEvents = new Map<string, { eventId: string; startedMs: number }>();

  constructor(private readonly options: DetectionPipelineOptions) {
    if (options.motion !== false) this.motion = new MotionDetector(options.motion ?? {});
    if (options.tamper !== false) this.tamper = new TamperDetector(options.tamper ?? {});
    if (options.sound !== false) this.sound = new LoudSoundDetector(options.sound ?? {});
    this.tracker = new Tracker<Frame>(options.tracker ?? {});
    this.queueSize = Math.max(1, options.queueSize ?? 2);
  }

  /** Never blocks: cheap analysis now, detection queued (or dropped when the queue is full). */
  pushFrame(frame: Frame): void {
    this.stats.frames++;
    if (this.tamper) for (const change of this.tamper.update(frame)) this.onTamper(frame, change.kind, change.state, change.value, change.relearned);
    const motion = this.motion?.update(frame);
    const moving = motion ? motion.motion : true;
    if (!moving) {
      if (!this.busy && this.queue.length === 0) this.endTracks(this.tracker.expire(frame.timeMs));
      return;
    }
    this.stats.motionFrames++;
    if (this.queue.length >= this.queueSize) {
      this.queue.shift();
      this.stats.droppedFrames++;
    }
    this.queue.push({ frame, regions: motion?.regions });
    if (!this.busy) void this.drain();
  }

  /** s16 mono samples at the sound config's sample rate, first sample captured at startMs. */
  pushAudio(samples: Int16Array, startMs: number): void {
    if (!this.sound) return;
    for (const loud of this.sound.push(samples, startMs)) {
      const eventId = randomUUID();
      const clip = this.clip(eventId, loud.timeMs, loud.timeMs, 'loud sound');
      this.emit({
        eventId,
        kind: 'sound',
        cameraId: this.options.cameraId,
        startedAt: iso(loud.timeMs),
        endedAt: iso(loud.timeMs),
        data: { peakDbfs: loud.peakDbfs, backgroundDbfs: loud.backgroundDbfs, clip },
      });
    }
  }

  /** Resolves when the queue is empty and the detector is idle. */
  idle(): Promise<void> {
    if (!this.busy && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Processes what is queued, then ends every open track (end of a file, shutdown). */
  async finish(): Promise<void> {
    await this.idle();
    this.endTracks(this.tracker.flush());
  }

  private async drain(): Promise<void> {
    this.busy = true;
    try {
      for (let item = this.queue.shift(); item; item = this.queue.shift()) {
        const { frame, regions } = item;
        const started = performance.now();
        let detections: Detection[];
        try {
          detections = await this.options.detector.detect(frame);
        } catch (err) {
          this.options.onError?.(err as Error);
          continue;
        }
        this.stats.detectMsTotal += performance.now() - started;
        this.stats.detectedFrames++;
        this.options.onDetections?.(frame, detections.map((d) => ({ ...d, box: this.toSource(frame, d.box) })));
        const update = this.tracker.update(detections, frame.timeMs, frame);
        detections.forEach((d, i) => {
          if (!regions || regions.some((r) => overlaps(r, d.box))) this.movedTracks.add(update.assignments[i]!);
        });
        this.endTracks(update.ended);
      }
    } finally {
      this.busy = false;
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  private toSource(frame: Frame, box: Box): Box {
    const kx = (this.options.sourceWidth ?? frame.width) / frame.width;
    const ky = (this.options.sourceHeight ?? frame.height) / frame.height;
    return [Math.round(box[0] * kx), Math.round(box[1] * ky), Math.round(box[2] * kx), Math.round(box[3] * ky)];
  }

  private clip(eventId: string, fromMs: number, toMs: number, reason: string): { from: string; to: string } {
    const request: ClipRequest = {
      eventId,
      cameraId: this.options.cameraId,
      fromMs: fromMs - (this.options.prerollMs ?? 5_000),
      toMs: toMs + (this.options.postrollMs ?? 5_000),
      reason,
    };
    this.options.requestClip?.(request);
    return { from: iso(request.fromMs), to: iso(request.toMs) };
  }

  /** One event per object: sent when its track ends, with start, end and the best snapshot. */
  private endTracks(tracks: Track<Frame>[]): void {
    for (const track of tracks) {
      // An object that never moved (a parked car seen while someone walks by) is no event.
      if (!this.movedTracks.delete(track.id)) {
        this.stats.stationaryTracks++;
        continue;
      }
      const eventId = randomUUID();
      const clip = this.clip(eventId, track.firstSeenMs, track.lastSeenMs, `${track.class} detected`);
      const frame = track.best;
      this.emit({
        eventId,
        kind: 'object',
        cameraId: this.options.cameraId,
        startedAt: iso(track.firstSeenMs),
        endedAt: iso(track.lastSeenMs),
        data: {
          class: track.class,
          score: track.bestScore,
          box: frame ? this.toSource(frame, track.bestBox) : track.bestBox,
          detections: track.hits,
          trackId: track.id,
          clip,
        },
        snapshotJpegBase64: frame ? snapshotBase64(frame, [track.bestBox]) : undefined,
      });
    }
  }

  /** Tamper: an event when raised (open), and one when cleared that names the first. */
  private onTamper(frame: Frame, kind: string, state: 'raised' | 'cleared', value: number, relearned?: boolean): void {
    if (state === 'raised') {
      const eventId = randomUUID();
      this.tamperEvents.set(kind, { eventId, startedMs: frame.timeMs });
      const clip = this.clip(eventId, frame.timeMs, frame.timeMs, `tamper: ${kind}`);
      this.emit({
        eventId,
        kind: 'tamper',
        cameraId: this.options.cameraId,
        startedAt: iso(frame.timeMs),
        data: { tamper: kind, state, measure: Math.round(value * 1000) / 1000, clip },
        snapshotJpegBase64: snapshotBase64(frame, []),
      });
      return;
    }
    const open = this.tamperEvents.get(kind);
    this.tamperEvents.delete(kind);
    this.emit({
      eventId: randomUUID(),
      kind: 'tamper',
      cameraId: this.options.cameraId,
      startedAt: iso(open?.startedMs ?? frame.timeMs),
      endedAt: iso(frame.timeMs),
      // relearned: the camera settled on a new view (the detector's new reference), not back to the
      // old one; the centre keeps the alert open for someone to check where it now points.
      data: { tamper: kind, state, measure: Math.round(value * 1000) / 1000, raisedEventId: open?.eventId, ...(relearned ? { relearned: true } : {}) },
      snapshotJpegBase64: snapshotBase64(frame, []),
    });
  }

  private emit(event: DetectionEvent): void {
    this.stats.events++;
    this.options.onEvent(event);
  }
}

// A light multi-object tracker: greedy matching of detections to tracks of the same class by
// box overlap (or, for fast movers at a low frame rate, by centre distance). A track is
// confirmed after `minHits` detections and ends when it has not been seen for `maxAgeMs`, so one
// object gives one event with a start and an end, not one per frame.
import { type Box, type Detection, iou } from '../types.ts';

export interface TrackerConfig {
  /** Overlap above which a detection continues a track. */
  iouThreshold?: number;
  /** Centre distance (in units of the track box's diagonal) that still matches without overlap. */
  maxCentreDistance?: number;
  /** Detections needed before a track counts (filters one-frame false positives). */
  minHits?: number;
  /** Time without a detection after which a track ends. */
  maxAgeMs?: number;
}

export interface Track<T = unknown> {
  id: number;
  class: string;
  firstSeenMs: number;
  lastSeenMs: number;
  hits: number;
  confirmed: boolean;
  box: Box;
  bestScore: number;
  bestBox: Box;
  /** Caller's payload from the best-scored detection (e.g. the frame, for a snapshot). */
  best?: T;
}

export interface TrackerUpdate<T> {
  /** Tracks confirmed by this update. */
  started: Track<T>[];
  /** Confirmed tracks that ended (not seen for maxAgeMs). */
  ended: Track<T>[];
  /** Track id for each input detection (undefined when it started a tentative track that was then dropped). */
  assignments: number[];
}

export class Tracker<T = unknown> {
  private tracks: Track<T>[] = [];
  private nextId = 1;
  private readonly cfg: Required<TrackerConfig>;

  constructor(config: TrackerConfig = {}) {
    this.cfg = { iouThreshold: 0.2, maxCentreDistance: 1, minHits: 2, maxAgeMs: 3000, ...config };
  }

  get active(): readonly Track<T>[] {
    return this.tracks;
  }

  private affinity(track: Track<T>, box: Box): number {
    const overlap = iou(track.box, box);
    if (overlap >= this.cfg.iouThreshold) return 1 + overlap;
    const dx = track.box[0] + track.box[2] / 2 - (box[0] + box[2] / 2);
    const dy = track.box[1] + track.box[3] / 2 - (box[1] + box[3] / 2);
    const diag = Math.hypot(track.box[2], track.box[3]) || 1;
    const d = Math.hypot(dx, dy) / diag;
    return d <= this.cfg.maxCentreDistance ? 1 - d : 0;
  }

  update(detections: Detection[], timeMs: number, payload?: T): TrackerUpdate<T> {
    const ended = this.expire(timeMs);
    const pairs: Array<{ t: number; d: number; a: number }> = [];
    this.tracks.forEach((track, t) =>
      detections.forEach((det, d) => {
        if (det.class !== track.class) return;
        const a = this.affinity(track, det.box);
        if (a > 0) pairs.push({ t, d, a });
      }),
    );
    pairs.sort((x, y) => y.a - x.a);
    const trackUsed = new Set<number>();
    const assignments: number[] = new Array(detections.length);
    const started: Track<T>[] = [];
    for (const { t, d } of pairs) {
      if (trackUsed.has(t) || assignments[d] !== undefined) continue;
      trackUsed.add(t);
      const track = this.tracks[t]!;
      const det = detections[d]!;
      track.box = det.box;
      track.lastSeenMs = timeMs;
      track.hits++;
      if (det.score > track.bestScore) {
        track.bestScore = det.score;
        track.bestBox = det.box;
        track.best = payload;
      }
      if (!track.confirmed && track.hits >= this.cfg.minHits) {
        track.confirmed = true;
        started.push(track);
      }
      assignments[d] = track.id;
    }
    detections.forEach((det, d) => {
      if (assignments[d] !== undefined) return;
      const track: Track<T> = {
        id: this.nextId++,
        class: det.class,
        firstSeenMs: timeMs,
        lastSeenMs: timeMs,
        hits: 1,
        confirmed: this.cfg.minHits <= 1,
        box: det.box,
        bestScore: det.score,
        bestBox: det.box,
        best: payload,
      };
      this.tracks.push(track);
      if (track.confirmed) started.push(track);
      assignments[d] = track.id;
    });
    return { started, ended, assignments };
  }

  /** Ends tracks unseen for maxAgeMs at `timeMs`; returns the confirmed ones. */
  expire(timeMs: number): Track<T>[] {
    const ended: Track<T>[] = [];
    this.tracks = this.tracks.filter((t) => {
      if (timeMs - t.lastSeenMs <= this.cfg.maxAgeMs) return true;
      if (t.confirmed) ended.push(t);
      return false;
    });
    return ended;
  }

  /** Ends every track (end of a file, pipeline shutdown). */
  flush(): Track<T>[] {
    const ended = this.tracks.filter((t) => t.confirmed);
    this.tracks = [];
    return ended;
  }
}

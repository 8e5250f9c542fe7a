/**
 * Records every camera of a site: one supervised ffmpeg per camera, every finished segment
 * hashed and indexed (hash chain), gaps recorded, disk and index reconciled at start and after
 * every ffmpeg exit, retention run on a timer and at once when the disk fills, events emitted
 * (and stored) for gaps, retention losses and a full disk. The running agent and the `record`
 * command both use it.
 *
 *   const rec = new SiteRecorder({ dataDir, cameras: [{ id: 'gate', rtspUrl }], segmentSeconds: 10 });
 *   rec.on('event', (e) => outbox.publish('event', e));
 *   await rec.start(); ... rec.health(); await rec.exportClip('gate', from, to); await rec.stop();
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, type CameraHealth, type EventBody, type EventKind, type Logger } from '@camfleet/shared';
import type { z } from 'zod';
import { exportClip, type ClipManifest } from '../clips/export.ts';
import { RetentionCleaner, type CleanerRun } from '../retention/cleaner.ts';
import type { RetentionPolicy } from '../retention/plan.ts';
import { applyMigrations, openAgentDb, type AgentDb } from '../storage/db.ts';
import { sha256File } from '../storage/hash.ts';
import { RECORDER_MIGRATIONS } from '../storage/recorder-schema.ts';
import { CAMERA_ID } from '../cameras/camera-id.ts';
import { SegmentIndex, type PinKind, type RecordingState, type SegmentRow } from '../storage/segment-index.ts';
import { attributeHoles, MIN_GAP_MS, uncovered } from '../storage/coverage.ts';
import { initChildRegistry } from '../system/child-process.ts';
import type { BackoffPolicy } from './backoff.ts';
import { CameraRecorder, type FinishedSegment, type RunEnded } from './camera-recorder.ts';
import type { AudioMode } from './ffmpeg-args.ts';
import { cameraDir, reconcileAll, reconcileCamera, relativeSegmentPath, type ReconcileResult } from './reconcile.ts';

export type RecorderEvent = z.input<typeof EventBody>;

export interface RecordedCamera {
  /** Letters, digits, _ and - (it names a directory). */
  id: string;
  /** Stream URL; credentials may be embedded (they are never logged or stored). */
  rtspUrl: string;
  audio?: AudioMode;
}

export interface SiteRecorderOptions {
  dataDir: string;
  cameras: RecordedCamera[];
  segmentSeconds?: number;
  retention?: RetentionPolicy;
  /** How often the cleaner runs (default 30 s); it also runs when a disk fills. */
  retentionIntervalMs?: number;
  backoff?: BackoffPolicy;
  stallTimeoutMs?: number;
  /** RTSP socket timeout (default 10 s). */
  ioTimeoutMs?: number;
  logger?: Logger;
  /** An already open agent database (the runtime shares one); opened from dataDir otherwise. */
  db?: AgentDb;
}

// The one camera-id pattern (cameras/camera-id.ts), re-exported for the recorder's users.
export { CAMERA_ID };
/** Interruptions shorter than this between runs are not worth a gap row. */
const GAP_MIN_MS = MIN_GAP_MS;
const LOCK_FILE = 'recorder.lock';
/**
 * How often each camera's state (recording, or why not) is written down: after a crash, a start
 * attributes the time up to the last such note to that state and the rest to the agent being down.
 */
const ALIVE_INTERVAL_MS = 2000;

interface CameraBook {
  recorder: CameraRecorder;
  lastEndMs: number | undefined;
  lastSegmentAtMs: number | undefined;
  /** Why footage would be missing before the next segment. */
  gapCause: string;
  bitrateKbps: number | undefined;
  /** Finished segments the database could not take (disk full): retried before the next. */
  unindexed: FinishedSegment[];
  /** Runs whose leftover files could not be repaired yet (disk full): reconciled at the next run end. */
  deferredRuns: Set<string>;
}

export interface SiteRecorderEvents {
  event: [RecorderEvent];
  segment: [SegmentRow];
  reconciled: [ReconcileResult];
}

export class SiteRecorder extends EventEmitter<SiteRecorderEvents> {
  readonly dataDir: string;
  readonly segmentSeconds: number;
  readonly index: SegmentIndex;
  /** The cameras this recorder records. */
  readonly cameraIds: string[];
  private readonly db: AgentDb;
  private readonly ownsDb: boolean;
  private readonly logger: Logger;
  private readonly cameras = new Map<string, CameraBook>();
  private readonly cleaner: RetentionCleaner;
  private cleanerTimer: NodeJS.Timeout | undefined;
  private aliveTimer: NodeJS.Timeout | undefined;
  private diskFull = false;
  private started = false;
  private lockFd: number | undefined;
  private startedAtMs = 0;

  constructor(private readonly options: SiteRecorderOptions) {
    super();
    for (const c of options.cameras) {
      if (!CAMERA_ID.test(c.id)) throw new Error(`invalid camera id '${c.id}': letters, digits, _ and - only`);
    }
    if (new Set(options.cameras.map((c) => c.id)).size !== options.cameras.length) throw new Error('camera ids must be unique');
    this.dataDir = options.dataDir;
    this.cameraIds = options.cameras.map((c) => c.id);
    this.segmentSeconds = options.segmentSeconds ?? 10;
    if (!(this.segmentSeconds >= 1 && this.segmentSeconds <= 3600)) throw new Error('segmentSeconds must be between 1 and 3600');
    this.logger = options.logger ?? createLogger('recorder');
    this.db = options.db ?? openAgentDb(options.dataDir, RECORDER_MIGRATIONS);
    this.ownsDb = !options.db;
    if (options.db) applyMigrations(options.db, RECORDER_MIGRATIONS);
    this.index = new SegmentIndex(this.db);
    this.cleaner = new RetentionCleaner(this.index, this.dataDir, options.retention ?? {}, this.logger, () => [...this.cameras.keys()]);
  }

  /** Reconciles disk and index, then starts every camera's recorder and the cleaner. */
  async start(): Promise<void> {
    if (this.started) return;
    this.takeLock();
    this.started = true;
    this.startedAtMs = Date.now();
    // We hold the data directory's lock: any ffmpeg an earlier agent left running (holding a
    // camera session) is ours to kill before we connect again.
    await initChildRegistry(this.dataDir, this.logger);
    // What each camera's record covered before this start, read before reconcile adds the
    // footage the crash cut off: every hole after it gets a gap row below.
    const before = new Map(this.options.cameras.map((c) => [c.id, this.index.recordingState(c.id)]));
    for (const r of await reconcileAll(this.index, this.dataDir)) this.reportReconcile(r);
    for (const [i, cam] of this.options.cameras.entries()) {
      // a box restarting with many cameras should not hit every one (or one NVR) at once
      this.openCamera(cam, this.auditGaps(cam.id, before.get(cam.id)), 'agent-down', i * 200);
    }
    this.markAlive();
    this.aliveTimer = setInterval(() => this.markAlive(), ALIVE_INTERVAL_MS);
    this.aliveTimer.unref();
    this.runCleaner();
    this.cleanerTimer = setInterval(() => this.runCleaner(), this.options.retentionIntervalMs ?? 30_000);
    this.cleanerTimer.unref();
  }

  private openCamera(cam: RecordedCamera, lastEndMs: number | undefined, gapCause: string, delayMs: number): void {
    const book: CameraBook = {
      lastEndMs,
      lastSegmentAtMs: undefined,
      gapCause,
      bitrateKbps: undefined,
      unindexed: [],
      deferredRuns: new Set(),
      recorder: new CameraRecorder({
        cameraId: cam.id,
        url: cam.rtspUrl,
        dataDir: this.dataDir,
        segmentSeconds: this.segmentSeconds,
        audio: cam.audio,
        backoff: this.options.backoff,
        stallTimeoutMs: this.options.stallTimeoutMs,
        ioTimeoutMs: this.options.ioTimeoutMs,
        logger: this.logger,
        onSegment: (s) => this.onSegment(s),
        onRunEnded: (r) => this.onRunEnded(r),
        // our own stop is not the camera going offline
        onOnline: (online, cause) => {
          if (cause !== 'stopped') this.emitEvent(online ? 'camera.online' : 'camera.offline', cam.id, Date.now(), undefined, cause ? { cause } : {});
        },
      }),
    };
    this.cameras.set(cam.id, book);
    book.recorder.start(delayMs);
  }

  /**
   * Starts recording one more camera while the others go on (a camera added or changed by a
   * configuration reload). The hole since its last footage is closed by its first segment.
   */
  addCamera(cam: RecordedCamera): void {
    if (!this.started) throw new Error('the recorder is not started');
    if (!CAMERA_ID.test(cam.id)) throw new Error(`invalid camera id '${cam.id}': letters, digits, _ and - only`);
    if (this.cameras.has(cam.id)) throw new Error(`camera '${cam.id}' is already recorded`);
    this.openCamera(cam, this.index.lastEndMs(cam.id), 'camera-reconfigured', 0);
  }

  /** Stops recording one camera (its current segment closed and indexed); the others go on. */
  async removeCamera(cameraId: string): Promise<boolean> {
    const book = this.cameras.get(cameraId);
    if (!book) return false;
    await book.recorder.stop();
    this.cameras.delete(cameraId);
    return true;
  }

  /**
   * Gap rows for every hole since the camera's covered time (footage or gaps up to there), up to
   * its newest footage (reconcile may just have repaired some) or, when the last run wrote down
   * that it was not recording, up to that note. Returns where the record now ends: the hole from
   * there to this run's first segment is closed by that segment (cause agent-down).
   */
  private auditGaps(cameraId: string, state: RecordingState | undefined): number | undefined {
    const lastEnd = this.index.lastEndMs(cameraId);
    const from = state?.coveredToMs ?? undefined;
    if (from === undefined) return lastEnd; // nothing recorded before: no hole to account for
    try {
      return this.auditFrom(cameraId, from, state!, lastEnd);
    } catch (err) {
      // a full disk (SQLITE_FULL) must not keep the recorder from starting: the first segment
      // then records one gap from the covered time (it may overlap footage repaired meanwhile)
      this.logger.warn({ camera: cameraId, err: (err as Error).message }, 'cannot account for holes at start');
      return from;
    }
  }

  private auditFrom(cameraId: string, from: number, state: RecordingState, lastEnd: number | undefined): number {
    const rows = this.index.chain(cameraId, from, Infinity);
    const footageEnd = rows.reduce((m, r) => Math.max(m, r.endMs), from);
    const noted = state?.aliveCause && state.aliveMs !== null ? state.aliveMs : -Infinity;
    const until = Math.max(footageEnd, noted);
    const covered = [...rows.map((r) => ({ fromMs: r.startMs, toMs: r.endMs })), ...this.index.gaps(cameraId, from, until)];
    const holes = attributeHoles(uncovered(from, until, covered, GAP_MIN_MS), {
      runStartedMs: state?.runStartedMs ?? null,
      aliveMs: state?.aliveMs ?? null,
      aliveCause: state?.aliveCause ?? null,
    });
    for (const h of holes) {
      const gap = this.index.addGap(cameraId, h.fromMs, h.toMs, h.cause);
      this.emitEvent('recording.gap', cameraId, gap.fromMs, gap.toMs, { cause: gap.cause, durationS: (gap.toMs - gap.fromMs) / 1000, foundAtStart: true });
    }
    if (holes.length) this.logger.info({ camera: cameraId, gaps: holes.length }, 'accounted for holes left by an earlier run');
    // every hole up to `until` has its row now (rows after a hole do not move the covered time)
    this.index.coverTo(cameraId, until);
    return Math.max(until, lastEnd ?? -Infinity);
  }

  /** Writes down that this recorder is running and, per camera, why it is not recording (null: it is). */
  private markAlive(): void {
    try {
      this.index.markAlive(this.startedAtMs, [...this.cameras.entries()].map(([cameraId, b]) => ({ cameraId, cause: b.recorder.state === 'recording' ? null : b.gapCause })));
    } catch (err) {
      // a full disk can refuse this; the next note (or the agent-down default) covers it
      this.logger.debug({ err: (err as Error).message }, 'cannot note recorder state');
    }
  }

  /** Stops every recorder (each closes and indexes its current segment), then the database. */
  async stop(): Promise<void> {
    if (!this.started) return;
    clearInterval(this.cleanerTimer);
    clearInterval(this.aliveTimer);
    await Promise.all([...this.cameras.values()].map((b) => b.recorder.stop()));
    this.cameras.clear();
    this.started = false;
    if (this.ownsDb) this.db.close();
    this.releaseLock();
  }

  /** Measured health of each camera (the CameraHealth message shape). */
  health(nowMs = Date.now()): CameraHealth[] {
    return [...this.cameras.entries()].map(([cameraId, b]) => {
      const r = b.recorder;
      const recentSegment = b.lastSegmentAtMs !== undefined && nowMs - b.lastSegmentAtMs <= 2 * this.segmentSeconds * 1000 + 10_000;
      const openGap = r.state !== 'recording' ? 1 : 0;
      const h: CameraHealth = {
        cameraId,
        online: r.online,
        recording: r.state === 'recording' && r.online && (recentSegment || r.child !== undefined),
        gapsLastHour: this.index.gaps(cameraId, nowMs - 3_600_000, nowMs).length + openGap,
        bytesStored: this.index.usage(cameraId).bytes,
      };
      if (r.fps !== undefined) h.fps = Math.round(r.fps * 10) / 10;
      if (b.bitrateKbps !== undefined) h.bitrateKbps = Math.round(b.bitrateKbps);
      if (b.lastSegmentAtMs !== undefined) h.lastSegmentAt = new Date(b.lastSegmentAtMs).toISOString();
      const head = this.index.lastInChain(cameraId);
      if (head) h.chainHead = head.link;
      return h;
    });
  }

  /** ffmpeg process ids, for per-process CPU and memory figures. */
  childPids(): number[] {
    return [...this.cameras.values()].flatMap((b) => (b.recorder.child?.pid ? [b.recorder.child.pid] : []));
  }

  recorderState(cameraId: string): CameraRecorder | undefined {
    return this.cameras.get(cameraId)?.recorder;
  }

  /** A clip of [from, to] (plus pre/post-roll) as one MP4; written under <dataDir>/clips/ unless `out` is given. */
  async exportClip(
    cameraId: string,
    from: Date | number | string,
    to: Date | number | string,
    opts: { preRollMs?: number; postRollMs?: number; out?: string } = {},
  ): Promise<ClipManifest> {
    const clipsDir = join(this.dataDir, 'clips');
    mkdirSync(clipsDir, { recursive: true, mode: 0o750 });
    return exportClip(this.index, this.dataDir, {
      cameraId,
      fromMs: toMs(from),
      toMs: toMs(to),
      preRollMs: opts.preRollMs,
      postRollMs: opts.postRollMs,
      out: opts.out ?? join(clipsDir, `${cameraId}-${randomUUID()}.mp4`),
    });
  }

  /** Keeps a camera's footage in [from, to] from retention (pending upload or evidence hold). */
  pin(cameraId: string, from: Date | number | string, to: Date | number | string, kind: PinKind = 'upload', note?: string): string {
    return this.index.addPin({ cameraId, fromMs: toMs(from), toMs: toMs(to), kind, note }).id;
  }

  unpin(pinId: string): boolean {
    return this.index.removePin(pinId);
  }

  /** Runs retention now (it also runs on its timer). */
  runCleaner(): CleanerRun | undefined {
    try {
      const run = this.cleaner.runOnce();
      for (const loss of run.losses) {
        const first = loss.segments[0]!;
        const last = loss.segments[loss.segments.length - 1]!;
        this.emitEvent('retention.loss', loss.cameraId, first.startMs, last.endMs, {
          reason: 'free-space floor breached: pinned segments deleted',
          segments: loss.segments.length,
          segmentHashes: loss.segments.map((s) => s.sha256).slice(0, 1000),
        });
      }
      return run;
    } catch (err) {
      this.logger.error({ err: (err as Error).message }, 'retention run failed');
      return undefined;
    }
  }

  private async onSegment(s: FinishedSegment): Promise<void> {
    const book = this.cameras.get(s.cameraId);
    if (!book) return;
    const retry = book.unindexed.splice(0);
    for (const earlier of retry) {
      if (!this.index.segmentByPath(relativeSegmentPath(earlier.cameraId, earlier.file))) await this.indexSegment(book, earlier, true);
    }
    await this.indexSegment(book, s);
  }

  /** `late`: footage from before the last interruption (a retry), which must not use up its cause. */
  private async indexSegment(book: CameraBook, s: FinishedSegment, late = false): Promise<void> {
    const full = join(cameraDir(this.dataDir, s.cameraId), s.file);
    let bytes: number;
    try {
      bytes = statSync(full).size;
    } catch {
      this.logger.warn({ camera: s.cameraId, file: s.file }, 'finished segment vanished before indexing');
      return;
    }
    const sha256 = await sha256File(full);
    if (s.reanchored && book.gapCause === 'unknown') book.gapCause = 'stream-interrupted';
    this.closeGap(book, s.cameraId, s.startMs, !late);
    let row: SegmentRow;
    try {
      row = this.index.addSegment({ cameraId: s.cameraId, path: relativeSegmentPath(s.cameraId, s.file), startMs: s.startMs, endMs: s.endMs, bytes, sha256 });
    } catch (err) {
      // SQLITE_FULL and the like: the file stays; retried with the next segment, and adopted by
      // the reconcile after this run (or at the next start) if it is still unindexed then.
      this.logger.error({ camera: s.cameraId, err: (err as Error).message }, 'cannot index segment');
      if (book.unindexed.length < 1000) book.unindexed.push(s);
      return;
    }
    book.lastEndMs = Math.max(book.lastEndMs ?? -Infinity, row.endMs);
    book.lastSegmentAtMs = Date.now();
    if (row.durationMs > 0) book.bitrateKbps = (bytes * 8) / row.durationMs;
    if (this.diskFull) {
      this.diskFull = false;
      this.logger.info('recording again: disk space returned');
    }
    this.emit('segment', row);
  }

  private async onRunEnded(r: RunEnded): Promise<void> {
    const book = this.cameras.get(r.cameraId);
    if (!book) return;
    // The run's last segment may be cut off (ffmpeg killed, disk full): repair or remove it.
    // Finished segments the database refused keep their exact times: index them first, and keep
    // reconcile (which can only guess times) off those still refused.
    for (const s of book.unindexed.splice(0)) {
      if (!this.index.segmentByPath(relativeSegmentPath(s.cameraId, s.file))) await this.indexSegment(book, s, true);
    }
    const busy = new Set(book.unindexed.map((s) => s.file));
    if (r.cause !== 'stopped') book.gapCause = r.cause;
    // Only finished runs' files: the next run may already be writing its own.
    for (const runId of [...book.deferredRuns, r.runId]) {
      const result = await reconcileCamera(this.index, this.dataDir, r.cameraId, {
        onlyPrefix: `${runId}-`,
        busy,
        checkMissing: false,
        continuesAtMs: runId === r.runId ? r.lastEndMs : undefined,
      });
      for (const row of result.repaired) {
        this.closeGap(book, r.cameraId, row.startMs, false);
        book.lastEndMs = Math.max(book.lastEndMs ?? -Infinity, row.endMs);
      }
      if (result.deferred.length) book.deferredRuns.add(runId);
      else book.deferredRuns.delete(runId);
      this.reportReconcile(result);
    }
    if (r.cause === 'stopped') return;
    book.gapCause = r.cause;
    if (r.cause === 'disk-full') {
      if (!this.diskFull) {
        this.diskFull = true;
        this.emitEvent('disk.full', r.cameraId, r.endedAtMs, undefined, { dataDir: this.dataDir, detail: r.stderrTail.slice(-2).join(' | ') });
      }
      this.runCleaner();
    }
  }

  /** Records the interruption between the camera's last footage and a segment starting at `startMs`. */
  private closeGap(book: CameraBook, cameraId: string, startMs: number, consumeCause = true): void {
    const prevEnd = book.lastEndMs;
    if (prevEnd !== undefined && startMs - prevEnd >= GAP_MIN_MS) {
      const gap = this.index.addGap(cameraId, prevEnd, startMs, book.gapCause);
      this.emitEvent('recording.gap', cameraId, gap.fromMs, gap.toMs, { cause: gap.cause, durationS: (gap.toMs - gap.fromMs) / 1000 });
    }
    // new footage uses up the cause; footage from before the interruption (a retried or repaired
    // segment) does not
    if (consumeCause && (prevEnd === undefined || startMs >= prevEnd)) book.gapCause = 'unknown';
  }

  private reportReconcile(r: ReconcileResult): void {
    if (r.repaired.length || r.removed.length || r.missing.length || r.expiredDeleted || r.deferred.length) {
      this.logger.info(
        { camera: r.cameraId, repaired: r.repaired.length, removed: r.removed.length, missing: r.missing.length, expiredDeleted: r.expiredDeleted, deferred: r.deferred.length },
        'reconciled disk and index',
      );
    }
    this.emit('reconciled', r);
  }

  private emitEvent(kind: EventKind, cameraId: string | undefined, startMs: number, endMs: number | undefined, data: Record<string, unknown>): void {
    const event: RecorderEvent = {
      eventId: randomUUID(),
      kind,
      ...(cameraId ? { cameraId } : {}),
      startedAt: new Date(startMs).toISOString(),
      ...(endMs !== undefined ? { endedAt: new Date(endMs).toISOString() } : {}),
      data,
    };
    try {
      this.index.addEvent({ id: event.eventId, kind, cameraId, startedAt: event.startedAt, endedAt: event.endedAt, data });
    } catch (err) {
      this.logger.warn({ err: (err as Error).message, kind }, 'cannot store recorder event');
    }
    this.emit('event', event);
  }

  /** One recorder per data directory: a second would fight over files and the chain. */
  private takeLock(): void {
    const file = join(this.dataDir, LOCK_FILE);
    mkdirSync(this.dataDir, { recursive: true, mode: 0o750 });
    for (let i = 0; i < 2; i++) {
      try {
        this.lockFd = openSync(file, 'wx', 0o600);
        writeSync(this.lockFd, String(process.pid));
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const pid = Number(readFileSync(file, 'utf8').trim());
        if (pid && pid !== process.pid && processAlive(pid)) {
          throw new Error(`another recorder (pid ${pid}) is using ${this.dataDir}`);
        }
        unlinkSync(file); // left by a crashed recorder
      }
    }
    throw new Error(`cannot lock ${file}`);
  }

  private releaseLock(): void {
    if (this.lockFd === undefined) return;
    closeSync(this.lockFd);
    this.lockFd = undefined;
    try {
      unlinkSync(join(this.dataDir, LOCK_FILE));
    } catch {
      /* gone */
    }
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function toMs(t: Date | number | string): number {
  const ms = t instanceof Date ? t.getTime() : typeof t === 'number' ? t : Date.parse(t);
  if (!Number.isFinite(ms)) throw new Error(`not a time: ${String(t)}`);
  return ms;
}

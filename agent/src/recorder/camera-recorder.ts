/**
 * One camera's recording process, supervised: spawns ffmpeg, turns its segment list into
 * wall-clock segments, restarts it with backoff and jitter when it exits, kills it when its
 * progress stops (stall watchdog), keeps its stderr (redacted, rate-limited) and measures its
 * frame rate. What to do with a finished segment or an ended run is the owner's job (callbacks),
 * called strictly in order.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Logger } from '@camfleet/shared';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.ts';
import { buildRecordArgs, type AudioMode } from './ffmpeg-args.ts';
import { classifyFfmpegFailure, parseSegmentListLine, ProgressParser, redactLine, type ExitCause } from './ffmpeg-output.ts';
import { ffmpegPath } from './ffmpeg.ts';
import { cameraDir } from './reconcile.ts';
import { spawnChild } from '../system/child-process.ts';

export interface FinishedSegment {
  cameraId: string;
  /** File name inside the camera's directory. */
  file: string;
  startMs: number;
  endMs: number;
  runId: string;
  /** The stream's clock and the wall clock parted (the stream froze or jumped): re-anchored. */
  reanchored: boolean;
}

export interface RunEnded {
  cameraId: string;
  runId: string;
  cause: ExitCause;
  /** The last stderr lines (redacted). */
  stderrTail: string[];
  /** Segments this run delivered. */
  segments: number;
  /** Wall-clock end of the run's last delivered segment: its cut-off successor starts there. */
  lastEndMs?: number;
  endedAtMs: number;
}

export type RecorderState = 'idle' | 'starting' | 'recording' | 'waiting' | 'stopped';

export interface CameraRecorderOptions {
  cameraId: string;
  /** Input URL with any credentials already in it (never logged). */
  url: string;
  dataDir: string;
  segmentSeconds: number;
  audio?: AudioMode;
  backoff?: BackoffPolicy;
  /** Restart ffmpeg when its progress has not moved for this long (default 3 segments, >= 15 s). */
  stallTimeoutMs?: number;
  /** RTSP socket timeout (default 10 s). */
  ioTimeoutMs?: number;
  logger: Logger;
  onSegment(s: FinishedSegment): Promise<void>;
  onRunEnded(r: RunEnded): Promise<void>;
  /** The camera answered (first frames of a run) or went away. */
  onOnline?(online: boolean, cause?: ExitCause): void;
}

const STDERR_KEEP = 40;
const STDERR_LOG_PER_MINUTE = 10;

export class CameraRecorder {
  state: RecorderState = 'idle';
  online = false;
  /** Frames per second over the last seconds of progress. */
  fps: number | undefined;
  lastExitCause: ExitCause | undefined;
  readonly stderrTail: string[] = [];
  child: ChildProcess | undefined;

  private readonly o: Required<Omit<CameraRecorderOptions, 'onOnline'>> & Pick<CameraRecorderOptions, 'onOnline'>;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private queue: Promise<void> = Promise.resolve();
  private stopping = false;
  private exited: Promise<void> = Promise.resolve();
  private logWindowStart = 0;
  private loggedInWindow = 0;
  private suppressed = 0;

  constructor(options: CameraRecorderOptions) {
    const segMs = options.segmentSeconds * 1000;
    this.o = {
      audio: 'aac',
      backoff: DEFAULT_BACKOFF,
      stallTimeoutMs: Math.max(15_000, 3 * segMs),
      ioTimeoutMs: 10_000,
      // an option given as undefined keeps its default
      ...(Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as CameraRecorderOptions),
    };
  }

  get cameraId(): string {
    return this.o.cameraId;
  }

  /** Starts recording, after `delayMs` (a site staggers its cameras' first connections). */
  start(delayMs = 0): void {
    if (this.state !== 'idle' && this.state !== 'stopped') return;
    this.stopping = false;
    this.state = 'waiting';
    this.retryTimer = setTimeout(() => {
      if (!this.stopping) this.spawnRun();
    }, delayMs);
  }

  /** Stops ffmpeg gracefully (it closes the current segment) and waits for the last callbacks. */
  async stop(graceMs = 5000): Promise<void> {
    this.stopping = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    await this.queue;
    this.state = 'stopped';
  }

  private spawnRun(): void {
    const runId = String(Date.now());
    const dir = cameraDir(this.o.dataDir, this.o.cameraId);
    try {
      mkdirSync(dir, { recursive: true, mode: 0o750 });
    } catch (err) {
      this.o.logger.error({ camera: this.o.cameraId, err: (err as Error).message }, 'cannot create the segment directory');
      this.scheduleRetry();
      return;
    }
    const args = buildRecordArgs({
      url: this.o.url,
      outputPattern: join(dir, `${runId}-%06d.mp4`),
      segmentSeconds: this.o.segmentSeconds,
      audio: this.o.audio,
      ioTimeoutMs: this.o.ioTimeoutMs,
    });
    this.state = 'starting';
    this.stderrTail.length = 0;
    // dies with the agent (parent-death signal), recorded by PID for the next start
    const child = spawnChild(ffmpegPath(), args, { name: `record:${this.o.cameraId}`, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    this.child = child;
    let segments = 0;
    let lastEndMs: number | undefined;
    let anchorMs: number | undefined;
    let lastMove = Date.now();
    let stalled = false;
    let lastOutTime = -1;
    const fpsWindow: Array<{ t: number; frame: number }> = [];

    const lines = (s: Readable | null, onLine: (l: string) => void) => {
      if (!s) return;
      createInterface({ input: s, crlfDelay: Infinity }).on('line', onLine);
    };
    lines(child.stdout, (line) => {
      const entry = parseSegmentListLine(line);
      if (!entry) return;
      const now = Date.now();
      // Wall clock of the run's stream time 0: fixed at the first segment (whose end is now),
      // so segments within a run are exactly contiguous; re-fixed if the clocks drift apart.
      const drift = anchorMs === undefined ? Infinity : Math.abs(anchorMs + entry.endS * 1000 - now);
      const reanchored = anchorMs !== undefined && drift > Math.max(3000, this.o.segmentSeconds * 1000);
      if (anchorMs === undefined || reanchored) anchorMs = now - entry.endS * 1000;
      const seg: FinishedSegment = {
        cameraId: this.o.cameraId,
        file: entry.file,
        startMs: Math.round(anchorMs! + entry.startS * 1000),
        endMs: Math.round(anchorMs! + entry.endS * 1000),
        runId,
        reanchored,
      };
      lastEndMs = seg.endMs;
      segments++;
      this.attempt = 0;
      this.enqueue(() => this.o.onSegment(seg));
    });
    const progress = new ProgressParser();
    lines(child.stdio[3] as Readable, (line) => {
      const sample = progress.push(line);
      if (!sample) return;
      const now = Date.now();
      const outTime = sample.outTimeUs ?? -1;
      if (outTime > lastOutTime) {
        lastOutTime = outTime;
        lastMove = now;
        if (!this.online && outTime > 0) this.setOnline(true);
        if (this.state === 'starting') this.state = 'recording';
      }
      if (sample.frame !== undefined) {
        fpsWindow.push({ t: now, frame: sample.frame });
        while (fpsWindow.length > 6) fpsWindow.shift();
        const first = fpsWindow[0]!;
        if (fpsWindow.length > 1 && now > first.t) this.fps = ((sample.frame - first.frame) * 1000) / (now - first.t);
      }
    });
    lines(child.stderr, (line) => this.keepStderr(line));

    // Before the first frame, connecting and probing the stream may take longer (a busy camera,
    // RTSP timeouts): allow the socket timeout twice on top.
    const spawnedAt = Date.now();
    this.watchdog = setInterval(() => {
      const limit = lastOutTime <= 0 ? this.o.stallTimeoutMs + 2 * this.o.ioTimeoutMs : this.o.stallTimeoutMs;
      if (Date.now() - Math.max(lastMove, spawnedAt) > limit && !stalled) {
        stalled = true;
        this.o.logger.warn({ camera: this.o.cameraId, firstFrame: lastOutTime > 0 }, 'recording stalled: restarting ffmpeg');
        child.kill('SIGKILL');
      }
    }, 1000);
    this.watchdog.unref();

    let resolveExit!: () => void;
    this.exited = new Promise((r) => (resolveExit = r));
    child.on('error', (err) => {
      this.keepStderr(`cannot start ffmpeg: ${err.message}`);
    });
    child.on('close', (code, signal) => {
      clearInterval(this.watchdog);
      this.child = undefined;
      this.fps = undefined;
      const cause: ExitCause = this.stopping ? 'stopped' : stalled ? 'stall' : code === 0 ? 'stream-ended' : classifyFfmpegFailure(this.stderrTail);
      this.lastExitCause = cause;
      if (!this.stopping) {
        this.o.logger.warn({ camera: this.o.cameraId, code, signal, cause, stderr: this.stderrTail.slice(-3) }, 'recording ffmpeg exited');
      }
      if (this.online) this.setOnline(false, cause);
      const ended: RunEnded = { cameraId: this.o.cameraId, runId, cause, stderrTail: [...this.stderrTail], segments, lastEndMs, endedAtMs: Date.now() };
      this.enqueue(() => this.o.onRunEnded(ended));
      resolveExit();
      if (this.stopping) return;
      this.scheduleRetry();
    });
  }

  private scheduleRetry(): void {
    this.state = 'waiting';
    const delay = backoffDelay(this.attempt++, this.o.backoff);
    this.retryTimer = setTimeout(() => {
      if (!this.stopping) this.spawnRun();
    }, delay);
  }

  private setOnline(online: boolean, cause?: ExitCause): void {
    this.online = online;
    this.o.onOnline?.(online, cause);
  }

  private enqueue(job: () => Promise<void>): void {
    this.queue = this.queue.then(job).catch((err: unknown) => {
      this.o.logger.error({ camera: this.o.cameraId, err: (err as Error).message }, 'segment bookkeeping failed');
    });
  }

  /** Keeps the last lines and logs at most a few a minute, so a flapping camera cannot flood. */
  private keepStderr(raw: string): void {
    const line = redactLine(raw).slice(0, 500);
    this.stderrTail.push(line);
    if (this.stderrTail.length > STDERR_KEEP) this.stderrTail.shift();
    const now = Date.now();
    if (now - this.logWindowStart > 60_000) {
      if (this.suppressed > 0) this.o.logger.warn({ camera: this.o.cameraId, suppressed: this.suppressed }, 'ffmpeg stderr lines suppressed');
      this.logWindowStart = now;
      this.loggedInWindow = 0;
      this.suppressed = 0;
    }
    if (this.loggedInWindow < STDERR_LOG_PER_MINUTE) {
      this.loggedInWindow++;
      this.o.logger.debug({ camera: this.o.cameraId, ffmpeg: line }, 'ffmpeg');
    } else {
      this.suppressed++;
    }
  }
}

// Frames and audio from ffmpeg (Debian's, on PATH or $FFMPEG_PATH): a low-rate, scaled, raw RGB
// pipe per source, plus mono 16 kHz PCM on a second pipe of the same process when the source has
// audio, so one camera costs one RTSP session here.
import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { redactUrl, redactUrlsIn } from '@camfleet/shared';
import { ffmpegPath, ffprobePath } from '../../recorder/ffmpeg.ts';
import type { Frame } from '../types.ts';
import { pcmChunks, rawFrames } from './raw-frames.ts';
import type { FrameSource } from './frame-source.ts';
// one helper for every child: dies with the agent (parent-death signal), recorded by PID, reaped
import { execChild, spawnChild } from '../../system/child-process.ts';

// ffmpeg echoes the input URL in its errors: the one redaction helper (shared) strips user:password@.
export { redactUrlsIn } from '@camfleet/shared';

export const AUDIO_SAMPLE_RATE = 16_000;

// The one ffmpeg/ffprobe lookup ($FFMPEG_PATH, $FFPROBE_PATH, else PATH) is the recorder's.
export { ffmpegPath, ffprobePath } from '../../recorder/ffmpeg.ts';

export interface MediaInfo {
  width: number;
  height: number;
  hasAudio: boolean;
  durationMs?: number;
  /** True for still images (one frame). */
  still: boolean;
}

/** Reads a file's video size, audio presence and duration with ffprobe. */
export async function probeMedia(path: string): Promise<MediaInfo> {
  const stdout = await execChild(ffprobePath(), ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format', path], { name: 'ffprobe:detection', maxBuffer: 4 << 20 });
  const info = JSON.parse(stdout.toString()) as {
    streams?: Array<{ codec_type?: string; width?: number; height?: number; nb_frames?: string; codec_name?: string }>;
    format?: { duration?: string; format_name?: string };
  };
  const video = info.streams?.find((s) => s.codec_type === 'video');
  if (!video?.width || !video.height) throw new Error(`${path}: no video stream`);
  const formatName = info.format?.format_name ?? '';
  const still = /image2|png_pipe|jpeg_pipe|bmp_pipe|webp_pipe|tiff_pipe/.test(formatName);
  const duration = Number(info.format?.duration);
  return {
    width: video.width,
    height: video.height,
    hasAudio: info.streams?.some((s) => s.codec_type === 'audio') ?? false,
    durationMs: Number.isFinite(duration) ? duration * 1000 : undefined,
    still,
  };
}

/** Output size for detection: at most maxWidth wide, aspect kept, even dimensions. */
export function feedSize(width: number, height: number, maxWidth = 640): { width: number; height: number } {
  if (width <= maxWidth) return { width: width & ~1, height: height & ~1 };
  const w = maxWidth & ~1;
  return { width: w, height: Math.max(2, Math.round((height * w) / width / 2) * 2) };
}

export interface FfmpegSourceOptions {
  /** File path or RTSP URL (prefer the camera's sub stream). Credentials are never logged. */
  input: string;
  /** Size of the source (from the camera profile or probeMedia). */
  sourceWidth: number;
  sourceHeight: number;
  fps: number;
  /** Width of the decoded frames (aspect kept). */
  maxWidth?: number;
  audio?: boolean;
  /** 'wall' for live cameras, 'stream' for files. */
  clock?: 'wall' | 'stream';
  startMs?: number;
  /** Read a file at its native speed (-re), as a live camera would deliver it. */
  realtime?: boolean;
}

export class FfmpegFrameSource implements FrameSource {
  readonly width: number;
  readonly height: number;
  readonly sourceWidth: number;
  readonly sourceHeight: number;
  readonly fps: number;
  private readonly child: ChildProcess;
  private stderrTail = '';
  private readonly exited: Promise<number | null>;
  private closed = false;

  constructor(private readonly options: FfmpegSourceOptions) {
    const size = feedSize(options.sourceWidth, options.sourceHeight, options.maxWidth);
    this.width = size.width;
    this.height = size.height;
    this.sourceWidth = options.sourceWidth;
    this.sourceHeight = options.sourceHeight;
    this.fps = options.fps;
    const isRtsp = /^rtsps?:/i.test(options.input);
    const args = ['-hide_banner', '-loglevel', 'error', '-nostdin'];
    if (isRtsp) args.push('-rtsp_transport', 'tcp');
    if (options.realtime) args.push('-re');
    args.push('-i', options.input);
    args.push('-map', '0:v:0', '-an', '-vf', `fps=${options.fps},scale=${this.width}:${this.height}:flags=bilinear`, '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1');
    if (options.audio) args.push('-map', '0:a:0', '-vn', '-ac', '1', '-ar', String(AUDIO_SAMPLE_RATE), '-f', 's16le', 'pipe:3');
    this.child = spawnChild(ffmpegPath(), args, { name: 'frames', stdio: ['ignore', 'pipe', 'pipe', ...(options.audio ? (['pipe'] as const) : [])] });
    this.child.stderr!.on('data', (d: Buffer) => {
      this.stderrTail = (this.stderrTail + d.toString()).slice(-2000);
    });
    this.exited = new Promise((resolve) => {
      this.child.once('error', (err) => {
        this.stderrTail += `\n${err.message}`;
        resolve(null);
      });
      this.child.once('close', (code) => resolve(code));
    });
  }

  frames(): AsyncIterable<Frame> {
    return rawFrames(this.child.stdout!, { width: this.width, height: this.height, channels: 3 }, {
      fps: this.fps,
      clock: this.options.clock ?? 'wall',
      startMs: this.options.startMs,
    });
  }

  audio(): AsyncIterable<Int16Array> | undefined {
    const pipe = this.child.stdio[3] as Readable | undefined;
    return pipe ? pcmChunks(pipe) : undefined;
  }

  /** Resolves when ffmpeg ends; rejects with its last error lines if it failed. */
  async done(): Promise<void> {
    const code = await this.exited;
    if (code !== 0 && !this.closed) {
      throw new Error(`ffmpeg failed on ${redactUrl(this.options.input)} (exit ${code}): ${redactUrlsIn(this.stderrTail.trim().split('\n').slice(-3).join(' | '))}`);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Decodes one still image (JPEG, PNG, ...) to an RGB frame at its own size. */
export async function decodeImage(path: string): Promise<Frame> {
  const info = await probeMedia(path);
  const stdout = await execChild(ffmpegPath(), ['-hide_banner', '-loglevel', 'error', '-nostdin', '-i', path, '-frames:v', '1', '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1'], {
    name: 'ffmpeg:decode',
    maxBuffer: info.width * info.height * 3 + 1024,
  });
  const expected = info.width * info.height * 3;
  if (stdout.length !== expected) throw new Error(`${path}: decoded ${stdout.length} bytes, expected ${expected}`);
  return { width: info.width, height: info.height, channels: 3, data: new Uint8Array(stdout), timeMs: Date.now(), ptsMs: 0 };
}

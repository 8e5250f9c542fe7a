/**
 * Finding and running ffmpeg/ffprobe for short jobs (probe, repair, clip, snapshot). The
 * long-running recording processes are in camera-recorder.ts.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { runChild, type RunResult } from '../system/child-process.ts';

export function ffmpegPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.FFMPEG_PATH || 'ffmpeg';
}

/** FFPROBE_PATH, else ffprobe next to FFMPEG_PATH, else ffprobe on PATH. */
export function ffprobePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FFPROBE_PATH) return env.FFPROBE_PATH;
  if (env.FFMPEG_PATH) {
    const sibling = join(dirname(env.FFMPEG_PATH), 'ffprobe');
    if (existsSync(sibling)) return sibling;
  }
  return 'ffprobe';
}

export type { RunResult } from '../system/child-process.ts';

/** Runs a short ffmpeg-family job (through the agent's one child-process helper); kills it after `timeoutMs`. Never throws for exit codes. */
export function runTool(cmd: string, args: string[], { timeoutMs = 60_000, maxStdoutBytes = 64 << 20, name = basename(cmd) } = {}): Promise<RunResult> {
  return runChild(cmd, args, { name, timeoutMs, maxStdoutBytes });
}

export interface MediaInfo {
  durationS: number;
  videoCodec?: string;
  width?: number;
  height?: number;
  videoPackets?: number;
  streams: number;
  formatTags: Record<string, string>;
}

/** ffprobe a file; undefined when ffprobe cannot read it at all. */
export async function probeMedia(file: string, { countPackets = false } = {}): Promise<MediaInfo | undefined> {
  const args = ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams'];
  if (countPackets) args.push('-count_packets');
  const r = await runTool(ffprobePath(), [...args, file], { timeoutMs: 30_000, name: 'ffprobe:probe' });
  if (r.code !== 0) return undefined;
  try {
    const j = JSON.parse(r.stdout.toString()) as {
      format?: { duration?: string; tags?: Record<string, string> };
      streams?: Array<{ codec_type?: string; codec_name?: string; width?: number; height?: number; nb_read_packets?: string; duration?: string }>;
    };
    const video = j.streams?.find((s) => s.codec_type === 'video');
    const duration = Number(j.format?.duration ?? video?.duration ?? NaN);
    return {
      durationS: Number.isFinite(duration) ? duration : 0,
      videoCodec: video?.codec_name,
      width: video?.width,
      height: video?.height,
      videoPackets: video?.nb_read_packets !== undefined ? Number(video.nb_read_packets) : undefined,
      streams: j.streams?.length ?? 0,
      formatTags: j.format?.tags ?? {},
    };
  } catch {
    return undefined;
  }
}

/**
 * Rewrites a possibly truncated fragmented MP4 into a clean file with what is readable
 * (stream copy). `ok` false when nothing usable came out; `noSpace` when the disk was full (try
 * again later: the source may be fine).
 */
export async function remuxRepair(src: string, dst: string): Promise<{ ok: boolean; noSpace: boolean }> {
  const r = await runTool(ffmpegPath(), ['-hide_banner', '-nostdin', '-v', 'error', '-y', '-i', src, '-map', '0', '-c', 'copy', '-movflags', '+faststart', '-f', 'mp4', dst], {
    timeoutMs: 120_000,
    name: 'ffmpeg:repair',
  });
  return { ok: r.code === 0 && existsSync(dst), noSpace: /No space left on device/i.test(r.stderr) };
}

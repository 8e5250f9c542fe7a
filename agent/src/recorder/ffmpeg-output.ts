/** Parsers for what the recording ffmpeg prints: segment list lines, progress blocks, errors. */
import { redactUrlsIn } from '@camfleet/shared';

export interface SegmentListEntry {
  file: string;
  startS: number;
  endS: number;
}

/** One CSV line of the segment list; undefined for anything else. */
export function parseSegmentListLine(line: string): SegmentListEntry | undefined {
  const m = /^"?(.*?)"?,(-?[\d.]+),(-?[\d.]+)\s*$/.exec(line);
  if (!m) return undefined;
  const file = m[1]!.slice(m[1]!.lastIndexOf('/') + 1);
  const startS = Number(m[2]);
  const endS = Number(m[3]);
  if (!file || !Number.isFinite(startS) || !Number.isFinite(endS) || endS < startS) return undefined;
  return { file, startS, endS };
}

export interface ProgressSample {
  frame?: number;
  outTimeUs?: number;
  totalSize?: number;
  end: boolean;
}

/** Accumulates `key=value` lines; returns a sample at each `progress=` line. */
export class ProgressParser {
  private current: Record<string, string> = {};

  push(line: string): ProgressSample | undefined {
    const eq = line.indexOf('=');
    if (eq < 0) return undefined;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (key !== 'progress') {
      this.current[key] = value;
      return undefined;
    }
    const c = this.current;
    this.current = {};
    const num = (v: string | undefined) => (v !== undefined && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : undefined);
    return { frame: num(c.frame), outTimeUs: num(c.out_time_us), totalSize: num(c.total_size), end: value === 'end' };
  }
}

/** Why a recording ffmpeg ended, from its last stderr lines. */
export type ExitCause = 'disk-full' | 'auth-failed' | 'camera-unreachable' | 'stream-ended' | 'stall' | 'stopped' | 'ffmpeg-error';

export function classifyFfmpegFailure(stderrTail: string[]): ExitCause {
  const text = stderrTail.join('\n');
  if (/No space left on device|ENOSPC/i.test(text)) return 'disk-full';
  if (/401 Unauthorized|403 Forbidden/i.test(text)) return 'auth-failed';
  if (/Connection refused|Connection timed out|No route to host|Network is unreachable|Operation timed out|404 Not Found|Could not find codec parameters|Invalid data found/i.test(text)) {
    return 'camera-unreachable';
  }
  return 'ffmpeg-error';
}

/** ffmpeg error lines may quote the input URL; never keep credentials from it (the one shared helper). */
export const redactLine = redactUrlsIn;

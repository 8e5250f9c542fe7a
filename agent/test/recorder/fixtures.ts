/**
 * Segments made the way the recorder makes them (segment muxer, fragmented MP4), but from
 * ffmpeg's test pattern instead of a camera: fast and without a network.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sha256File } from '../../src/storage/hash.ts';
import type { SegmentIndex, SegmentRow } from '../../src/storage/segment-index.ts';
import { cameraDir, relativeSegmentPath } from '../../src/recorder/reconcile.ts';

/** Writes `count` segments of `seconds` each (10 fps, keyframe every second) for a camera. */
export function makeSegmentFiles(dataDir: string, cameraId: string, count: number, seconds = 2, prefix = 'run1'): string[] {
  const dir = cameraDir(dataDir, cameraId);
  mkdirSync(dir, { recursive: true });
  execFileSync('ffmpeg', [
    '-hide_banner', '-nostdin', '-v', 'error',
    '-f', 'lavfi', '-i', `testsrc=size=160x120:rate=10:duration=${count * seconds}`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '10', '-pix_fmt', 'yuv420p',
    '-f', 'segment', '-segment_time', String(seconds), '-reset_timestamps', '1',
    '-segment_format', 'mp4', '-segment_format_options', 'movflags=+frag_keyframe+empty_moov+default_base_moof',
    join(dir, `${prefix}-%06d.mp4`),
  ]);
  return readdirSync(dir).filter((f) => f.startsWith(prefix)).sort();
}

/** Makes and indexes segments back to back from `startMs`. */
export async function recordFake(index: SegmentIndex, dataDir: string, cameraId: string, count: number, startMs: number, seconds = 2, prefix = 'run1'): Promise<SegmentRow[]> {
  const rows: SegmentRow[] = [];
  for (const [i, file] of makeSegmentFiles(dataDir, cameraId, count, seconds, prefix).entries()) {
    const full = join(cameraDir(dataDir, cameraId), file);
    const s = startMs + i * seconds * 1000;
    rows.push(index.addSegment({ cameraId, path: relativeSegmentPath(cameraId, file), startMs: s, endMs: s + seconds * 1000, bytes: statSync(full).size, sha256: await sha256File(full) }));
  }
  return rows;
}

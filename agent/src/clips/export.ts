/**
 * A clip of any interval of a camera's buffer: the segments overlapping it joined into one MP4
 * by stream copy (concat demuxer with in/out points, so cuts fall on the keyframe at or before
 * the requested start), moov at the front (faststart). The clip carries the sha256 of every
 * source segment, embedded in its metadata and in a sidecar manifest `<clip>.json`, and each
 * source segment is re-hashed on the way so altered footage is flagged, not passed on.
 */
import { renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { ffmpegPath, probeMedia, runTool } from '../recorder/ffmpeg.ts';
import { sha256File } from '../storage/hash.ts';
import type { SegmentIndex } from '../storage/segment-index.ts';

export interface ClipRequest {
  cameraId: string;
  fromMs: number;
  toMs: number;
  /** Extra footage before and after the interval (events). */
  preRollMs?: number;
  postRollMs?: number;
  /** Output file (.mp4). */
  out: string;
}

export interface ClipSource {
  path: string;
  start: string;
  end: string;
  sha256: string;
  /** The file's hash still matches the index. */
  verified: boolean;
}

export interface ClipManifest {
  cameraId: string;
  /** The interval asked for, with pre/post-roll. */
  from: string;
  to: string;
  file: string;
  bytes: number;
  sha256: string;
  durationS: number;
  segmentHashes: string[];
  sources: ClipSource[];
  gaps: Array<{ from: string; to: string; cause: string }>;
  allVerified: boolean;
  createdAt: string;
}

export class NoFootageError extends Error {}

const MAX_EMBEDDED_TAG = 96 * 1024;

export async function exportClip(index: SegmentIndex, dataDir: string, req: ClipRequest): Promise<ClipManifest> {
  const fromMs = req.fromMs - (req.preRollMs ?? 0);
  const toMs = req.toMs + (req.postRollMs ?? 0);
  if (!(toMs > fromMs)) throw new Error('the clip must end after it starts');
  const segments = index.presentSegments(req.cameraId, fromMs, toMs);
  if (segments.length === 0) throw new NoFootageError(`no footage of ${req.cameraId} between ${iso(fromMs)} and ${iso(toMs)}`);

  const sources: ClipSource[] = [];
  for (const s of segments) {
    const actual = await sha256File(join(dataDir, s.path)).catch(() => undefined);
    sources.push({ path: s.path, start: iso(s.startMs), end: iso(s.endMs), sha256: s.sha256, verified: actual === s.sha256 });
  }

  const lines = ['ffconcat version 1.0'];
  segments.forEach((s, i) => {
    lines.push(`file '${resolve(dataDir, s.path).replace(/'/g, "'\\''")}'`);
    if (i === 0 && fromMs > s.startMs) lines.push(`inpoint ${((fromMs - s.startMs) / 1000).toFixed(3)}`);
    if (i === segments.length - 1 && toMs < s.endMs) lines.push(`outpoint ${((toMs - s.startMs) / 1000).toFixed(3)}`);
  });
  const out = resolve(req.out);
  const tmp = `${out}.${process.pid}.tmp`;
  const list = `${out}.${process.pid}.ffconcat`;
  writeFileSync(list, lines.join('\n') + '\n', { mode: 0o600 });

  const segmentHashes = segments.map((s) => s.sha256);
  const tag = `camfleet camera=${req.cameraId} from=${iso(fromMs)} to=${iso(toMs)} segments-sha256=${segmentHashes.join(',')}`;
  const args = [
    '-hide_banner', '-nostdin', '-v', 'error', '-y',
    '-f', 'concat', '-safe', '0', '-i', list,
    '-map', '0', '-c', 'copy',
    '-movflags', '+faststart',
    '-metadata', `comment=${tag.length <= MAX_EMBEDDED_TAG ? tag : `camfleet camera=${req.cameraId} segments: see ${basename(out)}.json`}`,
    '-f', 'mp4', tmp,
  ];
  try {
    const r = await runTool(ffmpegPath(), args, { timeoutMs: 10 * 60_000 });
    if (r.code !== 0) throw new Error(`ffmpeg could not join the segments: ${lastLine(r.stderr)}`);
    renameSync(tmp, out);
  } finally {
    for (const f of [list, tmp]) {
      try {
        unlinkSync(f);
      } catch {
        /* gone */
      }
    }
  }
  const info = await probeMedia(out);
  const manifest: ClipManifest = {
    cameraId: req.cameraId,
    from: iso(fromMs),
    to: iso(toMs),
    file: basename(out),
    bytes: statSync(out).size,
    sha256: await sha256File(out),
    durationS: info?.durationS ?? 0,
    segmentHashes,
    sources,
    gaps: index.gaps(req.cameraId, fromMs, toMs).map((g) => ({ from: iso(g.fromMs), to: iso(g.toMs), cause: g.cause })),
    allVerified: sources.every((s) => s.verified),
    createdAt: new Date().toISOString(),
  };
  writeFileSync(`${out}.json`, JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function lastLine(s: string): string {
  return s.trim().split('\n').pop()?.slice(0, 300) ?? '';
}

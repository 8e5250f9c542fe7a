/** `camfleet-agent export`: one MP4 of any interval of a camera's recordings. */
import { flag, int, requireStr, UsageError, type Command } from '@camfleet/shared';
import { exportClip } from '../../clips/export.ts';
import { hasMigration, openAgentDbReadonly } from '../../storage/db.ts';
import { SegmentIndex } from '../../storage/segment-index.ts';

export function parseTime(value: string, name: string): number {
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw new UsageError(`--${name}: not an ISO time: ${value}`);
  return ms;
}

export function openIndex(dataDir: string): SegmentIndex {
  const db = openAgentDbReadonly(dataDir);
  if (!hasMigration(db, 'recorder-001')) {
    db.close();
    throw new Error(`no recordings in ${dataDir}`);
  }
  return new SegmentIndex(db);
}

/**
 * A technician who mistypes a camera id must hear so, not "0 segments, OK": the message names
 * the cameras this data directory does know. Undefined when the camera is known.
 */
export function unknownCameraMessage(index: SegmentIndex, dataDir: string, cameraId: string): string | undefined {
  const known = index.knownCameras();
  if (known.includes(cameraId)) return undefined;
  return known.length
    ? `no camera '${cameraId}' in ${dataDir}; cameras recorded there: ${known.join(', ')}`
    : `no camera '${cameraId}' in ${dataDir}: nothing has been recorded there`;
}

/** Exit status of the technician commands when the camera is unknown (like a usage error). */
export const EXIT_UNKNOWN_CAMERA = 2;
/** Exit status when the camera is known but nothing of it lies in the range asked for. */
export const EXIT_NOTHING_IN_RANGE = 4;

export const exportCommand: Command = {
  name: 'export',
  summary: "export a clip of a camera's recordings as one MP4 (with the source segments' hashes)",
  usage: 'export --data <dir> --camera <id> --from <iso> --to <iso> -o <file.mp4> [--pre-roll <s>] [--post-roll <s>] [--json]',
  details: [
    '  Writes <file.mp4> and <file.mp4>.json (manifest: sha256 of the clip and of every source segment).',
    '  Exit status 3 when a source segment no longer matches its recorded hash, 2 when the camera is',
    '  unknown in that data directory, 4 when it has no footage in the range.',
  ].join('\n'),
  options: {
    data: { type: 'string' },
    camera: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    out: { type: 'string', short: 'o' },
    'pre-roll': { type: 'string' },
    'post-roll': { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(ctx) {
    const dataDir = requireStr(ctx, 'data');
    const cameraId = requireStr(ctx, 'camera');
    const fromMs = parseTime(requireStr(ctx, 'from'), 'from');
    const toMs = parseTime(requireStr(ctx, 'to'), 'to');
    const out = requireStr(ctx, 'out');
    if (toMs <= fromMs) throw new UsageError('--to must be after --from');
    const preRollMs = int(ctx, 'pre-roll', 0) * 1000;
    const postRollMs = int(ctx, 'post-roll', 0) * 1000;
    if (preRollMs < 0 || postRollMs < 0) throw new UsageError('--pre-roll and --post-roll are seconds, 0 or more');
    const index = openIndex(dataDir);
    try {
      const unknown = unknownCameraMessage(index, dataDir, cameraId);
      if (unknown) {
        ctx.stderr.write(`export: ${unknown}\n`);
        return EXIT_UNKNOWN_CAMERA;
      }
      const footage = index.presentSegments(cameraId, fromMs - preRollMs, toMs + postRollMs);
      if (footage.length === 0) {
        const span = index.span(cameraId);
        ctx.stderr.write(
          `export: no footage of ${cameraId} between ${new Date(fromMs).toISOString()} and ${new Date(toMs).toISOString()}` +
            (span ? ` (its index spans ${new Date(span.fromMs).toISOString()} to ${new Date(span.toMs).toISOString()})` : '') +
            '; nothing written\n',
        );
        return EXIT_NOTHING_IN_RANGE;
      }
      const clip = await exportClip(index, dataDir, {
        cameraId,
        fromMs,
        toMs,
        preRollMs,
        postRollMs,
        out,
      });
      if (flag(ctx, 'json')) ctx.stdout.write(JSON.stringify(clip, null, 2) + '\n');
      else {
        ctx.stdout.write(
          `${out}: ${clip.durationS.toFixed(1)} s, ${clip.bytes} bytes, sha256 ${clip.sha256}\n` +
            `from ${clip.sources.length} segment(s); manifest ${out}.json\n` +
            (clip.gaps.length ? `gaps inside: ${clip.gaps.map((g) => `${g.from}..${g.to} (${g.cause})`).join(', ')}\n` : ''),
        );
      }
      if (!clip.allVerified) {
        ctx.stderr.write(`warning: ${clip.sources.filter((s) => !s.verified).length} source segment(s) do not match their recorded hash; run verify\n`);
        return 3;
      }
      return 0;
    } finally {
      index.db.close();
    }
  },
};

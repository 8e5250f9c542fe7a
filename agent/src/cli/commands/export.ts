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

export const exportCommand: Command = {
  name: 'export',
  summary: "export a clip of a camera's recordings as one MP4 (with the source segments' hashes)",
  usage: 'export --data <dir> --camera <id> --from <iso> --to <iso> -o <file.mp4> [--pre-roll <s>] [--post-roll <s>] [--json]',
  details: [
    '  Writes <file.mp4> and <file.mp4>.json (manifest: sha256 of the clip and of every source segment).',
    '  Exit status 3 when a source segment no longer matches its recorded hash.',
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
    const index = openIndex(dataDir);
    try {
      const clip = await exportClip(index, dataDir, {
        cameraId,
        fromMs,
        toMs,
        preRollMs: int(ctx, 'pre-roll', 0) * 1000,
        postRollMs: int(ctx, 'post-roll', 0) * 1000,
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

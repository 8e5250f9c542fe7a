/**
 * `camfleet-agent verify`: is a camera's footage as recorded? Exit 3 when anything is not intact,
 * 2 when the camera is unknown in that data directory, 4 when nothing of it lies in the range:
 * a mistyped camera id or an empty range must never read as "OK".
 */
import { flag, requireStr, str, UsageError, type Command } from '@camfleet/shared';
import { verifyCamera } from '../../storage/verify.ts';
import { EXIT_NOTHING_IN_RANGE, EXIT_UNKNOWN_CAMERA, openIndex, parseTime, unknownCameraMessage } from './export.ts';

function duration(s: number): string {
  if (s < 120) return `${s.toFixed(1)} s`;
  if (s < 7200) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

export const verify: Command = {
  name: 'verify',
  summary: "check a camera's segments against their hashes and the hash chain",
  usage: 'verify --data <dir> --camera <id> [--from <iso>] [--to <iso>] [--anchor <link> ...] [--json]',
  details: [
    '  Each segment: intact, altered (file or index row changed), missing (file gone), or expired',
    '  (removed by retention, not a finding). Prints the time span covered and every gap with its',
    '  cause (agent-down, camera-unreachable, disk-full, stall, ...), and any hole without one.',
    '  Exit status 3 when any segment is altered or missing or the chain is broken (a segment',
    '  removed from the index); 2 when the camera is unknown in that data directory; 4 when it has',
    '  nothing recorded in the range.',
    '  --anchor: a chain link the centre recorded (each camera\'s newest link travels with its health',
    '  samples). If the chain no longer holds it, the history was rewritten after the centre saw it.',
  ].join('\n'),
  options: { data: { type: 'string' }, camera: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean' }, anchor: { type: 'string', multiple: true } },
  async run(ctx) {
    const dataDir = requireStr(ctx, 'data');
    const cameraId = requireStr(ctx, 'camera');
    const from = str(ctx, 'from');
    const to = str(ctx, 'to');
    const fromMs = from ? parseTime(from, 'from') : undefined;
    const toMs = to ? parseTime(to, 'to') : undefined;
    if (fromMs !== undefined && toMs !== undefined && toMs <= fromMs) throw new UsageError('--to must be after --from');
    const index = openIndex(dataDir);
    try {
      const unknown = unknownCameraMessage(index, dataDir, cameraId);
      if (unknown) {
        ctx.stderr.write(`verify: ${unknown}\n`);
        return EXIT_UNKNOWN_CAMERA;
      }
      const report = await verifyCamera(index, dataDir, cameraId, { fromMs, toMs, anchors: (ctx.values.anchor as string[] | undefined) ?? [] });
      const empty = report.segments.length === 0;
      if (flag(ctx, 'json')) ctx.stdout.write(JSON.stringify(report, null, 2) + '\n');
      else {
        for (const s of report.segments) {
          if (s.verdict !== 'intact') ctx.stdout.write(`${s.verdict.padEnd(8)} ${s.start}  ${s.path}${s.detail ? `  (${s.detail})` : ''}\n`);
        }
        for (const b of report.chainBreaks) ctx.stdout.write(`chain    segment ${b.segmentId}: ${b.detail}\n`);
        for (const a of report.anchors) {
          ctx.stdout.write(a.found ? `anchor   ${a.link} held by segment ${a.segmentId}\n` : `anchor   ${a.link} NOT in the chain: the history was rewritten\n`);
        }
        for (const g of report.gaps) ctx.stdout.write(`gap      ${g.from} .. ${g.to}  ${duration(g.durationS)}  ${g.cause}\n`);
        for (const h of report.unaccounted) ctx.stdout.write(`hole     ${h.from} .. ${h.to}  ${duration(h.durationS)}  no recorded cause\n`);
        if (empty) {
          const span = index.span(cameraId);
          const where = from || to ? ` between ${from ?? 'the start'} and ${to ?? 'now'}` : '';
          ctx.stdout.write(
            `${cameraId}: nothing recorded${where}` +
              (span ? ` (its index spans ${new Date(span.fromMs).toISOString()} to ${new Date(span.toMs).toISOString()})` : ' (no segment indexed)') +
              ' -> NOTHING VERIFIED\n',
          );
        } else {
          const c = report.counts;
          const spanS = (Date.parse(report.span!.to) - Date.parse(report.span!.from)) / 1000;
          const gapS = report.gaps.reduce((a, g) => a + g.durationS, 0);
          ctx.stdout.write(
            `${cameraId}: ${report.span!.from} .. ${report.span!.to} (${duration(spanS)}): ${report.segments.length} segment(s): ` +
              `${c.intact} intact, ${c.altered} altered, ${c.missing} missing, ${c.expired} expired; ` +
              `${report.gaps.length} gap(s) (${duration(gapS)}), ${report.unaccounted.length} without a cause; ` +
              `${report.chainBreaks.length} chain break(s) -> ${report.ok ? 'OK' : 'NOT INTACT'}\n`,
          );
        }
      }
      if (!report.ok) return 3;
      return empty ? EXIT_NOTHING_IN_RANGE : 0;
    } finally {
      index.db.close();
    }
  },
};

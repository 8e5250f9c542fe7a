/** `camfleet-agent verify`: is a camera's footage as recorded? Exit 3 when anything is not intact. */
import { flag, requireStr, str, type Command } from '@camfleet/shared';
import { verifyCamera } from '../../storage/verify.ts';
import { openIndex, parseTime } from './export.ts';

export const verify: Command = {
  name: 'verify',
  summary: "check a camera's segments against their hashes and the hash chain",
  usage: 'verify --data <dir> --camera <id> [--from <iso>] [--to <iso>] [--anchor <link> ...] [--json]',
  details: [
    '  Each segment: intact, altered (file or index row changed), missing (file gone), or expired',
    '  (removed by retention, not a finding). Exit status 3 when any is altered or missing or the',
    '  chain is broken (a segment removed from the index).',
    '  --anchor: a chain link the centre recorded (each camera\'s newest link travels with its health',
    '  samples). If the chain no longer holds it, the history was rewritten after the centre saw it.',
  ].join('\n'),
  options: { data: { type: 'string' }, camera: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean' }, anchor: { type: 'string', multiple: true } },
  async run(ctx) {
    const dataDir = requireStr(ctx, 'data');
    const cameraId = requireStr(ctx, 'camera');
    const from = str(ctx, 'from');
    const to = str(ctx, 'to');
    const index = openIndex(dataDir);
    try {
      const report = await verifyCamera(index, dataDir, cameraId, {
        fromMs: from ? parseTime(from, 'from') : undefined,
        toMs: to ? parseTime(to, 'to') : undefined,
        anchors: (ctx.values.anchor as string[] | undefined) ?? [],
      });
      if (flag(ctx, 'json')) ctx.stdout.write(JSON.stringify(report, null, 2) + '\n');
      else {
        for (const s of report.segments) {
          if (s.verdict !== 'intact') ctx.stdout.write(`${s.verdict.padEnd(8)} ${s.start}  ${s.path}${s.detail ? `  (${s.detail})` : ''}\n`);
        }
        for (const b of report.chainBreaks) ctx.stdout.write(`chain    segment ${b.segmentId}: ${b.detail}\n`);
        for (const a of report.anchors) {
          ctx.stdout.write(a.found ? `anchor   ${a.link} held by segment ${a.segmentId}\n` : `anchor   ${a.link} NOT in the chain: the history was rewritten\n`);
        }
        const c = report.counts;
        ctx.stdout.write(
          `${cameraId}: ${report.segments.length} segment(s): ${c.intact} intact, ${c.altered} altered, ${c.missing} missing, ${c.expired} expired; ` +
            `${report.chainBreaks.length} chain break(s) -> ${report.ok ? 'OK' : 'NOT INTACT'}\n`,
        );
        if (report.segments.length === 0) ctx.stdout.write('(no segments in that range)\n');
      }
      return report.ok ? 0 : 3;
    } finally {
      index.db.close();
    }
  },
};

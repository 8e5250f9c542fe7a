import { UsageError, str, type Command } from '@camfleet/shared';
import { join } from 'node:path';
import { createSqliteAuditRepository } from '../../audit/repository.ts';
import { AuditTrail } from '../../audit/trail.ts';
import { AuditAnchor } from '../../audit/anchor.ts';
import { anchorConfig } from '../../audit/config.ts';
import { loadAggregatorConfig } from '../../config.ts';
import { openDatabase } from '../../db/database.ts';
import { CONFIG_OPTIONS } from '../open.ts';

export const auditCommand: Command = {
  name: 'audit',
  summary: "verify the audit trail's hash chain and its signed anchor (detects edited, removed or rebuilt entries)",
  usage: 'audit verify [--config <file>] [--data-dir <dir>] [--json]',
  details:
    'Exit code 0 when the chain is intact and holds every signed head and checkpoint, 1 otherwise. ' +
    'The anchor (audit.anchorDir, audit.anchorKey in the configuration) is what catches a chain rebuilt ' +
    'by someone with write access to the database: re-hashed after an edit, cut short, or renumbered.',
  allowPositionals: true,
  options: { ...CONFIG_OPTIONS, json: { type: 'boolean' } },
  async run(ctx) {
    const [action] = ctx.positionals;
    if (action !== 'verify') throw new UsageError(`unknown action '${action ?? ''}' (verify)`);
    const dataDir = str(ctx, 'data-dir');
    const config = loadAggregatorConfig(str(ctx, 'config'), dataDir ? { dataDir } : undefined);
    const cfg = anchorConfig(config);
    // Configured explicitly: the anchor must be there. By default: used once the server wrote one.
    const anchor = cfg.explicit ? AuditAnchor.open(cfg, ctx.env) : AuditAnchor.existing(cfg, ctx.env);
    const db = openDatabase(join(config.dataDir, 'aggregator.db'));
    try {
      const report = await new AuditTrail(createSqliteAuditRepository(db)).verify(anchor);
      if (ctx.values.json) ctx.stdout.write(JSON.stringify(report, null, 2) + '\n');
      else {
        ctx.stdout.write(`audit trail: ${report.entries} entries, last seq ${report.lastSeq}, last hash ${report.lastHash}\n`);
        if (report.anchor) {
          ctx.stdout.write(`signed anchor (${cfg.dir}): head at ${report.anchor.headSeq ?? 'none'}, ${report.anchor.checkpoints} checkpoint(s)` +
            (report.anchor.unanchored ? `, ${report.anchor.unanchored} newer entr${report.anchor.unanchored === 1 ? 'y' : 'ies'} not signed yet (being written, or written by another process)` : '') + '\n');
        } else {
          ctx.stdout.write('WARNING: no signed anchor: a chain rebuilt by someone with write access to the database would verify (configure audit.anchorDir / audit.anchorKey)\n');
        }
        for (const p of report.problems) ctx.stdout.write(`  PROBLEM at ${p.seq}: ${p.problem}: ${p.message}\n`);
        ctx.stdout.write(report.ok ? 'OK: the chain is intact\n' : `FAILED: ${report.problems.length} problem(s)\n`);
      }
      return report.ok ? 0 : 1;
    } finally {
      db.close();
    }
  },
};

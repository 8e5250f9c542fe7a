import { UsageError, type Command } from '@camfleet/shared';
import { createSqliteAuditRepository } from '../../audit/repository.ts';
import { AuditTrail } from '../../audit/trail.ts';
import { CONFIG_OPTIONS, openFromCli } from '../open.ts';

export const auditCommand: Command = {
  name: 'audit',
  summary: 'verify the audit trail\'s hash chain (detects edited or removed entries)',
  usage: 'audit verify [--config <file>] [--data-dir <dir>] [--json]',
  details: 'Exit code 0 when the chain is intact, 1 when any entry was edited or removed. Prints the last hash, which can be kept elsewhere as an anchor.',
  allowPositionals: true,
  options: { ...CONFIG_OPTIONS, json: { type: 'boolean' } },
  async run(ctx) {
    const [action] = ctx.positionals;
    if (action !== 'verify') throw new UsageError(`unknown action '${action ?? ''}' (verify)`);
    const db = openFromCli(ctx);
    try {
      const report = await new AuditTrail(createSqliteAuditRepository(db)).verify();
      if (ctx.values.json) ctx.stdout.write(JSON.stringify(report, null, 2) + '\n');
      else {
        ctx.stdout.write(`audit trail: ${report.entries} entries, last seq ${report.lastSeq}, last hash ${report.lastHash}\n`);
        for (const p of report.problems) ctx.stdout.write(`  PROBLEM at ${p.seq}: ${p.problem}: ${p.message}\n`);
        ctx.stdout.write(report.ok ? 'OK: the chain is intact\n' : `FAILED: ${report.problems.length} problem(s)\n`);
      }
      return report.ok ? 0 : 1;
    } finally {
      db.close();
    }
  },
};

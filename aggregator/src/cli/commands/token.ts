import { flag, requireStr, str, UsageError, type Command } from '@camfleet/shared';
import { EnrollmentService } from '../../enrollment/enrollment.ts';
import { FleetStore } from '../../fleet/store.ts';
import { CONFIG_OPTIONS, openFromCli } from '../open.ts';

/** '90s', '30m', '24h', '7d' (or plain seconds) to seconds. */
export function parseTtl(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(text.trim());
  if (!m) throw new UsageError(`--ttl '${text}' must look like 90s, 30m, 24h or 7d`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
  const seconds = Number(m[1]) * unit;
  if (!(seconds > 0) || seconds > 30 * 86400) throw new UsageError('--ttl must be between 1 second and 30 days');
  return seconds;
}

export const tokenCommand: Command = {
  name: 'token',
  summary: 'issue one-time enrollment tokens for a site',
  usage: 'token create --site <site-id> [--ttl 24h] [--note <text>] [--json]\n       camfleet-aggregator token list',
  details:
    'The token is printed once; only its hash is stored. It works once, until it expires.\n' +
    'On the site: camfleet-agent enroll --aggregator <http-url> --token <token>\n' +
    'Common options: --config <file>, --data-dir <dir>.',
  allowPositionals: true,
  options: { ...CONFIG_OPTIONS, site: { type: 'string' }, ttl: { type: 'string' }, note: { type: 'string' }, json: { type: 'boolean' } },
  run(ctx) {
    const [action] = ctx.positionals;
    const db = openFromCli(ctx);
    try {
      const enrollment = new EnrollmentService(db, new FleetStore(db));
      if (action === 'create') {
        const issued = enrollment.createToken(requireStr(ctx, 'site'), parseTtl(str(ctx, 'ttl') ?? '24h'), str(ctx, 'note'));
        if (flag(ctx, 'json')) ctx.stdout.write(JSON.stringify(issued) + '\n');
        else ctx.stdout.write(`enrollment token for site ${issued.siteId} (expires ${issued.expiresAt}, works once):\n${issued.token}\n`);
        return 0;
      }
      if (action === 'list') {
        for (const t of enrollment.listTokens()) {
          const state = t.usedAt ? `used by ${t.agentId} at ${t.usedAt}` : t.expiresAt <= new Date().toISOString() ? 'expired' : `valid until ${t.expiresAt}`;
          ctx.stdout.write(`${t.tokenId}\tsite=${t.siteId}\t${state}\n`);
        }
        return 0;
      }
      throw new UsageError(`unknown action '${action ?? ''}' (create | list)`);
    } finally {
      db.close();
    }
  },
};

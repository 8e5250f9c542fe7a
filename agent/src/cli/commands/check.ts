/** `camfleet-agent check <target>`: the camera against the city technical standard. */
import { flag, int, str, UsageError, type Command } from '@camfleet/shared';
import { checkTarget } from '../../conformance/check.ts';
import { loadStandard } from '../../conformance/standard.ts';
import { CREDENTIAL_HELP, CREDENTIAL_OPTIONS, readCredentials } from '../credentials.ts';
import { paint, table, useColour, type Colour } from '../format.ts';

export const check: Command = {
  name: 'check',
  summary: 'check one camera against the city technical standard (exit 0 only when nothing fails)',
  usage: 'check <device-service-url | host[:port]> [--user <u>] [--password-env <VAR>] [--standard <file>] [--json]',
  details: [
    CREDENTIAL_HELP,
    '  --standard <file>       the standard (default: agent/standards/city-default.yaml)',
    '  --json                  print {record, conformance}',
    '  --timeout <ms>          per call (default 5000)',
    '  --no-credential-test    skip the factory-credential logins (at most 3 are tried otherwise)',
  ].join('\n'),
  options: {
    ...CREDENTIAL_OPTIONS,
    standard: { type: 'string' },
    json: { type: 'boolean' },
    timeout: { type: 'string' },
    'no-credential-test': { type: 'boolean' },
  },
  allowPositionals: true,
  async run(ctx) {
    const [target, ...extra] = ctx.positionals;
    if (!target || extra.length) throw new UsageError('give exactly one camera');
    const standard = loadStandard(str(ctx, 'standard'));
    const credentials = await readCredentials(ctx);
    const { probe, result } = await checkTarget(target, credentials, {
      standard,
      timeoutMs: int(ctx, 'timeout', 5_000),
      ...(flag(ctx, 'no-credential-test') ? { defaultCredentialAttempts: 0 } : {}),
    });
    if (flag(ctx, 'json')) {
      ctx.stdout.write(JSON.stringify({ record: probe.record, conformance: result }, null, 2) + '\n');
    } else {
      const c = paint(useColour(ctx.stdout, ctx.env));
      const colour: Record<string, Colour> = { pass: 'green', warn: 'yellow', fail: 'red' };
      const r = probe.record;
      ctx.stdout.write(`${c('bold', 'Camera')}    ${r.manufacturer || '?'} ${r.model || '?'}, firmware ${r.firmwareVersion || '?'} at ${r.deviceServiceUrl}\n`);
      ctx.stdout.write(`${c('bold', 'Standard')}  ${result.standard}\n\n`);
      const rows = [['RULE', 'STATUS', 'EVIDENCE'].map((h) => c('bold', h))];
      for (const rule of result.rules) rows.push([rule.title, c(colour[rule.status]!, rule.status.toUpperCase()), rule.evidence]);
      ctx.stdout.write(table(rows) + '\n\n');
      const fails = result.rules.filter((x) => x.status === 'fail').length;
      const warns = result.rules.filter((x) => x.status === 'warn').length;
      ctx.stdout.write(`${c('bold', 'Verdict')}   ${c(colour[result.verdict]!, result.verdict.toUpperCase())} (${fails} failed, ${warns} warning${warns === 1 ? '' : 's'})\n`);
    }
    return result.verdict === 'fail' ? 1 : 0;
  },
};

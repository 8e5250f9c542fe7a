import { flag, int, str, type Command } from '@camfleet/shared';
import { loadAgentConfig } from '../../config.ts';
import { formatReport, runDoctor, worst } from '../../doctor/index.ts';
import { runtimeLayout } from '../../runtime/paths.ts';
import { AGENT_BUILD, AGENT_VERSION } from '../../version.ts';

export const doctor: Command = {
  name: 'doctor',
  summary: 'check this box: ffmpeg, disk space and speed, clock, aggregator, credentials, native addons',
  usage: 'doctor [--config <file>] [--aggregator-http <url>] [--json]',
  details: [
    'Prints ok / warn / fail per item with what to do; exits 1 when any item fails.',
    '--aggregator-http <url>  also compare the clock with the aggregator (its HTTP Date header)',
    '--write-test-mib <n>     MiB written to measure the data directory (default 32)',
  ].join('\n'),
  options: {
    config: { type: 'string', short: 'c' },
    'aggregator-http': { type: 'string' },
    'write-test-mib': { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(ctx) {
    const config = loadAgentConfig(str(ctx, 'config'));
    const results = await runDoctor({ config, env: ctx.env, aggregatorHttpUrl: str(ctx, 'aggregator-http'), writeTestMiB: int(ctx, 'write-test-mib', 32) });
    const verdict = worst(results);
    const layout = runtimeLayout();
    const about = { version: AGENT_VERSION, build: AGENT_BUILD, node: process.version, layout: layout.kind, root: layout.root };
    if (flag(ctx, 'json')) {
      ctx.stdout.write(JSON.stringify({ ...about, verdict, checks: results }, null, 2) + '\n');
    } else {
      const header = `camfleet-agent ${AGENT_VERSION} (build ${AGENT_BUILD}), Node ${process.version}, ${layout.kind} at ${layout.root}`;
      ctx.stdout.write(formatReport(header, results) + '\n');
    }
    return verdict === 'fail' ? 1 : 0;
  },
};

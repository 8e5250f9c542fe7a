import { str, type Command } from '@camfleet/shared';
import { loadAggregatorConfig } from '../../config.ts';
import { startAggregator } from '../../server.ts';

export const run: Command = {
  name: 'run',
  summary: 'run the aggregator (broker, ingest, HTTP API) until SIGINT/SIGTERM',
  usage: 'run [--config <file>]',
  details: 'Settings come from the config file and CAMFLEET_* environment variables (e.g. CAMFLEET_HTTP__PORT=8081).',
  options: { config: { type: 'string', short: 'c' } },
  async run(ctx) {
    const config = loadAggregatorConfig(str(ctx, 'config'));
    const agg = await startAggregator(config);
    ctx.stdout.write(`camfleet-aggregator: mqtt on port ${agg.mqttPort}, http on ${agg.httpUrl}\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await agg.close();
    return 0;
  },
};

import { str, type Command } from '@camfleet/shared';
import { loadAgentConfig } from '../../config.ts';
import { startAgent } from '../../runtime/agent.ts';

export const run: Command = {
  name: 'run',
  summary: 'run the agent (cameras, recording, reporting) until SIGINT/SIGTERM',
  usage: 'run [--config <file>]',
  details: 'Settings come from the config file and CAMFLEET_* environment variables (e.g. CAMFLEET_DATA_DIR=/var/lib/camfleet).',
  options: { config: { type: 'string', short: 'c' } },
  async run(ctx) {
    const config = loadAgentConfig(str(ctx, 'config'));
    const agent = await startAgent(config);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await agent.stop();
    return 0;
  },
};

import { str, type Command } from '@camfleet/shared';
import { loadAgentConfig } from '../../config.ts';
import { startAgent } from '../../runtime/agent.ts';

export const run: Command = {
  name: 'run',
  summary: 'run the agent (cameras, recording, reporting) until SIGINT/SIGTERM',
  usage: 'run [--config <file>]',
  details:
    'Settings come from the config file and CAMFLEET_* environment variables (e.g. CAMFLEET_DATA_DIR=/var/lib/camfleet).\n' +
    "A configuration change from the centre (config.apply) is written to <dataDir>/managed-config.json (never to the config file)\n" +
    'and applied in place; a change of the box-owned settings (paths, uplink, identity) restarts the runtime.',
  options: { config: { type: 'string', short: 'c' } },
  async run(ctx) {
    const configFile = str(ctx, 'config');
    let stopSignal = false;
    const signalled = new Promise<void>((resolve) => {
      const stop = () => {
        stopSignal = true;
        resolve();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    while (!stopSignal) {
      let restart!: () => void;
      const restartRequested = new Promise<void>((resolve) => (restart = resolve));
      const agent = await startAgent(loadAgentConfig(configFile), undefined, { configFile, requestRestart: () => restart() });
      await Promise.race([signalled, restartRequested]);
      await agent.stop();
    }
    return 0;
  },
};

import { writeFileSync } from 'node:fs';
import { isValidAgentId, requireStr, str, UsageError, type Command } from '@camfleet/shared';
import { FleetStore } from '../../fleet/store.ts';
import { CONFIG_OPTIONS, openFromCli } from '../open.ts';

export const agentCommand: Command = {
  name: 'agent',
  summary: 'register or revoke an agent directly (sites normally enroll with a token)',
  usage: 'agent create --id <agent-id> --out <credentials.json> [--mqtt-url <url>]\n       camfleet-aggregator agent revoke --id <agent-id>',
  details: 'The credentials file is written with mode 0600 and holds the agent\'s MQTT password.',
  allowPositionals: true,
  options: { ...CONFIG_OPTIONS, id: { type: 'string' }, out: { type: 'string' }, 'mqtt-url': { type: 'string' } },
  run(ctx) {
    const [action] = ctx.positionals;
    const id = requireStr(ctx, 'id');
    if (!isValidAgentId(id)) throw new UsageError(`agent id '${id}' must be lowercase letters, digits and '-'`);
    const db = openFromCli(ctx);
    try {
      const fleet = new FleetStore(db);
      if (action === 'create') {
        const out = requireStr(ctx, 'out');
        const creds = fleet.createAgent(id);
        const file = { agentId: creds.agentId, password: creds.password, mqttUrl: str(ctx, 'mqtt-url') };
        writeFileSync(out, JSON.stringify(file, null, 2) + '\n', { mode: 0o600 });
        ctx.stdout.write(`registered agent ${id}; credentials written to ${out}\n`);
        return 0;
      }
      if (action === 'revoke') {
        // The running aggregator checks connected agents against revocations every
        // mqtt.revocationCheckMs (1 s by default) and cuts this one's connection; it cannot log in again.
        ctx.stdout.write(fleet.revokeAgent(id) ? `revoked agent ${id}; a running aggregator disconnects it within seconds\n` : `no active agent ${id}\n`);
        return 0;
      }
      throw new UsageError(`unknown action '${action ?? ''}' (create | revoke)`);
    } finally {
      db.close();
    }
  },
};

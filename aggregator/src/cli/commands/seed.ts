import { requireStr, resolveSecret, str, type Command } from '@camfleet/shared';
import { UserStore } from '../../auth/users.ts';
import { FleetStore } from '../../fleet/store.ts';
import { createDomainServices } from '../../services.ts';
import { loadSeed, readSeedFile, seedGrantCreator } from '../../seed/load.ts';
import { CONFIG_OPTIONS, openFromCli } from '../open.ts';

export const seedCommand: Command = {
  name: 'seed',
  summary: 'load areas, organisations, sites, cameras, users and grants from a seed file (idempotent)',
  usage: 'seed --file <seed.json> [--password-env <VAR>]',
  details:
    'Every entity is upserted by id, so loading twice gives the same state. Users that exist keep\n' +
    'their password. New users get the password in $VAR, or a random one printed once.\n' +
    'Example: camfleet-aggregator seed --file aggregator/seed/hanoi.json --password-env DEMO_PASSWORD',
  options: { ...CONFIG_OPTIONS, file: { type: 'string', short: 'f' }, 'password-env': { type: 'string' } },
  async run(ctx) {
    const seed = readSeedFile(requireStr(ctx, 'file'));
    const env = str(ctx, 'password-env');
    const userPassword = env ? resolveSecret({ env }, ctx.env) : undefined;
    const db = openFromCli(ctx);
    try {
      const domain = createDomainServices(db);
      const users = new UserStore(db);
      const result = await loadSeed(seed, { repos: domain.repos, fleet: new FleetStore(db), users, createGrant: seedGrantCreator(domain, users) }, { userPassword });
      ctx.stdout.write(
        `seeded ${seed.name ?? 'city'}: ${result.areas} areas, ${result.orgs} orgs, ${result.sites} sites, ${result.cameras} cameras, ` +
          `${result.agentsCreated} new agents, ${result.usersCreated.length} new users, ${result.grantsCreated} new grants\n`,
      );
      for (const u of result.usersCreated) ctx.stdout.write(`  user ${u.username} (${u.role} @ ${u.org})${u.password ? ` password: ${u.password}` : ''}\n`);
      return 0;
    } finally {
      db.close();
    }
  },
};

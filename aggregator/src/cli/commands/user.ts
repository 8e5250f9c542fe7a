import { requireStr, resolveSecret, str, UsageError, type Command } from '@camfleet/shared';
import { newSecret } from '../../auth/secrets.ts';
import { UserStore } from '../../auth/users.ts';
import { CONFIG_OPTIONS, openFromCli } from '../open.ts';

export const userCommand: Command = {
  name: 'user',
  summary: 'create users and issue API tokens',
  usage:
    'user create --username <name> --role <role> [--password-env <VAR> | --password-file <file>]\n' +
    '       camfleet-aggregator user token --username <name> [--name <label>] [--ttl-days <n>]',
  details:
    'Without a password source, `user create` generates one and prints it once.\n' +
    '`user token` prints a new bearer token once; only its hash is stored.\n' +
    'Common options: --config <file>, --data-dir <dir>.',
  allowPositionals: true,
  options: {
    ...CONFIG_OPTIONS,
    username: { type: 'string' },
    role: { type: 'string' },
    'password-env': { type: 'string' },
    'password-file': { type: 'string' },
    name: { type: 'string' },
    'ttl-days': { type: 'string' },
  },
  run(ctx) {
    const [action] = ctx.positionals;
    const db = openFromCli(ctx);
    try {
      const users = new UserStore(db);
      const username = requireStr(ctx, 'username');
      if (action === 'create') {
        const role = requireStr(ctx, 'role');
        const env = str(ctx, 'password-env');
        const file = str(ctx, 'password-file');
        const generated = !env && !file;
        const password = env ? resolveSecret({ env }, ctx.env) : file ? resolveSecret({ file }) : newSecret(12);
        const user = users.create(username, password, role);
        ctx.stdout.write(`created user ${user.username} (${user.role})\n`);
        if (generated) ctx.stdout.write(`password: ${password}\n`);
        return 0;
      }
      if (action === 'token') {
        const user = users.byUsername(username);
        if (!user) throw new Error(`no user '${username}'`);
        const days = str(ctx, 'ttl-days');
        ctx.stdout.write(users.issueToken(user.id, str(ctx, 'name') ?? 'cli', days ? Number(days) * 86400 : undefined) + '\n');
        return 0;
      }
      throw new UsageError(`unknown action '${action ?? ''}' (create | token)`);
    } finally {
      db.close();
    }
  },
};

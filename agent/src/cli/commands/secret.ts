/**
 * `camfleet-agent secret set|list|rm`: the box's keystore (agent/src/keystore). A value is read
 * from stdin (piped: everything up to the end, one trailing newline removed; on a terminal: a
 * hidden prompt) or from an environment variable (--from-env), never from the command line, so
 * it shows in no process list or shell history. The centre's configuration may then name it as
 * `password: { keystore: <name> }`.
 */
import { str, UsageError, type Command } from '@camfleet/shared';
import { keystorePath, loadAgentConfig } from '../../config.ts';
import { Keystore, KeystoreError, SECRET_NAME } from '../../keystore/keystore.ts';
import { promptHidden } from '../credentials.ts';

async function readStdin(maxBytes = 64 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of process.stdin) {
    total += (chunk as Buffer).length;
    if (total > maxBytes) throw new UsageError('the secret on stdin is too long');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export const secret: Command = {
  name: 'secret',
  summary: "the box's keystore: named secrets (camera passwords) the configuration refers to",
  usage: 'secret set <name> [--from-env <VAR>] | secret list | secret rm <name>   [--config <file>] [--data <dir>]',
  details: [
    'set: the value comes from stdin (e.g. `camfleet-agent secret set gate-pw < pw.txt`), a hidden prompt,',
    '     or --from-env <VAR>; never from the command line. The keystore file is mode 0600',
    '     (<dataDir>/keystore.json, or keystoreFile in the config).',
    'list: the names only. rm: removes one.',
    "A camera then uses it with `password: { keystore: <name> }`; the centre's config.apply may name",
    'only secrets already here, and never move one to another host.',
  ].join('\n'),
  options: { config: { type: 'string', short: 'c' }, data: { type: 'string' }, 'from-env': { type: 'string' } },
  allowPositionals: true,
  async run(ctx) {
    const [action, name, ...rest] = ctx.positionals;
    if (rest.length) throw new UsageError('too many arguments: a secret value is never given on the command line (use stdin or --from-env)');
    const data = str(ctx, 'data');
    const config = loadAgentConfig(str(ctx, 'config'), data ? { dataDir: data } : undefined);
    const keystore = new Keystore(keystorePath(config));
    try {
      switch (action) {
        case 'list':
          for (const n of keystore.names()) ctx.stdout.write(`${n}\n`);
          return 0;
        case 'set': {
          if (!name) throw new UsageError('secret set <name>');
          if (!SECRET_NAME.test(name)) throw new UsageError(`'${name}' is not a valid name (letters, digits, _ . -, at most 64)`);
          const envName = str(ctx, 'from-env');
          let value: string;
          if (envName) {
            const v = ctx.env[envName];
            if (v === undefined) throw new UsageError(`environment variable ${envName} is not set`);
            value = v;
          } else if (process.stdin.isTTY) {
            value = await promptHidden(`Value for ${name}: `, ctx.stderr);
          } else {
            value = await readStdin();
          }
          keystore.set(name, value);
          ctx.stdout.write(`secret '${name}' stored in ${keystore.file}\n`);
          return 0;
        }
        case 'rm':
          if (!name) throw new UsageError('secret rm <name>');
          if (!keystore.delete(name)) {
            ctx.stderr.write(`no secret '${name}'\n`);
            return 1;
          }
          ctx.stdout.write(`secret '${name}' removed\n`);
          return 0;
        default:
          throw new UsageError("secret set <name> | secret list | secret rm <name>");
      }
    } catch (err) {
      if (err instanceof KeystoreError) throw new UsageError(err.message);
      throw err;
    }
  },
};

/**
 * Camera credentials for the technician's commands: the user on the command line, the password
 * from an environment variable, a file, or a prompt, never from argv.
 */
import { readFileSync } from 'node:fs';
import { UsageError, str, type CommandContext, type OptionSpec } from '@camfleet/shared';
import type { Credentials } from '../onvif/auth.ts';

export const CREDENTIAL_OPTIONS: OptionSpec = {
  user: { type: 'string' },
  'password-env': { type: 'string' },
  'password-file': { type: 'string' },
};

export const CREDENTIAL_HELP = [
  '  --user <u>              camera user (ONVIF)',
  '  --password-env <VAR>    read the password from environment variable VAR',
  '  --password-file <file>  read the password from a file (first line)',
  '  (with --user and neither of these, the password is asked for on the terminal)',
].join('\n');

export async function readCredentials(ctx: CommandContext): Promise<Credentials | undefined> {
  const username = str(ctx, 'user');
  const envName = str(ctx, 'password-env');
  const file = str(ctx, 'password-file');
  if (!username) {
    if (envName || file) throw new UsageError('--password-env/--password-file need --user');
    return undefined;
  }
  if (envName) {
    const v = ctx.env[envName];
    if (v === undefined) throw new UsageError(`environment variable ${envName} is not set`);
    return { username, password: v };
  }
  if (file) {
    try {
      return { username, password: readFileSync(file, 'utf8').split(/\r?\n/)[0] ?? '' };
    } catch (err) {
      throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
    }
  }
  if (!process.stdin.isTTY) throw new UsageError('no password: use --password-env or --password-file (no terminal to ask on)');
  return { username, password: await promptHidden(`Password for ${username}: `, ctx.stderr) };
}

/** Reads a line from the terminal without echoing it (passwords, keystore secrets). */
export function promptHidden(question: string, out: NodeJS.WritableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    out.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    let value = '';
    const onData = (buf: Buffer) => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new Error('cancelled'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    const done = (err?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      out.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    stdin.on('data', onData);
  });
}

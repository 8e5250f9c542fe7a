/**
 * A small command-line frame shared by both programs: one file per subcommand, each declaring
 * its options for `node:util` parseArgs, its usage line and its run function.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface CommandContext {
  /** Parsed option values. */
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

export interface Command {
  name: string;
  summary: string;
  /** e.g. `probe <url> [--user <u>] [--password-env <VAR>] [--json]` */
  usage: string;
  /** Extra lines of help printed under the usage. */
  details?: string;
  options?: OptionSpec;
  allowPositionals?: boolean;
  /** Returns the process exit code; long-running commands resolve when they stop. */
  run(ctx: CommandContext): Promise<number> | number;
}

export class UsageError extends Error {}

export interface Program {
  name: string;
  version: string;
  description: string;
  commands: Command[];
}

function helpText(p: Program): string {
  const width = Math.max(...p.commands.map((c) => c.name.length));
  return [
    `${p.name} ${p.version}: ${p.description}`,
    '',
    `Usage: ${p.name} <command> [options]`,
    '',
    'Commands:',
    ...p.commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    `Run '${p.name} <command> --help' for a command's options.`,
  ].join('\n');
}

function commandHelp(p: Program, c: Command): string {
  const lines = [`Usage: ${p.name} ${c.usage}`, '', c.summary];
  if (c.details) lines.push('', c.details);
  return lines.join('\n');
}

/** Runs a program with argv (without node and script); returns the exit code. */
export async function runProgram(
  p: Program,
  argv: string[],
  io: { stdout?: NodeJS.WritableStream; stderr?: NodeJS.WritableStream; env?: NodeJS.ProcessEnv } = {},
): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const [first, ...rest] = argv;
  if (!first || first === '--help' || first === '-h' || first === 'help') {
    stdout.write(helpText(p) + '\n');
    return first ? 0 : 2;
  }
  if (first === '--version' || first === '-V') {
    stdout.write(`${p.version}\n`);
    return 0;
  }
  const command = p.commands.find((c) => c.name === first);
  if (!command) {
    stderr.write(`${p.name}: unknown command '${first}'\n\n${helpText(p)}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    stdout.write(commandHelp(p, command) + '\n');
    return 0;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: command.options ?? {},
      allowPositionals: command.allowPositionals ?? false,
      strict: true,
    });
  } catch (err) {
    stderr.write(`${p.name} ${command.name}: ${(err as Error).message}\n${commandHelp(p, command)}\n`);
    return 2;
  }
  try {
    return await command.run({ values: parsed.values, positionals: parsed.positionals, stdout, stderr, env: io.env ?? process.env });
  } catch (err) {
    if (err instanceof UsageError) {
      stderr.write(`${p.name} ${command.name}: ${err.message}\n${commandHelp(p, command)}\n`);
      return 2;
    }
    stderr.write(`${p.name} ${command.name}: ${(err as Error).message}\n`);
    if (process.env.CAMFLEET_DEBUG) stderr.write(`${(err as Error).stack}\n`);
    return 1;
  }
}

export function str(ctx: CommandContext, key: string): string | undefined {
  const v = ctx.values[key];
  return typeof v === 'string' ? v : undefined;
}

export function requireStr(ctx: CommandContext, key: string): string {
  const v = str(ctx, key);
  if (v === undefined) throw new UsageError(`--${key} is required`);
  return v;
}

export function flag(ctx: CommandContext, key: string): boolean {
  return ctx.values[key] === true;
}

export function int(ctx: CommandContext, key: string, fallback: number): number {
  const v = str(ctx, key);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`--${key} must be a number, got '${v}'`);
  return n;
}

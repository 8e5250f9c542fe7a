import type { Command } from '@camfleet/shared';
import { runProgram } from '@camfleet/shared';
import { AGENT_VERSION } from '../version.ts';

/**
 * Each subcommand's module, loaded only when that subcommand runs: `run` then never loads the
 * `detect` or `doctor` modules (and through them the detection pipeline, jpeg codecs, the ONVIF
 * prober...), which keeps the agent's idle memory down on a small box (issue 17). `--help`, or
 * a name not listed here, loads the full table (commands/index.ts, the list in help order).
 */
export const LOADERS: Record<string, () => Promise<Command>> = {
  run: async () => (await import('./commands/run.ts')).run,
  record: async () => (await import('./commands/record.ts')).record,
  export: async () => (await import('./commands/export.ts')).exportCommand,
  verify: async () => (await import('./commands/verify.ts')).verify,
  doctor: async () => (await import('./commands/doctor.ts')).doctor,
  install: async () => (await import('./commands/install.ts')).install,
  uninstall: async () => (await import('./commands/install.ts')).uninstall,
  discover: async () => (await import('./commands/discover.ts')).discover,
  scan: async () => (await import('./commands/scan.ts')).scan,
  probe: async () => (await import('./commands/probe.ts')).probe,
  check: async () => (await import('./commands/check.ts')).check,
  enroll: async () => (await import('./commands/enroll.ts')).enrollCommand,
  secret: async () => (await import('./commands/secret.ts')).secret,
  detect: async () => (await import('./commands/detect.ts')).detect,
};

async function commandsFor(argv: string[]): Promise<Command[]> {
  const load = argv[0] ? LOADERS[argv[0]] : undefined;
  if (load && !argv.includes('--help') && !argv.includes('-h')) {
    const command = await load();
    // A renamed command must not silently fall back to loading everything.
    if (command.name === argv[0]) return [command];
  }
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) return [];
  return (await import('./commands/index.ts')).COMMANDS;
}

export async function main(argv: string[]): Promise<number> {
  return runProgram(
    {
      name: 'camfleet-agent',
      version: AGENT_VERSION,
      description: "camfleet's site agent: finds, checks, records and reports the site's cameras",
      commands: await commandsFor(argv),
    },
    argv,
  );
}

import { resolve } from 'node:path';
import { flag, requireStr, str, UsageError, type Command } from '@camfleet/shared';
import { applySteps, hiddenPathWarnings, installSteps, liveSystemProblem, serviceSpecFromConfig, UNIT_NAME, uninstallSteps } from '../../service/index.ts';

const common = {
  root: { type: 'string' },
  'dry-run': { type: 'boolean' },
} as const;

function target(root: string | undefined): string {
  return root ? resolve(root) : '/';
}

export const install: Command = {
  name: 'install',
  summary: 'install the agent as a systemd service (own user, data directory, restart on failure, start at boot)',
  usage: 'install --config <file> [--user <name>] [--exec <path>] [--root <dir>] [--dry-run]',
  details: [
    'Writes /etc/systemd/system/camfleet-agent.service, a sysusers.d entry for the service user',
    'and a tmpfiles.d entry giving it the data directory, then starts the service. Running it again',
    'changes nothing unless the config moved. --dry-run prints every step without doing it.',
    '--root <dir>  write the files under <dir> (an image being prepared); no command is run',
    '--user        the dedicated system user (default camfleet)',
    '--exec        the agent executable systemd runs (default: this executable)',
  ].join('\n'),
  options: { ...common, config: { type: 'string', short: 'c' }, user: { type: 'string' }, exec: { type: 'string' } },
  run(ctx) {
    const root = target(str(ctx, 'root'));
    const dryRun = flag(ctx, 'dry-run');
    const exec = str(ctx, 'exec');
    let spec;
    try {
      spec = serviceSpecFromConfig(requireStr(ctx, 'config'), { user: str(ctx, 'user') ?? 'camfleet', exec: exec ? [exec] : undefined });
    } catch (err) {
      if (err instanceof UsageError) throw err;
      ctx.stderr.write(`camfleet-agent install: ${(err as Error).message}\n`);
      return 1;
    }
    const problem = root === '/' && !dryRun ? liveSystemProblem() : undefined;
    if (problem) {
      ctx.stderr.write(`camfleet-agent install: ${problem}\n`);
      return 1;
    }
    const log = (line: string) => ctx.stdout.write(line + '\n');
    log(`${dryRun ? 'dry run: ' : ''}install ${UNIT_NAME} under ${root} (user ${spec.user}, data ${spec.dataDir}, config ${spec.configFile})`);
    for (const w of hiddenPathWarnings(spec)) log(w);
    const changed = applySteps(installSteps(spec), { root, dryRun, log });
    log(changed ? (dryRun ? 'dry run: nothing was changed' : root === '/' ? `installed: the agent runs as ${UNIT_NAME} and starts at boot` : `installed under ${root}: the agent starts when that system boots`) : 'already installed: nothing to change');
    return 0;
  },
};

export const uninstall: Command = {
  name: 'uninstall',
  summary: 'stop and remove the systemd service (keeps the data directory and the user)',
  usage: 'uninstall [--root <dir>] [--dry-run]',
  details: 'Recordings in the data directory are kept; remove them and the user (userdel camfleet) separately if wanted.',
  options: common,
  run(ctx) {
    const root = target(str(ctx, 'root'));
    const dryRun = flag(ctx, 'dry-run');
    const problem = root === '/' && !dryRun ? liveSystemProblem() : undefined;
    if (problem) {
      ctx.stderr.write(`camfleet-agent uninstall: ${problem}\n`);
      return 1;
    }
    const log = (line: string) => ctx.stdout.write(line + '\n');
    log(`${dryRun ? 'dry run: ' : ''}uninstall ${UNIT_NAME} under ${root}`);
    const changed = applySteps(uninstallSteps(), { root, dryRun, log });
    log(changed ? (dryRun ? 'dry run: nothing was changed' : 'uninstalled: the data directory and the user are kept') : 'not installed: nothing to change');
    return 0;
  },
};

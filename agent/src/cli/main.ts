import { runProgram } from '@camfleet/shared';
import { AGENT_VERSION } from '../version.ts';
import { COMMANDS } from './commands/index.ts';

export function main(argv: string[]): Promise<number> {
  return runProgram(
    {
      name: 'camfleet-agent',
      version: AGENT_VERSION,
      description: "camfleet's site agent: finds, checks, records and reports the site's cameras",
      commands: COMMANDS,
    },
    argv,
  );
}

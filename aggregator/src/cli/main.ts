import { runProgram } from '@camfleet/shared';
import { AGGREGATOR_VERSION } from '../version.ts';
import { COMMANDS } from './commands/index.ts';

export function main(argv: string[]): Promise<number> {
  return runProgram(
    {
      name: 'camfleet-aggregator',
      version: AGGREGATOR_VERSION,
      description: 'the central side of camfleet: broker, fleet registry, API',
      commands: COMMANDS,
    },
    argv,
  );
}

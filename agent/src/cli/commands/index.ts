import type { Command } from '@camfleet/shared';
import { run } from './run.ts';

/** Every subcommand of camfleet-agent, in the order `--help` lists them. */
export const COMMANDS: Command[] = [run];

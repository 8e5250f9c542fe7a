import type { Command } from '@camfleet/shared';
import { run } from './run.ts';
import { userCommand } from './user.ts';
import { agentCommand } from './agent.ts';
import { seedCommand } from './seed.ts';
import { auditCommand } from './audit.ts';
import { siteCommand } from './site.ts';
import { tokenCommand } from './token.ts';

/** Every subcommand of camfleet-aggregator, in the order `--help` lists them. */
export const COMMANDS: Command[] = [run, userCommand, agentCommand, seedCommand, siteCommand, tokenCommand, auditCommand];

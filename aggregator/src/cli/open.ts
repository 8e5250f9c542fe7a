/** Opens the aggregator's database for an administrative command, from the same config as `run`. */
import { join } from 'node:path';
import { str, type CommandContext, type OptionSpec } from '@camfleet/shared';
import { loadAggregatorConfig } from '../config.ts';
import { openDatabase, type Db } from '../db/database.ts';

export const CONFIG_OPTIONS: OptionSpec = {
  config: { type: 'string', short: 'c' },
  'data-dir': { type: 'string' },
};

export function openFromCli(ctx: CommandContext): Db {
  const dataDir = str(ctx, 'data-dir');
  const config = loadAggregatorConfig(str(ctx, 'config'), dataDir ? { dataDir } : undefined);
  return openDatabase(join(config.dataDir, 'aggregator.db'));
}

// The agent's command line loads one subcommand's module at a time (agent/src/cli/main.ts):
// the lazy table must name every command of the full table, each to that same command.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LOADERS } from '../src/cli/main.ts';
import { COMMANDS } from '../src/cli/commands/index.ts';

test('every command of the help table has a lazy loader that yields that command', async () => {
  assert.equal(Object.keys(LOADERS).sort(), COMMANDS.map((c) => c.name).sort());
  for (const c of COMMANDS) assert.is(await LOADERS[c.name]!(), c, c.name);
});

test.run();

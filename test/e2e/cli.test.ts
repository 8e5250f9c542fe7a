import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AGENT_BIN, AGGREGATOR_BIN, REPO_ROOT, runToEnd } from '../support/processes.ts';

for (const [bin, pkg] of [
  [AGENT_BIN, 'agent'],
  [AGGREGATOR_BIN, 'aggregator'],
] as const) {
  const version = JSON.parse(readFileSync(join(REPO_ROOT, pkg, 'package.json'), 'utf8')).version;

  test(`${pkg}: --version prints the package version`, async () => {
    const r = await runToEnd(process.execPath, [bin, '--version']);
    assert.is(r.code, 0);
    assert.is(r.stdout.trim(), version);
  });

  test(`${pkg}: --help lists the subcommands`, async () => {
    const r = await runToEnd(process.execPath, [bin, '--help']);
    assert.is(r.code, 0);
    assert.match(r.stdout, /Commands:/);
    assert.match(r.stdout, /\brun\b/);
  });

  test(`${pkg}: an unknown command is refused with exit 2`, async () => {
    const r = await runToEnd(process.execPath, [bin, 'frobnicate']);
    assert.is(r.code, 2);
    assert.match(r.stderr, /unknown command 'frobnicate'/);
  });
}

test('a config file with a wrong key is refused with a message naming it', async () => {
  const { tempDir } = await import('../support/tmp.ts');
  const { writeFileSync } = await import('node:fs');
  const dir = tempDir();
  try {
    const file = join(dir.path, 'agent.yaml');
    writeFileSync(file, `dataDir: ${dir.path}\nheartbeatSecnds: 5\n`);
    const r = await runToEnd(process.execPath, [AGENT_BIN, 'run', '--config', file]);
    assert.is(r.code, 1);
    assert.match(r.stderr, /unknown key heartbeatSecnds/);
  } finally {
    dir.cleanup();
  }
});

test.run();

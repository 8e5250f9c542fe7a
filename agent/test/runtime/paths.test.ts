/** Where the agent finds its assets and native addons, from source and in the binary. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { assetPath, isBinary, layoutFor, runtimeLayout } from '../../src/runtime/paths.ts';
import { loadShippedAddon } from '../../src/runtime/native.ts';

test('in the binary everything is found beside the executable', () => {
  assert.equal(layoutFor({ binary: true, execPath: '/opt/camfleet-agent/camfleet-agent', sourceRoot: '/repo' }), {
    kind: 'binary',
    root: '/opt/camfleet-agent',
    libDir: '/opt/camfleet-agent/lib',
    assetsDir: '/opt/camfleet-agent/share',
  });
});

test('from source, assets are the repo files and addons come from node_modules', () => {
  assert.equal(layoutFor({ binary: false, execPath: '/usr/bin/node', sourceRoot: '/repo' }), { kind: 'source', root: '/repo', libDir: null, assetsDir: '/repo' });
  assert.is(isBinary(), false);
  assert.ok(existsSync(assetPath('agent/package.json')), runtimeLayout().root);
  assert.throws(() => loadShippedAddon('better_sqlite3.node'), /only for the binary/);
});

test.run();

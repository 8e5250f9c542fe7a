import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { applyPatch, applyPatchToFile, mergePatch, ConfigPatchError } from '../../src/runtime/config-apply.ts';
import { tempDir } from '../../../test/support/tmp.ts';

test('a patch merges objects key by key, replaces arrays and removes with null', () => {
  const merged = mergePatch({ a: 1, d: { x: 1, y: 2 }, list: [1, 2] }, { d: { y: 3 }, list: [9], a: null });
  assert.equal(merged, { d: { x: 1, y: 3 }, list: [9] });
});

test('prototype keys in a patch are ignored', () => {
  const merged = mergePatch({}, JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}'));
  assert.equal(merged, { ok: 1 });
  assert.is(({} as Record<string, unknown>).polluted, undefined);
});

test('only the remotely changeable settings may be patched', () => {
  assert.throws(() => applyPatch({}, { aggregator: { mqttUrl: 'mqtt://evil:1883' } }, 'x'), (e: Error) => e instanceof ConfigPatchError && /aggregator/.test(e.message));
  assert.throws(() => applyPatch({}, { dataDir: '/tmp' }, 'x'), /not changeable remotely: dataDir/);
  assert.throws(() => applyPatch({}, 'heartbeatSeconds=5', 'x'), /must be an object/);
});

test('the patched config is validated with the same schema as at start, naming the bad key', () => {
  assert.throws(() => applyPatch({}, { heartbeatSeconds: 'often' }, 'agent.yaml + patch'), /heartbeatSeconds/);
  assert.throws(() => applyPatch({}, { detection: { fsp: 2 } }, 'agent.yaml + patch'), /detection\.fsp/);
  const { config } = applyPatch({ dataDir: '/var/lib/camfleet' }, { heartbeatSeconds: 5, detection: { fps: 1 } }, 'x');
  assert.is(config.heartbeatSeconds, 5);
  assert.is(config.detection.fps, 1);
  assert.is(config.dataDir, '/var/lib/camfleet');
});

test('the file is written only when valid, and the previous one kept', () => {
  const dir = tempDir();
  try {
    const file = join(dir.path, 'agent.yaml');
    writeFileSync(file, 'dataDir: /srv/agent\nheartbeatSeconds: 10\n');
    assert.throws(() => applyPatchToFile(file, { heartbeatSeconds: -1 }));
    assert.is(readFileSync(file, 'utf8'), 'dataDir: /srv/agent\nheartbeatSeconds: 10\n', 'an invalid patch changes nothing');
    assert.equal(applyPatchToFile(file, { heartbeatSeconds: 3 }), ['heartbeatSeconds']);
    assert.equal(JSON.parse(readFileSync(file, 'utf8')), { dataDir: '/srv/agent', heartbeatSeconds: 3 });
    assert.ok(existsSync(`${file}.bak`));
  } finally {
    dir.cleanup();
  }
});

test.run();

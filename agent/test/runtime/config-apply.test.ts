/**
 * The remote configuration policy (runtime/remote-config.ts) and the centre-managed settings
 * file (runtime/managed-config.ts, config-apply.ts): what the centre may change, and what never.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AgentConfigSchema, loadAgentConfig, managedConfigPath, type AgentConfig } from '../../src/config.ts';
import { applyRemotePatch, ConfigPatchError } from '../../src/runtime/config-apply.ts';
import { accumulate, applyManagedOverlay, mergePatch } from '../../src/runtime/managed-config.ts';
import { checkRemotePatch, RemoteConfigError } from '../../src/runtime/remote-config.ts';
import { tempDir } from '../../../test/support/tmp.ts';
import { Keystore } from '../../src/keystore/keystore.ts';

const KEYS = new Set(['gate-pw', 'spare-pw']);

function config(extra: Record<string, unknown> = {}): AgentConfig {
  return AgentConfigSchema.parse({
    dataDir: '/var/lib/camfleet',
    cameras: [
      { id: 'gate', onvifUrl: 'http://192.0.2.10/onvif/device_service', username: 'admin', password: { keystore: 'gate-pw' } },
      { id: 'yard', rtspUrl: 'rtsp://192.0.2.11/stream1', username: 'admin', password: { env: 'YARD_PW' } },
    ],
    ...extra,
  });
}

const refused = (patch: unknown, re: RegExp, current = config()) =>
  assert.throws(() => checkRemotePatch(current, patch, KEYS), (e: Error) => e instanceof RemoteConfigError && re.test(e.message), `refused: ${JSON.stringify(patch)}`);

test('a patch merges objects key by key, replaces arrays and removes with null; prototype keys are ignored', () => {
  assert.equal(mergePatch({ a: 1, d: { x: 1, y: 2 }, list: [1, 2] }, { d: { y: 3 }, list: [9], a: null }), { d: { x: 1, y: 3 }, list: [9] });
  assert.equal(mergePatch({}, JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}')), { ok: 1 });
  assert.is(({} as Record<string, unknown>).polluted, undefined);
});

test('box-owned settings (identity, paths, uplink, secrets) are not changeable remotely', () => {
  refused({ aggregator: { mqttUrl: "mqtt://evil:1883" } }, /owned by the box\): aggregator/);
  refused({ dataDir: '/tmp' }, /dataDir/);
  refused({ credentialsFile: '/tmp/c.json' }, /credentialsFile/);
  refused({ keystoreFile: '/tmp/k.json' }, /keystoreFile/);
  refused({ uplink: { bandwidthBytesPerSecond: 1 } }, /uplink/);
  refused('heartbeatSeconds=5', /must be an object/);
});

test('a remote patch names secrets only from the keystore: never env, file or an inline value', () => {
  refused({ cameras: [{ id: 'gate', password: { env: 'CAMFLEET_MQTT_PASSWORD' } }] }, /never \{ env \}/);
  refused({ cameras: [{ id: 'gate', password: { file: '/var/lib/camfleet/credentials.json' } }] }, /never \{ file \}/);
  refused({ cameras: [{ id: 'gate', password: { value: 'hunter2' } }] }, /never \{ value \}/);
  refused({ cameras: [{ id: 'gate', password: { keystore: 'not-there' } }] }, /no secret 'not-there'/);
  // the refusal never echoes what it refused
  assert.throws(() => checkRemotePatch(config(), { cameras: [{ id: 'gate', password: { value: 'hunter2' } }] }, KEYS), (e: Error) => !e.message.includes('hunter2'));
  refused({ cameras: [{ id: 'gate', rtspUrl: 'rtsp://admin:pw@192.0.2.10/x' }] }, /no credentials in URLs/);
  refused({ cameras: [{ id: 'gate', onvifUrl: 'file:///etc/passwd' }] }, /http: or https: only/);
  refused({ cameras: [{ id: 'gate', extra: 1 }] }, /not changeable remotely: extra/);
});

test("a credential is never moved to another host, whatever the reference", () => {
  // the camera's own secret, kept, with a new address
  refused({ cameras: [{ id: 'gate', onvifUrl: 'http://127.0.0.1:9999/onvif/device_service' }] }, /may not be sent to 127\.0\.0\.1/);
  refused({ cameras: [{ id: 'gate', rtspUrl: 'rtsp://198.51.100.7/steal' }] }, /may not be sent to 198\.51\.100\.7/);
  refused({ cameras: [{ id: 'yard', rtspUrl: 'rtsp://198.51.100.7/steal' }] }, /camera 'yard'/);
  refused({ cameras: [{ id: 'gate', host: '198.51.100.7', vendor: 'hikvision' }] }, /198\.51\.100\.7/);
  // the same secret named again, explicitly, on another camera or with another host
  refused({ cameras: [{ id: 'gate', onvifUrl: 'http://198.51.100.7/onvif', password: { keystore: 'gate-pw' } }] }, /may not be sent/);
  refused({ cameras: [{ id: 'evil', rtspUrl: 'rtsp://198.51.100.7/x', username: 'admin', password: { keystore: 'gate-pw' } }] }, /camera 'evil'/);
  // a new address with a secret no camera uses yet (set on the box for it): allowed
  const moved = checkRemotePatch(config(), { cameras: [{ id: 'gate', onvifUrl: 'http://192.0.2.20/onvif/device_service', password: { keystore: 'spare-pw' } }] }, KEYS);
  assert.is(moved.config.cameras[0]!.onvifUrl, 'http://192.0.2.20/onvif/device_service');
  // same host, new path: allowed
  const samehost = checkRemotePatch(config(), { cameras: [{ id: 'yard', rtspUrl: 'rtsp://192.0.2.11/stream2' }] }, KEYS);
  assert.is(samehost.config.cameras[1]!.rtspUrl, 'rtsp://192.0.2.11/stream2');
});

test('removing a camera does not free its secret: a later re-add elsewhere is refused', () => {
  const dir = tempDir();
  try {
    const box = config();
    const managed = join(dir.path, 'managed-config.json');
    const ks = new Keystore(join(dir.path, 'keystore.json'));
    ks.set('gate-pw', 'x');
    ks.set('spare-pw', 'y');
    const view = { names: new Set(ks.names()), boundHosts: (n: string) => ks.boundHosts(n), bind: (b: ReadonlyMap<string, readonly string[]>) => ks.bind(b) };
    // A box camera (env secret) removed by the centre, then re-added under its id on another host:
    // the merge would give it back its box-set password.
    const removed = applyRemotePatch(managed, box, { cameras: [{ id: 'yard', remove: true }] }, view, box).config;
    assert.throws(() => applyRemotePatch(managed, removed, { cameras: [{ id: 'yard', rtspUrl: 'rtsp://198.51.100.7/x' }] }, view, box), /may not be sent to 198\.51\.100\.7/);
    // A keystore secret the centre attached to a new camera is bound to that camera's host...
    const added = applyRemotePatch(managed, removed, { cameras: [{ id: 'door', rtspUrl: 'rtsp://192.0.2.30/s', username: 'u', password: { keystore: 'spare-pw' } }] }, view, box).config;
    assert.equal(ks.boundHosts('spare-pw'), ['192.0.2.30']);
    // ...and stays bound after the camera is removed.
    const gone = applyRemotePatch(managed, added, { cameras: [{ id: 'door', remove: true }] }, view, box).config;
    assert.throws(
      () => applyRemotePatch(managed, gone, { cameras: [{ id: 'evil', rtspUrl: 'rtsp://198.51.100.7/x', username: 'u', password: { keystore: 'spare-pw' } }] }, view, box),
      /may not be sent to 198\.51\.100\.7/,
    );
  } finally {
    dir.cleanup();
  }
});

test('cameras merge by id: fields replaced, a camera added or removed; the diff shows secrets by name only', () => {
  const { config: next, diff } = checkRemotePatch(
    config({ recording: { maxAgeHours: 72 } }),
    { recording: { maxAgeHours: 24 }, cameras: [{ id: 'yard', remove: true }, { id: 'door', rtspUrl: 'rtsp://192.0.2.12/s', username: 'admin', password: { keystore: 'spare-pw' } }, { id: 'gate', name: 'Main gate' }] },
    KEYS,
  );
  assert.equal(next.cameras.map((c) => c.id), ['gate', 'door']);
  assert.is(next.cameras[0]!.name, 'Main gate');
  assert.equal(next.cameras[0]!.password, { keystore: 'gate-pw' }, 'a field not named is kept');
  const paths = diff.map((d) => d.path);
  assert.ok(paths.includes('recording.maxAgeHours') && paths.includes('cameras.yard') && paths.includes('cameras.door') && paths.includes('cameras.gate.name'), paths.join());
  assert.not.match(JSON.stringify(diff), /YARD_PW|hunter/);
});

test('the patched config is validated with the schema of a start, naming the bad key', () => {
  refused({ heartbeatSeconds: 'often' }, /heartbeatSeconds/);
  refused({ detection: { fsp: 2 } }, /detection\.fsp/);
  refused({ cameras: [{ id: 'new-one' }] }, /onvifUrl, rtspUrl, or vendor and host/);
});

test("the centre's changes go to their own file beside the data; the box's file is never written", () => {
  const dir = tempDir();
  try {
    const file = join(dir.path, 'agent.yaml');
    const box = `dataDir: ${dir.path}/data\nheartbeatSeconds: 10\ncameras:\n  - id: gate\n    rtspUrl: rtsp://192.0.2.10/s\n    username: admin\n    password: { env: GATE_PW }\n`;
    writeFileSync(file, box);
    const current = loadAgentConfig(file);
    const managed = managedConfigPath(current);
    assert.throws(() => applyRemotePatch(managed, current, { heartbeatSeconds: -1 }, KEYS), (e: Error) => e instanceof ConfigPatchError);
    assert.not.ok(existsSync(managed), 'an invalid patch writes nothing');
    const change = applyRemotePatch(managed, current, { heartbeatSeconds: 3, cameras: [{ id: 'gate', name: 'Gate' }] }, KEYS);
    assert.equal(change.diff.map((d) => d.path).sort(), ['cameras.gate.name', 'heartbeatSeconds']);
    assert.is(readFileSync(file, 'utf8'), box, "the box's file is untouched");
    assert.is(statSync(managed).mode & 0o777, 0o640);
    const reloaded = loadAgentConfig(file);
    assert.is(reloaded.heartbeatSeconds, 3);
    assert.equal(reloaded.cameras[0], { ...current.cameras[0]!, name: 'Gate' }, 'the camera keeps its box-set secret');
    // a second change accumulates; a removal wins over the earlier change of the same camera
    applyRemotePatch(managed, reloaded, { cameras: [{ id: 'gate', remove: true }] }, KEYS);
    assert.equal(loadAgentConfig(file).cameras, []);
    assert.is(loadAgentConfig(file).heartbeatSeconds, 3);
  } finally {
    dir.cleanup();
  }
});

test('a managed-settings file that oversteps (edited behind the agent) is refused at load, naming why', () => {
  const dir = tempDir();
  try {
    const file = join(dir.path, 'agent.yaml');
    writeFileSync(file, `dataDir: ${dir.path}/data\n`);
    const managed = managedConfigPath(loadAgentConfig(file));
    for (const [content, why] of [
      [{ aggregator: { mqttUrl: 'mqtt://evil' } }, /owned by the box: aggregator/],
      [{ cameras: [{ id: 'x', rtspUrl: 'rtsp://h/x', password: { file: '/etc/shadow' } }] }, /only \{ keystore/],
      [{ cameras: [{ id: 'x', rtspUrl: 'rtsp://h/x', extra: 1 }] }, /may not set: extra/],
    ] as const) {
      mkdirSync(dirname(managed), { recursive: true });
      writeFileSync(managed, JSON.stringify(content));
      assert.throws(() => loadAgentConfig(file), why);
    }
  } finally {
    dir.cleanup();
  }
});

test('the overlay keeps removals (null) so that they still apply at the next load', () => {
  const overlay = accumulate(accumulate({}, { recording: { maxAgeHours: 5 } }), { recording: { maxAgeHours: null } });
  assert.equal(applyManagedOverlay({ recording: { maxAgeHours: 48, segmentSeconds: 10 } }, overlay), { recording: { segmentSeconds: 10 } });
});

test.run();

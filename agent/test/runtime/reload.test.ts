/**
 * The runtime made of components: a camera-list change adds or removes only the affected
 * recorders and detectors; the uplink stays connected and the other cameras' ffmpeg processes
 * keep running. The cameras are RTSP-only (no ONVIF) of a known vendor: their stream URLs come
 * from the firmware profile's templates (TP-Link Tapo: /stream1 and /stream2), and their
 * password from the box's keystore.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { createLogger } from '@camfleet/shared';
import type { RunningAggregator } from '../../../aggregator/src/server.ts';
import { AgentConfigSchema, type AgentConfig } from '../../src/config.ts';
import { Keystore } from '../../src/keystore/keystore.ts';
import { startAgent, type RunningAgent } from '../../src/runtime/agent.ts';
import { startRtspSim, type RtspSim } from '../../../test/sim/rtsp.ts';
import { startTestCentre, writeAgentCredentials } from '../../../test/support/centre.ts';
import { tempDir } from '../../../test/support/tmp.ts';
import { waitFor } from '../../../test/support/wait.ts';

const dir = tempDir();
let agg: RunningAggregator;
let sim: RtspSim;
let agent: RunningAgent | undefined;
let config: AgentConfig;
const PASSWORD = 'rtsp-only-secret';

const cam = (id: string, extra: Record<string, unknown>) => ({ id, username: 'viewer', password: { keystore: 'cams' }, detect: true, ...extra });

function pid(id: string): number | undefined {
  return agent!.parts.recording.recorder().recorderState(id)?.child?.pid;
}

const recording = (id: string) => agent!.parts.recording.health().find((h) => h.cameraId === id)?.recording;

test.before(async () => {
  sim = await startRtspSim({
    streams: [
      // A Tapo camera without ONVIF: main and sub stream where its vendor's templates say.
      { name: 'stream1', width: 320, height: 240, fps: 5, preencoded: true },
      { name: 'stream2', width: 320, height: 240, fps: 5, preencoded: true },
      { name: 'yard', width: 320, height: 240, fps: 5, preencoded: true },
    ],
    username: 'viewer',
    password: PASSWORD,
  });
  agg = await startTestCentre(join(dir.path, 'agg'));
  const creds = agg.fleet.createAgent('reload-site');
  const dataDir = join(dir.path, 'agent');
  new Keystore(join(dataDir, 'keystore.json')).set('cams', PASSWORD);
  config = AgentConfigSchema.parse({
    dataDir,
    credentialsFile: writeAgentCredentials(agg, join(dir.path, 'credentials.json'), creds),
    heartbeatSeconds: 1,
    recording: { segmentSeconds: 2, audio: 'none' },
    detection: { fps: 1 },
    cameras: [cam('door', { vendor: 'tp-link-tapo', host: '127.0.0.1', rtspPort: sim.port })],
  });
  agent = await startAgent(config, createLogger('agent', { level: 'silent' }));
});

test.after(async () => {
  await agent?.stop();
  await agg?.close();
  await sim?.close();
  dir.cleanup();
});

test("an RTSP-only camera of a known vendor is recorded from the profile's URL templates", async () => {
  const door = config.cameras[0]!;
  assert.is(agent!.parts.inventory.streamUrl(door), `rtsp://127.0.0.1:${sim.port}/stream1`);
  assert.is(agent!.parts.inventory.subStreamUrl(door), `rtsp://127.0.0.1:${sim.port}/stream2`);
  await waitFor('the door recorded', () => recording('door'), { timeoutMs: 120_000 });
  assert.equal(agent!.parts.detection.cameraIds(), ['door'], 'its sub stream analysed');
  await waitFor('reported to the centre as recording', () => agg.fleet.listCameras().find((c) => c.agentId === 'reload-site' && c.cameraId === 'door' && c.recording && c.online));
});

test('adding a camera starts only its recorder and detector; the uplink and the other camera go on', async () => {
  const doorPid = pid('door');
  assert.ok(doorPid, 'the door has an ffmpeg');
  let reconnects = 0;
  agent!.uplink.client.on('connect', () => reconnects++);
  const next = AgentConfigSchema.parse({ ...config, cameras: [...config.cameras, cam('yard', { rtspUrl: sim.url('yard') })] });
  assert.ok(await agent!.reload(next));
  assert.equal(agent!.parts.recording.lastSync, { added: ['yard'], removed: [] });
  assert.equal(agent!.parts.detection.lastSync, { added: ['yard'], removed: [] });
  await waitFor('the yard recorded', () => recording('yard'), { timeoutMs: 120_000 });
  assert.is(pid('door'), doorPid, "the door's ffmpeg was not restarted");
  assert.equal(agent!.parts.detection.cameraIds().sort(), ['door', 'yard']);
  assert.is(reconnects, 0, 'the uplink stayed connected');
  assert.ok(agent!.uplink.connected);
  config = next;
});

test('changing one camera replaces only it; removing one stops only it', async () => {
  const yardPid = pid('yard');
  // The door stops being analysed: its detector goes, its recorder stays.
  const noDetect = AgentConfigSchema.parse({ ...config, cameras: [{ ...config.cameras[0]!, detect: false }, config.cameras[1]!] });
  const doorPid = pid('door');
  assert.ok(await agent!.reload(noDetect));
  assert.equal(agent!.parts.recording.lastSync, { added: [], removed: [] });
  assert.equal(agent!.parts.detection.lastSync, { added: [], removed: ['door'] });
  assert.is(pid('door'), doorPid);
  // The door removed altogether.
  const withoutDoor = AgentConfigSchema.parse({ ...noDetect, cameras: [noDetect.cameras[1]!] });
  assert.ok(await agent!.reload(withoutDoor));
  assert.equal(agent!.parts.recording.lastSync, { added: [], removed: ['door'] });
  assert.equal(agent!.parts.recording.health().map((h) => h.cameraId), ['yard']);
  assert.is(pid('yard'), yardPid, "the yard's ffmpeg was not restarted");
  assert.equal(agent!.parts.detection.cameraIds(), ['yard']);
  assert.ok(recording('yard'));
});

test("a secret changed on the box replaces only the recorders that use it", async () => {
  const keystore = new Keystore(join(config.dataDir, 'keystore.json'));
  const yardPid = pid('yard');
  keystore.set('cams', 'a-wrong-password');
  await waitFor('the yard recorder replaced with the new secret', () => agent!.parts.recording.lastSync.added.includes('yard') && pid('yard') !== yardPid, { timeoutMs: 60_000 });
  const wrongPid = pid('yard');
  assert.ok(agent!.parts.recording.health().some((h) => h.cameraId === 'door') === false, 'the door stays removed');
  keystore.set('cams', PASSWORD);
  await waitFor('recording again with the right secret', () => pid('yard') !== wrongPid && recording('yard'), { timeoutMs: 120_000 });
});

test('a change of box-owned settings is not applied in place: reload says a restart is needed, nothing is touched', async () => {
  const yardPid = pid('yard');
  const moved = AgentConfigSchema.parse({ ...config, aggregator: { mqttUrl: 'mqtt://127.0.0.1:1' } });
  assert.not.ok(await agent!.reload(moved));
  assert.ok(agent!.uplink.connected, 'still connected to the centre it had');
  assert.is(pid('yard'), yardPid, 'the recorders untouched');
});

test.run();

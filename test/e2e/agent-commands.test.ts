/**
 * The centre commands a real agent: a snapshot of a camera, a re-probe, and configuration
 * changes; each through the API, with the permissions of the users who would do it (a ward
 * officer for footage, the ward's technician for the site, the city's administrator for a
 * configuration, which carries the recording retention). A configuration change can never make
 * the agent send a camera's credential elsewhere: an attacker's RTSP listener on loopback
 * (127.0.0.2) hears nothing, whether the change comes through the API or straight from a
 * compromised centre.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import type { RunningAggregator } from '../../aggregator/src/server.ts';
import { startTestCentre, writeAgentCredentials } from '../support/centre.ts';
import { loadSeed, parseSeed } from '../../aggregator/src/seed/load.ts';
import { startSimulatedSite, DEFAULT_SIM_CREDENTIALS, type SimulatedSite } from '../sim/site.ts';
import { tempDir } from '../support/tmp.ts';
import { waitFor } from '../support/wait.ts';
import { AGENT_BIN, REPO_ROOT, startChild, type Child } from '../support/processes.ts';
import { spawnSync } from 'node:child_process';

const dir = tempDir();
let agg: RunningAggregator;
let site: SimulatedSite;
let agent: Child | undefined;
let agentId: string;
const tokens: Record<string, string> = {};
const agentConfigFile = join(dir.path, 'agent.json');
const agentData = join(dir.path, 'agent');
/** An attacker's "camera" on another loopback address: counts connections and bytes received. */
let attacker: Server;
let attackerPort = 0;
const heard = { connections: 0, bytes: 0, text: '' };

const CITY = {
  areas: [
    { id: 'city', name: 'City', kind: 'city' },
    { id: 'ward-a', name: 'Phường Hoàn Kiếm', kind: 'ward', parent: 'city' },
  ],
  purposes: [{ id: 'public_order', name: 'Public order' }],
  orgs: [
    { id: 'ward-a-committee', name: 'Ward A committee', kind: 'ward_committee', area: 'ward-a' },
    { id: 'city-committee', name: 'City committee', kind: 'city_committee', area: 'city' },
  ],
  sites: [{ id: 'site-a', name: 'Ward A office', org: 'ward-a-committee', area: 'ward-a', agents: [] }],
  cameras: [],
  users: [
    { username: 'ward-a', role: 'ward_officer', org: 'ward-a-committee' },
    { username: 'tech-a', role: 'site_manager', org: 'ward-a-committee' },
    { username: 'city-admin', role: 'admin', org: 'city-committee' },
  ],
};

async function api(user: string, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${agg.httpUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${tokens[user]}`, 'content-type': 'application/json', 'x-camfleet-purpose': 'public_order' /* a purpose of the controlled list */ },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

interface CommandState {
  commandId: string;
  state: 'pending' | 'ok' | 'error' | 'timeout';
  result?: Record<string, unknown>;
  error?: { code: string; message: string };
}

async function command(user: string, name: string, args: Record<string, unknown>): Promise<CommandState> {
  const res = await api(user, 'POST', `/api/v1/agents/${agentId}/commands`, { name, args, timeoutSeconds: 120 });
  assert.is(res.status, 202, `${name} accepted (${res.status})`);
  const { commandId } = (await res.json()) as CommandState;
  return waitFor(`${name} answered`, async () => {
    const r = (await (await api(user, 'GET', `/api/v1/commands/${commandId}`)).json()) as CommandState;
    return r.state === 'pending' ? undefined : r;
  });
}

function startAgentProcess(): Child {
  return startChild(process.execPath, [AGENT_BIN, 'run', '--config', agentConfigFile], {
    env: { ...process.env, CAMFLEET_LOG_LEVEL: 'warn', SIM_CAMERA_PASSWORD: DEFAULT_SIM_CREDENTIALS.password },
  });
}

test.before(async () => {
  site = await startSimulatedSite({ cameras: 1, width: 320, height: 240, fps: 5 });
  agg = await startTestCentre(join(dir.path, 'agg'));
  await loadSeed(parseSeed(CITY), { repos: agg.domain.repos, fleet: agg.fleet, users: agg.users }, { userPassword: 'test-password-1' });
  attacker = createServer((socket) => {
    heard.connections++;
    socket.on('data', (d) => {
      heard.bytes += d.length;
      heard.text += d.toString('latin1');
      // Ask for Basic credentials, as an attacker's server would.
      socket.write('RTSP/1.0 401 Unauthorized\r\nCSeq: 1\r\nWWW-Authenticate: Basic realm="cam"\r\n\r\n');
    });
    socket.on('error', () => undefined);
  });
  attackerPort = await new Promise<number>((resolve) => attacker.listen(0, '127.0.0.2', () => resolve((attacker.address() as { port: number }).port)));
  for (const u of ['ward-a', 'tech-a', 'city-admin']) tokens[u] = agg.users.issueToken(agg.users.byUsername(u)!.id, 'test');

  const { token } = agg.uplink.enrollment.createToken('site-a', 600);
  const enrolled = agg.uplink.enrollment.enroll(token);
  agentId = enrolled.agentId;
  const credentialsFile = writeAgentCredentials(agg, join(dir.path, 'credentials.json'), { agentId, password: enrolled.password }, { withHttpUrl: true });
  writeFileSync(
    agentConfigFile,
    JSON.stringify({
      dataDir: agentData,
      credentialsFile,
      heartbeatSeconds: 1,
      keepaliveSeconds: 5,
      recording: { segmentSeconds: 2 },
      cameras: [{ id: 'gate', onvifUrl: site.cameras[0]!.onvifUrl, username: DEFAULT_SIM_CREDENTIALS.username, password: { env: 'SIM_CAMERA_PASSWORD' }, detect: false }],
    }),
  );
  agent = startAgentProcess();
  await waitFor('the agent reports its camera online', () => agg.fleet.listCameras().find((c) => c.agentId === agentId && c.cameraId === 'gate' && c.online));
});

test.after(async () => {
  agent?.kill('SIGKILL');
  attacker?.close();
  await agg?.close();
  await site?.close();
  dir.cleanup();
});

test('a ward officer takes a snapshot: a real JPEG comes back, readable by no one else', async () => {
  const r = await command('ward-a', 'snapshot', { cameraId: 'gate' });
  assert.is(r.state, 'ok', JSON.stringify(r.error));
  const jpeg = Buffer.from(String(r.result!.jpegBase64), 'base64');
  assert.ok(jpeg[0] === 0xff && jpeg[1] === 0xd8, 'a JPEG');
  assert.is((await api('tech-a', 'GET', `/api/v1/commands/${r.commandId}`)).status, 404, 'another user cannot read the result');
});

test('a technician may not take a snapshot (no footage permission)', async () => {
  const res = await api('tech-a', 'POST', `/api/v1/agents/${agentId}/commands`, { name: 'snapshot', args: { cameraId: 'gate' } });
  assert.is(res.status, 403);
});

test('a snapshot of a camera that is not in the inventory is refused by the API', async () => {
  const res = await api('ward-a', 'POST', `/api/v1/agents/${agentId}/commands`, { name: 'snapshot', args: { cameraId: 'nope' } });
  assert.is(res.status, 404);
});

test('a technician re-probes the site: every camera checked again', async () => {
  const r = await command('tech-a', 'reprobe', {});
  assert.is(r.state, 'ok', JSON.stringify(r.error));
  const cameras = r.result!.cameras as Array<{ id: string; verdict: string | null }>;
  assert.equal(cameras.map((c) => c.id), ['gate']);
  assert.ok(['pass', 'warn', 'fail'].includes(cameras[0]!.verdict!));
});

test("the centre keeps each camera's newest footage-chain link, the anchor for `verify --anchor`", async () => {
  const sample = await waitFor('a health sample with a chain head', () => agg.ingest.store?.healthSamples({ agentId, cameraId: 'gate' }).find((h) => h.chainHead));
  assert.match(sample.chainHead!, /^[0-9a-f]{64}$/);
});

test("the agent measures its clock against the centre's and reports it in its heartbeat", async () => {
  const hb = await waitFor('a heartbeat with a clock offset', () => {
    const h = agg.fleet.listAgents().find((a) => a.id === agentId)?.heartbeat;
    return h?.clockOffsetMs !== undefined ? h : undefined;
  });
  // Same machine, same clock: the reading is within its own round trip of zero.
  assert.ok(Math.abs(hb.clockOffsetMs!) < 30_000, String(hb.clockOffsetMs));
});

function connectedAt(): string | null | undefined {
  return agg.fleet.listAgents().find((a) => a.id === agentId)?.connectedAt;
}

/** A command straight from the centre's command service, as a compromised centre would send it. */
async function direct(name: 'config.apply' | 'sharing.update', args: Record<string, unknown>): Promise<CommandState> {
  const { commandId } = agg.uplink.commands.send(agentId, name, args, { timeoutMs: 120_000 });
  return waitFor(`${name} answered`, () => {
    const r = agg.uplink.commands.get(commandId)!;
    return r.state === 'pending' ? undefined : (r as unknown as CommandState);
  });
}

async function apply(user: string, patch: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await api(user, 'POST', `/api/v1/agents/${agentId}/commands`, { name: 'config.apply', args: { patch }, timeoutSeconds: 120 });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const stolen = () => `rtsp://127.0.0.2:${attackerPort}/steal`;

test('a technician may not change the configuration: it needs a role that may change retention', async () => {
  const r = await apply('tech-a', { heartbeatSeconds: 2 });
  assert.is(r.status, 403, JSON.stringify(r.body));
});

test('the centre refuses box-owned keys and secret references other than the keystore, before sending anything', async () => {
  const before = readFileSync(agentConfigFile, 'utf8');
  for (const patch of [
    { aggregator: { mqttUrl: 'mqtt://127.0.0.1:1' } },
    { cameras: [{ id: 'gate', password: { env: 'SIM_CAMERA_PASSWORD' } }] },
    { cameras: [{ id: 'gate', password: { file: join(dir.path, 'credentials.json') } }] },
    { cameras: [{ id: 'gate', password: { value: 'guess' } }] },
  ]) {
    const r = await apply('city-admin', patch);
    assert.is(r.status, 400, JSON.stringify(patch));
  }
  assert.is(readFileSync(agentConfigFile, 'utf8'), before);
});

test("a change pointing the camera at an attacker's RTSP server is refused by the agent, and nothing is sent there", async () => {
  const before = readFileSync(agentConfigFile, 'utf8');
  // Through the API: the shape is acceptable to the centre; the agent knows the credential's host.
  const viaApi = await apply('city-admin', { cameras: [{ id: 'gate', rtspUrl: stolen() }] });
  assert.is(viaApi.status, 202);
  const r1 = await waitFor('answered', async () => {
    const r = (await (await api('city-admin', 'GET', `/api/v1/commands/${viaApi.body.commandId}`)).json()) as CommandState;
    return r.state === 'pending' ? undefined : r;
  });
  assert.is(r1.state, 'error');
  assert.is(r1.error!.code, 'invalid-config');
  assert.match(r1.error!.message, /may not be sent to 127\.0\.0\.2/);
  // Straight from a compromised centre: env and file references, the same camera moved, the
  // camera's secret named for a new camera on the attacker's host.
  for (const patch of [
    { cameras: [{ id: 'gate', rtspUrl: stolen(), password: { env: 'SIM_CAMERA_PASSWORD' } }] },
    { cameras: [{ id: 'gate', rtspUrl: stolen(), password: { file: join(dir.path, 'credentials.json') } }] },
    { cameras: [{ id: 'evil', rtspUrl: stolen(), username: 'admin', password: { env: 'SIM_CAMERA_PASSWORD' } }] },
    { cameras: [{ id: 'gate', onvifUrl: `http://127.0.0.2:${attackerPort}/onvif/device_service` }] },
    { aggregator: { mqttUrl: `mqtt://127.0.0.2:${attackerPort}` } },
  ]) {
    const r = await direct('config.apply', { patch });
    assert.is(r.state, 'error', JSON.stringify(patch));
    assert.is(r.error!.code, 'invalid-config');
  }
  assert.is(readFileSync(agentConfigFile, 'utf8'), before, "the box's file is untouched");
  assert.not.ok(existsSync(join(agentData, 'managed-config.json')), 'nothing was written');
  // Removing the camera, then adding it back under its id on the attacker's host, would give it
  // back the password the box set: refused too. Added back where it was, it records again.
  assert.is((await direct('config.apply', { patch: { cameras: [{ id: 'gate', remove: true }] } })).state, 'ok');
  const readded = await direct('config.apply', { patch: { cameras: [{ id: 'gate', rtspUrl: stolen() }] } });
  assert.is(readded.state, 'error');
  assert.match(readded.error!.message, /may not be sent to 127\.0\.0\.2/);
  assert.is((await direct('config.apply', { patch: { cameras: [{ id: 'gate' }] } })).state, 'ok');
  // The agent is still recording its real camera; a later accepted change reloads it, and still
  // nothing has reached the attacker.
  const ok = await apply('city-admin', { probeIntervalMinutes: 30 });
  assert.is(ok.status, 202);
  await waitFor('the accepted change written', () => JSON.parse(readFileSync(join(agentData, 'managed-config.json'), 'utf8')).probeIntervalMinutes === 30);
  await waitFor('the camera still recording', () => agg.fleet.listCameras().find((c) => c.agentId === agentId && c.cameraId === 'gate' && c.recording));
  assert.equal(heard, { connections: 0, bytes: 0, text: '' });
});

test('a keystore secret set on the box may be named by the centre; the change is audited with a diff that shows no secret', async () => {
  const set = spawnSync(process.execPath, [AGENT_BIN, 'secret', 'set', 'gate-pw', '--config', agentConfigFile], {
    cwd: REPO_ROOT,
    input: `${DEFAULT_SIM_CREDENTIALS.password}\n`,
    encoding: 'utf8',
  });
  assert.is(set.status, 0, set.stderr);
  const r = await apply('city-admin', { cameras: [{ id: 'gate', password: { keystore: 'gate-pw' } }], recording: { maxAgeHours: 48 } });
  assert.is(r.status, 202, JSON.stringify(r.body));
  const done = await command('city-admin', 'config.apply', { patch: { cameras: [{ id: 'gate', name: 'Gate' }] } });
  assert.is(done.state, 'ok', JSON.stringify(done.error));
  const entries = await agg.domain.audit.query({ action: 'agent.config.apply', limit: 10 });
  assert.ok(entries.length >= 2, `audited: ${entries.length}`);
  const text = JSON.stringify(entries);
  assert.match(text, /gate-pw/);
  assert.match(text, /recording\.maxAgeHours/);
  assert.not.match(text, new RegExp(DEFAULT_SIM_CREDENTIALS.password));
  // Recorded with the keystore's secret: the camera keeps recording.
  await waitFor('recording with the keystore secret', () => agg.fleet.listCameras().find((c) => c.agentId === agentId && c.cameraId === 'gate' && c.recording && c.name === 'Gate'));
  // Moving that secret to the attacker is refused like any other.
  const moved = await direct('config.apply', { patch: { cameras: [{ id: 'gate', rtspUrl: stolen(), password: { keystore: 'gate-pw' } }] } });
  assert.is(moved.state, 'error');
  assert.is(heard.connections, 0);
});

test('a valid configuration change is reloaded in place: no reconnect, no restart, the box file unchanged', async () => {
  const before = readFileSync(agentConfigFile, 'utf8');
  const connectedBefore = connectedAt();
  const r = await command('city-admin', 'config.apply', { patch: { heartbeatSeconds: 2, recording: { segmentSeconds: 3 } } });
  assert.is(r.state, 'ok', JSON.stringify(r.error));
  assert.ok((r.result!.changed as string[]).includes('heartbeatSeconds'));
  assert.is(readFileSync(agentConfigFile, 'utf8'), before);
  const managed = JSON.parse(readFileSync(join(agentData, 'managed-config.json'), 'utf8'));
  assert.is(managed.heartbeatSeconds, 2);
  assert.is(managed.recording.segmentSeconds, 3);
  await waitFor('recording again after the recorder took the new segment length', () => agg.fleet.listCameras().find((c) => c.agentId === agentId && c.cameraId === 'gate' && c.recording));
  assert.is(connectedAt(), connectedBefore, 'the uplink stayed connected');
  assert.is(agent!.proc.exitCode, null, 'the same process');
});

test.run();

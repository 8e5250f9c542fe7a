/**
 * The centre commands a real agent: a snapshot of a camera, a re-probe, and a configuration
 * change that the agent writes and restarts with; each through the API, with the permissions
 * of the users who would do it (a ward officer for footage, the ward's technician for the site).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningAggregator } from '../../aggregator/src/server.ts';
import { startTestCentre, writeAgentCredentials } from '../support/centre.ts';
import { loadSeed, parseSeed } from '../../aggregator/src/seed/load.ts';
import { startSimulatedSite, DEFAULT_SIM_CREDENTIALS, type SimulatedSite } from '../sim/site.ts';
import { tempDir } from '../support/tmp.ts';
import { waitFor } from '../support/wait.ts';
import { AGENT_BIN, startChild, type Child } from '../support/processes.ts';

const dir = tempDir();
let agg: RunningAggregator;
let site: SimulatedSite;
let agent: Child | undefined;
let agentId: string;
const tokens: Record<string, string> = {};
const agentConfigFile = join(dir.path, 'agent.json');

const CITY = {
  areas: [
    { id: 'city', name: 'City', kind: 'city' },
    { id: 'ward-a', name: 'Phường Hoàn Kiếm', kind: 'ward', parent: 'city' },
  ],
  purposes: [{ id: 'public_order', name: 'Public order' }],
  orgs: [{ id: 'ward-a-committee', name: 'Ward A committee', kind: 'ward_committee', area: 'ward-a' }],
  sites: [{ id: 'site-a', name: 'Ward A office', org: 'ward-a-committee', area: 'ward-a', agents: [] }],
  cameras: [],
  users: [
    { username: 'ward-a', role: 'ward_officer', org: 'ward-a-committee' },
    { username: 'tech-a', role: 'site_manager', org: 'ward-a-committee' },
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
  for (const u of ['ward-a', 'tech-a']) tokens[u] = agg.users.issueToken(agg.users.byUsername(u)!.id, 'test');

  const { token } = agg.uplink.enrollment.createToken('site-a', 600);
  const enrolled = agg.uplink.enrollment.enroll(token);
  agentId = enrolled.agentId;
  const agentData = join(dir.path, 'agent');
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

test('a configuration change that would redirect the agent is refused and changes nothing', async () => {
  const before = readFileSync(agentConfigFile, 'utf8');
  const r = await command('tech-a', 'config.apply', { patch: { aggregator: { mqttUrl: 'mqtt://127.0.0.1:1' } } });
  assert.is(r.state, 'error');
  assert.is(r.error!.code, 'invalid-config');
  assert.is(readFileSync(agentConfigFile, 'utf8'), before);
});

test('a valid configuration change is written, and the agent restarts with it', async () => {
  const connectedBefore = agg.fleet.listAgents().find((a) => a.id === agentId)!.connectedAt;
  const r = await command('tech-a', 'config.apply', { patch: { heartbeatSeconds: 2, recording: { segmentSeconds: 3 } } });
  assert.is(r.state, 'ok', JSON.stringify(r.error));
  const written = JSON.parse(readFileSync(agentConfigFile, 'utf8'));
  assert.is(written.heartbeatSeconds, 2);
  assert.is(written.recording.segmentSeconds, 3);
  assert.is(written.cameras[0].id, 'gate', 'the rest of the file is kept');
  await waitFor('the agent reconnects after its restart', () => {
    const a = agg.fleet.listAgents().find((x) => x.id === agentId)!;
    return a.online && a.connectedAt !== connectedBefore;
  });
  assert.is(agent!.proc.exitCode, null, 'the same process restarted its runtime');
});

test.run();

/**
 * A revocation reaches the agent (issue 13, hole 4). A business shares its door camera with the
 * police (snapshots and clips); the police take a snapshot and ask for a clip, which the agent
 * uploads slowly over a thin uplink. The owner revokes: within seconds the agent cancels the
 * clip's upload (no further chunk reaches the centre), refuses footage asked for under the
 * grant even when the centre's check is bypassed, and still does so after a restart; the owner's
 * own access goes on. A real aggregator, a real agent process, a simulated ONVIF camera.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { RunningAggregator } from '../../aggregator/src/server.ts';
import { CONSENT_VERSION } from '../../aggregator/src/sharing/types.ts';
import { loadSeed, parseSeed } from '../../aggregator/src/seed/load.ts';
import { startTestCentre, writeAgentCredentials } from '../support/centre.ts';
import { startSimulatedSite, DEFAULT_SIM_CREDENTIALS, type SimulatedSite } from '../sim/site.ts';
import { tempDir } from '../support/tmp.ts';
import { waitFor } from '../support/wait.ts';
import { AGENT_BIN, startChild, type Child } from '../support/processes.ts';

const dir = tempDir();
const AGENT = 'shop-agent';
const agentData = join(dir.path, 'agent');
const configFile = join(dir.path, 'agent.json');
let agg: RunningAggregator;
let site: SimulatedSite;
let agent: Child | undefined;
const tokens: Record<string, string> = {};
let grantId = '';

const CITY = {
  areas: [
    { id: 'city', name: 'City', kind: 'city' },
    { id: 'ward-a', name: 'Ward A', kind: 'ward', parent: 'city' },
  ],
  purposes: [{ id: 'public_order', name: 'Public order' }],
  orgs: [
    { id: 'shop', name: 'Pho shop', kind: 'business', area: 'ward-a' },
    { id: 'police', name: 'City police', kind: 'police', area: 'city', purposes: ['public_order'] },
  ],
  sites: [{ id: 'shop-site', name: 'Pho shop', org: 'shop', area: 'ward-a', agents: [AGENT] }],
  cameras: [{ agent: AGENT, id: 'door', name: 'Door', site: 'shop-site', purposes: ['public_order'] }],
  users: [
    { username: 'shop-owner', role: 'owner', org: 'shop' },
    { username: 'officer', role: 'police_officer', org: 'police' },
  ],
};

async function api(user: string, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${agg.httpUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${tokens[user]}`, 'content-type': 'application/json', 'x-camfleet-purpose': 'public_order' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

interface CommandState {
  commandId: string;
  state: 'pending' | 'ok' | 'error' | 'timeout';
  args: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { code: string; message: string };
}

async function command(user: string, name: string, args: Record<string, unknown>): Promise<CommandState> {
  const res = await api(user, 'POST', `/api/v1/agents/${AGENT}/commands`, { name, args, timeoutSeconds: 300 });
  assert.is(res.status, 202, `${name} accepted (${res.status} ${await res.clone().text()})`);
  const { commandId } = (await res.json()) as CommandState;
  return waitFor(`${name} answered`, () => {
    const r = agg.uplink.commands.get(commandId)!;
    return r.state === 'pending' ? undefined : (r as unknown as CommandState);
  }, { timeoutMs: 180_000 });
}

/** A command straight from the command service: the centre's own check bypassed. */
async function direct(name: 'snapshot', args: Record<string, unknown>): Promise<CommandState> {
  const { commandId } = agg.uplink.commands.send(AGENT, name, args, { timeoutMs: 300_000 });
  return waitFor(`${name} answered`, () => {
    const r = agg.uplink.commands.get(commandId)!;
    return r.state === 'pending' ? undefined : (r as unknown as CommandState);
  }, { timeoutMs: 180_000 });
}

function agentUpload(clipId: string): { state: string } | undefined {
  const db = new Database(join(agentData, 'agent.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT state FROM clip_uploads WHERE clip_id = ?').get(clipId) as { state: string } | undefined;
  } finally {
    db.close();
  }
}

function startAgentProcess(): Child {
  return startChild(process.execPath, [AGENT_BIN, 'run', '--config', configFile], {
    env: { ...process.env, CAMFLEET_LOG_LEVEL: 'warn', SIM_PW: DEFAULT_SIM_CREDENTIALS.password },
  });
}

const door = () => agg.fleet.listCameras().find((c) => c.agentId === AGENT && c.cameraId === 'door');

test.before(async () => {
  // Pre-encoded: no live x264 on a busy box; about 22 KB/s of footage.
  site = await startSimulatedSite({ cameras: 1, preencoded: true });
  agg = await startTestCentre(join(dir.path, 'agg'));
  const creds = agg.fleet.createAgent(AGENT);
  await loadSeed(parseSeed(CITY), { repos: agg.domain.repos, fleet: agg.fleet, users: agg.users }, { userPassword: 'test-password-1' });
  for (const u of ['shop-owner', 'officer']) tokens[u] = agg.users.issueToken(agg.users.byUsername(u)!.id, 'test');
  const credentialsFile = writeAgentCredentials(agg, join(dir.path, 'credentials.json'), creds);
  writeFileSync(
    configFile,
    JSON.stringify({
      dataDir: agentData,
      credentialsFile,
      heartbeatSeconds: 1,
      recording: { segmentSeconds: 2, audio: 'none' },
      // A thin uplink: a 256 KiB clip chunk costs ~40 s of budget, so a clip is still uploading when the grant is revoked.
      uplink: { bandwidthBytesPerSecond: 6000 },
      cameras: [{ id: 'door', onvifUrl: site.cameras[0]!.onvifUrl, username: DEFAULT_SIM_CREDENTIALS.username, password: { env: 'SIM_PW' }, detect: false }],
    }),
  );
  agent = startAgentProcess();
  await waitFor('the door camera recording', () => door()?.recording, { timeoutMs: 120_000 });
});

test.after(async () => {
  agent?.kill('SIGKILL');
  await agg?.close();
  await site?.close();
  dir.cleanup();
});

test("while the grant is in force the police's snapshot is served, and the agent is told which grant it is for", async () => {
  const res = await api('shop-owner', 'POST', '/api/v1/sharing/grants', {
    cameras: [{ agentId: AGENT, cameraId: 'door' }],
    granteeOrgIds: ['police'],
    levels: ['snapshots', 'clips'],
    purposes: ['public_order'],
    consent: { version: CONSENT_VERSION, accepted: true },
  });
  assert.is(res.status, 201, await res.clone().text());
  grantId = ((await res.json()) as { id: string }).id;
  // The agent has the grant (the sharing.update command settled).
  await waitFor('sharing.update acknowledged', () =>
    agg.db.prepare("SELECT state FROM agent_commands WHERE name = 'sharing.update' AND agent_id = ? AND state = 'ok'").get(AGENT),
  );
  const snap = await command('officer', 'snapshot', { cameraId: 'door', grantId: 'made-up-by-the-user' });
  assert.is(snap.state, 'ok', JSON.stringify(snap.error));
  assert.is(snap.args.grantId, grantId, "the centre's grant, never the user's");
});

test('a revocation cancels the grantee\'s clip upload within seconds; no further chunk reaches the centre', async () => {
  await waitFor('30 s of footage', () => (agg.ingest.store?.healthSamples({ agentId: AGENT, cameraId: 'door', limit: 1 })[0]?.bytesStored ?? 0) > 700_000, { timeoutMs: 120_000 });
  const now = Date.now();
  const req = await command('officer', 'clip.request', { cameraId: 'door', from: new Date(now - 60_000).toISOString(), to: new Date(now).toISOString() });
  assert.is(req.state, 'ok', JSON.stringify(req.error));
  const clipId = String(req.result!.clipId);
  const clip = () => agg.uplink.clips.get(AGENT, clipId);
  await waitFor('the first chunk at the centre', () => (clip()?.receivedChunks ?? 0) >= 1, { timeoutMs: 120_000 });
  assert.ok(clip()!.chunks >= 3, `a clip of several chunks (${clip()!.chunks})`);
  assert.is(agentUpload(clipId)?.state, 'offered', `still uploading when revoked (centre: ${JSON.stringify(clip())})`);

  const revokedAt = Date.now();
  assert.is((await api('shop-owner', 'POST', `/api/v1/sharing/grants/${grantId}/revoke`)).status, 200);
  await waitFor('the agent cancelled the upload', () => agentUpload(clipId)?.state === 'cancelled', { timeoutMs: 60_000 });
  const seconds = (Date.now() - revokedAt) / 1000;
  console.log(`  revocation to cancelled upload on the agent: ${seconds.toFixed(1)} s`);
  const chunksAtCancel = clip()!.receivedChunks;

  // Footage asked for under the revoked grant is refused by the agent itself.
  const refused = await direct('snapshot', { cameraId: 'door', grantId });
  assert.is(refused.state, 'error');
  assert.is(refused.error!.code, 'grant-revoked');
  // The centre refuses the police at once; the owner's own access goes on.
  assert.is((await api('officer', 'POST', `/api/v1/agents/${AGENT}/commands`, { name: 'snapshot', args: { cameraId: 'door' } })).status, 403);
  const own = await command('shop-owner', 'snapshot', { cameraId: 'door' });
  assert.is(own.state, 'ok', JSON.stringify(own.error));

  // The sender has since sent everything else it had (the owner's snapshot reply, health);
  // had the clip not been cancelled, its next chunk would have gone before more health.
  const healthAfter = new Date().toISOString();
  await waitFor('two more health samples', () => (agg.ingest.store?.healthSamples({ agentId: AGENT, cameraId: 'door', since: healthAfter }).length ?? 0) >= 2, { timeoutMs: 180_000 });
  // A chunk already on the wire when the cancel came may still land: at most the sender's two in flight.
  assert.ok(clip()!.receivedChunks <= chunksAtCancel + 2, `no new chunk sent after the cancellation (${chunksAtCancel} then ${clip()!.receivedChunks})`);
  assert.ok(clip()!.receivedChunks < clip()!.chunks, 'the clip never completed');
  assert.is.not(clip()!.state, 'complete');
});

test('the revocation is kept on disk: after a restart the agent still refuses footage of the revoked grant', async () => {
  const connectedBefore = agg.fleet.listAgents().find((a) => a.id === AGENT)!.connectedAt;
  agent!.kill('SIGTERM');
  await agent!.exited;
  agent = startAgentProcess();
  await waitFor('the agent back', () => {
    const a = agg.fleet.listAgents().find((x) => x.id === AGENT)!;
    return a.online && a.connectedAt !== connectedBefore;
  }, { timeoutMs: 120_000 });
  const refused = await direct('snapshot', { cameraId: 'door', grantId });
  assert.is(refused.state, 'error');
  assert.is(refused.error!.code, 'grant-revoked');
  const unknown = await direct('snapshot', { cameraId: 'door', grantId: 'grant-never-seen' });
  assert.is(unknown.error?.code, 'grant-unknown');
});

test.run();

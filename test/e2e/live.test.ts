/**
 * Live view through the centre, end to end: a real aggregator, a real agent process and a
 * simulated RTSP/ONVIF camera. A business shares its door camera with the police. Two police
 * viewers share ONE upstream (one streaming ffmpeg at the agent); the agent's streaming ffmpeg
 * exits once the last viewer has left; a ward officer of another ward is refused (403, audited
 * denial); the owner sees the police's live session (start and stop, with purpose, span and
 * bytes) in its audit; a revoked grant, a revoked API token or a disabled user ends a running
 * session within seconds.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningAggregator } from '../../aggregator/src/server.ts';
import { CONSENT_VERSION } from '../../aggregator/src/sharing/types.ts';
import { loadSeed, parseSeed } from '../../aggregator/src/seed/load.ts';
import { childRecords } from '../../agent/src/system/child-process.ts';
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
    { id: 'ward-b', name: 'Ward B', kind: 'ward', parent: 'city' },
  ],
  purposes: [{ id: 'public_order', name: 'Public order' }],
  orgs: [
    { id: 'shop', name: 'Pho shop', kind: 'business', area: 'ward-a' },
    { id: 'police', name: 'City police', kind: 'police', area: 'city', purposes: ['public_order'] },
    { id: 'ward-b-committee', name: 'Ward B committee', kind: 'ward_committee', area: 'ward-b' },
  ],
  sites: [{ id: 'shop-site', name: 'Pho shop', org: 'shop', area: 'ward-a', agents: [AGENT] }],
  cameras: [{ agent: AGENT, id: 'door', name: 'Door', site: 'shop-site', purposes: ['public_order'] }],
  users: [
    { username: 'shop-owner', role: 'owner', org: 'shop' },
    { username: 'officer', role: 'police_officer', org: 'police' },
    { username: 'officer2', role: 'police_officer', org: 'police' },
    { username: 'ward-b', role: 'ward_officer', org: 'ward-b-committee' },
  ],
};

const livePath = `/api/v1/cameras/${AGENT}/door/live`;

function get(user: string, path: string, signal?: AbortSignal): Promise<Response> {
  return fetch(`${agg.httpUrl}${path}`, { headers: { authorization: `Bearer ${tokens[user]}`, 'x-camfleet-purpose': 'public_order' }, signal });
}

/** Opens the live stream and reads until `minBytes` arrived; the viewer stays open until `close()`. */
async function watch(user: string, minBytes = 20_000) {
  const ctl = new AbortController();
  const res = await get(user, livePath, ctl.signal);
  assert.is(res.status, 200, `live view for ${user}: ${res.status} ${res.status !== 200 ? await res.text() : ''}`);
  const reader = res.body!.getReader();
  const chunks: Buffer[] = [];
  let total = 0;
  let ended = false;
  const pump = (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(Buffer.from(value));
        total += value.length;
      }
    } catch {
      /* aborted */
    }
    ended = true;
  })();
  await waitFor(`${minBytes} bytes of live video for ${user}`, () => total >= minBytes, { timeoutMs: 60_000 });
  return {
    bytes: () => Buffer.concat(chunks),
    total: () => total,
    ended: () => ended,
    close: async () => {
      ctl.abort();
      await pump;
    },
  };
}

const liveFfmpegs = () => childRecords(agentData).filter((r) => r.name === 'live:door');
const audit = (action: string) =>
  agg.db.prepare('SELECT actor_username AS who, outcome, purpose, owner_org_id AS owner, detail FROM audit_log WHERE action = ? ORDER BY seq').all(action) as Array<{
    who: string; outcome: string; purpose: string | null; owner: string | null; detail: string;
  }>;

test.before(async () => {
  site = await startSimulatedSite({ cameras: 1, preencoded: true });
  agg = await startTestCentre(join(dir.path, 'agg'));
  const creds = agg.fleet.createAgent(AGENT);
  await loadSeed(parseSeed(CITY), { repos: agg.domain.repos, fleet: agg.fleet, users: agg.users }, { userPassword: 'test-password-1' });
  for (const u of ['shop-owner', 'officer', 'officer2', 'ward-b']) tokens[u] = agg.users.issueToken(agg.users.byUsername(u)!.id, 'test');
  const credentialsFile = writeAgentCredentials(agg, join(dir.path, 'credentials.json'), creds, { withHttpUrl: true });
  writeFileSync(
    configFile,
    JSON.stringify({
      dataDir: agentData,
      credentialsFile,
      heartbeatSeconds: 1,
      recording: { segmentSeconds: 2, audio: 'none' },
      cameras: [{ id: 'door', onvifUrl: site.cameras[0]!.onvifUrl, username: DEFAULT_SIM_CREDENTIALS.username, password: { env: 'SIM_PW' }, detect: false }],
    }),
  );
  agent = startChild(process.execPath, [AGENT_BIN, 'run', '--config', configFile], {
    env: { ...process.env, CAMFLEET_LOG_LEVEL: 'warn', SIM_PW: DEFAULT_SIM_CREDENTIALS.password },
  });
  await waitFor('the door camera online', () => agg.fleet.listCameras().find((c) => c.agentId === AGENT && c.cameraId === 'door' && c.online), { timeoutMs: 120_000 });
  const res = await fetch(`${agg.httpUrl}/api/v1/sharing/grants`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokens['shop-owner']}`, 'content-type': 'application/json' },
    body: JSON.stringify({ cameras: [{ agentId: AGENT, cameraId: 'door' }], granteeOrgIds: ['police'], levels: ['snapshots', 'clips'], purposes: ['public_order'], consent: { version: CONSENT_VERSION, accepted: true } }),
  });
  assert.is(res.status, 201, await res.clone().text());
  grantId = ((await res.json()) as { id: string }).id;
  await waitFor('sharing.update acknowledged', () => agg.db.prepare("SELECT 1 FROM agent_commands WHERE name = 'sharing.update' AND agent_id = ? AND state = 'ok'").get(AGENT));
});

test.after(async () => {
  agent?.kill('SIGKILL');
  await agg?.close();
  await site?.close();
  dir.cleanup();
});

test('no viewer, no stream: the agent runs no live ffmpeg', () => {
  assert.is(liveFfmpegs().length, 0);
});

test('two police viewers share one upstream (one ffmpeg at the agent); the stream is fragmented MP4', async () => {
  const a = await watch('officer');
  const b = await watch('officer2');
  assert.is(a.bytes().toString('latin1', 4, 8), 'ftyp', 'starts with the init segment');
  assert.is(b.bytes().toString('latin1', 4, 8), 'ftyp', 'a late viewer starts with the init segment too');
  assert.ok(a.bytes().includes(Buffer.from('moof')), 'media fragments follow');
  assert.is(liveFfmpegs().length, 1, `one streaming ffmpeg at the agent: ${JSON.stringify(liveFfmpegs())}`);
  await a.close();
  await b.close();
  // The centre waits its idle time for another viewer, then stops the agent.
  await waitFor('the live ffmpeg exits after the last viewer left', () => liveFfmpegs().length === 0, { timeoutMs: 60_000 });
  const stops = await waitFor('both stops audited', () => (audit('live.stop').length >= 2 ? audit('live.stop') : undefined));
  const d = JSON.parse(stops[0]!.detail) as { bytes: number; from: string; to: string; grantId: string; via: string };
  assert.ok(d.bytes >= 20_000, `bytes recorded: ${d.bytes}`);
  assert.ok(Date.parse(d.to) > Date.parse(d.from), 'span recorded');
  assert.is(d.via, 'grant');
  assert.is(d.grantId, grantId);
});

test("the owner sees the police's live session in its audit", async () => {
  const res = await get('shop-owner', '/api/v1/audit?action=live.start');
  assert.is(res.status, 200);
  const text = await res.text();
  assert.ok(text.includes('officer') && text.includes('public_order') && text.includes('live.start'), text.slice(0, 500));
  const starts = audit('live.start').filter((r) => r.who === 'officer');
  assert.ok(starts.length >= 1);
  assert.is(starts[0]!.owner, 'shop');
});

test('a ward officer of another ward is refused (403) and the denial is audited', async () => {
  const res = await get('ward-b', livePath);
  assert.is(res.status, 403);
  await res.text();
  const denied = agg.db.prepare("SELECT 1 FROM audit_log WHERE actor_username = 'ward-b' AND outcome = 'denied' AND resource_id = ?").get(`${AGENT}/door`);
  assert.ok(denied, 'the refusal is in the audit trail');
  assert.is(liveFfmpegs().length, 0, 'a refused viewer starts nothing at the agent');
});

test('a revoked API token ends a running session within seconds (audited access-ended)', async () => {
  const v = await watch('officer2');
  agg.users.revokeToken(tokens.officer2!);
  await waitFor('the viewer with the revoked token is cut', () => v.ended(), { timeoutMs: 30_000 });
  assert.is(JSON.parse(audit('live.stop').at(-1)!.detail).reason, 'access-ended');
  await v.close();
});

test('a disabled user loses a running session within seconds', async () => {
  tokens.officer2 = agg.users.issueToken(agg.users.byUsername('officer2')!.id, 'test');
  const v = await watch('officer2');
  agg.users.disable(agg.users.byUsername('officer2')!.id);
  await waitFor('the disabled user is cut', () => v.ended(), { timeoutMs: 30_000 });
  await v.close();
  await waitFor('the live ffmpeg exits', () => liveFfmpegs().length === 0, { timeoutMs: 60_000 });
});

test('a revoked grant ends a running session within seconds', async () => {
  const v = await watch('officer');
  assert.is((await fetch(`${agg.httpUrl}/api/v1/sharing/grants/${grantId}/revoke`, { method: 'POST', headers: { authorization: `Bearer ${tokens['shop-owner']}` } })).status, 200);
  await waitFor('the viewer is cut', () => v.ended(), { timeoutMs: 30_000 });
  const stop = audit('live.stop').at(-1)!;
  assert.is(JSON.parse(stop.detail).reason, 'access-ended');
  await waitFor('the live ffmpeg exits', () => liveFfmpegs().length === 0, { timeoutMs: 60_000 });
  await v.close();
  const again = await get('officer', livePath);
  assert.is(again.status, 403);
  await again.text();
});

test.run();

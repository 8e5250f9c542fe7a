/**
 * The walking skeleton end to end: a real aggregator (aedes broker, SQLite, HTTP API), a real
 * agent process and real RTSP cameras. The agent reports its cameras; the fleet API shows them;
 * a camera going away and the agent dying are both seen.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningAggregator } from '../../aggregator/src/server.ts';
import { startTestCentre, writeAgentCredentials } from '../support/centre.ts';
import { startRtspSim, type RtspSim } from '../sim/rtsp.ts';
import { tempDir } from '../support/tmp.ts';
import { waitFor } from '../support/wait.ts';
import { AGENT_BIN, startChild, type Child } from '../support/processes.ts';

let agg: RunningAggregator;
let rtsp: RtspSim;
let agent: Child | undefined;
let token: string;
const dir = tempDir();

interface Fleet {
  agents: Array<{ id: string; online: boolean; version: string | null; cameras: Array<{ id: string; online: boolean }> }>;
}

async function fleet(): Promise<Fleet> {
  const res = await fetch(`${agg.httpUrl}/api/v1/fleet`, { headers: { authorization: `Bearer ${token}` } });
  assert.is(res.status, 200);
  return (await res.json()) as Fleet;
}

function cameraOnline(f: Fleet, id: string): boolean | undefined {
  return f.agents[0]?.cameras.find((c) => c.id === id)?.online;
}

test.before(async () => {
  rtsp = await startRtspSim({ streams: ['cam1', 'cam2', 'cam3'].map((name) => ({ name, width: 320, height: 240, fps: 5 })) });
  agg = await startTestCentre(join(dir.path, 'agg'));
  const admin = agg.users.create('admin', 'correct horse battery', 'admin');
  token = agg.users.issueToken(admin.id, 'test');
  const creds = agg.fleet.createAgent('site-1');
  const credsFile = writeAgentCredentials(agg, join(dir.path, 'credentials.json'), creds);
  const config = {
    dataDir: join(dir.path, 'agent'),
    credentialsFile: credsFile,
    heartbeatSeconds: 1,
    keepaliveSeconds: 2,
    cameras: ['cam1', 'cam2', 'cam3'].map((id) => ({ id, rtspUrl: rtsp.url(id), record: false, detect: false })),
  };
  const configFile = join(dir.path, 'agent.json');
  writeFileSync(configFile, JSON.stringify(config));
  agent = startChild(process.execPath, [AGENT_BIN, 'run', '--config', configFile], { env: { ...process.env, CAMFLEET_LOG_LEVEL: process.env.AGENT_LOG ?? 'warn' } });
});

test.after(async () => {
  if (process.env.AGENT_LOG) console.log(agent?.output(), JSON.stringify(agg.ingest.counters), JSON.stringify(await fleet()));
  agent?.kill('SIGKILL');
  await agg?.close();
  await rtsp?.close();
  dir.cleanup();
});

test('the fleet API refuses requests without a valid token', async () => {
  assert.is((await fetch(`${agg.httpUrl}/api/v1/fleet`)).status, 401);
  const res = await fetch(`${agg.httpUrl}/api/v1/fleet`, { headers: { authorization: 'Bearer nope' } });
  assert.is(res.status, 401);
  assert.equal(await res.json(), { error: { code: 'unauthenticated', message: 'a valid bearer token is required' } });
});

test('the agent connects and its 3 cameras show online', async () => {
  const f = await waitFor('3 cameras online', async () => {
    const f = await fleet();
    return f.agents[0]?.online && f.agents[0].cameras.filter((c) => c.online).length === 3 ? f : undefined;
  });
  assert.is(f.agents[0]!.id, 'site-1');
  assert.is(f.agents[0]!.version, '0.1.0');
});

test('a camera that goes away turns offline, and back online when it returns', async () => {
  await rtsp.stopCamera('cam2');
  await waitFor('cam2 offline', async () => cameraOnline(await fleet(), 'cam2') === false);
  assert.is(cameraOnline(await fleet(), 'cam1'), true);
  await rtsp.startCamera('cam2');
  await waitFor('cam2 back online', async () => cameraOnline(await fleet(), 'cam2') === true);
});

test('killing the agent turns it and its cameras offline (last will)', async () => {
  agent!.kill('SIGKILL');
  await agent!.exited;
  const f = await waitFor('agent offline', async () => {
    const f = await fleet();
    return f.agents[0]?.online === false ? f : undefined;
  });
  assert.ok(f.agents[0]!.cameras.every((c) => !c.online), 'cameras behind a dead agent are offline');
});

test.run();

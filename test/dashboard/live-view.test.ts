/**
 * Live view in Chromium: a real agent process streams a simulated RTSP camera through the
 * centre's relay; an operator opens the camera, states a purpose, and the video element plays
 * (currentTime advances, videoWidth > 0) through Media Source Extensions. Leaving the page ends
 * the session, and the agent's streaming ffmpeg exits. The site going offline shows "site
 * offline" on the open page, and the picture comes back when the site does.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startRtspSim, type RtspSim } from '../sim/rtsp.ts';
import { tempDir } from '../support/tmp.ts';
import { waitFor } from '../support/wait.ts';
import { AGENT_BIN, startChild, type Child } from '../support/processes.ts';
import { childRecords } from '../../agent/src/system/child-process.ts';
import { launchBrowser, screenshot, seedCity, signIn, startTestAggregator, type TestAggregator, type TestBrowser } from './harness.ts';

let env: TestAggregator;
let rtsp: RtspSim;
let agent: Child | undefined;
let browser: TestBrowser;
const dir = tempDir('camfleet-dash-live-');
const agentData = join(dir.path, 'agent');
let startAgent: () => Child;

test.before(async () => {
  rtsp = await startRtspSim({ streams: [{ name: 'gate', width: 320, height: 240, fps: 5 }] });
  env = await startTestAggregator();
  const passwords = await seedCity(env.agg);
  const credsFile = join(dir.path, 'credentials.json');
  writeFileSync(credsFile, JSON.stringify({ agentId: 'hk-01', password: passwords.get('hk-01'), mqttUrl: `mqtt://127.0.0.1:${env.agg.mqttPort}`, httpUrl: env.agg.httpUrl }), { mode: 0o600 });
  const configFile = join(dir.path, 'agent.json');
  writeFileSync(configFile, JSON.stringify({
    dataDir: agentData,
    credentialsFile: credsFile,
    heartbeatSeconds: 1,
    keepaliveSeconds: 2,
    recording: { segmentSeconds: 2, audio: 'none' },
    cameras: [{ id: 'gate', rtspUrl: rtsp.url('gate'), record: true, detect: false }],
  }));
  startAgent = () => startChild(process.execPath, [AGENT_BIN, 'run', '--config', configFile], { env: { ...process.env, CAMFLEET_LOG_LEVEL: 'warn' } });
  agent = startAgent();
  browser = await launchBrowser();
});

test.after(async () => {
  await browser?.close().catch((err) => console.error(String(err)));
  agent?.kill('SIGKILL');
  await agent?.exited;
  await env?.close();
  await rtsp?.close();
  dir.cleanup();
});

const liveFfmpegs = () => childRecords(agentData).filter((r) => r.name === 'live:gate');

test('an operator opens a live camera and the video plays', async () => {
  const { page } = browser;
  await waitFor('the gate camera online', () => env.agg.fleet.listCameras().find((c) => c.agentId === 'hk-01' && c.cameraId === 'gate' && c.online), { timeoutMs: 90_000 });
  await signIn(page, env.url, 'op.nguyen');
  await page.goto(`${env.url}/#/cameras/${encodeURIComponent('hk-01/gate')}`);
  await page.locator('#live-video').waitFor({ timeout: 30_000 });
  assert.is(liveFfmpegs().length, 0, 'nothing streams before anyone watches');
  await page.locator('#purpose').selectOption('public_order');
  const video = page.locator('#live-video');
  const read = () => video.evaluate((v) => { const e = v as unknown as { currentTime: number; videoWidth: number }; return { t: e.currentTime, w: e.videoWidth }; });
  const first = await waitFor('the live video has a picture', async () => { const r = await read(); return r.w > 0 ? r : undefined; }, { timeoutMs: 60_000 });
  await waitFor('currentTime advances', async () => (await read()).t > first.t + 1, { timeoutMs: 60_000 });
  assert.is((await read()).w, 320);
  assert.is(await page.locator('#live-state').getAttribute('data-state'), 'playing');
  assert.is(liveFfmpegs().length, 1);
  await screenshot(page, 'live-view');
  const starts = (await env.agg.domain.audit.query({ action: 'live.start', limit: 5 })) as Array<{ actorUsername: string | null; purpose: string | null }>;
  assert.ok(starts.some((s) => s.actorUsername === 'op.nguyen' && s.purpose === 'public_order'), 'the live session is audited with its purpose');
});

test('leaving the page ends the session; the agent stops streaming', async () => {
  await browser.page.locator('nav a[data-page="cameras"]').click();
  await waitFor('the agent stops its live ffmpeg', () => liveFfmpegs().length === 0, { timeoutMs: 60_000 });
});

test('the site going offline shows "site offline"; the picture comes back with the site', async () => {
  const { page } = browser;
  await page.goto(`${env.url}/#/cameras/${encodeURIComponent('hk-01/gate')}`);
  await page.locator('#purpose').selectOption('public_order');
  const state = page.locator('#live-state');
  await waitFor('playing', async () => (await state.getAttribute('data-state')) === 'playing', { timeoutMs: 60_000 });
  agent!.kill('SIGKILL');
  await agent!.exited;
  await waitFor('the page says the site is offline', async () => (await state.getAttribute('data-state')) === 'site-offline', { timeoutMs: 60_000 });
  assert.match((await state.textContent()) ?? '', /offline|mất kết nối/);
  agent = startAgent();
  await waitFor('playing again without a reload', async () => (await state.getAttribute('data-state')) === 'playing', { timeoutMs: 90_000 });
});

test.run();

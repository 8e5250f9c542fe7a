/**
 * Live, end to end: a real agent process watching simulated RTSP cameras reports to the
 * aggregator; a ward officer has the camera table open; a camera is switched off at the
 * simulator and its row turns offline in the browser without a reload, then back online.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startRtspSim, type RtspSim } from '../sim/rtsp.ts';
import { tempDir } from '../support/tmp.ts';
import { AGENT_BIN, startChild, type Child } from '../support/processes.ts';
import { launchBrowser, screenshot, seedCity, signIn, startTestAggregator, type TestAggregator, type TestBrowser } from './harness.ts';

const CAMERAS = ['gate', 'lake', 'yard'];
let env: TestAggregator;
let rtsp: RtspSim;
let agent: Child | undefined;
let browser: TestBrowser;
const dir = tempDir('camfleet-dash-agent-');

test.before(async () => {
  rtsp = await startRtspSim({ streams: CAMERAS.map((name) => ({ name, width: 320, height: 240, fps: 5 })) });
  env = await startTestAggregator();
  const passwords = await seedCity(env.agg);
  const credsFile = join(dir.path, 'credentials.json');
  writeFileSync(credsFile, JSON.stringify({ agentId: 'hk-01', password: passwords.get('hk-01'), mqttUrl: `mqtt://127.0.0.1:${env.agg.mqttPort}` }), { mode: 0o600 });
  const configFile = join(dir.path, 'agent.json');
  writeFileSync(configFile, JSON.stringify({
    dataDir: join(dir.path, 'agent'),
    credentialsFile: credsFile,
    heartbeatSeconds: 1,
    keepaliveSeconds: 2,
    cameras: CAMERAS.map((id) => ({ id, rtspUrl: rtsp.url(id), record: true })),
  }));
  agent = startChild(process.execPath, [AGENT_BIN, 'run', '--config', configFile], { env: { ...process.env, CAMFLEET_LOG_LEVEL: 'warn' } });
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

const row = (id: string, state: string) => browser.page.locator(`tr[data-camera="hk-01/${id}"][data-state="${state}"]`);

test("the agent's cameras show up live in the ward officer's camera table", async () => {
  const { page } = browser;
  await signIn(page, env.url, 'ward.hoankiem');
  await page.locator('nav a[data-page="cameras"]').click();
  await page.evaluate('window.__noReload = true');
  // No reload from here on: the rows change as the agent reports.
  for (const id of CAMERAS) await row(id, 'ok').waitFor({ timeout: 90_000 });
});

test('a camera switched off at the simulator turns offline on the open page, then back', async () => {
  const { page } = browser;
  await rtsp.stopCamera('lake');
  await row('lake', 'offline').waitFor({ timeout: 90_000 });
  assert.ok(await row('gate', 'ok').isVisible(), 'the others stay up');
  await screenshot(page, 'live-agent-camera-offline');
  await rtsp.startCamera('lake');
  await row('lake', 'ok').waitFor({ timeout: 90_000 });
  assert.is(await page.evaluate('window.__noReload'), true, 'the page was never reloaded');
});

test('when the agent dies, its cameras go offline on the page', async () => {
  agent!.kill('SIGKILL');
  await agent!.exited;
  for (const id of CAMERAS) await row(id, 'offline').waitFor({ timeout: 90_000 });
});

test.run();

/**
 * A ward officer opens a camera, states a purpose and plays a clip in the browser. The clip is a
 * real MP4 (ffmpeg) sent by the agent's own uplink code over MQTT, chunked and verified, and
 * stored content-addressed; the browser fetches it through the API, which checks the officer's
 * permission and purpose and writes a clip.view entry to the audit trail.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startTestUplink } from '../uplink/agent-support.ts';
import { tempDir } from '../support/tmp.ts';
import { waitFor } from '../support/wait.ts';
import { launchBrowser, screenshot, seedCity, signIn, startTestAggregator, tokenFor, type TestAggregator, type TestBrowser } from './harness.ts';

let env: TestAggregator;
let browser: TestBrowser;
let agent: ReturnType<typeof startTestUplink> | undefined;
const dir = tempDir('camfleet-dash-clip-');

test.before(async () => {
  env = await startTestAggregator();
  const passwords = await seedCity(env.agg);
  // Three seconds of H.264 with a clock, as an agent's export would be (fast-start MP4).
  const mp4 = join(dir.path, 'gate.mp4');
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x180:rate=10', '-t', '3',
    '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-profile:v', 'baseline', '-movflags', '+faststart', '-y', mp4], { timeout: 60_000 });
  agent = startTestUplink({
    dataDir: join(dir.path, 'agent'),
    credentials: { agentId: 'hk-01', password: passwords.get('hk-01')!, mqttUrl: `mqtt://127.0.0.1:${env.agg.mqttPort}` },
  });
  await agent.uplink.offerClip(mp4, { clipId: 'gate-0800', cameraId: 'gate', from: '2026-11-22T08:00:00.000Z', to: '2026-11-22T08:00:03.000Z', segmentHashes: [], reason: 'test' });
  await waitFor('the clip stored and verified', () => env.agg.uplink.clips.get('hk-01', 'gate-0800')?.state === 'complete');
  browser = await launchBrowser();
});

test.after(async () => {
  await browser?.close();
  await agent?.close();
  await env?.close();
  dir.cleanup();
});

test('without a stated purpose the page asks for one and the API refuses the clip', async () => {
  const { page } = browser;
  await signIn(page, env.url, 'ward.hoankiem');
  await page.goto(`${env.url}/#/cameras/${encodeURIComponent('hk-01/gate')}`);
  await page.locator('#clips [data-state="need-purpose"]').waitFor();
  const res = await fetch(`${env.url}/api/v1/clips/hk-01/gate-0800/video`, { headers: { authorization: `Bearer ${tokenFor(env.agg, 'ward.hoankiem')}` } });
  assert.is(res.status, 400, 'footage needs a purpose');
});

test('the officer states a purpose and the clip plays in the browser', async () => {
  const { page } = browser;
  await page.locator('#purpose').selectOption('public_order');
  await page.locator('#clips tr[data-clip="hk-01/gate-0800"] button.play').click();
  const video = page.locator('#clip-player');
  await video.waitFor();
  // Played for real: the browser decoded it, knows its length, and its clock moved.
  const media = () =>
    video.evaluate((v) => {
      const m = v as unknown as { currentTime: number; duration: number; videoWidth: number; readyState: number; error: { message: string } | null };
      return { currentTime: m.currentTime, duration: m.duration, videoWidth: m.videoWidth, readyState: m.readyState, error: m.error?.message ?? null };
    });
  await waitFor('the clip to play', async () => (await media()).currentTime > 0.3, { timeoutMs: 30_000 }).catch(async (err) => {
    throw new Error(`${String(err)}: ${JSON.stringify(await media())}`);
  });
  const m = await media();
  assert.ok(Math.abs(m.duration - 3) < 0.5, `a 3 s clip (${m.duration})`);
  assert.is(m.videoWidth, 320);
  await screenshot(page, 'camera-clip-playing');
});

test('the video route serves byte ranges, and the viewing is in the audit trail with its purpose', async () => {
  const headers = { authorization: `Bearer ${tokenFor(env.agg, 'ward.hoankiem')}`, 'x-camfleet-purpose': 'public_order' };
  const part = await fetch(`${env.url}/api/v1/clips/hk-01/gate-0800/video`, { headers: { ...headers, range: 'bytes=0-99' } });
  assert.is(part.status, 206);
  assert.is(part.headers.get('content-type'), 'video/mp4');
  assert.is((await part.arrayBuffer()).byteLength, 100);
  const views = (await env.agg.domain.audit.query({ action: 'clip.view', limit: 10 })) as Array<{ actorUsername: string | null; purpose: string | null }>;
  assert.ok(views.some((e) => e.actorUsername === 'ward.hoankiem' && e.purpose === 'public_order'), JSON.stringify(views));
});

test('the officer requests a clip of an interval from the camera page', async () => {
  const { page } = browser;
  await page.locator('#clip-from').fill('2026-11-22T07:55');
  await page.locator('#clip-to').fill('2026-11-22T07:57');
  await page.locator('#clip-request button[type=submit]').click();
  await page.locator('#clip-request-result.ok').waitFor();
  const [command] = env.agg.db.prepare("SELECT agent_id AS agentId, args_json AS args, requested_by AS who FROM agent_commands WHERE name = 'clip.request'").all() as Array<{ agentId: string; args: string; who: string }>;
  assert.is(command?.agentId, 'hk-01');
  assert.is(command?.who, 'ward.hoankiem');
  const args = JSON.parse(command!.args) as { cameraId: string; from: string; to: string };
  assert.is(args.cameraId, 'gate');
  assert.is(Date.parse(args.to) - Date.parse(args.from), 2 * 60_000, 'the interval asked for');
});

test("another ward's officer cannot fetch the clip", async () => {
  const other = env.agg.users.create('ward.badinh', 'long enough password', 'ward_officer', 'ward-ba-dinh');
  const token = env.agg.users.issueToken(other.id, 'test', 600);
  const res = await fetch(`${env.url}/api/v1/clips/hk-01/gate-0800/video`, { headers: { authorization: `Bearer ${token}`, 'x-camfleet-purpose': 'public_order' } });
  assert.ok(res.status === 403 || res.status === 404, String(res.status));
});

test.run();

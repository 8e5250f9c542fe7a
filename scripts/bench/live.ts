/**
 * `npm run bench -- live`: live view through the centre, one run, real processes on loopback:
 * a simulated camera (pre-encoded H.264, keyframe every second), a real aggregator (in this
 * process) and a real agent process.
 *
 * - request to first media fragment: from the viewer's GET to the first moof+mdat received
 *   (includes the live.start command, the agent's outbound WebSocket and ffmpeg's RTSP start;
 *   not the browser's decode: see test/dashboard/live-view.test.ts for playback);
 * - agent CPU of the streaming ffmpeg against a bare `ffmpeg -c copy` of the same stream to
 *   /dev/null over the same window (ratio);
 * - centre heap and RSS per viewer with 1, 10 and 50 viewers on one camera, and bytes from the
 *   agent per second (flat: one upstream whatever the viewer count).
 *
 *   CAMFLEET_BENCH_SECONDS=10 CAMFLEET_BENCH_VIEWERS=1,10,50
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startRtspSim } from '../../test/sim/rtsp.ts';
import { startTestCentre, writeAgentCredentials } from '../../test/support/centre.ts';
import { loadSeed, parseSeed } from '../../aggregator/src/seed/load.ts';
import { childRecords } from '../../agent/src/system/child-process.ts';
import { CpuMeter } from '../../agent/src/health/proc.ts';
import { tempDir } from '../../test/support/tmp.ts';
import { waitFor } from '../../test/support/wait.ts';
import { AGENT_BIN, startChild } from '../../test/support/processes.ts';
import { liveFfmpegArgs } from '../../agent/src/live/streamer.ts';

const WINDOW_S = Number(process.env.CAMFLEET_BENCH_SECONDS ?? 10);
const VIEWERS = (process.env.CAMFLEET_BENCH_VIEWERS ?? '1,10,50').split(',').map(Number).filter((n) => n > 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const CITY = {
  areas: [{ id: 'city', name: 'City', kind: 'city' }, { id: 'ward-a', name: 'Ward A', kind: 'ward', parent: 'city' }],
  purposes: [{ id: 'public_order', name: 'Public order' }],
  orgs: [{ id: 'ward-a-committee', name: 'Ward A', kind: 'ward_committee', area: 'ward-a' }],
  sites: [{ id: 'site-a', name: 'Ward A office', org: 'ward-a-committee', area: 'ward-a', agents: ['bench-agent'] }],
  cameras: [],
  users: [{ username: 'viewer', role: 'ward_officer', org: 'ward-a-committee' }],
};

const dir = tempDir('camfleet-bench-live-');
const sim = await startRtspSim({ streams: [{ name: 'cam', width: 1280, height: 720, fps: 25, bitrateKbps: 2000, preencoded: true }], startTimeoutMs: 300_000 });
const agg = await startTestCentre(join(dir.path, 'agg'));
const creds = agg.fleet.createAgent('bench-agent');
await loadSeed(parseSeed(CITY), { repos: agg.domain.repos, fleet: agg.fleet, users: agg.users }, { userPassword: 'bench-password-1' });
const token = agg.users.issueToken(agg.users.byUsername('viewer')!.id, 'bench');
const agentData = join(dir.path, 'agent');
const credentialsFile = writeAgentCredentials(agg, join(dir.path, 'credentials.json'), creds, { withHttpUrl: true });
writeFileSync(join(dir.path, 'agent.json'), JSON.stringify({ dataDir: agentData, credentialsFile, heartbeatSeconds: 1, cameras: [{ id: 'cam', rtspUrl: sim.url('cam'), record: false, detect: false }] }));
const agent = startChild(process.execPath, [AGENT_BIN, 'run', '--config', join(dir.path, 'agent.json')], { env: { ...process.env, CAMFLEET_LOG_LEVEL: 'warn' } });

interface Viewer { bytes: number; firstFragmentMs?: number; ctl: AbortController }
async function openViewer(): Promise<Viewer> {
  const ctl = new AbortController();
  const t0 = performance.now();
  const res = await fetch(`${agg.httpUrl}/api/v1/cameras/bench-agent/cam/live`, { headers: { authorization: `Bearer ${token}`, 'x-camfleet-purpose': 'public_order' }, signal: ctl.signal });
  if (res.status !== 200) throw new Error(`live view ${res.status}: ${await res.text()}`);
  const v: Viewer = { bytes: 0, ctl };
  const reader = res.body!.getReader();
  let seen = Buffer.alloc(0);
  void (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        v.bytes += value.length;
        if (v.firstFragmentMs === undefined) {
          seen = Buffer.concat([seen, Buffer.from(value)]);
          if (seen.includes('mdat')) v.firstFragmentMs = performance.now() - t0;
        }
      }
    } catch {}
  })();
  return v;
}

try {
  await waitFor('camera online', () => agg.fleet.listCameras().find((c) => c.cameraId === 'cam' && c.online), { timeoutMs: 120_000 });
  const results: Record<string, unknown> = {};

  // 1. request to first media fragment (cold: no upstream yet).
  const first = await openViewer();
  await waitFor('first fragment', () => first.firstFragmentMs !== undefined, { timeoutMs: 60_000 });
  results.requestToFirstFragmentMs = Math.round(first.firstFragmentMs!);

  // 2. agent CPU: the live ffmpeg against a bare ffmpeg -c copy of the same stream.
  const livePid = childRecords(agentData).find((r) => r.name === 'live:cam')!.pid;
  const bare = spawn('ffmpeg', liveFfmpegArgs(sim.url('cam')), { stdio: ['ignore', 'ignore', 'ignore'] });
  await sleep(3000);
  const meter = new CpuMeter();
  meter.sample([livePid, bare.pid!]);
  await sleep(WINDOW_S * 1000);
  const cpu = meter.sample([livePid, bare.pid!]).byPid;
  bare.kill('SIGKILL');
  const liveCpu = cpu.get(livePid) ?? NaN;
  const bareCpu = cpu.get(bare.pid!) ?? NaN;
  results.agentFfmpegCpuPercent = { live: +liveCpu.toFixed(2), bareCopy: +bareCpu.toFixed(2), ratio: +(liveCpu / bareCpu).toFixed(2) };
  first.ctl.abort();
  await sleep(500);

  // 3. centre memory per viewer and upstream bytes per viewer count (one upstream throughout).
  const perViewers: Record<string, unknown> = {};
  const keep = await openViewer(); // keeps the upstream up between rounds
  await waitFor('stream', () => keep.bytes > 0, { timeoutMs: 60_000 });
  for (const n of VIEWERS) {
    global.gc?.();
    await sleep(1000);
    const before = process.memoryUsage();
    const viewers = await Promise.all(Array.from({ length: n }, () => openViewer()));
    await sleep(2000);
    const up0 = agg.liveView.status()[0]!.bytesIn;
    const vb0 = viewers.reduce((s, v) => s + v.bytes, 0);
    await sleep(WINDOW_S * 1000);
    const after = process.memoryUsage();
    const up1 = agg.liveView.status()[0]!.bytesIn;
    const vb1 = viewers.reduce((s, v) => s + v.bytes, 0);
    perViewers[n] = {
      upstreams: agg.liveView.status().length,
      agentUplinkKBps: +((up1 - up0) / 1024 / WINDOW_S).toFixed(1),
      perViewerKBps: +((vb1 - vb0) / 1024 / WINDOW_S / n).toFixed(1),
      rssDeltaPerViewerKiB: Math.round((after.rss - before.rss) / 1024 / n),
      heapDeltaPerViewerKiB: Math.round((after.heapUsed - before.heapUsed) / 1024 / n),
    };
    for (const v of viewers) v.ctl.abort();
    await sleep(500);
  }
  results.viewers = perViewers;
  keep.ctl.abort();
  console.log(JSON.stringify({ bench: 'live', windowSeconds: WINDOW_S, stream: '1280x720 25 fps ~2 Mbit/s H.264, 1 s GOP', ...results }, null, 2));
} finally {
  agent.kill('SIGKILL');
  await agg.close();
  await sim.close();
  dir.cleanup();
}

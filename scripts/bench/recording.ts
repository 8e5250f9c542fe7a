/**
 * `npm run bench -- recording`: N simulated 1080p H.264 cameras (~4 Mbit/s, served pre-encoded
 * so the simulator stays cheap) recorded at once by the agent's recorder (its own process, one
 * ffmpeg per camera) and, in the same run, by N bare ffmpeg processes doing the same stream copy
 * into segments: the floor. For each N: CPU (percent of one core) and memory (PSS, since the
 * ffmpeg processes share libraries) per camera for the agent process, its ffmpeg children and
 * the bare ffmpegs; the simulator's CPU; segments lost; whether N holds (no gap, no lost
 * segment, frame rate kept). Stops at the first N that does not hold.
 *
 * The simulated cameras are served by several GStreamer RTSP server processes
 * (test/sim/rtsp-sharded.ts, CAMFLEET_BENCH_PER_SIM cameras each), so that at 96 cameras the
 * simulator is not the limit. The ratio printed is the agent's total CPU (its node process and
 * its ffmpeg children) over the bare ffmpegs' in the same window (issue 17 target: <= 1.10 at 96).
 *
 *   CAMFLEET_BENCH_N=1,8,16,24,32,48,96  CAMFLEET_BENCH_SECONDS=30  CAMFLEET_BENCH_SEGMENT_SECONDS=5  CAMFLEET_BENCH_PER_SIM=24
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CameraHealth } from '@camfleet/shared';
import { startShardedRtspSim } from '../../test/sim/rtsp-sharded.ts';
import { CpuMeter, processPssBytes } from '../../agent/src/health/proc.ts';
import { openAgentDbReadonly } from '../../agent/src/storage/db.ts';
import { SegmentIndex } from '../../agent/src/storage/segment-index.ts';

const NS = (process.env.CAMFLEET_BENCH_N ?? '1,8,16,24,32,48,96').split(',').map(Number).filter((n) => n > 0);
const WINDOW_S = Number(process.env.CAMFLEET_BENCH_SECONDS ?? 30);
const SEG_S = Number(process.env.CAMFLEET_BENCH_SEGMENT_SECONDS ?? 5);
const FPS = 25;
const PER_SIM = Number(process.env.CAMFLEET_BENCH_PER_SIM ?? 24);
const CHILD = fileURLToPath(new URL('./recording/agent-child.ts', import.meta.url));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (b: number) => (b / 2 ** 20).toFixed(1);
const pct = (p: number) => p.toFixed(1);

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(p));
    } catch {
      /* gone */
    }
  }
  return out;
}

function sumPss(pids: number[]): number {
  return pids.reduce((a, p) => a + (processPssBytes(p) ?? 0), 0);
}

interface Row {
  n: number;
  agentCpu: number;
  agentFfCpu: number;
  bareCpu: number;
  simCpu: number;
  agentPss: number;
  agentFfPss: number;
  barePss: number;
  lost: number;
  gaps: number;
  gapCauses: string;
  minFps: number;
  holds: boolean;
  /** The bare ffmpegs recorded every camera too (else the rig, not the agent, is the limit). */
  floorHolds: boolean;
}

async function runN(n: number): Promise<Row> {
  const work = mkdtempSync(join(tmpdir(), 'camfleet-bench-rec-'));
  const sim = await startShardedRtspSim(
    {
      streams: Array.from({ length: n }, (_, i) => ({ name: `cam${i}`, width: 1920, height: 1080, fps: FPS, bitrateKbps: 4000, preencoded: true })),
      startTimeoutMs: 600_000,
    },
    PER_SIM,
  );
  const urls = Array.from({ length: n }, (_, i) => sim.url(`cam${i}`));
  const procs: ChildProcess[] = [];
  try {
    const dataDir = join(work, 'agent');
    const agent = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify({ dataDir, urls, segmentSeconds: SEG_S })], { stdio: ['ignore', 'pipe', 'inherit'] });
    procs.push(agent);
    let health: CameraHealth[] = [];
    let buf = '';
    agent.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        try {
          const parsed = JSON.parse(line) as { health?: CameraHealth[]; msg?: string };
          if (parsed.health) health = parsed.health;
          else if (parsed.msg) process.stderr.write(`  agent: ${line.slice(0, 400)}\n`);
        } catch {
          /* not ours */
        }
      }
    });
    // warm up: every agent camera has finished a segment
    const deadline = Date.now() + 120_000;
    while (!(health.length === n && health.every((h) => h.lastSegmentAt)) && Date.now() < deadline) await sleep(500);

    const bareDir = join(work, 'bare');
    mkdirSync(bareDir);
    for (const [i, url] of urls.entries()) {
      const bare = spawn('ffmpeg', [
        '-hide_banner', '-nostdin', '-loglevel', 'error', '-rtsp_transport', 'tcp', '-i', url, '-map', '0:v:0', '-c', 'copy',
        '-f', 'segment', '-segment_time', String(SEG_S), '-reset_timestamps', '1', '-segment_format', 'mp4',
        '-segment_format_options', 'movflags=+frag_keyframe+empty_moov+default_base_moof', join(bareDir, `cam${i}-%06d.mp4`),
      ], { stdio: 'ignore' });
      procs.push(bare);
    }
    // the floor is warm when every bare ffmpeg has written its first segment
    while (readdirSync(bareDir).filter((f) => f.endsWith('-000001.mp4')).length < n && Date.now() < deadline) await sleep(500);
    const groups = () => ({ agent: [agent.pid!], agentFf: childrenOf(agent.pid!), bare: procs.slice(1).map((p) => p.pid!), sim: sim.pids });
    const meters = { agent: new CpuMeter(), agentFf: new CpuMeter(), bare: new CpuMeter(), sim: new CpuMeter() };
    let g = groups();
    for (const k of Object.keys(meters) as Array<keyof typeof meters>) meters[k].sample(g[k]);
    const fromMs = Date.now();
    const fpsSum = new Map<string, { sum: number; n: number }>();
    const pss = { agent: 0, agentFf: 0, bare: 0 };
    for (let t = 0; t < WINDOW_S; t++) {
      await sleep(1000);
      for (const h of health) {
        const f = fpsSum.get(h.cameraId) ?? { sum: 0, n: 0 };
        f.sum += h.fps ?? 0;
        f.n++;
        fpsSum.set(h.cameraId, f);
      }
      if (t === Math.floor(WINDOW_S / 2)) {
        g = groups();
        pss.agent = sumPss(g.agent);
        pss.agentFf = sumPss(g.agentFf);
        pss.bare = sumPss(g.bare);
      }
    }
    g = groups();
    const cpu = Object.fromEntries((Object.keys(meters) as Array<keyof typeof meters>).map((k) => [k, meters[k].sample(g[k]).total])) as Record<keyof typeof meters, number>;
    const toMs = Date.now();

    // the floor holds when each bare ffmpeg wrote about a window's worth of segments
    const bareSegments = (i: number) => readdirSync(bareDir).filter((f) => f.startsWith(`cam${i}-`)).length;
    const floorHolds = Array.from({ length: n }, (_, i) => bareSegments(i)).every((c) => c >= Math.floor(WINDOW_S / SEG_S));
    for (const p of procs.slice(1)) p.kill('SIGINT');
    agent.kill('SIGTERM');
    await Promise.all(procs.map((p) => (p.exitCode === null ? new Promise((r) => p.once('exit', r)) : undefined)));

    // segments lost: footage missing inside the window, in segment units, over all cameras
    const index = new SegmentIndex(openAgentDbReadonly(dataDir));
    let lostMs = 0;
    let gaps = 0;
    const gapCauses = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const rows = index.presentSegments(`cam${i}`, fromMs, toMs);
      let covered = 0;
      for (const r of rows) covered += Math.max(0, Math.min(r.endMs, toMs) - Math.max(r.startMs, fromMs));
      // the segment in progress at the end of the window was closed at stop: it counts
      lostMs += Math.max(0, toMs - fromMs - covered - 1000);
      const camGaps = index.gaps(`cam${i}`, fromMs, toMs);
      gaps += camGaps.length;
      for (const g of camGaps) gapCauses.set(g.cause, (gapCauses.get(g.cause) ?? 0) + 1);
      if (process.env.CAMFLEET_BENCH_DEBUG) for (const g of camGaps) console.log(`  gap cam${i} ${g.fromMs - fromMs}..${g.toMs - fromMs} ms ${g.cause}`);
    }
    index.db.close();
    // the slowest camera's mean frame rate over the window, as the agent measured it
    const minFps = Math.min(...[...fpsSum.values()].map((f) => f.sum / f.n));
    const lost = Math.round(lostMs / (SEG_S * 1000));
    const holds = lost === 0 && gaps === 0 && Number.isFinite(minFps) && minFps >= FPS * 0.9;
    return { n, agentCpu: cpu.agent, agentFfCpu: cpu.agentFf, bareCpu: cpu.bare, simCpu: cpu.sim, agentPss: pss.agent, agentFfPss: pss.agentFf, barePss: pss.bare, lost, gaps, gapCauses: [...gapCauses].map(([c, k]) => `${k} ${c}`).join(', '), minFps, holds, floorHolds };
  } finally {
    for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
    await sim.close();
    rmSync(work, { recursive: true, force: true });
  }
}

console.log(`recording benchmark: 1080p25 H.264 ~4 Mbit/s pre-encoded cameras, ${SEG_S} s segments, ${WINDOW_S} s window; CPU in % of one core (2 cores here), memory as PSS`);
const rows: Row[] = [];
for (const n of NS) {
  const r = await runN(n);
  rows.push(r);
  const per = (x: number) => x / r.n;
  console.log(
    `N=${r.n}: agent node ${pct(r.agentCpu)}% ${mb(r.agentPss)} MiB | agent ffmpeg ${pct(per(r.agentFfCpu))}%/cam ${mb(per(r.agentFfPss))} MiB/cam | ` +
      `bare ffmpeg ${pct(per(r.bareCpu))}%/cam ${mb(per(r.barePss))} MiB/cam | sim ${pct(r.simCpu)}% | lost ${r.lost} segs, ${r.gaps} gaps${r.gapCauses ? ` (${r.gapCauses})` : ''}, min fps ${r.minFps === Infinity ? '-' : r.minFps.toFixed(1)} -> ${r.holds ? 'holds' : 'DOES NOT HOLD'}${r.floorHolds ? '' : ' (the bare ffmpeg floor failed too: the simulator/rig is the limit here)'}`,
  );
  if (r.barePss > 0 && r.bareCpu > 0) console.log(
    `       ratio agent (node + its ffmpeg) / bare ffmpeg, all cameras: CPU ${((r.agentCpu + r.agentFfCpu) / Math.max(r.bareCpu, 0.01)).toFixed(2)}x, PSS ${((r.agentPss + r.agentFfPss) / Math.max(r.barePss, 1)).toFixed(2)}x`,
  );
  if (r.agentPss + r.agentFfPss === 0 || r.barePss === 0) console.log('       (processes gone before the memory sample: no ratio)');
  if (!r.holds) break;
}
const held = rows.filter((r) => r.holds).map((r) => r.n);
console.log(`largest N that holds here (agent + floor + simulator on the same 2 cores): ${held.length ? Math.max(...held) : 'none'}${rows.every((r) => r.holds) ? ' (not pushed further: raise CAMFLEET_BENCH_N)' : ''}`);

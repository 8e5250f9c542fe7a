/**
 * The shipped agent binary: artefact sizes (x64 and ARM64), start-up time to the first heartbeat
 * the aggregator records, and memory at idle with no camera and with 1, 4 and 16 cameras.
 *
 *   npm run bench -- binary          (builds the x64 dist/ first when it is stale)
 *   BENCH_CAMERAS=1,4,16             the camera counts measured
 *
 * Start-up is measured from spawn to the heartbeat row in the aggregator (in this process),
 * median of 5, for the binary and for the source agent (node + tsx) as the reference. Memory,
 * sampled after 10 s of settling (max of 5 samples 1 s apart):
 *   - the agent process: VmRSS and PSS (proportional set size, /proc/<pid>/smaps_rollup: shared
 *     pages divided among the processes sharing them);
 *   - its whole tree (ffmpeg recorders and frame feeds): the sum of PSS, which counts ffmpeg's
 *     shared libraries once across its copies, unlike a sum of RSS.
 * Per camera: (figure at N cameras - figure at none) / N. Targets (issue 17): idle RSS <= 80 MiB,
 * agent <= 40 MiB per additional camera, <= 60 MiB PSS per camera with its children.
 * Figures are written to bench-results/binary.json as well.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AggregatorConfigSchema } from '../../aggregator/src/config.ts';
import { startAggregator } from '../../aggregator/src/server.ts';
import { startRtspSim } from '../../test/sim/rtsp.ts';
import { tempDir } from '../../test/support/tmp.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const STAGED = join(ROOT, 'dist', 'linux-x64', 'camfleet-agent');
const EXE = join(STAGED, 'camfleet-agent');
const MiB = 1024 * 1024;

const COUNTS = (process.env.BENCH_CAMERAS ?? '1,4,16').split(',').map(Number).filter((n) => n > 0);
/** Start-up runs per agent (0: skip the start-up comparison, e.g. while tuning memory). */
const STARTUP_RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 5);
// CAMFLEET_BINARY_AS_BUILT=1 measures dist/ as it is (as the binary tests allow).
if (!process.env.CAMFLEET_BINARY_AS_BUILT) {
  const built = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build-agent.ts', '--arch', 'x64', '--if-stale'], { cwd: ROOT, stdio: 'inherit' });
  if (built.status !== 0) process.exit(1);
}

function sizeOf(path: string): number {
  const st = statSync(path);
  return st.isDirectory() ? readdirSync(path).reduce((n, e) => n + sizeOf(join(path, e)), 0) : st.size;
}

function rssOf(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

function pssOf(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0; // exited between listing and reading
  }
}

/** The pid and every descendant (ffmpeg recorders). */
function tree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(e)]);
    } catch {}
  }
  const out = [pid];
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i]!) ?? []));
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const dir = tempDir();
const agg = await startAggregator(
  AggregatorConfigSchema.parse({ dataDir: join(dir.path, 'agg'), mqtt: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 }, log: { level: 'warn' } }),
);
const live = new Set<ChildProcess>();
let n = 0;

function startAgent(cmd: string[], cameras: unknown[] = []): { proc: ChildProcess; id: string; spawnedAt: number } {
  const id = `bench-${++n}`;
  const data = join(dir.path, id);
  mkdirSync(data);
  const creds = agg.fleet.createAgent(id);
  writeFileSync(join(data, 'credentials.json'), JSON.stringify({ ...creds, mqttUrl: `mqtt://127.0.0.1:${agg.mqttPort}` }), { mode: 0o600 });
  const config = join(data, 'agent.json');
  writeFileSync(config, JSON.stringify({ dataDir: data, heartbeatSeconds: 30, cameras }));
  const spawnedAt = performance.now();
  const proc = spawn(cmd[0]!, [...cmd.slice(1), 'run', '--config', config], {
    cwd: ROOT,
    stdio: 'ignore',
    env: { PATH: '/usr/bin:/bin', HOME: dir.path, CAMFLEET_LOG_LEVEL: 'warn' },
  });
  live.add(proc);
  return { proc, id, spawnedAt };
}

async function firstHeartbeat(id: string, timeoutMs = 60_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (agg.fleet.listAgents().find((a) => a.id === id)?.heartbeat) return performance.now();
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error(`${id}: no heartbeat within ${timeoutMs} ms`);
}

async function stop(proc: ChildProcess): Promise<void> {
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await exited;
  live.delete(proc);
}

async function startupMs(cmd: string[]): Promise<number> {
  const a = startAgent(cmd);
  const at = await firstHeartbeat(a.id);
  await stop(a.proc);
  return at - a.spawnedAt;
}

interface Memory {
  /** VmRSS of the agent process. */
  agent: number;
  agentPss: number;
  /** Sum of VmRSS over the tree (shared libraries counted once per process). */
  tree: number;
  /** Sum of PSS over the tree. */
  treePss: number;
  processes: number;
}

async function idleRss(cmd: string[], cameras: unknown[]): Promise<Memory> {
  const a = startAgent(cmd, cameras);
  // More cameras, more to start before the first heartbeat (probes, ffmpegs) on a busy machine.
  await firstHeartbeat(a.id, 60_000 + cameras.length * 10_000);
  await new Promise((r) => setTimeout(r, 10_000));
  const m: Memory = { agent: 0, agentPss: 0, tree: 0, treePss: 0, processes: 0 };
  const safe = (f: (p: number) => number) => (p: number) => {
    try {
      return f(p);
    } catch {
      return 0;
    }
  };
  for (let i = 0; i < 5; i++) {
    const pids = tree(a.proc.pid!);
    m.agent = Math.max(m.agent, rssOf(a.proc.pid!));
    m.agentPss = Math.max(m.agentPss, pssOf(a.proc.pid!));
    m.tree = Math.max(m.tree, pids.map(safe(rssOf)).reduce((x, y) => x + y, 0));
    m.treePss = Math.max(m.treePss, pids.map(safe(pssOf)).reduce((x, y) => x + y, 0));
    m.processes = Math.max(m.processes, pids.length);
    await new Promise((r) => setTimeout(r, 1000));
  }
  await stop(a.proc);
  return m;
}

try {
  for (const target of ['linux-x64', 'linux-arm64']) {
    const archive = join(ROOT, 'dist', `camfleet-agent-${target}.tar.gz`);
    if (existsSync(archive)) console.log(`archive ${target}: ${(statSync(archive).size / MiB).toFixed(1)} MiB`);
    else console.log(`archive ${target}: not built (npm run build:agent -- --arch ${target.split('-')[1]})`);
  }
  const sizes = {
    archive: statSync(join(ROOT, 'dist', 'camfleet-agent-linux-x64.tar.gz')).size,
    executable: statSync(EXE).size,
    lib: sizeOf(join(STAGED, 'lib')),
    share: sizeOf(join(STAGED, 'share')),
  };
  console.log(`size: archive ${(sizes.archive / MiB).toFixed(1)} MiB (unpacked: executable ${(sizes.executable / MiB).toFixed(1)} MiB, lib ${(sizes.lib / MiB).toFixed(1)} MiB, share ${(sizes.share / MiB).toFixed(1)} MiB)`);

  const binary = [EXE];
  const source = [process.execPath, join(ROOT, 'agent', 'bin', 'camfleet-agent.js')];
  let startup: { binaryMs: number; sourceMs: number } | undefined;
  if (STARTUP_RUNS > 0) {
    await startupMs(binary); // warm the page cache once
    const binMs: number[] = [];
    const srcMs: number[] = [];
    for (let i = 0; i < STARTUP_RUNS; i++) {
      binMs.push(await startupMs(binary));
      srcMs.push(await startupMs(source));
    }
    startup = { binaryMs: Math.round(median(binMs)), sourceMs: Math.round(median(srcMs)) };
    console.log(`start-up to first heartbeat (median of ${STARTUP_RUNS}): binary ${startup.binaryMs} ms, source (node + tsx) ${startup.sourceMs} ms, ratio ${(startup.binaryMs / startup.sourceMs).toFixed(2)}`);
  }

  const idle0 = await idleRss(binary, []);
  const idleSource = await idleRss(source, []);
  const f = (b: number) => `${(b / MiB).toFixed(0)} MiB`;
  console.log(
    `idle, no camera: binary agent RSS ${f(idle0.agent)} (target <= 80 MiB), PSS ${f(idle0.agentPss)}; source agent (node + tsx) RSS ${f(idleSource.agent)}; ratio binary/source ${(idle0.agent / idleSource.agent).toFixed(2)}`,
  );
  const maxCameras = Math.max(1, ...COUNTS);
  const rtsp = await startRtspSim({ streams: Array.from({ length: maxCameras }, (_, i) => ({ name: `cam${i + 1}`, width: 640, height: 360, fps: 10, preencoded: true })) });
  const withCameras: Record<number, Memory> = {};
  try {
    for (const n of COUNTS) {
      const m = await idleRss(binary, Array.from({ length: n }, (_, i) => ({ id: `cam${i + 1}`, rtspUrl: rtsp.url(`cam${i + 1}`) })));
      withCameras[n] = m;
      console.log(
        `${String(n).padStart(2)} camera(s): agent RSS ${f(m.agent)}, PSS ${f(m.agentPss)}; tree (${m.processes} processes) PSS ${f(m.treePss)}, RSS sum ${f(m.tree)}; ` +
          `per camera: agent RSS +${((m.agent - idle0.agent) / n / MiB).toFixed(1)} MiB (target <= 40), ` +
          `tree PSS +${((m.treePss - idle0.treePss) / n / MiB).toFixed(1)} MiB (target <= 60), ${((m.processes - 1) / n).toFixed(1)} child processes per camera`,
      );
    }
  } finally {
    await rtsp.close();
  }
  const idle4 = withCameras[4];
  mkdirSync(join(ROOT, 'bench-results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench-results', 'binary.json'), JSON.stringify({ at: new Date().toISOString(), sizes, startup, idle0, idleSource, idle4, withCameras }, null, 2));
} finally {
  for (const p of live) p.kill('SIGKILL');
  await agg.close();
  dir.cleanup();
}

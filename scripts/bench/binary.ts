/**
 * The shipped agent binary: artefact size, start-up time to the first heartbeat the aggregator
 * records, and resident memory at idle with no camera and with 4 cameras.
 *
 *   npm run bench -- binary          (builds dist/ first when it is stale)
 *
 * Start-up is measured from spawn to the heartbeat row in the aggregator (in this process),
 * median of 5, for the binary and for the source agent (node + tsx) as the reference. Memory is
 * VmRSS of the agent process (binary; the source agent too at no camera), and of its whole process tree (ffmpeg children included), sampled
 * after 10 s of settling. Figures are written to bench-results/binary.json as well.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AggregatorConfigSchema } from '../../aggregator/src/config.ts';
import { startAggregator } from '../../aggregator/src/server.ts';
import { startRtspSim } from '../../test/sim/rtsp.ts';
import { tempDir } from '../../test/support/tmp.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const STAGED = join(ROOT, 'dist', 'camfleet-agent');
const EXE = join(STAGED, 'camfleet-agent');
const MiB = 1024 * 1024;

const built = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build-agent.ts', '--if-stale'], { cwd: ROOT, stdio: 'inherit' });
if (built.status !== 0) process.exit(1);

function sizeOf(path: string): number {
  const st = statSync(path);
  return st.isDirectory() ? readdirSync(path).reduce((n, e) => n + sizeOf(join(path, e)), 0) : st.size;
}

function rssOf(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
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

async function idleRss(cmd: string[], cameras: unknown[]): Promise<{ agent: number; tree: number; processes: number }> {
  const a = startAgent(cmd, cameras);
  await firstHeartbeat(a.id);
  await new Promise((r) => setTimeout(r, 10_000));
  let agent = 0;
  let total = 0;
  let processes = 0;
  for (let i = 0; i < 5; i++) {
    const pids = tree(a.proc.pid!);
    agent = Math.max(agent, rssOf(a.proc.pid!));
    total = Math.max(total, pids.reduce((s, p) => s + (() => { try { return rssOf(p); } catch { return 0; } })(), 0));
    processes = Math.max(processes, pids.length);
    await new Promise((r) => setTimeout(r, 1000));
  }
  await stop(a.proc);
  return { agent, tree: total, processes };
}

try {
  const sizes = {
    archive: statSync(join(ROOT, 'dist', 'camfleet-agent-linux-x64.tar.gz')).size,
    executable: statSync(EXE).size,
    lib: sizeOf(join(STAGED, 'lib')),
    share: sizeOf(join(STAGED, 'share')),
  };
  console.log(`size: archive ${(sizes.archive / MiB).toFixed(1)} MiB (unpacked: executable ${(sizes.executable / MiB).toFixed(1)} MiB, lib ${(sizes.lib / MiB).toFixed(1)} MiB, share ${(sizes.share / MiB).toFixed(1)} MiB)`);

  const binary = [EXE];
  const source = [process.execPath, join(ROOT, 'agent', 'bin', 'camfleet-agent.js')];
  await startupMs(binary); // warm the page cache once
  const binMs: number[] = [];
  const srcMs: number[] = [];
  for (let i = 0; i < 5; i++) {
    binMs.push(await startupMs(binary));
    srcMs.push(await startupMs(source));
  }
  const startup = { binaryMs: Math.round(median(binMs)), sourceMs: Math.round(median(srcMs)) };
  console.log(`start-up to first heartbeat (median of 5): binary ${startup.binaryMs} ms, source (node + tsx) ${startup.sourceMs} ms, ratio ${(startup.binaryMs / startup.sourceMs).toFixed(2)}`);

  const idle0 = await idleRss(binary, []);
  const idleSource = await idleRss(source, []);
  console.log(
    `idle RSS, no camera: binary agent ${(idle0.agent / MiB).toFixed(0)} MiB, source agent (node + tsx) ${(idleSource.agent / MiB).toFixed(0)} MiB, ratio ${(idle0.agent / idleSource.agent).toFixed(2)}`,
  );
  const rtsp = await startRtspSim({ streams: [1, 2, 3, 4].map((i) => ({ name: `cam${i}`, width: 640, height: 360, fps: 10, preencoded: true })) });
  let idle4;
  try {
    idle4 = await idleRss(binary, [1, 2, 3, 4].map((i) => ({ id: `cam${i}`, rtspUrl: rtsp.url(`cam${i}`) })));
  } finally {
    await rtsp.close();
  }
  console.log(
    `idle RSS, 4 cameras: agent ${(idle4.agent / MiB).toFixed(0)} MiB, with its children ${(idle4.tree / MiB).toFixed(0)} MiB (${idle4.processes} processes); ` +
      `agent ratio 4 cameras / none ${(idle4.agent / idle0.agent).toFixed(2)}`,
  );
  mkdirSync(join(ROOT, 'bench-results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench-results', 'binary.json'), JSON.stringify({ at: new Date().toISOString(), sizes, startup, idle0, idleSource, idle4 }, null, 2));
} finally {
  for (const p of live) p.kill('SIGKILL');
  await agg.close();
  dir.cleanup();
}

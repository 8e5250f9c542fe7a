/**
 * `npm run bench -- rtsp-sim`: what the simulated cameras cost. For N cameras of 1080p25
 * (~4 Mbit/s), each read by one ffmpeg (`-c copy -f null`): the simulator's CPU (percent of one
 * core) and memory (PSS) with pre-encoded loops, and, for comparison, with live x264 encoding
 * (only N=1: a live 1080p encode alone is most of a core). Also the delivered frame rate per
 * reader, to show the loop is paced in real time.
 *
 *   CAMFLEET_BENCH_N=1,8,16  CAMFLEET_BENCH_SECONDS=10
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { startRtspSim, type SimStream } from '../../test/sim/rtsp.ts';
import { CpuMeter, processPssBytes } from '../../agent/src/health/proc.ts';

const NS = (process.env.CAMFLEET_BENCH_N ?? '1,8,16').split(',').map(Number).filter((n) => n > 0);
const WINDOW_S = Number(process.env.CAMFLEET_BENCH_SECONDS ?? 10);
const HD = { width: 1920, height: 1080, fps: 25, bitrateKbps: 4000 };

interface Reader {
  proc: ChildProcess;
  frames: number;
}

function startReader(url: string): Reader {
  const proc = spawn('ffmpeg', ['-nostdin', '-v', 'error', '-rtsp_transport', 'tcp', '-i', url, '-c', 'copy', '-f', 'null', '-', '-progress', 'pipe:1'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const reader: Reader = { proc, frames: 0 };
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    if (line.startsWith('frame=')) reader.frames = Number(line.slice(6));
  });
  return reader;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function measure(label: string, streams: SimStream[]): Promise<void> {
  const sim = await startRtspSim({ streams, startTimeoutMs: 300_000 });
  const readers = streams.map((s) => startReader(sim.url(s.name)));
  try {
    // Wait until every reader gets frames (bounded), then measure one window.
    const deadline = Date.now() + 60_000;
    while (readers.some((r) => r.frames === 0) && Date.now() < deadline) await sleep(200);
    await sleep(5000); // warm-up: ffmpeg flushes what it buffered while probing the stream
    const meter = new CpuMeter();
    meter.sample([sim.pid]);
    const framesBefore = readers.map((r) => r.frames);
    const t0 = performance.now();
    await sleep(WINDOW_S * 1000);
    const cpu = meter.sample([sim.pid]).total;
    const elapsed = (performance.now() - t0) / 1000;
    const fps = readers.map((r, i) => (r.frames - framesBefore[i]!) / elapsed);
    const pss = processPssBytes(sim.pid) ?? 0;
    console.log(
      `${label.padEnd(26)} sim CPU ${cpu.toFixed(1).padStart(6)} % of a core  (${(cpu / streams.length).toFixed(2)} %/camera)  ` +
        `sim PSS ${(pss / 2 ** 20).toFixed(0)} MiB  reader fps min/avg ${Math.min(...fps).toFixed(1)}/${(fps.reduce((a, b) => a + b, 0) / fps.length).toFixed(1)} (want ${streams[0]!.fps})`,
    );
  } finally {
    for (const r of readers) r.proc.kill('SIGKILL');
    await sim.close();
  }
}

for (const n of NS) {
  await measure(`pre-encoded 1080p25 x${n}`, Array.from({ length: n }, (_, i) => ({ name: `hd${i}`, ...HD, preencoded: true })));
}
await measure('live x264 1080p25 x1', [{ name: 'live', ...HD }]);
await measure('live x264 640x360@10 x1', [{ name: 'small', width: 640, height: 360, fps: 10 }]);

/**
 * Fake RTSP cameras for tests, the demo and benchmarks: starts test/sim/rtsp/rtsp_server.py
 * (GStreamer RTSP server, Debian's /usr/bin/python3) and drives it over stdin/stdout.
 *
 *   const sim = await startRtspSim({ streams: [{ name: 'cam1' }, { name: 'hd', width: 1920, height: 1080, fps: 25, preencoded: true }] });
 *   sim.url('cam1')            // rtsp://127.0.0.1:<port>/cam1
 *   await sim.stopCamera('cam1'); await sim.startCamera('cam1');
 *   await sim.close();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface SimStream {
  name: string;
  width?: number;
  height?: number;
  fps?: number;
  /** true: a quiet 440 Hz sine; 'bang': a loud 100 ms burst every 5 s over near-silence. */
  audio?: boolean | 'bang';
  bitrateKbps?: number;
  /** Serve H.264 encoded once (cached) and looped without re-encoding: cheap, for benchmarks. */
  preencoded?: boolean;
  /** A video file (real footage) served instead of the test pattern, encoded once and looped. */
  footage?: string;
}

export interface RtspSim {
  port: number;
  url(name: string): string;
  stopCamera(name: string): Promise<void>;
  startCamera(name: string): Promise<void>;
  close(): Promise<void>;
  pid: number;
}

export interface RtspSimOptions {
  streams: SimStream[];
  /** 0 (default) = pick a free port. */
  port?: number;
  /** When set, RTSP Digest auth is required: anonymous access is refused. */
  username?: string;
  password?: string;
  /** Where pre-encoded loops are cached (default: $CAMFLEET_SIM_CACHE or <tmpdir>/camfleet-sim-cache). */
  cacheDir?: string;
  /** Deadline for READY (first use may encode a 1080p loop). */
  startTimeoutMs?: number;
}

const SERVER_SCRIPT = fileURLToPath(new URL('./rtsp/rtsp_server.py', import.meta.url));
/** Debian's python has `gi`; the first python3 on PATH may not. */
const PYTHON = process.env.CAMFLEET_SIM_PYTHON ?? '/usr/bin/python3';
const STREAM_NAME = /^[A-Za-z0-9._-]+$/;

/** Children still running, killed synchronously if this process exits without close(). */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) killGroup(child, 'SIGKILL');
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal); // the whole process group (detached: it leads its own)
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

export async function startRtspSim(opts: RtspSimOptions): Promise<RtspSim> {
  if (opts.streams.length === 0) throw new Error('startRtspSim: no streams');
  const names = new Set<string>();
  for (const s of opts.streams) {
    if (!STREAM_NAME.test(s.name)) throw new Error(`startRtspSim: bad stream name ${JSON.stringify(s.name)}`);
    if (names.has(s.name)) throw new Error(`startRtspSim: duplicate stream name ${s.name}`);
    names.add(s.name);
  }
  if ((opts.username === undefined) !== (opts.password === undefined)) {
    throw new Error('startRtspSim: username and password go together');
  }

  installExitHook();
  const child = spawn(PYTHON, [SERVER_SCRIPT], {
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true, // own process group, so close() can take everything down at once
  });
  live.add(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.once('exit', () => live.delete(child));
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => {
    stderr = (stderr + d).slice(-4000);
  });

  // Replies come one line per command, in order.
  const waiting: Array<{ resolve: (line: string) => void; reject: (err: Error) => void }> = [];
  let readyResolve: ((port: number) => void) | undefined;
  const lines = createInterface({ input: child.stdout! });
  lines.on('line', (line) => {
    if (line.startsWith('READY ')) readyResolve?.(Number(line.slice(6)));
    else if (line.startsWith('OK ') || line.startsWith('ERR ')) waiting.shift()?.resolve(line);
  });
  void exited.then((code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`rtsp sim exited (${code}): ${stderr.trim()}`));
  });

  const config = {
    port: opts.port ?? 0,
    username: opts.username,
    password: opts.password,
    cacheDir: opts.cacheDir ?? process.env.CAMFLEET_SIM_CACHE ?? join(tmpdir(), 'camfleet-sim-cache'),
    streams: opts.streams,
  };
  child.stdin!.on('error', () => {}); // EPIPE when the server died: reported via `exited`
  child.stdin!.write(JSON.stringify(config) + '\n');

  const timeoutMs = opts.startTimeoutMs ?? 120_000;
  let timer: NodeJS.Timeout | undefined;
  let port: number;
  try {
    port = await Promise.race([
      new Promise<number>((resolve) => (readyResolve = resolve)),
      exited.then((code) => {
        throw new Error(`rtsp sim exited (${code}) before READY: ${stderr.trim()}`);
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`rtsp sim not ready after ${timeoutMs} ms: ${stderr.trim()}`)), timeoutMs);
      }),
    ]);
  } catch (err) {
    killGroup(child, 'SIGKILL');
    throw err;
  } finally {
    clearTimeout(timer);
  }

  async function command(verb: 'stop' | 'start', name: string): Promise<void> {
    if (!names.has(name)) throw new Error(`rtsp sim: no stream named ${name}`);
    if (child.exitCode !== null || child.signalCode !== null) throw new Error('rtsp sim is not running');
    const reply = await new Promise<string>((resolve, reject) => {
      waiting.push({ resolve, reject });
      child.stdin!.write(`${verb} ${name}\n`);
    });
    if (!reply.startsWith('OK ')) throw new Error(`rtsp sim: ${verb} ${name}: ${reply}`);
  }

  let closing: Promise<void> | undefined;
  return {
    port,
    pid: child.pid!,
    url: (name) => `rtsp://127.0.0.1:${port}/${name}`,
    stopCamera: (name) => command('stop', name),
    startCamera: (name) => command('start', name),
    close() {
      closing ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        killGroup(child, 'SIGTERM');
        const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
        killGroup(child, 'SIGKILL'); // anything left in the group (nothing expected)
        lines.close();
      })();
      return closing;
    },
  };
}

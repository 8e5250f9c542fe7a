/**
 * The one way the agent starts a child process (ffmpeg recorders, detection frame feeds with
 * their audio pipe, snapshots, clip exports, probes, repairs). Three guarantees:
 *
 *   1. The child dies with the agent, even by `kill -9`: it runs under `setpriv --pdeathsig KILL`
 *      (util-linux, in every Debian), which asks the kernel to SIGKILL it when its parent dies.
 *      A camera that allows one or two RTSP sessions would otherwise refuse the relaunched agent
 *      while the old ffmpegs still hold theirs.
 *   2. The child is recorded by PID (with its kernel start time, so a recycled PID is never
 *      mistaken for it) in `<dataDir>/run/children/` while it runs. A relaunch kills whatever an
 *      earlier agent left there: the kernel's parent-death signal has a window (the agent dying
 *      between fork and setpriv's prctl) and does not exist where setpriv is missing.
 *   3. It is reaped: Node collects the exit status of every child it spawned; the record is
 *      removed when the child exits.
 *
 *   initChildRegistry(dataDir, logger);          // at start: kills leftovers of an earlier run
 *   const child = spawnChild('ffmpeg', args, { name: 'record:gate', stdio: [...] });
 *   const r = await runChild('ffprobe', args, { name: 'probe', timeoutMs: 30_000 });
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@camfleet/shared';

export const CHILDREN_DIR = join('run', 'children');

/** What a child's record holds (`<pid>.json`). */
export interface ChildRecord {
  pid: number;
  /** The agent process that started it. */
  ownerPid: number;
  /** Field 22 of /proc/<pid>/stat: with the PID, identifies this very process. */
  startTicks?: number;
  name: string;
  cmd: string;
  startedAt: string;
}

export interface ProcStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  startTicks: number;
}

/** Parses /proc/<pid>/stat (the command name is in parentheses and may itself hold spaces or parentheses). */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const rest = text.slice(close + 2).split(' ');
  // after the command: state(3) ppid(4) ... starttime(22); rest[0] is field 3
  const pid = Number(text.slice(0, open).trim());
  const ppid = Number(rest[1]);
  const startTicks = Number(rest[19]);
  if (!Number.isInteger(pid) || !Number.isInteger(ppid) || !Number.isFinite(startTicks)) return undefined;
  return { pid, comm: text.slice(open + 1, close), state: rest[0] ?? '?', ppid, startTicks };
}

export function readProcStat(pid: number): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Which records name a process that is still running and is still the one recorded (same
 * kernel start time): those are leftovers to kill. Records of this very agent are kept.
 */
export function leftovers(records: ChildRecord[], selfPid: number, stat: (pid: number) => ProcStat | undefined): ChildRecord[] {
  return records.filter((r) => {
    if (r.ownerPid === selfPid) return false;
    const s = stat(r.pid);
    if (!s || s.state === 'Z') return false;
    // without a recorded start time, only a process whose owner is gone and that is not the
    // agent's own parent chain is taken for the child (a recycled PID is unlikely to match both)
    return r.startTicks !== undefined ? s.startTicks === r.startTicks : s.ppid !== selfPid;
  });
}

let registryDir: string | undefined;
let logger: Logger | undefined;
const live = new Map<number, { child: ChildProcess; name: string }>();

/**
 * Sets where children are recorded and kills (SIGKILL) any recorded child of an earlier agent
 * still running, waiting until they are gone (they may hold camera sessions). Idempotent; a
 * second call with another directory moves the records there (tests run several data dirs).
 */
export async function initChildRegistry(dataDir: string, log?: Logger): Promise<{ killed: ChildRecord[] }> {
  const dir = join(dataDir, CHILDREN_DIR);
  mkdirSync(dir, { recursive: true, mode: 0o750 });
  logger = log ?? logger;
  const records = readRecords(dir);
  const stale = leftovers(records, process.pid, readProcStat);
  for (const r of stale) {
    try {
      process.kill(r.pid, 'SIGKILL');
    } catch {
      /* gone meanwhile */
    }
  }
  // a SIGKILLed process is gone within milliseconds unless in uninterruptible I/O; wait a while
  const deadline = Date.now() + 5000;
  while (stale.some((r) => stillThere(r)) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
  for (const r of records) {
    if (r.ownerPid !== process.pid) removeRecord(dir, r.pid);
  }
  if (stale.length) {
    logger?.warn({ killed: stale.map((r) => ({ pid: r.pid, name: r.name, ownerPid: r.ownerPid })) }, 'killed child processes left by an earlier agent');
  }
  if (registryDir !== dir) {
    const previous = registryDir;
    registryDir = dir;
    for (const [pid, c] of live) {
      if (previous) removeRecord(previous, pid);
      writeRecord(pid, c.name, c.child.spawnfile);
    }
  }
  return { killed: stale };
}

function stillThere(r: ChildRecord): boolean {
  const s = readProcStat(r.pid);
  return !!s && s.state !== 'Z' && (r.startTicks === undefined || s.startTicks === r.startTicks);
}

function readRecords(dir: string): ChildRecord[] {
  const out: ChildRecord[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    if (!name.endsWith('.json')) continue;
    try {
      const r = JSON.parse(readFileSync(join(dir, name), 'utf8')) as ChildRecord;
      if (Number.isInteger(r.pid) && Number.isInteger(r.ownerPid)) out.push(r);
    } catch {
      // torn by a crash mid-write: the PID is in the name, but without the owner nothing is safe to kill
      try {
        unlinkSync(join(dir, name));
      } catch {
        /* gone */
      }
    }
  }
  return out;
}

/** The records in a data directory (the chaos bench and tests look for orphans with it). */
export function childRecords(dataDir: string): ChildRecord[] {
  return readRecords(join(dataDir, CHILDREN_DIR));
}

function writeRecord(pid: number, name: string, cmd: string): void {
  if (!registryDir) return;
  const record: ChildRecord = { pid, ownerPid: process.pid, startTicks: readProcStat(pid)?.startTicks, name, cmd, startedAt: new Date().toISOString() };
  try {
    writeFileSync(join(registryDir, `${pid}.json`), JSON.stringify(record), { mode: 0o640 });
  } catch (err) {
    logger?.warn({ err: (err as Error).message, name }, 'cannot record child process');
  }
}

function removeRecord(dir: string, pid: number): void {
  try {
    unlinkSync(join(dir, `${pid}.json`));
  } catch {
    /* never written or already gone */
  }
}

let setpriv: string | null | undefined;
/** `setpriv` when it knows --pdeathsig (util-linux ≥ 2.33), else null (then only the PID records protect). */
export function pdeathsigWrapper(): string | null {
  if (setpriv !== undefined) return setpriv;
  if (process.platform !== 'linux') return (setpriv = null);
  const r = spawnSync('setpriv', ['--help'], { stdio: 'pipe' });
  setpriv = r.status === 0 && r.stdout.toString().includes('pdeathsig') ? 'setpriv' : null;
  if (!setpriv) logger?.warn('setpriv with --pdeathsig not found: child processes may outlive a killed agent until its relaunch');
  return setpriv;
}

export interface ChildOptions extends SpawnOptions {
  /** Names the child in its record and in logs, e.g. 'record:gate' or 'frames:gate'. */
  name: string;
}

/**
 * spawn() with the three guarantees above. `detached` is refused: a child in its own session
 * would not die with the agent's process group either.
 */
export function spawnChild(cmd: string, args: readonly string[], options: ChildOptions): ChildProcess {
  const { name, ...spawnOptions } = options;
  if (spawnOptions.detached) throw new Error('spawnChild: detached children would outlive the agent');
  const wrapper = pdeathsigWrapper();
  // setpriv execs the command: same PID, so the record and kill() address the real process
  const child = wrapper ? spawn(wrapper, ['--pdeathsig', 'KILL', '--', cmd, ...args], spawnOptions) : spawn(cmd, [...args], spawnOptions);
  const pid = child.pid;
  if (pid !== undefined) {
    live.set(pid, { child, name });
    writeRecord(pid, name, cmd);
    // 'exit' (not 'close'): the process is gone and reaped even if a pipe is still draining
    child.once('exit', () => {
      live.delete(pid);
      if (registryDir) removeRecord(registryDir, pid);
    });
  }
  return child;
}

/** PIDs of the children this agent has running now. */
export function liveChildPids(): number[] {
  return [...live.keys()];
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  /** More than maxStdoutBytes came: the rest was dropped. */
  stdoutTruncated: boolean;
  stderr: string;
}

/** Runs a short job to its end; SIGKILLs it after `timeoutMs`. Never throws for exit codes. */
export function runChild(
  cmd: string,
  args: readonly string[],
  { name, timeoutMs = 60_000, maxStdoutBytes = 64 << 20, maxStderrChars = 64 * 1024 }: { name: string; timeoutMs?: number; maxStdoutBytes?: number; maxStderrChars?: number },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawnChild(cmd, args, { name, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let outBytes = 0;
    let truncated = false;
    let err = '';
    child.stdout!.on('data', (b: Buffer) => {
      outBytes += b.length;
      if (outBytes <= maxStdoutBytes) out.push(b);
      else truncated = true;
    });
    child.stderr!.on('data', (b: Buffer) => {
      if (err.length < maxStderrChars) err += b.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${cmd}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out), stdoutTruncated: truncated, stderr: err });
    });
  });
}

/**
 * Like promisified execFile: resolves with stdout, rejects (with stderr's last lines) when the
 * command fails or its output exceeds `maxBuffer`.
 */
export async function execChild(cmd: string, args: readonly string[], { name, maxBuffer = 4 << 20, timeoutMs = 120_000 }: { name: string; maxBuffer?: number; timeoutMs?: number }): Promise<Buffer> {
  const r = await runChild(cmd, args, { name, timeoutMs, maxStdoutBytes: maxBuffer });
  if (r.stdoutTruncated) throw new Error(`${cmd}: output larger than ${maxBuffer} bytes`);
  if (r.code !== 0) throw new Error(`${cmd} failed (${r.signal ?? `exit ${r.code}`}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return r.stdout;
}

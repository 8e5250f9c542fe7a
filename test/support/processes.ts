/** Child processes in tests: started in their own process group and always reaped. */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Child {
  proc: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): void;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const p of live) {
    try {
      process.kill(-p.pid!, 'SIGKILL');
    } catch {}
  }
});

export function startChild(cmd: string, args: string[], opts: SpawnOptions = {}): Child {
  const proc = spawn(cmd, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true, ...opts });
  live.add(proc);
  let out = '';
  proc.stdout?.on('data', (d) => (out += d));
  proc.stderr?.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) =>
    proc.on('exit', (code) => {
      live.delete(proc);
      resolve(code);
    }),
  );
  return {
    proc,
    output: () => out,
    exited,
    kill(signal = 'SIGTERM') {
      try {
        process.kill(-proc.pid!, signal);
      } catch {}
    },
  };
}

/** Runs a command to completion and returns its exit code and output. */
export async function runToEnd(cmd: string, args: string[], opts: SpawnOptions = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn(cmd, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  let stdout = '';
  let stderr = '';
  proc.stdout?.on('data', (d) => (stdout += d));
  proc.stderr?.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => proc.on('close', resolve));
  return { code, stdout, stderr };
}

export const AGENT_BIN = 'agent/bin/camfleet-agent.js';
export const AGGREGATOR_BIN = 'aggregator/bin/camfleet-aggregator.js';

/**
 * Per-process figures from /proc (Linux): CPU time and proportional set size. PSS, not RSS,
 * because ffmpeg processes share their libraries: RSS would count them once per process.
 */
import { readFileSync } from 'node:fs';

const TICKS_PER_S = 100; // USER_HZ on Linux

/** CPU seconds (user + system) a process has used; undefined when it is gone. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after the parenthesised command name (which may contain spaces)
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
  } catch {
    return undefined;
  }
}

/** Proportional set size in bytes (smaps_rollup); undefined when unreadable. */
export function processPssBytes(pid: number): number | undefined {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** CPU use of a set of processes between calls, in percent of one core. */
export class CpuMeter {
  private last = new Map<number, number>();
  private lastAt = performance.now();

  sample(pids: number[]): { total: number; byPid: Map<number, number> } {
    const now = performance.now();
    const elapsedS = (now - this.lastAt) / 1000;
    const byPid = new Map<number, number>();
    const next = new Map<number, number>();
    let total = 0;
    for (const pid of pids) {
      const cpu = processCpuSeconds(pid);
      if (cpu === undefined) continue;
      next.set(pid, cpu);
      const before = this.last.get(pid);
      if (before !== undefined && elapsedS > 0) {
        const pct = ((cpu - before) / elapsedS) * 100;
        byPid.set(pid, pct);
        total += pct;
      }
    }
    this.last = next;
    this.lastAt = now;
    return { total, byPid };
  }
}

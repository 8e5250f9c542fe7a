/** Shared bits of the live recorder tests (simulated RTSP cameras, a quiet logger). */
import { createLogger } from '@camfleet/shared';
import type { SegmentIndex, SegmentRow } from '../../src/storage/segment-index.ts';

export const quietLogger = createLogger('recorder-test', { level: process.env.CAMFLEET_LOG_LEVEL ?? 'error' });

/** A small, cheap stream: 2 s segments cut on its 1 s keyframe interval. */
export const SMALL = { width: 320, height: 240, fps: 10, bitrateKbps: 300 };

export function presentRows(index: SegmentIndex, cameraId: string): SegmentRow[] {
  return index.chain(cameraId).filter((r) => r.status === 'present');
}

/** Pairs of consecutive segments (in time) that do not touch. */
export function discontinuities(rows: SegmentRow[]): Array<[SegmentRow, SegmentRow]> {
  const sorted = [...rows].sort((a, b) => a.startMs - b.startMs);
  const out: Array<[SegmentRow, SegmentRow]> = [];
  for (let i = 1; i < sorted.length; i++) if (sorted[i]!.startMs !== sorted[i - 1]!.endMs) out.push([sorted[i - 1]!, sorted[i]!]);
  return out;
}

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const AGENT_BIN = fileURLToPath(new URL('../../bin/camfleet-agent.js', import.meta.url));

/** Runs camfleet-agent to completion. */
export function runAgentCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [AGENT_BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts camfleet-agent without waiting; the caller must kill it. */
export function startAgentCli(args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; output: () => { stdout: string; stderr: string } } {
  const child = spawn(process.execPath, [AGENT_BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  return { child, output: () => ({ stdout, stderr }) };
}

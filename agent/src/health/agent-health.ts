/**
 * The agent box's measured figures (HeartbeatBody fields): CPU of the agent and its recording
 * ffmpeg processes, memory, disk of the data directory, uptime, temperature.
 */
import { diskUsage, temperatureC } from '../system/metrics.ts';
import { CpuMeter, processPssBytes } from './proc.ts';

export interface AgentHealth {
  uptimeS: number;
  /** Agent process plus its ffmpeg children, percent of one core. */
  cpuPercent: number;
  memRssBytes: number;
  /** PSS of the agent and of its ffmpeg children together. */
  pssBytes?: number;
  disk?: { totalBytes: number; freeBytes: number };
  temperatureC?: number;
}

export class AgentHealthSampler {
  private readonly cpu = new CpuMeter();
  constructor(
    private readonly dataDir: string,
    private readonly childPids: () => number[] = () => [],
    private readonly startedAtMs = Date.now(),
  ) {
    this.cpu.sample([process.pid, ...this.childPids()]);
  }

  sample(): AgentHealth {
    const pids = [process.pid, ...this.childPids()];
    const cpu = this.cpu.sample(pids);
    const pss = pids.map(processPssBytes);
    const h: AgentHealth = {
      uptimeS: Math.round((Date.now() - this.startedAtMs) / 1000),
      cpuPercent: Math.round(cpu.total * 10) / 10,
      memRssBytes: process.memoryUsage.rss(),
    };
    if (pss.every((p) => p !== undefined)) h.pssBytes = pss.reduce((a, b) => a! + b!, 0);
    const disk = diskUsage(this.dataDir);
    if (disk) h.disk = disk;
    const t = temperatureC();
    if (t !== undefined) h.temperatureC = t;
    return h;
  }
}

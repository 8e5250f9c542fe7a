/** The agent box's own figures for the heartbeat, measured each time they are asked for. */
import { statfsSync, readFileSync, readdirSync } from 'node:fs';

export function diskUsage(path: string): { totalBytes: number; freeBytes: number } | undefined {
  try {
    const s = statfsSync(path);
    return { totalBytes: s.blocks * s.bsize, freeBytes: s.bavail * s.bsize };
  } catch {
    return undefined;
  }
}

/** The hottest thermal zone, in °C, where /sys/class/thermal has any. */
export function temperatureC(root = '/sys/class/thermal'): number | undefined {
  let best: number | undefined;
  try {
    for (const zone of readdirSync(root)) {
      if (!zone.startsWith('thermal_zone')) continue;
      const milli = Number(readFileSync(`${root}/${zone}/temp`, 'utf8').trim());
      if (Number.isFinite(milli)) best = Math.max(best ?? -Infinity, milli / 1000);
    }
  } catch {
    return undefined;
  }
  return best;
}

/** A small size-limited filesystem (tmpfs) for full-disk tests; needs root. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SmallDisk {
  path: string;
  cleanup(): void;
}

/** Mounts a tmpfs of `size` (e.g. '3m'); undefined (with the reason) when mounting is not possible here. */
export function mountSmallDisk(size: string): { disk?: SmallDisk; reason?: string } {
  const path = mkdtempSync(join(tmpdir(), 'camfleet-smalldisk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', path], { stdio: 'pipe' });
  } catch (err) {
    rmSync(path, { recursive: true, force: true });
    return { reason: `cannot mount a tmpfs here (${String((err as { stderr?: Buffer }).stderr ?? err).trim()})` };
  }
  return {
    disk: {
      path,
      cleanup() {
        try {
          execFileSync('umount', [path], { stdio: 'pipe' });
        } catch {
          execFileSync('umount', ['-l', path], { stdio: 'pipe' }); // busy: detach now, freed when released
        }
        rmSync(path, { recursive: true, force: true });
      },
    },
  };
}

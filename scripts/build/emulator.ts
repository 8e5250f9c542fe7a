/**
 * Running a program built for another architecture on this machine: Debian's qemu-user-static
 * (`qemu-aarch64-static`) with the cross toolchain's target libraries as its sysroot
 * (`/usr/aarch64-linux-gnu`, from crossbuild-essential-arm64: glibc and libstdc++ for the
 * target). The build uses it to make the ARM64 binary's SEA blob with the ARM64 Node itself (its
 * V8 code cache is per architecture), and the ARM64 tests run the shipped binary through it.
 *
 * A program run this way that starts a host binary (the agent starting ffmpeg) starts it natively:
 * qemu-user passes execve to the kernel, and without a binfmt handler an x64 ffmpeg just runs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const QEMU: Record<string, { binary: string; sysroot: string; apt: string }> = {
  arm64: { binary: 'qemu-aarch64-static', sysroot: '/usr/aarch64-linux-gnu', apt: 'qemu-user-static crossbuild-essential-arm64' },
};

export interface TargetRunner {
  /** Command prefix: [] on the target's own machine, else the emulator and its options. */
  prefix: string[];
  /** Environment for the emulated program (the sysroot, so its dynamic loader is found). */
  env: Record<string, string>;
  emulated: boolean;
}

/** How to run a `target` (`linux-arm64`, `linux-x64`) program here; throws with the apt packages to install. */
export function targetRunner(target: string): TargetRunner {
  if (target === `${process.platform}-${process.arch}`) return { prefix: [], env: {}, emulated: false };
  const [platform, arch] = target.split('-');
  const q = arch ? QEMU[arch] : undefined;
  if (platform !== 'linux' || process.platform !== 'linux' || !q) throw new Error(`cannot run ${target} programs on ${process.platform}-${process.arch}`);
  // The absolute path: the emulated program may run with a PATH that lacks it (a bare site box).
  const path = spawnSync('sh', ['-c', `command -v ${q.binary}`], { encoding: 'utf8' }).stdout?.trim();
  if (!path || !existsSync(`${q.sysroot}/lib`)) throw new Error(`running ${target} programs needs ${q.binary} and ${q.sysroot}: apt-get install ${q.apt}`);
  return { prefix: [path], env: { QEMU_LD_PREFIX: q.sysroot }, emulated: true };
}

/** True when `target` programs can run here (natively or emulated). */
export function canRun(target: string): boolean {
  try {
    targetRunner(target);
    return true;
  } catch {
    return false;
  }
}

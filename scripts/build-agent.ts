/**
 * `npm run build:agent`: the agent as one artefact for site boxes without Node.
 *
 * For each target (linux-x64 and linux-arm64 by default):
 *   dist/camfleet-agent-<target>.tar.gz    what a technician carries: unpack anywhere, run
 *     camfleet-agent/camfleet-agent        the executable (Node single-executable application)
 *     camfleet-agent/lib/                  native addons (better-sqlite3, onnxruntime) for its Node
 *     camfleet-agent/share/                models/, firmware-profiles/ (the repo's paths)
 *   dist/camfleet-agent-<target>           the bare executable (commands that need no addon or asset)
 *   dist/<target>/camfleet-agent/          the unpacked archive, as built
 *
 * Options: --arch x64|arm64 (repeatable; or --target linux-x64|linux-arm64), --if-stale (skip a
 * target whose archive is newer than every input). linux-arm64 is cross-built on an x64 machine:
 * better-sqlite3 with Debian's crossbuild-essential-arm64, the SEA blob by the ARM64 Node under
 * qemu-aarch64-static (scripts/build/emulator.ts).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureNodeRuntime } from './build/node-runtime.ts';
import { buildBetterSqlite3, copyOnnxRuntime, installBetterSqlite3 } from './build/native-addons.ts';
import { bundleAgent } from './build/bundle.ts';
import { makeSea } from './build/sea.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');
/** Build cache outside the workspaces: the Node runtime and compiled addons, reused across builds. */
const CACHE = join(ROOT, 'node_modules', '.cache', 'camfleet-agent-build');
/** Carried assets: copied to share/<same path> when present (the NanoDet models: the default one and the one detect/doctor load). */
const ASSETS = ['models/nanodet.onnx', 'models/nanodet-320.onnx', 'firmware-profiles', 'agent/standards'];
/** What the artefact is made of: a newer file in any of these makes the archive stale. */
const INPUTS = ['agent/src', 'agent/package.json', 'shared/src', 'scripts/build-agent.ts', 'scripts/build', 'package-lock.json', ...ASSETS];

export const TARGETS = ['linux-x64', 'linux-arm64'] as const;

export function artefactPaths(target = 'linux-x64') {
  return {
    archive: join(DIST, `camfleet-agent-${target}.tar.gz`),
    executable: join(DIST, `camfleet-agent-${target}`),
    /** One staging folder per target: both builds can sit side by side in dist/. */
    staged: join(DIST, target, 'camfleet-agent'),
  };
}

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return readdirSync(path).reduce((m, e) => Math.max(m, newestMtime(join(path, e))), st.mtimeMs);
}

/** True when the archive exists and no input changed after it was built. */
export function isFresh(target = 'linux-x64'): boolean {
  const { archive, executable } = artefactPaths(target);
  if (!existsSync(archive) || !existsSync(executable)) return false;
  const built = Math.min(statSync(archive).mtimeMs, statSync(executable).mtimeMs);
  return INPUTS.every((p) => newestMtime(join(ROOT, p)) < built);
}

/** `<git short hash>[-dirty].<UTC yyyymmddHHMM>`, or `nogit.<date>` outside a git checkout. */
function buildId(): string {
  const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 12);
  try {
    const hash = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return `${hash}${dirty ? '-dirty' : ''}.${stamp}`;
  } catch {
    return `nogit.${stamp}`;
  }
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export async function buildAgent(target = 'linux-x64', log = console.log): Promise<void> {
  const started = Date.now();
  const { archive, executable, staged } = artefactPaths(target);
  const agentVersion = JSON.parse(readFileSync(join(ROOT, 'agent', 'package.json'), 'utf8')).version as string;
  const runtime = ensureNodeRuntime(CACHE, target, undefined, log);
  const sqliteAddon = buildBetterSqlite3(runtime, CACHE, join(ROOT, 'agent'), log);

  mkdirSync(CACHE, { recursive: true });
  const work = mkdtempSync(join(CACHE, 'work-'));
  const id = buildId();
  try {
    const bundle = await bundleAgent({ repoRoot: ROOT, outFile: join(work, 'camfleet-agent.cjs'), buildId: id, nodeVersion: runtime.version });
    for (const w of bundle.warnings) log(`bundle warning: ${w}`);
    log(`bundle: ${mib(bundle.bytes)}, build ${id}`);

    rmSync(staged, { recursive: true, force: true });
    const libDir = join(staged, 'lib');
    mkdirSync(libDir, { recursive: true });
    const exe = join(staged, 'camfleet-agent');
    await makeSea({ runtime, bundle: bundle.file, workDir: work, output: exe });
    installBetterSqlite3(sqliteAddon, libDir);
    copyOnnxRuntime(target, libDir, join(ROOT, 'agent'));
    for (const asset of ASSETS) {
      const from = join(ROOT, asset);
      if (existsSync(from)) cpSync(from, join(staged, 'share', asset), { recursive: true });
      else log(`asset ${asset}: not present, not shipped`);
    }
    copyFileSync(join(ROOT, 'scripts', 'build', 'SITE-BOX.md'), join(staged, 'README.md'));

    copyFileSync(exe, executable);
    chmodSync(executable, 0o755);
    rmSync(archive, { force: true });
    execFileSync('tar', ['-czf', archive, '--owner=0', '--group=0', '-C', join(staged, '..'), 'camfleet-agent']);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  log(
    `built camfleet-agent ${agentVersion} (${id}) on Node ${runtime.version} for ${target} in ${((Date.now() - started) / 1000).toFixed(0)} s:\n` +
      `  ${archive} (${mib(statSync(archive).size)})\n  ${executable} (${mib(statSync(executable).size)})`,
  );
}

/** Targets named by --arch (x64, arm64) and --target (linux-x64, linux-arm64); all when none. */
export function parseTargets(arch: string[] = [], target: string[] = []): string[] {
  const named = [...arch.flatMap((a) => a.split(',')).map((a) => `linux-${a.trim()}`), ...target.flatMap((t) => t.split(',')).map((t) => t.trim())];
  const wanted = named.length ? [...new Set(named)] : [...TARGETS];
  const unknown = wanted.filter((t) => !(TARGETS as readonly string[]).includes(t));
  if (unknown.length) throw new Error(`unknown target ${unknown.join(', ')}: choose from --arch ${TARGETS.map((t) => t.split('-')[1]).join(', ')}`);
  return wanted;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({
    options: { 'if-stale': { type: 'boolean' }, arch: { type: 'string', multiple: true }, target: { type: 'string', multiple: true } },
  });
  let targets: string[];
  try {
    targets = parseTargets(values.arch, values.target);
  } catch (err) {
    console.error(`build-agent: ${(err as Error).message}`);
    process.exit(2);
  }
  for (const target of targets) {
    if (values['if-stale'] && isFresh(target)) console.log(`build-agent: ${artefactPaths(target).archive} is up to date`);
    else await buildAgent(target);
  }
}

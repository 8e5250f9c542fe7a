/**
 * The native addons the agent needs, built for (or compatible with) the binary's Node:
 *
 * - better-sqlite3 compiles from its bundled sources with node-gyp against the runtime's own
 *   headers (`--nodedir`: the npm Node package ships include/node, so nothing is downloaded).
 *   Its ABI is tied to Node's major version, so the result is cached per (better-sqlite3, Node).
 * - onnxruntime-node ships prebuilt N-API binaries (ABI-stable across Node versions): copied as
 *   they are, with the shared library they load from their own folder ($ORIGIN).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { NodeRuntime } from './node-runtime.ts';

const require = createRequire(import.meta.url);

function packageDir(name: string, fromDir: string): string {
  return dirname(require.resolve(`${name}/package.json`, { paths: [fromDir] }));
}

function packageVersion(dir: string): string {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
}

/** node-gyp as shipped inside npm (the same one `npm rebuild` would use). */
export function nodeGypScript(): string {
  const candidates = [
    process.env.npm_execpath ? join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js') : '',
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  try {
    candidates.unshift(require.resolve('node-gyp/bin/node-gyp.js'));
  } catch {}
  const found = candidates.find((c) => c && existsSync(c));
  if (!found) throw new Error(`node-gyp not found (looked in: ${candidates.filter(Boolean).join(', ')})`);
  return found;
}

/** Debian's cross toolchains (crossbuild-essential-<arch>) by Node's arch name. */
const CROSS = { arm64: { triple: 'aarch64-linux-gnu', elfMachine: /AArch64/ }, x64: { triple: 'x86_64-linux-gnu', elfMachine: /X86-64/ } } as const;

/**
 * The environment and node-gyp arguments that compile for `target` on this machine: nothing extra
 * for the host's own target; for another architecture, Debian's cross compiler
 * (`apt-get install crossbuild-essential-arm64`) for the target, the host's compiler for any
 * host tool gyp builds, and `--arch` so gyp's make files name the target's architecture.
 */
export function crossCompile(target: string): { env: NodeJS.ProcessEnv; args: string[] } {
  const [platform, arch] = target.split('-') as [string, keyof typeof CROSS];
  if (target === `${process.platform}-${process.arch}`) return { env: {}, args: [] };
  const cross = CROSS[arch];
  if (platform !== 'linux' || process.platform !== 'linux' || !cross) throw new Error(`no cross compiler known for ${target} on ${process.platform}-${process.arch}`);
  const cxx = `${cross.triple}-g++`;
  if (spawnSync(cxx, ['--version']).status !== 0) {
    throw new Error(`${cxx} not found: install Debian's crossbuild-essential-${arch} (scripts/setup.sh does, as root)`);
  }
  return {
    env: { CC: `${cross.triple}-gcc`, CXX: cxx, LINK: cxx, AR: `${cross.triple}-ar`, STRIP: `${cross.triple}-strip`, CC_host: 'gcc', CXX_host: 'g++', LINK_host: 'g++', AR_host: 'ar' },
    args: [`--arch=${arch}`],
  };
}

/** The ELF machine field of a shared object (`readelf -h`), to check a cross build's output. */
export function elfMachine(file: string): string {
  const r = spawnSync('readelf', ['-h', file], { encoding: 'utf8' });
  return /Machine:\s+(.+)/.exec(r.stdout ?? '')?.[1]?.trim() ?? 'unknown';
}

/**
 * Returns the path of better_sqlite3.node built for `runtime`, compiling it when not cached.
 * For another architecture (linux-arm64 on an x64 builder) it is cross-compiled against the
 * target runtime's own headers; node-gyp itself runs on this machine's Node. The result is
 * checked to be an ELF object of the target's machine before it is cached.
 */
export function buildBetterSqlite3(runtime: NodeRuntime, cacheDir: string, fromDir: string, log = console.log): string {
  const src = packageDir('better-sqlite3', fromDir);
  const version = packageVersion(src);
  const outDir = join(cacheDir, `better-sqlite3-${version}-node-v${runtime.version}-${runtime.target}`);
  const out = join(outDir, 'better_sqlite3.node');
  if (existsSync(out)) return out;
  const native = runtime.target === `${process.platform}-${process.arch}`;
  const cross = crossCompile(runtime.target);
  log(`better-sqlite3 ${version}: compiling for Node ${runtime.version} ${runtime.target}${native ? '' : ' (cross)'} (a minute or more)`);
  mkdirSync(cacheDir, { recursive: true });
  const work = mkdtempSync(join(cacheDir, 'bs3-'));
  try {
    for (const entry of ['binding.gyp', 'package.json', 'src', 'deps']) cpSync(join(src, entry), join(work, entry), { recursive: true });
    // Compiler warnings from sqlite3.c are expected: the output is shown only when the build fails.
    const gyp = spawnSync(native ? runtime.bin : process.execPath, [nodeGypScript(), 'rebuild', '--release', `--nodedir=${runtime.dir}`, '--jobs=max', ...cross.args], {
      cwd: work,
      encoding: 'utf8',
      env: { ...process.env, npm_config_nodedir: runtime.dir, ...cross.env },
      maxBuffer: 64 * 1024 * 1024,
    });
    if (gyp.status !== 0) throw new Error(`node-gyp failed (${gyp.status ?? gyp.signal ?? gyp.error?.message}):\n${(gyp.stdout + gyp.stderr).split('\n').slice(-40).join('\n')}`);
    const built = join(work, 'build', 'Release', 'better_sqlite3.node');
    const arch = runtime.target.split('-')[1] as keyof typeof CROSS;
    const machine = elfMachine(built);
    if (CROSS[arch] && !CROSS[arch].elfMachine.test(machine)) throw new Error(`better_sqlite3.node built for ${machine}, not ${runtime.target}`);
    mkdirSync(outDir, { recursive: true });
    renameSync(built, out);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return out;
}

/** Copies onnxruntime-node's N-API binding and its shared library for `target` into `libDir`. */
export function copyOnnxRuntime(target: string, libDir: string, fromDir: string): string[] {
  const [platform, arch] = target.split('-');
  const binDir = join(packageDir('onnxruntime-node', fromDir), 'bin', 'napi-v6', platform!, arch!);
  if (!existsSync(join(binDir, 'onnxruntime_binding.node'))) throw new Error(`onnxruntime-node ships no binding for ${target} (${binDir})`);
  const files = readdirSync(binDir).filter((f) => f.endsWith('.node') || /\.so(\.\d+)*$/.test(f));
  for (const f of files) copyFileSync(join(binDir, f), join(libDir, f));
  return files;
}

/** Copies better_sqlite3.node into `libDir`. */
export function installBetterSqlite3(built: string, libDir: string): void {
  copyFileSync(built, join(libDir, 'better_sqlite3.node'));
}

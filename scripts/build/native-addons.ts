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

/** Returns the path of better_sqlite3.node built for `runtime`, compiling it when not cached. */
export function buildBetterSqlite3(runtime: NodeRuntime, cacheDir: string, fromDir: string, log = console.log): string {
  const src = packageDir('better-sqlite3', fromDir);
  const version = packageVersion(src);
  const outDir = join(cacheDir, `better-sqlite3-${version}-node-v${runtime.version}-${runtime.target}`);
  const out = join(outDir, 'better_sqlite3.node');
  if (existsSync(out)) return out;
  if (runtime.target !== `${process.platform}-${process.arch}`) {
    throw new Error(`better-sqlite3 for ${runtime.target} needs a cross toolchain this machine does not have`);
  }
  log(`better-sqlite3 ${version}: compiling for Node ${runtime.version} (about a minute)`);
  mkdirSync(cacheDir, { recursive: true });
  const work = mkdtempSync(join(cacheDir, 'bs3-'));
  try {
    for (const entry of ['binding.gyp', 'package.json', 'src', 'deps']) cpSync(join(src, entry), join(work, entry), { recursive: true });
    // Compiler warnings from sqlite3.c are expected: the output is shown only when the build fails.
    const gyp = spawnSync(runtime.bin, [nodeGypScript(), 'rebuild', '--release', `--nodedir=${runtime.dir}`, '--jobs=max'], {
      cwd: work,
      encoding: 'utf8',
      env: { ...process.env, npm_config_nodedir: runtime.dir },
    });
    if (gyp.status !== 0) throw new Error(`node-gyp failed (${gyp.status ?? gyp.signal ?? gyp.error?.message}):\n${(gyp.stdout + gyp.stderr).split('\n').slice(-40).join('\n')}`);
    mkdirSync(outDir, { recursive: true });
    renameSync(join(work, 'build', 'Release', 'better_sqlite3.node'), out);
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

/**
 * Loading native addons (better-sqlite3, onnxruntime-node) inside the single-executable binary.
 *
 * A single-executable application's `require` only knows Node's built-in modules, and a `.node`
 * file cannot be loaded from inside the executable's blob. So the binary build
 * (scripts/build-agent.ts) ships the addons in `lib/` beside the executable and rewrites the
 * libraries' own addon lookups (`bindings('better_sqlite3.node')`, onnxruntime's
 * `require('../bin/napi-v6/…/onnxruntime_binding.node')`) into `loadShippedAddon(<file name>)`.
 * In development nothing here is used: the libraries find their addons in node_modules.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runtimeLayout } from './paths.ts';

const loaded = new Map<string, unknown>();

/** Loads `lib/<fileName>` beside the executable (once; later calls return the same module). */
export function loadShippedAddon(fileName: string): unknown {
  const cached = loaded.get(fileName);
  if (cached) return cached;
  const { libDir } = runtimeLayout();
  if (!libDir) throw new Error(`loadShippedAddon('${fileName}') is only for the binary; from source the library loads its own addon`);
  const file = join(libDir, fileName.endsWith('.node') ? fileName : `${fileName}.node`);
  if (!existsSync(file)) {
    throw new Error(`native addon ${file} is missing: unpack the whole camfleet-agent archive, not the bare executable`);
  }
  // createRequire from the executable's path: a real CommonJS loader that can dlopen files on
  // disk, which the single-executable application's own require cannot.
  const mod = createRequire(process.execPath)(file);
  loaded.set(fileName, mod);
  return mod;
}

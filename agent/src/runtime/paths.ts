/**
 * Where the agent finds the files it carries (detection model, firmware profiles, native addons),
 * both in development and in the shipped binary.
 *
 * - Source (repo checkout, `tsx`): assets sit in the repo: `<repo>/models/nanodet.onnx`,
 *   `<repo>/firmware-profiles/`; native addons load from node_modules as usual.
 * - Binary (Node single-executable application): the archive `camfleet-agent-linux-x64.tar.gz`
 *   unpacks to a fixed layout beside the executable, found relative to `process.execPath`
 *   (the real path: a symlink such as /usr/local/bin/camfleet-agent still resolves here):
 *
 *       camfleet-agent/
 *         camfleet-agent            the executable
 *         lib/*.node, lib/*.so.*     native addons built for the executable's Node
 *         share/models/…            the repo's asset paths, mirrored under share/
 *         share/firmware-profiles/…
 *
 * Code asks `assetPath('models/nanodet.onnx')` and never needs to know which case it is in.
 * Modules that find assets relative to their own file (`new URL('../../x', import.meta.url)`)
 * work too: the bundle maps each module's import.meta.url to `share/<its repo path>`.
 */
import { isSea } from 'node:sea';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RuntimeLayout {
  kind: 'binary' | 'source';
  /** The directory everything else is relative to (the archive's folder, or the repo root). */
  root: string;
  /** Native addons shipped beside the binary; null in source mode (node_modules serves them). */
  libDir: string | null;
  /** The root of the carried assets, mirroring the repo's paths. */
  assetsDir: string;
}

/** The layout for a given situation: pure, so both cases are testable from source. */
export function layoutFor(situation: { binary: boolean; execPath: string; sourceRoot: string }): RuntimeLayout {
  if (situation.binary) {
    const root = dirname(situation.execPath);
    return { kind: 'binary', root, libDir: join(root, 'lib'), assetsDir: join(root, 'share') };
  }
  return { kind: 'source', root: situation.sourceRoot, libDir: null, assetsDir: situation.sourceRoot };
}

let current: RuntimeLayout | undefined;

/** The layout of the running process. */
export function runtimeLayout(): RuntimeLayout {
  current ??= layoutFor({
    binary: isSea(),
    execPath: process.execPath,
    // Only evaluated from source: the bundle is always a single-executable application.
    sourceRoot: isSea() ? '' : fileURLToPath(new URL('../../..', import.meta.url)),
  });
  return current;
}

/** True inside the shipped single-executable binary. */
export function isBinary(): boolean {
  return runtimeLayout().kind === 'binary';
}

/** Absolute path of a carried asset, given its path in the repo (e.g. 'firmware-profiles'). */
export function assetPath(relative: string): string {
  return join(runtimeLayout().assetsDir, relative);
}

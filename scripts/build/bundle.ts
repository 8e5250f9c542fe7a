/**
 * Bundles the agent into one CommonJS file for Node's single-executable application (SEA main
 * scripts must be CommonJS on Node 22). Native addons cannot live in the bundle: their lookups are
 * redirected to `loadShippedAddon()` (agent/src/runtime/native.ts), which loads them from `lib/`
 * beside the executable.
 */
import { build, type Plugin } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, relative, sep } from 'node:path';

const require = createRequire(import.meta.url);

const NATIVE_LOADER = 'agent/src/runtime/native.ts';

/** Module source that returns the shipped addon `fileName`. */
function shippedAddon(repoRoot: string, fileName: string): string {
  return `module.exports = require(${JSON.stringify(join(repoRoot, NATIVE_LOADER))}).loadShippedAddon(${JSON.stringify(fileName)});`;
}

/**
 * - `bindings` (better-sqlite3's addon finder, called as `bindings('better_sqlite3.node')`)
 *   becomes a function that loads the shipped file of that name.
 * - onnxruntime-node's dist/binding.js requires its addon through a template path; that one
 *   expression is replaced. The build fails if it is not found, so an upgrade that moves it is
 *   noticed at build time rather than on a site box.
 */
export function nativeAddonsPlugin(repoRoot: string): Plugin {
  return {
    name: 'camfleet-native-addons',
    setup(b) {
      b.onResolve({ filter: /^bindings$/ }, () => ({ path: 'bindings', namespace: 'camfleet-native' }));
      b.onLoad({ filter: /^bindings$/, namespace: 'camfleet-native' }, () => ({
        contents: `const { loadShippedAddon } = require(${JSON.stringify(join(repoRoot, NATIVE_LOADER))});\nmodule.exports = (name) => loadShippedAddon(typeof name === 'string' ? name : name.bindings);`,
        resolveDir: repoRoot,
        loader: 'js',
      }));
      b.onLoad({ filter: /onnxruntime-node[\\/]dist[\\/]binding\.js$/ }, async (args) => {
        const source = await readFile(args.path, 'utf8');
        const pattern = /require\(`\.\.\/bin\/napi-v\d+\/\$\{process\.platform\}\/\$\{process\.arch\}\/onnxruntime_binding\.node`\)/;
        if (!pattern.test(source)) throw new Error(`${args.path}: the onnxruntime addon require() moved; update ${import.meta.url}`);
        const contents = source.replace(pattern, `require(${JSON.stringify(join(repoRoot, NATIVE_LOADER))}).loadShippedAddon('onnxruntime_binding.node')`);
        return { contents, loader: 'js' };
      });
      // onnxruntime-node loads its addon (and the 45 MB runtime library) as soon as it is imported;
      // the CLI imports detection code for every command. A lazy stand-in defers that to the first
      // use, so `--version`, `doctor`'s other checks or an agent without detection never pay it.
      b.onResolve({ filter: /^onnxruntime-node$/ }, (args) => {
        if (args.namespace === 'camfleet-lazy') return undefined;
        return { path: 'onnxruntime-node', namespace: 'camfleet-lazy', pluginData: { resolveDir: args.resolveDir } };
      });
      b.onLoad({ filter: /^onnxruntime-node$/, namespace: 'camfleet-lazy' }, (args) => {
        const from = (args.pluginData as { resolveDir: string }).resolveDir;
        const index = require.resolve('onnxruntime-node', { paths: [from] });
        const common = createRequire(index)('onnxruntime-common') as Record<string, unknown>;
        const keys = [...new Set([...Object.keys(common), 'listSupportedBackends'])];
        return {
          contents: [
            `let real;`,
            `const load = () => (real ??= require(${JSON.stringify(index)}));`,
            `for (const key of ${JSON.stringify(keys)}) Object.defineProperty(module.exports, key, { enumerable: true, get: () => load()[key] });`,
          ].join('\n'),
          resolveDir: from,
          loader: 'js',
        };
      });
      // Any other .node file would silently fail at run time: refuse it now.
      b.onResolve({ filter: /\.node$/ }, (args) => ({ errors: [{ text: `native addon '${args.path}' imported from ${args.importer} has no shipping rule` }] }));
    },
  };
}

/**
 * The project's own modules find their assets relative to themselves
 * (`new URL('../../../firmware-profiles', import.meta.url)`). In the binary, each module's
 * import.meta.url becomes its repo path under `share/` beside the executable, where the build
 * mirrors the carried assets at their repo paths: those lookups then work unchanged.
 */
export function sourceUrlsPlugin(repoRoot: string): Plugin {
  return {
    name: 'camfleet-source-urls',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
        const source = await readFile(args.path, 'utf8');
        if (!source.includes('import.meta.url')) return undefined;
        const rel = relative(repoRoot, args.path).split(sep).join('/');
        return { contents: source.replaceAll('import.meta.url', `__camfleet_source_url(${JSON.stringify(rel)})`), loader: 'ts' };
      });
    },
  };
}

const BANNER = [
  `const __camfleet_import_meta_url = require('node:url').pathToFileURL(__filename).href;`,
  `const __camfleet_source_url = (rel) => require('node:url').pathToFileURL(require('node:path').join(require('node:path').dirname(__filename), 'share', rel)).href;`,
].join('\n');

export interface BundleResult {
  file: string;
  bytes: number;
  warnings: string[];
}

export async function bundleAgent(opts: { repoRoot: string; outFile: string; buildId: string; nodeVersion: string }): Promise<BundleResult> {
  const result = await build({
    entryPoints: [join(opts.repoRoot, 'agent/src/cli/binary-entry.ts')],
    outfile: opts.outFile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: `node${opts.nodeVersion.split('.')[0]}`,
    // ws's optional speed-ups: it falls back to JS when they cannot be required.
    external: ['bufferutil', 'utf-8-validate'],
    define: {
      __CAMFLEET_BUILD__: JSON.stringify(opts.buildId),
      // Dependencies' import.meta.url (the project's own is rewritten by sourceUrlsPlugin).
      'import.meta.url': '__camfleet_import_meta_url',
    },
    // In the SEA, __filename is the executable's path.
    banner: { js: BANNER },
    plugins: [nativeAddonsPlugin(opts.repoRoot), sourceUrlsPlugin(opts.repoRoot)],
    legalComments: 'none',
    // Memory on the box (issue 17): V8 keeps the main script's source for lazy compilation, and a
    // source with a single non-ASCII character (a comment's "×" or "—") is held as a two-byte
    // string, twice its size. Without comments or whitespace the bundle is ASCII (esbuild escapes
    // the rest) and about a third smaller. Identifiers are kept: stack traces stay readable.
    minifyWhitespace: true,
    minifySyntax: true,
    charset: 'ascii',
    logLevel: 'silent',
    metafile: true,
  });
  const bytes = Object.values(result.metafile!.outputs).reduce((n, o) => n + o.bytes, 0);
  const text = await readFile(opts.outFile);
  const nonAscii = text.findIndex((b) => b > 127);
  if (nonAscii >= 0) result.warnings.push({ text: `bundle has a non-ASCII byte at offset ${nonAscii}: V8 will hold its source as a two-byte string`, location: null } as never);
  return { file: opts.outFile, bytes, warnings: result.warnings.map((w) => `${w.location?.file ?? ''}:${w.location?.line ?? ''} ${w.text}`) };
}

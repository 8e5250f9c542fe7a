/**
 * Turns a CommonJS bundle into a Node single-executable application: the runtime's own node
 * generates the preparation blob (`--experimental-sea-config`; for another architecture, under
 * qemu-user), then postject injects it into a copy of that same node binary and flips the SEA fuse
 * (postject edits ELF files of any architecture).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { NodeRuntime } from './node-runtime.ts';
import { targetRunner } from './emulator.ts';

const require = createRequire(import.meta.url);
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

export async function makeSea(opts: { runtime: NodeRuntime; bundle: string; workDir: string; output: string }): Promise<void> {
  const blob = join(opts.workDir, 'sea-prep.blob');
  const configFile = join(opts.workDir, 'sea-config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      main: opts.bundle,
      output: blob,
      disableExperimentalSEAWarning: true,
      // V8 code cache of the bundle: faster start-up; ties the blob to this exact Node build,
      // which it is anyway (the blob goes into a copy of the same binary).
      useCodeCache: process.env.CAMFLEET_SEA_CODE_CACHE !== '0',
    }),
  );
  // Quiet unless it fails (execFileSync's error carries the output). The blob is made by the
  // target's own node (under qemu for another architecture): its code cache is V8 machine code.
  const runner = targetRunner(opts.runtime.target);
  const [cmd, ...pre] = [...runner.prefix, opts.runtime.bin];
  execFileSync(cmd!, [...pre, '--experimental-sea-config', configFile], { cwd: opts.workDir, stdio: 'pipe', env: { ...process.env, ...runner.env } });
  copyFileSync(opts.runtime.bin, opts.output);
  chmodSync(opts.output, 0o755);
  const { inject } = require('postject') as { inject(file: string, name: string, data: Buffer, o: { sentinelFuse: string }): Promise<void> };
  // postject's ELF reader warns about Node's unnamed .note sections; harmless (Node's docs show
  // the same), so those lines are dropped and anything else is passed on.
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!/Can't find string offset for section name/.test(String(args[0]))) warn(...args);
  };
  try {
    await inject(opts.output, 'NODE_SEA_BLOB', readFileSync(blob), { sentinelFuse: SEA_FUSE });
  } finally {
    console.warn = warn;
  }
}

/**
 * Runs the type-check and every uvu test file, each file in its own process (so one crash or
 * hang cannot take the others down), two at a time, and ends with `N passed, N failed, N skipped`
 * (CI reads the `N passed, N failed` at its start). A skipped test is never counted as passed:
 * uvu's own skips (`test.skip`) and tests that found at run time they cannot run here, which
 * print the marker line of test/support/skip.ts.
 *
 *   node --import tsx scripts/run-tests.ts [filter...]
 *
 * A filter narrows the files to those whose path contains it. Test files are `*.test.ts` under
 * `shared/test`, `agent/test`, `aggregator/test` and `test/`.
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { skipReasons } from '../test/support/skip.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const TEST_DIRS = ['shared/test', 'agent/test', 'aggregator/test', 'test'];
const CONCURRENCY = Number(process.env.CAMFLEET_TEST_CONCURRENCY ?? 2);
/** Per file: generous, since a busy 2-core machine may be slow; a hang still ends. */
const FILE_TIMEOUT_MS = Number(process.env.CAMFLEET_TEST_FILE_TIMEOUT_MS ?? 10 * 60_000);

function findTests(dir: string, out: string[] = []): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) findTests(full, out);
    else if (name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

interface FileResult {
  file: string;
  passed: number;
  failed: number;
  skipped: number;
  output: string;
  code: number | null;
  ms: number;
}

function run(cmd: string, args: string[], label: string): Promise<FileResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd: root,
      env: { ...process.env, NODE_ENV: 'test', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => {
      output += `\n[run-tests] ${label} timed out after ${FILE_TIMEOUT_MS} ms; killed\n`;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {}
    }, FILE_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      // Kill anything the test file left behind in its process group.
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {}
      const total = Number(/Total:\s+(\d+)/.exec(output)?.[1] ?? 0);
      const uvuPassed = Number(/Passed:\s+(\d+)/.exec(output)?.[1] ?? 0);
      const uvuSkipped = Number(/Skipped:\s+(\d+)/.exec(output)?.[1] ?? 0);
      // uvu's Total counts the tests it ran, which excludes its skips
      let failed = Math.max(0, total - uvuPassed);
      // A file that crashed or exited non-zero without a failing test still counts as a failure.
      if (code !== 0 && failed === 0) failed = 1;
      // a test that skipped itself returned normally, so uvu counted it as passed
      const markers = Math.min(skipReasons(output).length, uvuPassed);
      resolve({ file: label, passed: uvuPassed - markers, failed, skipped: uvuSkipped + markers, output, code, ms: Date.now() - started });
    });
  });
}

async function main() {
  const filters = process.argv.slice(2);
  const files = TEST_DIRS.flatMap((d) => findTests(join(root, d)))
    .map((f) => relative(root, f))
    .filter((f) => filters.length === 0 || filters.some((flt) => f.includes(flt)))
    .sort();

  const results: FileResult[] = [];
  if (filters.length === 0) {
    process.stdout.write('typecheck ... ');
    const tc = await run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], 'typecheck');
    tc.passed = tc.code === 0 ? 1 : 0;
    tc.skipped = 0;
    tc.failed = tc.code === 0 ? 0 : 1;
    console.log(tc.code === 0 ? `ok (${(tc.ms / 1000).toFixed(1)} s)` : 'FAILED');
    if (tc.code !== 0) console.log(tc.output);
    results.push(tc);
    // Lint (Biome, biome.json) counts as one test, like the type-check.
    process.stdout.write('lint ... ');
    const lint = await run(process.execPath, [join(root, 'node_modules/@biomejs/biome/bin/biome'), 'lint', '.'], 'lint');
    lint.passed = lint.code === 0 ? 1 : 0;
    lint.skipped = 0;
    lint.failed = lint.code === 0 ? 0 : 1;
    console.log(lint.code === 0 ? `ok (${(lint.ms / 1000).toFixed(1)} s)` : 'FAILED');
    if (lint.code !== 0) console.log(lint.output);
    results.push(lint);
  }

  const queue = [...files];
  async function worker() {
    for (let file = queue.shift(); file; file = queue.shift()) {
      const r = await run(process.execPath, ['--import', 'tsx', file], file);
      results.push(r);
      const mark = r.failed === 0 ? 'ok' : 'FAILED';
      console.log(`${file} ... ${mark} (${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ''}, ${(r.ms / 1000).toFixed(1)} s)`);
      for (const reason of skipReasons(r.output)) console.log(`    skipped: ${reason}`);
      if (r.failed > 0 || process.env.CAMFLEET_TEST_VERBOSE) console.log(r.output.replace(/^/gm, '    '));
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));

  const passed = results.reduce((a, r) => a + r.passed, 0);
  const failed = results.reduce((a, r) => a + r.failed, 0);
  const skipped = results.reduce((a, r) => a + r.skipped, 0);
  console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}

main();

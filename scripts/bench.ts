/**
 * `npm run bench -- [name ...]`: runs scripts/bench/<name>.ts for each name given, or every
 * benchmark there when none is. Each runs in its own process, one after another (figures from
 * benchmarks running side by side on 2 cores would mean nothing). A benchmark plugs in by adding
 * its file to scripts/bench/ (helpers go in a subdirectory, e.g. scripts/bench/chaos/).
 *
 * `chaos` (the kill test: 100 agent and 20 aggregator SIGKILLs, about an hour) runs only when
 * named: `npm run bench -- chaos`.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIR = join(ROOT, 'scripts', 'bench');
const available = readdirSync(DIR)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3))
  .sort();

/** Run only when named: they take far longer than the others. */
const ONLY_BY_NAME = new Set(['chaos', 'cluster']);
const asked = process.argv.slice(2).filter((a) => a !== '--');
const unknown = asked.filter((n) => !available.includes(n));
if (unknown.length) {
  console.error(`bench: no benchmark named ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}

let failed = 0;
if (!asked.length) console.log(`bench: ${[...ONLY_BY_NAME].join(', ')} only when named (npm run bench -- chaos)`);
for (const name of asked.length ? asked : available.filter((n) => !ONLY_BY_NAME.has(n))) {
  console.log(`\n=== bench ${name} ===`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(DIR, `${name}.ts`)], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.error(`bench ${name}: exited with ${r.status ?? r.signal}`);
  }
}
process.exit(failed ? 1 : 0);

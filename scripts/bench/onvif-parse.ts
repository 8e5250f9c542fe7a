/**
 * How fast the agent reads camera answers, and how long a hostile answer can hold the event loop.
 *
 *   npm run bench -- onvif-parse      (or: node --import tsx scripts/bench/onvif-parse.ts)
 *
 * Prints the parse rate over the fixtures and the time spent on ~2 MB hostile shapes (twice the
 * 1 MiB response cap, so an upper bound).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSoap } from '../../agent/src/onvif/soap.ts';

const FIXTURES = process.env.CAMFLEET_ONVIF_FIXTURES ?? fileURLToPath(new URL('../../../shared/fixtures/onvif', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : f.endsWith('.xml') ? [join(dir, f)] : []));
}

const all = files(FIXTURES).map((f) => readFileSync(f));
const bytes = all.reduce((n, b) => n + b.length, 0);
const rounds = 20;
let t = performance.now();
for (let r = 0; r < rounds; r++) for (const b of all) {
  try {
    parseSoap(b);
  } catch {
    // templated agsh files are not all valid
  }
}
let ms = performance.now() - t;
console.log(`fixtures: ${all.length} files, ${(bytes / 1024).toFixed(0)} KiB; ${((all.length * rounds) / (ms / 1000)).toFixed(0)} answers/s, ${((bytes * rounds) / 1024 / 1024 / (ms / 1000)).toFixed(1)} MiB/s`);

const env = (inner: string) => `<e:Envelope xmlns:e="x"><e:Body><R>${inner}</R></e:Body></e:Envelope>`;
const hostile: Record<string, string> = {
  'siblings (refused: tag cap)': env('<a>x</a>'.repeat(250_000)),
  'entities in text (&amp; x 400k)': env('&amp;'.repeat(400_000)),
  'unclosed 1.9 MB text': '<e:Envelope xmlns:e="x"><e:Body>' + '<a><b>'.repeat(30) + 'x'.repeat(1_900_000),
  'one 2 MB attribute': env(`<b a="${'x'.repeat(2_000_000)}"/>`),
  'entity bomb (refused: DTD)': `<!DOCTYPE l [<!ENTITY a "${'a'.repeat(1000)}">]>` + env('&a;'.repeat(1000)),
};
for (const [name, doc] of Object.entries(hostile)) {
  t = performance.now();
  try {
    parseSoap(doc);
  } catch {
    // refused is the point
  }
  ms = performance.now() - t;
  console.log(`hostile ${name}: ${(doc.length / 1024 / 1024).toFixed(1)} MB in ${ms.toFixed(0)} ms`);
}

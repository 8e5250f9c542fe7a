/**
 * The entry point of the single-executable binary (bundled by scripts/build-agent.ts). The
 * development launcher is agent/bin/camfleet-agent.js; both end in the same `main`.
 * No top-level await: the bundle is CommonJS, which Node's single-executable applications require.
 */
import { main } from './main.ts';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`camfleet-agent: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);

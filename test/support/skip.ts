/**
 * Skipping a test at run time, reported as skipped (never as passed). uvu only knows skips
 * declared up front (`test.skip`); a test that finds out while running that it cannot run here
 * (no tmpfs, no PostgreSQL...) calls `skip(reason)` and returns. The marker line it prints is
 * what scripts/run-tests.ts counts: that test moves from passed to skipped in the summary.
 *
 *   const { disk, reason } = mountSmallDisk('3m');
 *   if (!disk) return skip(`disk-full test: ${reason}`, { requiredInCi: process.getuid?.() === 0 });
 */
export const SKIP_MARKER = '::camfleet-skip::';

export function skip(reason: string, { requiredInCi = false }: { requiredInCi?: boolean } = {}): void {
  // where CI can run the test (root on its Debian machine), not running it is a failure
  if (requiredInCi && process.env.CI) throw new Error(`cannot run in CI, where it must: ${reason}`);
  console.log(`${SKIP_MARKER} ${reason}`);
}

/** The reasons of the tests of a file's output that skipped at run time (uvu may print a progress mark before the marker). */
export function skipReasons(output: string): string[] {
  return output.split('\n').flatMap((l) => {
    const at = l.indexOf(SKIP_MARKER);
    return at < 0 ? [] : [l.slice(at + SKIP_MARKER.length).trim()];
  });
}

/** Reading the shared ONVIF fixtures (third-party captures; never edited in place). */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The fixture folder: `../shared/fixtures/onvif` next to the repository, or CAMFLEET_ONVIF_FIXTURES. */
export const FIXTURES = process.env.CAMFLEET_ONVIF_FIXTURES ?? fileURLToPath(new URL('../../../../shared/fixtures/onvif', import.meta.url));

export function fixture(path: string): Buffer {
  return readFileSync(`${FIXTURES}/${path}`);
}

export function hasFixture(path: string): boolean {
  return existsSync(`${FIXTURES}/${path}`);
}

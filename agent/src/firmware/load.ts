/**
 * Loading `firmware-profiles/*.json`: the repo's folder, the one shipped beside the binary
 * (`assetPath`), or CAMFLEET_FIRMWARE_PROFILES; a file that does not validate is an error naming the file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assetPath } from '../runtime/paths.ts';
import { FirmwareProfile } from './schema.ts';

export function defaultProfilesDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.CAMFLEET_FIRMWARE_PROFILES ?? assetPath('firmware-profiles');
}

export function loadProfiles(dir = defaultProfilesDir()): FirmwareProfile[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  const profiles = files.map((f) => {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    } catch (err) {
      throw new Error(`firmware profile ${f}: ${(err as Error).message}`);
    }
    const parsed = FirmwareProfile.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new Error(`firmware profile ${f}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    }
    if (`${parsed.data.id}.json` !== f) throw new Error(`firmware profile ${f}: id '${parsed.data.id}' must match the file name`);
    return parsed.data;
  });
  // The generic profile recognises nothing; keep it last so vendor families win.
  return profiles.sort((a, b) => Number(a.id === 'generic-onvif') - Number(b.id === 'generic-onvif'));
}

let cached: FirmwareProfile[] | undefined;
/** Profiles from the default folder, loaded once per process. */
export function profiles(): FirmwareProfile[] {
  return (cached ??= loadProfiles());
}

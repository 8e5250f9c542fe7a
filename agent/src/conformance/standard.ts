/**
 * The city technical standard the check measures cameras against. The project ships a default
 * (`agent/standards/city-default.yaml`, documented there); a city replaces it with `--standard`.
 */
import { readConfigFile, validateConfig } from '@camfleet/shared';
import { z } from 'zod';
import { assetPath } from '../runtime/paths.ts';

export const Standard = z
  .object({
    name: z.string().min(1),
    /** At least one of these ONVIF profiles must be claimed. */
    onvifProfiles: z.array(z.string().min(1)).min(1).default(['S', 'T']),
    /** Main-stream codecs accepted (normalised names: H264, H265). */
    encodings: z.array(z.string().min(1)).min(1).default(['H264', 'H265']),
    mainStream: z
      .object({ minWidth: z.number().int().positive(), minHeight: z.number().int().positive(), minFps: z.number().positive() })
      .strict(),
    /** A second, lighter stream for live view over thin uplinks. */
    subStreamRequired: z.boolean().default(true),
    /** Largest accepted |camera clock - agent clock|. */
    maxClockOffsetMs: z.number().int().nonnegative(),
    /** Factory credentials tried per check, at most 3 (never enough to trip a lockout). */
    defaultCredentialAttempts: z.number().int().min(0).max(3).default(3),
  })
  .strict();
export type Standard = z.infer<typeof Standard>;

/** The shipped default: `agent/standards/city-default.yaml` in the repo or beside the binary. */
export function defaultStandardFile(): string {
  return assetPath('agent/standards/city-default.yaml');
}

export function loadStandard(file = defaultStandardFile()): Standard {
  return validateConfig(Standard, readConfigFile(file), file);
}

/**
 * The shape of a file in `firmware-profiles/`: how to recognise a vendor family, its stream URL
 * templates, quirks, default credentials to test and firmware versions with published CVEs.
 */
import { z } from 'zod';

/** A case-insensitive regular expression, written as a string; must compile. */
const Pattern = z.string().min(1).refine((s) => {
  try {
    new RegExp(s, 'i');
    return true;
  } catch {
    return false;
  }
}, 'not a valid regular expression');

/** A dotted version such as `5.4.41` or `1.1.15` (compared numerically, part by part). */
const Version = z.string().regex(/^\d+(\.\d+)*$/, 'a dotted numeric version');

export const AffectedRange = z
  .object({
    /** Models this range applies to (any when absent). */
    models: z.array(Pattern).optional(),
    /** Affected when the firmware version is at least this. */
    from: Version.optional(),
    /** Affected when the firmware version is below this (the first fixed version). */
    below: Version.optional(),
    /** Affected when the firmware version is at most this (last affected version). */
    through: Version.optional(),
    /** Affected when the device's HTTP `Server` banner matches (e.g. `uc-httpd 1.0.0`). */
    httpServer: Pattern.optional(),
  })
  .strict();
export type AffectedRange = z.infer<typeof AffectedRange>;

export const Vulnerability = z
  .object({
    cve: z.string().regex(/^CVE-\d{4}-\d{4,}$/),
    title: z.string().min(1),
    /** Where the facts come from: vendor advisory, CVE record, NVD. */
    sources: z.array(z.string().url()).min(1),
    /**
     * Machine-checkable ranges. Empty when the published facts name models and builds no rule
     * can compare; the check then asks the technician to verify against the advisory.
     */
    affected: z.array(AffectedRange),
    note: z.string().optional(),
  })
  .strict();
export type Vulnerability = z.infer<typeof Vulnerability>;

export const FirmwareProfile = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    vendor: z.string().min(1),
    /** Brands selling this vendor's firmware under their own name. */
    oems: z.array(z.string()).default([]),
    /** Any one matching field recognises the family; the generic profile matches nothing. */
    match: z
      .object({
        manufacturer: z.array(Pattern).default([]),
        model: z.array(Pattern).default([]),
        firmware: z.array(Pattern).default([]),
        hardware: z.array(Pattern).default([]),
        httpServer: z.array(Pattern).default([]),
      })
      .strict(),
    /** URL templates for cameras without ONVIF: `{host}`, `{rtspPort}`, `{httpPort}`, `{channel}`. */
    urls: z
      .object({
        rtspMain: z.string().optional(),
        rtspSub: z.string().optional(),
        snapshot: z.string().optional(),
      })
      .strict(),
    quirks: z.array(z.string()).default([]),
    /** Tried in order, at most MAX_CREDENTIAL_ATTEMPTS of them per check. */
    defaultCredentials: z.array(z.object({ username: z.string(), password: z.string(), note: z.string().optional() }).strict()),
    vulnerabilities: z.array(Vulnerability),
    sources: z.array(z.string().url()).default([]),
  })
  .strict();
export type FirmwareProfile = z.infer<typeof FirmwareProfile>;

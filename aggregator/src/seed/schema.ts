/** The seed file: a city's areas, purposes, organisations, sites, cameras, users and grants. */
import { z } from 'zod';
import { OrgKind } from '../domain/types.ts';

const slug = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'lowercase letters, digits, ".", "_" or "-"');
const lat = z.number().min(-90).max(90);
const lon = z.number().min(-180).max(180);

export const SeedArea = z.object({ id: slug, name: z.string().min(1), kind: z.string().min(1), parent: slug.optional(), lat: lat.optional(), lon: lon.optional() }).strict();
export const SeedPurpose = z.object({ id: slug, name: z.string().min(1) }).strict();
export const SeedOrg = z.object({ id: slug, name: z.string().min(1), kind: OrgKind, area: slug, purposes: z.array(slug).optional() }).strict();
export const SeedSite = z
  .object({
    id: slug,
    name: z.string().min(1),
    org: slug,
    area: slug,
    address: z.string().optional(),
    lat: lat.optional(),
    lon: lon.optional(),
    agents: z.array(slug).default([]),
  })
  .strict();
export const SeedCamera = z
  .object({
    agent: slug,
    id: z.string().min(1).max(64),
    name: z.string().optional(),
    site: slug,
    /** Defaults to the site's organisation and area. */
    owner: slug.optional(),
    area: slug.optional(),
    purposes: z.array(slug).min(1),
    lat: lat.optional(),
    lon: lon.optional(),
    address: z.string().optional(),
    serial: z.string().optional(),
    mac: z.string().optional(),
    manufacturer: z.string().optional(),
    model: z.string().optional(),
    /** A demo snapshot of live state; real agents overwrite it with their reports. */
    state: z
      .object({ online: z.boolean(), recording: z.boolean(), problem: z.string().optional(), conformance: z.enum(['pass', 'warn', 'fail']).optional() })
      .strict()
      .optional(),
  })
  .strict();
export const SeedUser = z.object({ username: z.string().min(1).max(64), role: z.string().min(1), org: slug }).strict();
export const SeedGrant = z
  .object({
    id: slug,
    owner: slug,
    /** The owner's user who consents. */
    grantedBy: z.string(),
    cameras: z.array(z.object({ agent: slug, id: z.string() }).strict()).min(1),
    granteeOrgs: z.array(slug).default([]),
    granteeKinds: z.array(OrgKind).default([]),
    levels: z.array(z.enum(['health', 'events', 'snapshots', 'clips'])).min(1),
    purposes: z.array(slug).default([]),
    hours: z.object({ from: z.number().int().min(0).max(23), to: z.number().int().min(1).max(24) }).strict().optional(),
    validDays: z.number().int().positive().optional(),
  })
  .strict();

export const SeedFile = z
  .object({
    name: z.string().optional(),
    areas: z.array(SeedArea),
    purposes: z.array(SeedPurpose),
    orgs: z.array(SeedOrg),
    sites: z.array(SeedSite).default([]),
    cameras: z.array(SeedCamera).default([]),
    users: z.array(SeedUser).default([]),
    grants: z.array(SeedGrant).default([]),
  })
  .strict();
export type SeedFile = z.infer<typeof SeedFile>;

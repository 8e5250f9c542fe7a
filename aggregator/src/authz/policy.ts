/**
 * The permission policy as data: which actions each role may take, and how far its reach goes.
 * Reach is then narrowed by the user's organisation (its area subtree and purposes) and widened
 * only by sharing grants. Anything not listed here is denied.
 */
import type { SharingLevel } from '../sharing/types.ts';
import type { OrgKind } from '../domain/types.ts';

export const ACTIONS = [
  'view_health',
  'view_inventory',
  'view_events',
  'view_clips',
  'request_clip',
  'view_snapshot',
  'manage_sites',
  'manage_users',
  'manage_sharing',
  'export_inventory',
  'view_audit',
] as const;
export type Action = (typeof ACTIONS)[number];

/**
 * - `any`: every camera and site in the organisation's area subtree, whoever owns it (system
 *   administration; such roles get no footage actions).
 * - `state`: cameras of state bodies in the area subtree whose purposes meet the organisation's
 *   function, plus the organisation's own cameras, plus what grants share with it.
 * - `own`: the organisation's own cameras and sites, plus what grants share with it.
 */
export type Reach = 'any' | 'state' | 'own';

export interface RoleSpec {
  description: string;
  reach: Reach;
  actions: readonly Action[];
}

export const ROLES = {
  admin: {
    description: 'system administrator: users, sites and agents, inventory and health city-wide; no footage',
    reach: 'any',
    actions: ['manage_users', 'manage_sites', 'view_health', 'view_inventory', 'export_inventory', 'view_audit'],
  },
  operator: {
    description: 'operations centre (city committee): health, inventory, events and snapshots',
    reach: 'state',
    actions: ['view_health', 'view_inventory', 'view_events', 'view_snapshot', 'export_inventory'],
  },
  police_officer: {
    description: 'police: events, snapshots and clips within its purposes',
    reach: 'state',
    actions: ['view_health', 'view_inventory', 'view_events', 'view_snapshot', 'view_clips', 'request_clip'],
  },
  command_officer: {
    description: 'capital command: events, snapshots and clips within its purposes',
    reach: 'state',
    actions: ['view_health', 'view_inventory', 'view_events', 'view_snapshot', 'view_clips'],
  },
  department_officer: {
    description: 'a department: health, inventory, events and snapshots within its purposes',
    reach: 'state',
    actions: ['view_health', 'view_inventory', 'view_events', 'view_snapshot', 'export_inventory'],
  },
  inspector: {
    description: 'technical standard inspector (science & technology): health, inventory and conformance only',
    reach: 'state',
    actions: ['view_health', 'view_inventory', 'export_inventory'],
  },
  ward_officer: {
    description: 'ward or commune committee: everything about the cameras of its area',
    reach: 'state',
    actions: ['view_health', 'view_inventory', 'view_events', 'view_snapshot', 'view_clips', 'request_clip', 'export_inventory'],
  },
  site_manager: {
    description: 'technician: manages the sites and agents of its area, sees health and inventory',
    reach: 'state',
    actions: ['manage_sites', 'view_health', 'view_inventory'],
  },
  owner: {
    description: 'a business or citizen: everything about its own cameras, and decides their sharing',
    reach: 'own',
    actions: ['view_health', 'view_inventory', 'view_events', 'view_snapshot', 'view_clips', 'request_clip', 'export_inventory', 'manage_sites', 'manage_sharing', 'view_audit'],
  },
  org_admin: {
    description: "manages its own organisation's users and sites",
    reach: 'own',
    actions: ['manage_users', 'manage_sites', 'view_health', 'view_inventory'],
  },
  auditor: {
    description: 'reads the audit trail of its area and the inventory',
    reach: 'state',
    actions: ['view_audit', 'view_inventory'],
  },
} as const satisfies Record<string, RoleSpec>;

export type Role = keyof typeof ROLES;
export const ROLE_NAMES = Object.keys(ROLES) as Role[];

export function roleSpec(role: string): RoleSpec | undefined {
  return Object.hasOwn(ROLES, role) ? (ROLES as Record<string, RoleSpec>)[role] : undefined;
}

/** Actions on footage: the user must state a purpose, and it is recorded in the audit trail. */
export const FOOTAGE_ACTIONS: readonly Action[] = ['view_clips', 'request_clip', 'view_snapshot'];

/** The sharing level a camera action needs when it is reached through a grant. */
export const LEVEL_FOR_ACTION: Partial<Record<Action, SharingLevel>> = {
  view_health: 'health',
  view_inventory: 'health',
  export_inventory: 'health',
  view_events: 'events',
  view_snapshot: 'snapshots',
  view_clips: 'clips',
  request_clip: 'clips',
};

/**
 * Which roles exist in which kind of organisation: a business has owners and its own org admins,
 * never police officers or auditors (who would then reach state cameras through their role).
 */
export const ROLES_FOR_ORG_KIND: Record<OrgKind, readonly Role[]> = {
  city_committee: ['admin', 'operator', 'auditor', 'site_manager', 'org_admin'],
  police: ['police_officer', 'site_manager', 'org_admin'],
  command: ['command_officer', 'site_manager', 'org_admin'],
  department: ['department_officer', 'inspector', 'site_manager', 'org_admin'],
  ward_committee: ['ward_officer', 'site_manager', 'auditor', 'org_admin'],
  business: ['owner', 'org_admin'],
  citizen: ['owner'],
};

/** Whether `role` exists in an organisation of that kind (null: no organisation, only a bootstrap admin). */
export function roleValidForOrgKind(role: string, orgKind: OrgKind | null): boolean {
  return orgKind ? (ROLES_FOR_ORG_KIND[orgKind] as readonly string[]).includes(role) : role === 'admin';
}

const REACH_RANK: Record<Reach, number> = { own: 0, state: 1, any: 2 };

/** `role` gives nothing `than` lacks: every action of it is one of `than`'s, and its reach is no wider. */
export function roleWithin(role: string, than: string): boolean {
  const r = roleSpec(role);
  const t = roleSpec(than);
  if (!r || !t) return false;
  return REACH_RANK[r.reach] <= REACH_RANK[t.reach] && r.actions.every((a) => (t.actions as readonly string[]).includes(a));
}

/**
 * Whether a user of role `granterRole` may give `role` to a user of an organisation of kind
 * `orgKind` (null: a user without an organisation, only ever a bootstrap admin). Roles with more
 * rights than the granter's are created out of band (`camfleet-aggregator user create`), so an
 * API token can never mint a user with rights its holder does not have.
 */
export function mayGrantRole(granterRole: string, role: string, orgKind: OrgKind | null): { ok: true } | { ok: false; reason: string } {
  if (!roleSpec(role)) return { ok: false, reason: `unknown role ${role}` };
  if (!roleValidForOrgKind(role, orgKind)) return { ok: false, reason: `role ${role} does not exist in an organisation of kind ${orgKind ?? '(none)'}` };
  if (!roleWithin(role, granterRole)) return { ok: false, reason: `role ${role} has rights that your role ${granterRole} does not have` };
  return { ok: true };
}

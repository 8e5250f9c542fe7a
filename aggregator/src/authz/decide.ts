/**
 * The decision: may this principal take this action on this resource, now, for this stated
 * purpose? Pure and synchronous (everything it needs is passed in), so the whole policy is
 * testable as a table and list routes can filter thousands of cameras cheaply. Deny by default:
 * every allow below names the rule that granted it.
 */
import type { AreaTree } from '../domain/area-tree.ts';
import { PRIVATE_OWNER_KINDS, type CameraKey, type OrgKind } from '../domain/types.ts';
import type { SharingGrant } from '../sharing/types.ts';
import { FOOTAGE_ACTIONS, LEVEL_FOR_ACTION, roleSpec, type Action, type RoleSpec } from './policy.ts';

export interface Principal {
  userId: number;
  username: string;
  role: string;
  orgId: string | null;
  orgKind: OrgKind | null;
  /** Root of the organisation's area subtree (null: no organisation). */
  orgAreaId: string | null;
  /** Purposes of the organisation's function; null = every purpose. */
  orgPurposes: string[] | null;
}

/** What the policy needs to know about a camera. */
export interface CameraScope extends CameraKey {
  ownerOrgId: string;
  ownerOrgKind: OrgKind;
  areaId: string;
  purposes: string[];
}

export type Resource =
  /** A list route: allowed when the role has the action; the handler filters items one by one. */
  | { type: 'collection' }
  | { type: 'camera'; camera: CameraScope }
  | { type: 'site'; orgId: string; orgKind: OrgKind; areaId: string }
  /** An agent not placed at any site yet: only system-wide roles reach it. */
  | { type: 'unplaced-agent'; agentId: string }
  /** The users of an organisation (manage_users). */
  | { type: 'org'; orgId: string; areaId: string }
  /** A sharing grant, or a new one, of an owner organisation. */
  | { type: 'grant'; ownerOrgId: string }
  | { type: 'audit-entry'; actorOrgId: string | null; ownerOrgId: string | null; areaId: string | null };

export interface DecisionContext {
  areas: AreaTree;
  /** Grants in force whose grantee is the principal's organisation or its kind. */
  grants: readonly SharingGrant[];
  now: Date;
  statedPurpose?: string;
  /**
   * The city's controlled list of purposes (ids of the `purposes` table, what /api/v1/purposes
   * serves and the dashboard offers): a stated purpose outside it is refused, never recorded as if
   * it justified an access.
   */
  purposes: ReadonlySet<string>;
  /** Local time offset for grant hours (Hanoi: +420). */
  utcOffsetMinutes: number;
}

export type DenyReason = 'unknown-role' | 'role-lacks-action' | 'no-organisation' | 'purpose-required' | 'unknown-purpose' | 'purpose-not-allowed' | 'out-of-scope';

export type Decision =
  | { allow: true; rule: 'role' | 'area' | 'ownership' | 'function' | 'grant'; grantId?: string }
  | { allow: false; reason: DenyReason };

const deny = (reason: DenyReason): Decision => ({ allow: false, reason });

export function decide(p: Principal, action: Action, resource: Resource, ctx: DecisionContext): Decision {
  const role = roleSpec(p.role);
  if (!role) return deny('unknown-role');
  if (!(role.actions as readonly string[]).includes(action)) return deny('role-lacks-action');
  if (resource.type === 'collection') return { allow: true, rule: 'role' };
  if (resource.type === 'unplaced-agent') return role.reach === 'any' ? { allow: true, rule: 'area' } : deny('out-of-scope');
  if (!p.orgId || !p.orgAreaId) {
    // A bootstrap admin, created from the CLI before any organisation exists, reaches everything its role allows.
    return role.reach === 'any' ? { allow: true, rule: 'role' } : deny('no-organisation');
  }
  switch (resource.type) {
    case 'camera':
      return decideCamera(p, role, action, resource.camera, ctx);
    case 'site':
      if (resource.orgId === p.orgId) return { allow: true, rule: 'ownership' };
      if (role.reach === 'own' || !ctx.areas.contains(p.orgAreaId, resource.areaId)) return deny('out-of-scope');
      if (role.reach === 'state' && PRIVATE_OWNER_KINDS.includes(resource.orgKind)) return deny('out-of-scope');
      return { allow: true, rule: 'area' };
    case 'org':
      if (resource.orgId === p.orgId) return { allow: true, rule: 'ownership' };
      if (role.reach === 'any' && ctx.areas.contains(p.orgAreaId, resource.areaId)) return { allow: true, rule: 'area' };
      return deny('out-of-scope');
    case 'grant':
      // Only the owner decides what it shares: nobody grants or revokes on its behalf.
      return resource.ownerOrgId === p.orgId ? { allow: true, rule: 'ownership' } : deny('out-of-scope');
    case 'audit-entry': {
      if (resource.actorOrgId === p.orgId || resource.ownerOrgId === p.orgId) return { allow: true, rule: 'ownership' };
      if (role.reach === 'own') return deny('out-of-scope');
      // Entries tied to no area (logins, user admin) are for city-wide auditors only.
      const area = resource.areaId ?? null;
      const cityWide = !ctx.areas.get(p.orgAreaId)?.parentId;
      if (area ? ctx.areas.contains(p.orgAreaId, area) : cityWide) return { allow: true, rule: 'area' };
      return deny('out-of-scope');
    }
  }
}

function decideCamera(p: Principal, role: RoleSpec, action: Action, cam: CameraScope, ctx: DecisionContext): Decision {
  const footage = FOOTAGE_ACTIONS.includes(action);
  const stated = footage ? ctx.statedPurpose : undefined;
  if (footage) {
    // Purposes are a controlled list, and the stated one must be within the organisation's function.
    if (!stated) return deny('purpose-required');
    if (!ctx.purposes.has(stated)) return deny('unknown-purpose');
    if (p.orgPurposes && !p.orgPurposes.includes(stated)) return deny('purpose-not-allowed');
  }
  // Footage of a camera is looked at only for a purpose the camera serves (a camera whose
  // purposes were never declared, e.g. one an agent just reported, is held to the org check above).
  const cameraServes = !stated || cam.purposes.length === 0 || cam.purposes.includes(stated);
  if (cam.ownerOrgId === p.orgId) return cameraServes ? { allow: true, rule: 'ownership' } : deny('purpose-not-allowed');
  const inArea = ctx.areas.contains(p.orgAreaId!, cam.areaId);
  if (role.reach === 'any' && inArea) return cameraServes ? { allow: true, rule: 'area' } : deny('purpose-not-allowed');
  const byFunction = role.reach === 'state' && inArea && !PRIVATE_OWNER_KINDS.includes(cam.ownerOrgKind) && servesFunction(p, cam);
  if (byFunction && cameraServes) return { allow: true, rule: 'function' };
  // Through a grant, the owner decided the purposes (the grant's list; empty = any of the controlled ones).
  const grant = ctx.grants.find((g) => grantCovers(g, p, action, cam, ctx));
  if (grant) return { allow: true, rule: 'grant', grantId: grant.id };
  return deny(byFunction ? 'purpose-not-allowed' : 'out-of-scope');
}

/** The camera serves one of the organisation's purposes. */
function servesFunction(p: Principal, cam: CameraScope): boolean {
  if (!p.orgPurposes) return true;
  return cam.purposes.some((x) => p.orgPurposes!.includes(x));
}

export function grantInForce(g: SharingGrant, now: Date): boolean {
  if (g.revokedAt) return false;
  if (Date.parse(g.validFrom) > now.getTime()) return false;
  return !g.validUntil || Date.parse(g.validUntil) > now.getTime();
}

export function grantIsFor(g: SharingGrant, orgId: string | null, orgKind: OrgKind | null): boolean {
  return (!!orgId && g.granteeOrgIds.includes(orgId)) || (!!orgKind && g.granteeKinds.includes(orgKind));
}

function withinHours(hours: SharingGrant['hours'], now: Date, offsetMinutes: number): boolean {
  if (!hours) return true;
  const local = new Date(now.getTime() + offsetMinutes * 60_000);
  const h = local.getUTCHours();
  return hours.from <= hours.to ? h >= hours.from && h < hours.to : h >= hours.from || h < hours.to;
}

function grantCovers(g: SharingGrant, p: Principal, action: Action, cam: CameraScope, ctx: DecisionContext): boolean {
  const level = LEVEL_FOR_ACTION[action];
  if (!level || !g.levels.includes(level)) return false;
  if (g.ownerOrgId !== cam.ownerOrgId) return false; // only an owner can share its cameras
  if (!grantIsFor(g, p.orgId, p.orgKind) || !grantInForce(g, ctx.now)) return false;
  if (!g.cameras.some((k) => k.agentId === cam.agentId && k.cameraId === cam.cameraId)) return false;
  if (!withinHours(g.hours, ctx.now, ctx.utcOffsetMinutes)) return false;
  // Beyond health, a grant limited to purposes is used only for one of them, stated up front.
  if (level !== 'health' && g.purposes.length > 0 && !(ctx.statedPurpose && g.purposes.includes(ctx.statedPurpose))) return false;
  return true;
}

/**
 * Which cameras a principal reaches for a list action, as data an adapter turns into a WHERE
 * clause, so the camera list, map, overview and exports are computed by an indexed query instead
 * of authorising every camera of the city in JavaScript on each request.
 *
 * It mirrors `authz/decide.ts` for cameras without a stated purpose (list actions): ownership,
 * area subtree for `any` reach, state-owned cameras serving the organisation's purposes for
 * `state` reach, and sharing grants. Grants are judged by `decide` itself (one probe per grant),
 * so hours, validity, levels and grantees have one implementation. The contract tests
 * (aggregator/test/storage/) check on both engines that the query returns exactly the cameras
 * `decide` allows.
 */
import type { AreaTree } from '../domain/area-tree.ts';
import { PRIVATE_OWNER_KINDS, type CameraKey, type OrgKind } from '../domain/types.ts';
import { decide, type DecisionContext, type Principal } from '../authz/decide.ts';
import { roleSpec, type Action } from '../authz/policy.ts';
import { fold, type InventoryFilter } from './query.ts';

export interface InventoryScope {
  /** Everything (a bootstrap admin without organisation). */
  all: boolean;
  /** Cameras owned by this organisation. */
  ownOrgId: string | null;
  /** Cameras in these areas (the organisation's subtree)... */
  areaIds: string[];
  /** ...excluding private owners (business, citizen) when set... */
  excludeOwnerKinds: OrgKind[];
  /** ...and serving one of these purposes when not null. */
  purposes: string[] | null;
  /** Cameras shared through grants in force: (camera, owner that granted it). */
  grantCameras: Array<CameraKey & { ownerOrgId: string }>;
}

export const NO_SCOPE: InventoryScope = { all: false, ownOrgId: null, areaIds: [], excludeOwnerKinds: [], purposes: null, grantCameras: [] };

/** The grant probe's area: an id no area tree has, so only the grant rule can allow. */
const NOWHERE = '\u0000nowhere';

export function inventoryScopeFor(p: Principal, action: Action, ctx: DecisionContext): InventoryScope {
  const role = roleSpec(p.role);
  if (!role || !(role.actions as readonly string[]).includes(action)) return NO_SCOPE;
  if (!p.orgId || !p.orgAreaId) return role.reach === 'any' ? { ...NO_SCOPE, all: true } : NO_SCOPE;
  const areaIds = role.reach === 'own' ? [] : [...ctx.areas.subtree(p.orgAreaId)];
  const grantCameras: InventoryScope['grantCameras'] = [];
  for (const g of ctx.grants) {
    const first = g.cameras[0];
    if (!first || g.ownerOrgId === p.orgId) continue;
    const probe = decide(p, action, { type: 'camera', camera: { ...first, ownerOrgId: g.ownerOrgId, ownerOrgKind: 'business', areaId: NOWHERE, purposes: [] } }, { ...ctx, grants: [g] });
    if (probe.allow && probe.rule === 'grant') for (const k of g.cameras) grantCameras.push({ agentId: k.agentId, cameraId: k.cameraId, ownerOrgId: g.ownerOrgId });
  }
  return {
    all: false,
    ownOrgId: p.orgId,
    areaIds,
    excludeOwnerKinds: role.reach === 'state' ? [...PRIVATE_OWNER_KINDS] : [],
    purposes: role.reach === 'state' ? p.orgPurposes : null,
    grantCameras,
  };
}

/** An inventory filter with areas resolved to id lists (the adapters know no tree). */
export interface ResolvedFilter {
  /** The `area` filter's subtree. */
  areaIds?: string[];
  purpose?: string;
  owner?: string;
  ownerKind?: OrgKind;
  status?: InventoryFilter['status'];
  conformance?: InventoryFilter['conformance'];
  /** Every term must match the camera's or its owner's folded text, or name one of `areaIds`' areas. */
  terms: Array<{ term: string; areaIds: string[] }>;
}

export function resolveFilter(f: InventoryFilter, areas: AreaTree): ResolvedFilter {
  const terms = f.q ? fold(f.q).split(/\s+/).filter(Boolean) : [];
  const all = areas.all();
  return {
    areaIds: f.area ? [...areas.subtree(f.area)] : undefined,
    purpose: f.purpose,
    owner: f.owner,
    ownerKind: f.ownerKind,
    status: f.status,
    conformance: f.conformance,
    terms: terms.map((term) => ({ term, areaIds: all.filter((a) => fold(a.name).includes(term)).map((a) => a.id) })),
  };
}

/** The folded text a camera is searched by (kept by the adapters on every write). */
export function cameraSearchText(c: { agentId: string; cameraId: string; name?: string | null; address?: string | null; serial?: string | null; mac?: string | null; manufacturer?: string | null; model?: string | null }): string {
  return fold([c.agentId, c.cameraId, c.name, c.address, c.serial, c.mac, c.manufacturer, c.model].filter(Boolean).join(' '));
}

export interface PageRequest {
  offset: number;
  limit: number;
}

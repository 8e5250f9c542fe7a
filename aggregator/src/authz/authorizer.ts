/**
 * The one authorization point. It turns a user into a principal (role + organisation scope),
 * a resource reference into what the policy needs to know, loads the grants shared with the
 * principal, and asks `decide`. Routes use it through an `AccessGate` (gate.ts): one per request.
 */
import type { User } from '../auth/users.ts';
import { AreaTree } from '../domain/area-tree.ts';
import type { DomainRepos } from '../domain/repositories.ts';
import type { GrantRepository } from '../sharing/repository.ts';
import { decide, type CameraScope, type Decision, type DecisionContext, type Principal, type Resource } from './decide.ts';
import { FOOTAGE_ACTIONS, type Action } from './policy.ts';
import type { AuditRecordInput, AuditTrail } from '../audit/trail.ts';

/** What a route names; the authorizer looks up the rest. */
export type ResourceRef =
  | { type: 'collection' }
  | { type: 'camera'; agentId: string; cameraId: string }
  /** An agent is reached through the site it is placed at. */
  | { type: 'agent'; agentId: string }
  | { type: 'site'; siteId: string }
  | { type: 'org'; orgId: string }
  | { type: 'grant'; grantId: string }
  /** A grant about to be created by this owner. */
  | { type: 'grant-owner'; ownerOrgId: string }
  | { type: 'audit-entry'; actorOrgId: string | null; ownerOrgId: string | null; areaId: string | null };

export interface AuthorizerOptions {
  repos: DomainRepos;
  grants: GrantRepository;
  /** Local offset for sharing hours; Hanoi is UTC+7 all year. */
  utcOffsetMinutes?: number;
  now?: () => Date;
  /** Whether an agent is registered (agents not placed at a site are still addressable by admins). */
  agentExists?: (agentId: string) => boolean;
  /** Where refused attempts at footage are recorded. */
  audit?: AuditTrail;
}

export class Authorizer {
  constructor(private readonly opts: AuthorizerOptions) {}

  now(): Date {
    return this.opts.now?.() ?? new Date();
  }

  async principalFor(user: User): Promise<Principal> {
    const org = user.orgId ? await this.opts.repos.orgs.get(user.orgId) : undefined;
    return {
      userId: user.id,
      username: user.username,
      role: user.role,
      orgId: org?.id ?? null,
      orgKind: org?.kind ?? null,
      orgAreaId: org?.areaId ?? null,
      orgPurposes: org?.purposes ?? null,
    };
  }

  /** Everything `decide` needs besides the resource, loaded fresh: a revoked grant stops working at once. */
  async contextFor(p: Principal, statedPurpose?: string): Promise<DecisionContext> {
    const now = this.now();
    const [areas, grants, purposes] = await Promise.all([
      this.opts.repos.areas.list(),
      p.orgId && p.orgKind ? this.opts.grants.listInForceFor(p.orgId, p.orgKind, now) : Promise.resolve([]),
      this.opts.repos.purposes.list(),
    ]);
    return {
      areas: new AreaTree(areas), grants, now, statedPurpose, utcOffsetMinutes: this.opts.utcOffsetMinutes ?? 420,
      purposes: new Set(purposes.map((x) => x.id)),
    };
  }

  /** The resource behind a reference, or undefined when it does not exist. */
  async resolve(ref: ResourceRef): Promise<Resource | undefined> {
    const { repos } = this.opts;
    switch (ref.type) {
      case 'collection':
        return { type: 'collection' };
      case 'camera': {
        const cam = await repos.inventory.get(ref);
        return cam ? { type: 'camera', camera: cameraScope(cam) } : undefined;
      }
      case 'agent': {
        const site = await repos.sites.siteOfAgent(ref.agentId);
        if (site) return this.siteResource(site.orgId, site.areaId);
        return this.opts.agentExists?.(ref.agentId) ? { type: 'unplaced-agent', agentId: ref.agentId } : undefined;
      }
      case 'site': {
        const site = await repos.sites.get(ref.siteId);
        return site ? this.siteResource(site.orgId, site.areaId) : undefined;
      }
      case 'org': {
        const org = await repos.orgs.get(ref.orgId);
        return org ? { type: 'org', orgId: org.id, areaId: org.areaId } : undefined;
      }
      case 'grant': {
        const g = await this.opts.grants.get(ref.grantId);
        return g ? { type: 'grant', ownerOrgId: g.ownerOrgId } : undefined;
      }
      case 'grant-owner':
        return { type: 'grant', ownerOrgId: ref.ownerOrgId };
      case 'audit-entry':
        return ref;
    }
  }

  private async siteResource(orgId: string, areaId: string): Promise<Resource | undefined> {
    const org = await this.opts.repos.orgs.get(orgId);
    return org ? { type: 'site', orgId, orgKind: org.kind, areaId } : undefined;
  }

  /** Records a refused attempt at footage (who tried to see what, stating which purpose). */
  async recordDenied(p: Principal, action: Action, resource: Resource, reason: string, ip: string | null, purpose: string | undefined): Promise<void> {
    if (!this.opts.audit || !FOOTAGE_ACTIONS.includes(action) || resource.type !== 'camera') return;
    const cam = resource.camera;
    // The purpose column holds ids of the controlled list only; a free-text one is kept as evidence in the detail.
    const known = reason !== 'unknown-purpose';
    await this.opts.audit.record({
      action, outcome: 'denied', actor: p, ip, purpose: known ? (purpose ?? null) : null,
      resource: { type: 'camera', id: `${cam.agentId}/${cam.cameraId}`, ownerOrgId: cam.ownerOrgId, areaId: cam.areaId },
      detail: known ? { reason } : { reason, statedPurpose: purpose ?? null },
    });
  }

  /** Records an access that was allowed and served; refuses (throws) when no trail is configured. */
  async recordAccess(input: AuditRecordInput): Promise<void> {
    if (!this.opts.audit) throw new Error('no audit trail: footage is not served unrecorded');
    await this.opts.audit.record(input);
  }

  /** One decision, start to end (for callers outside HTTP, e.g. a broker hook). */
  async check(user: User, action: Action, ref: ResourceRef, statedPurpose?: string): Promise<Decision | { allow: false; reason: 'not-found' }> {
    const resource = await this.resolve(ref);
    if (!resource) return { allow: false, reason: 'not-found' };
    const p = await this.principalFor(user);
    return decide(p, action, resource, await this.contextFor(p, statedPurpose));
  }
}

export function cameraScope(cam: CameraScope): CameraScope {
  return { agentId: cam.agentId, cameraId: cam.cameraId, ownerOrgId: cam.ownerOrgId, ownerOrgKind: cam.ownerOrgKind, areaId: cam.areaId, purposes: cam.purposes };
}

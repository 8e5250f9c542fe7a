/**
 * Opt-in sharing as an owner experiences it: grant (with recorded consent), list, revoke. A
 * revocation takes effect at once — the authorization point reads grants fresh on every request —
 * and each affected agent is told (a `sharing.update` command) which sharing still applies to
 * its cameras, so it stops sending shared clips at once too.
 */
import { randomUUID } from 'node:crypto';
import type { Principal } from '../authz/decide.ts';
import type { AuditTrail } from '../audit/trail.ts';
import { DomainError } from '../domain/errors.ts';
import type { DomainRepos } from '../domain/repositories.ts';
import type { CameraKey, OrgKind } from '../domain/types.ts';
import type { GrantRepository } from './repository.ts';
import { grantInForce } from '../authz/decide.ts';
import { CONSENT_VERSION, type SharingGrant, type SharingLevel } from './types.ts';

export interface GrantRequest {
  cameras: CameraKey[];
  granteeOrgIds: string[];
  granteeKinds: OrgKind[];
  levels: SharingLevel[];
  purposes: string[];
  hours?: { from: number; to: number } | null;
  validFrom?: string;
  validUntil?: string | null;
  consent: { version: string; accepted: boolean };
}

/** Tells an agent about a change; wired to the command service (`sharing.update`). */
export type AgentNotifier = (agentId: string, args: Record<string, unknown>) => void;

export interface AccessInfo {
  ip: string | null;
  id?: string;
}

export class SharingService {
  constructor(
    private readonly deps: { repos: DomainRepos; grants: GrantRepository; audit: AuditTrail; notify?: AgentNotifier; now?: () => Date },
  ) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  async create(p: Principal, req: GrantRequest, access: AccessInfo): Promise<SharingGrant> {
    if (!p.orgId) throw new DomainError(403, 'forbidden', 'only an organisation can share its cameras');
    if (!req.consent.accepted || req.consent.version !== CONSENT_VERSION) {
      throw new DomainError(400, 'consent-required', `sharing needs the owner's consent to the current terms (version ${CONSENT_VERSION})`);
    }
    if (req.granteeOrgIds.length === 0 && req.granteeKinds.length === 0) throw new DomainError(400, 'bad-request', 'name at least one grantee organisation or kind');
    for (const id of req.granteeOrgIds) if (!(await this.deps.repos.orgs.get(id))) throw new DomainError(400, 'bad-request', `unknown organisation ${id}`);
    const known = new Set((await this.deps.repos.purposes.list()).map((x) => x.id));
    for (const x of req.purposes) if (!known.has(x)) throw new DomainError(400, 'bad-request', `unknown purpose ${x}`);
    for (const key of req.cameras) {
      const cam = await this.deps.repos.inventory.get(key);
      if (!cam) throw new DomainError(404, 'not-found', `no camera ${key.agentId}/${key.cameraId}`);
      if (cam.ownerOrgId !== p.orgId) throw new DomainError(403, 'forbidden', `camera ${key.agentId}/${key.cameraId} is not yours to share`);
    }
    const now = this.now();
    const grant: SharingGrant = {
      id: access.id ?? `grant-${randomUUID()}`,
      ownerOrgId: p.orgId,
      cameras: dedupe(req.cameras),
      granteeOrgIds: [...new Set(req.granteeOrgIds)],
      granteeKinds: [...new Set(req.granteeKinds)],
      levels: [...new Set(req.levels)],
      purposes: [...new Set(req.purposes)],
      hours: req.hours ?? null,
      validFrom: req.validFrom ?? now.toISOString(),
      validUntil: req.validUntil ?? null,
      consentVersion: req.consent.version,
      consentedAt: now.toISOString(),
      consentedBy: p.userId,
      revokedAt: null,
      revokedBy: null,
    };
    if (grant.validUntil && Date.parse(grant.validUntil) <= Date.parse(grant.validFrom)) throw new DomainError(400, 'bad-request', 'validUntil must be after validFrom');
    if (await this.deps.grants.get(grant.id)) throw new DomainError(409, 'conflict', `grant ${grant.id} exists`);
    await this.deps.grants.create(grant);
    await this.deps.audit.record({
      action: 'grant.create',
      actor: p,
      resource: { type: 'grant', id: grant.id, ownerOrgId: grant.ownerOrgId },
      ip: access.ip,
      detail: { cameras: grant.cameras.map(keyString), granteeOrgIds: grant.granteeOrgIds, granteeKinds: grant.granteeKinds, levels: grant.levels, purposes: grant.purposes, hours: grant.hours, validUntil: grant.validUntil, consentVersion: grant.consentVersion },
    });
    await this.notifyAgents(grant, 'granted');
    return grant;
  }

  async revoke(p: Principal, grantId: string, access: AccessInfo): Promise<SharingGrant> {
    const grant = await this.deps.grants.get(grantId);
    if (!grant) throw new DomainError(404, 'not-found', `no grant ${grantId}`);
    if (grant.ownerOrgId !== p.orgId) throw new DomainError(403, 'forbidden', 'only the owner can revoke its grant');
    if (grant.revokedAt) return grant;
    const at = this.now();
    await this.deps.grants.revoke(grantId, p.userId, at);
    await this.deps.audit.record({ action: 'grant.revoke', actor: p, resource: { type: 'grant', id: grantId, ownerOrgId: grant.ownerOrgId }, ip: access.ip, detail: { cameras: grant.cameras.map(keyString) } });
    const revoked = { ...grant, revokedAt: at.toISOString(), revokedBy: p.userId };
    await this.notifyAgents(revoked, 'revoked');
    return revoked;
  }

  /** The owner's own grants, and the grants that share cameras with the principal's organisation. */
  async listFor(p: Principal): Promise<{ own: SharingGrant[]; sharedWithUs: SharingGrant[] }> {
    if (!p.orgId || !p.orgKind) return { own: [], sharedWithUs: [] };
    const [own, shared] = await Promise.all([this.deps.grants.listByOwner(p.orgId), this.deps.grants.listInForceFor(p.orgId, p.orgKind, this.now())]);
    return { own, sharedWithUs: shared.filter((g) => g.ownerOrgId !== p.orgId) };
  }

  /** For each camera of the grant, the sharing levels still in force after the change. */
  private async notifyAgents(grant: SharingGrant, change: 'granted' | 'revoked'): Promise<void> {
    if (!this.deps.notify) return;
    const now = this.now();
    const byAgent = new Map<string, CameraKey[]>();
    for (const k of grant.cameras) byAgent.set(k.agentId, [...(byAgent.get(k.agentId) ?? []), k]);
    for (const [agentId, keys] of byAgent) {
      const cameras = [];
      for (const k of keys) {
        const inForce = (await this.deps.grants.listForCamera(k)).filter((g) => grantInForce(g, now));
        cameras.push({ cameraId: k.cameraId, levels: [...new Set(inForce.flatMap((g) => g.levels))].sort(), grants: inForce.map((g) => g.id) });
      }
      this.deps.notify(agentId, { grantId: grant.id, change, levels: [...grant.levels].sort(), cameras });
    }
  }
}

function keyString(k: CameraKey): string {
  return `${k.agentId}/${k.cameraId}`;
}

function dedupe(keys: CameraKey[]): CameraKey[] {
  const seen = new Map(keys.map((k) => [keyString(k), k]));
  return [...seen.values()];
}

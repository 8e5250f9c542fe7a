/**
 * The audit trail service: records who did what (with their organisation, address and stated
 * purpose) and verifies the chain. Routes call `record` after the permission check and before
 * returning footage, so a view that is served is a view that is recorded.
 */
import type { Principal } from '../authz/decide.ts';
import { verifyChain, type AuditEntry, type AuditFacts, type ChainReport } from './chain.ts';
import type { AuditRepository } from './repository.ts';
import type { AuditAnchor } from './anchor.ts';

export interface AuditRecordInput {
  action: string;
  outcome?: AuditFacts['outcome'];
  actor?: Pick<Principal, 'userId' | 'username' | 'orgId'> | null;
  resource?: { type: string; id: string; ownerOrgId?: string | null; areaId?: string | null };
  ip?: string | null;
  purpose?: string | null;
  detail?: Record<string, unknown>;
}

export class AuditTrail {
  constructor(
    private readonly repo: AuditRepository,
    private readonly now: () => Date = () => new Date(),
    /** Signed heads and checkpoints outside the database (anchor.ts); absent: the chain alone. */
    private readonly anchor?: AuditAnchor,
  ) {}

  /** Anchors what is already in the trail when anchoring is switched on (call once at start). */
  async adoptExisting(): Promise<void> {
    this.anchor?.adopt(await this.repo.head(), this.now().toISOString());
  }

  async record(input: AuditRecordInput): Promise<AuditEntry> {
    const entry = await this.repo.append({
      at: this.now().toISOString(),
      actorUserId: input.actor?.userId ?? null,
      actorUsername: input.actor?.username ?? null,
      actorOrgId: input.actor?.orgId ?? null,
      action: input.action,
      outcome: input.outcome ?? 'done',
      resourceType: input.resource?.type ?? null,
      resourceId: input.resource?.id ?? null,
      ownerOrgId: input.resource?.ownerOrgId ?? null,
      areaId: input.resource?.areaId ?? null,
      ip: input.ip ?? null,
      purpose: input.purpose ?? null,
      detail: input.detail ?? {},
    });
    // No entry is reported written (and no footage served) before its signed head is on disk.
    this.anchor?.written(entry);
    return entry;
  }

  query(...args: Parameters<AuditRepository['query']>): Promise<AuditEntry[]> {
    return this.repo.query(...args);
  }

  /** Checks the chain, and against the signed anchor when there is one (`anchor` overrides the trail's own). */
  async verify(anchor: AuditAnchor | undefined = this.anchor): Promise<ChainReport> {
    return verifyChain(this.repo.scan(), await this.repo.head(), anchor?.read());
  }
}

/** Storage of sharing grants: the interface domain code uses, and its SQLite implementation. */
import type { Db } from '../db/database.ts';
import type { CameraKey, OrgKind } from '../domain/types.ts';
import type { SharingGrant, SharingLevel } from './types.ts';

export interface GrantRepository {
  create(grant: SharingGrant): Promise<void>;
  get(id: string): Promise<SharingGrant | undefined>;
  listByOwner(ownerOrgId: string): Promise<SharingGrant[]>;
  /** Grants not revoked and not expired whose grantee is this organisation or its kind. */
  listInForceFor(orgId: string, orgKind: OrgKind, now: Date): Promise<SharingGrant[]>;
  listForCamera(key: CameraKey): Promise<SharingGrant[]>;
  /** Stamps the revocation; false when it was already revoked or does not exist. */
  revoke(id: string, byUserId: number, at: Date): Promise<boolean>;
}

type Row = Record<string, unknown>;

export function createSqliteGrantRepository(db: Db): GrantRepository {
  const camerasOf = db.prepare('SELECT agent_id AS agentId, camera_id AS cameraId FROM sharing_grant_cameras WHERE grant_id = ? ORDER BY agent_id, camera_id');
  const toGrant = (r: Row): SharingGrant => ({
    id: r.id as string,
    ownerOrgId: r.owner_org_id as string,
    cameras: camerasOf.all(r.id) as CameraKey[],
    granteeOrgIds: JSON.parse(r.grantee_org_ids as string) as string[],
    granteeKinds: JSON.parse(r.grantee_kinds as string) as OrgKind[],
    levels: JSON.parse(r.levels as string) as SharingLevel[],
    purposes: JSON.parse(r.purposes as string) as string[],
    hours: r.hours_from == null ? null : { from: Number(r.hours_from), to: Number(r.hours_to) },
    validFrom: r.valid_from as string,
    validUntil: (r.valid_until as string | null) ?? null,
    consentVersion: r.consent_version as string,
    consentedAt: r.consented_at as string,
    consentedBy: Number(r.consented_by),
    revokedAt: (r.revoked_at as string | null) ?? null,
    revokedBy: r.revoked_by == null ? null : Number(r.revoked_by),
  });
  return {
    async create(g) {
      db.transaction(() => {
        db.prepare(
          `INSERT INTO sharing_grants (id, owner_org_id, grantee_org_ids, grantee_kinds, levels, purposes, hours_from, hours_to,
             valid_from, valid_until, consent_version, consented_at, consented_by)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(g.id, g.ownerOrgId, JSON.stringify(g.granteeOrgIds), JSON.stringify(g.granteeKinds), JSON.stringify(g.levels), JSON.stringify(g.purposes),
          g.hours?.from ?? null, g.hours?.to ?? null, g.validFrom, g.validUntil, g.consentVersion, g.consentedAt, g.consentedBy);
        const cam = db.prepare('INSERT OR IGNORE INTO sharing_grant_cameras (grant_id, agent_id, camera_id) VALUES (?, ?, ?)');
        for (const k of g.cameras) cam.run(g.id, k.agentId, k.cameraId);
      })();
    },
    async get(id) {
      const r = db.prepare('SELECT * FROM sharing_grants WHERE id = ?').get(id) as Row | undefined;
      return r ? toGrant(r) : undefined;
    },
    async listByOwner(ownerOrgId) {
      return (db.prepare('SELECT * FROM sharing_grants WHERE owner_org_id = ? ORDER BY consented_at DESC, id').all(ownerOrgId) as Row[]).map(toGrant);
    },
    async listInForceFor(orgId, orgKind, now) {
      const t = now.toISOString();
      const rows = db
        .prepare(
          `SELECT g.* FROM sharing_grants g
           WHERE g.revoked_at IS NULL AND g.valid_from <= ? AND (g.valid_until IS NULL OR g.valid_until > ?)
             AND (EXISTS (SELECT 1 FROM json_each(g.grantee_org_ids) WHERE value = ?)
               OR EXISTS (SELECT 1 FROM json_each(g.grantee_kinds) WHERE value = ?))
           ORDER BY g.id`,
        )
        .all(t, t, orgId, orgKind) as Row[];
      return rows.map(toGrant);
    },
    async listForCamera(key) {
      const rows = db
        .prepare('SELECT g.* FROM sharing_grants g JOIN sharing_grant_cameras c ON c.grant_id = g.id WHERE c.agent_id = ? AND c.camera_id = ? ORDER BY g.id')
        .all(key.agentId, key.cameraId) as Row[];
      return rows.map(toGrant);
    },
    async revoke(id, byUserId, at) {
      return db.prepare('UPDATE sharing_grants SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL').run(at.toISOString(), byUserId, id).changes > 0;
    },
  };
}

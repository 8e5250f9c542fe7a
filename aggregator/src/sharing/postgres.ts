/** The PostgreSQL implementation of the grant repository (port in repository.ts). */
import type { PgQueryable } from '../storage/postgres.ts';
import type { CameraKey, OrgKind } from '../domain/types.ts';
import type { GrantRepository } from './repository.ts';
import type { SharingGrant, SharingLevel } from './types.ts';

type Row = Record<string, unknown>;

export function createPostgresGrantRepository(db: PgQueryable): GrantRepository {
  const toGrants = async (rows: Row[]): Promise<SharingGrant[]> => {
    if (!rows.length) return [];
    const ids = rows.map((r) => r.id as string);
    const cams = (await db.query('SELECT grant_id, agent_id, camera_id FROM sharing_grant_cameras WHERE grant_id = ANY($1::text[]) ORDER BY agent_id, camera_id', [ids])).rows as Row[];
    const byGrant = new Map<string, CameraKey[]>();
    for (const c of cams) {
      const list = byGrant.get(c.grant_id as string) ?? [];
      list.push({ agentId: c.agent_id as string, cameraId: c.camera_id as string });
      byGrant.set(c.grant_id as string, list);
    }
    return rows.map((r) => ({
      id: r.id as string,
      ownerOrgId: r.owner_org_id as string,
      cameras: byGrant.get(r.id as string) ?? [],
      granteeOrgIds: r.grantee_org_ids as string[],
      granteeKinds: r.grantee_kinds as OrgKind[],
      levels: r.levels as SharingLevel[],
      purposes: r.purposes as string[],
      hours: r.hours_from == null ? null : { from: Number(r.hours_from), to: Number(r.hours_to) },
      validFrom: r.valid_from as string,
      validUntil: (r.valid_until as string | null) ?? null,
      consentVersion: r.consent_version as string,
      consentedAt: r.consented_at as string,
      consentedBy: Number(r.consented_by),
      revokedAt: (r.revoked_at as string | null) ?? null,
      revokedBy: r.revoked_by == null ? null : Number(r.revoked_by),
    }));
  };
  const select = async (sql: string, params: unknown[]) => toGrants((await db.query(sql, params)).rows as Row[]);
  return {
    async create(g) {
      // One statement: the grant and its cameras land together or not at all.
      await db.query(
        `WITH g AS (
           INSERT INTO sharing_grants (id, owner_org_id, grantee_org_ids, grantee_kinds, levels, purposes, hours_from, hours_to,
             valid_from, valid_until, consent_version, consented_at, consented_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id)
         INSERT INTO sharing_grant_cameras (grant_id, agent_id, camera_id)
         SELECT g.id, c.agent_id, c.camera_id FROM g, unnest($14::text[], $15::text[]) AS c(agent_id, camera_id)
         ON CONFLICT DO NOTHING`,
        [g.id, g.ownerOrgId, g.granteeOrgIds, g.granteeKinds, g.levels, g.purposes, g.hours?.from ?? null, g.hours?.to ?? null,
          g.validFrom, g.validUntil, g.consentVersion, g.consentedAt, g.consentedBy, g.cameras.map((k) => k.agentId), g.cameras.map((k) => k.cameraId)],
      );
    },
    async get(id) {
      return (await select('SELECT * FROM sharing_grants WHERE id = $1', [id]))[0];
    },
    async listByOwner(ownerOrgId) {
      return select('SELECT * FROM sharing_grants WHERE owner_org_id = $1 ORDER BY consented_at DESC, id', [ownerOrgId]);
    },
    async listInForceFor(orgId, orgKind, now) {
      const t = now.toISOString();
      return select(
        `SELECT * FROM sharing_grants
         WHERE revoked_at IS NULL AND valid_from <= $1 AND (valid_until IS NULL OR valid_until > $1)
           AND (grantee_org_ids @> ARRAY[$2::text] OR grantee_kinds @> ARRAY[$3::text])
         ORDER BY id`,
        [t, orgId, orgKind],
      );
    },
    async listForCamera(key) {
      return select(
        'SELECT g.* FROM sharing_grants g JOIN sharing_grant_cameras c ON c.grant_id = g.id WHERE c.agent_id = $1 AND c.camera_id = $2 ORDER BY g.id',
        [key.agentId, key.cameraId],
      );
    },
    async revoke(id, byUserId, at) {
      const r = await db.query('UPDATE sharing_grants SET revoked_at = $1, revoked_by = $2 WHERE id = $3 AND revoked_at IS NULL', [at.toISOString(), byUserId, id]);
      return (r.rowCount ?? 0) > 0;
    },
  };
}

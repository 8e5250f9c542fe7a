import type { Migration } from '../db/database.ts';

/** Sharing grants with their recorded consent, and the cameras each covers. Grants are never deleted: revocation stamps them. */
export const SHARING_MIGRATIONS: Migration[] = [
  {
    id: 'sharing-001',
    sql: `
      CREATE TABLE sharing_grants (
        id TEXT PRIMARY KEY,
        owner_org_id TEXT NOT NULL REFERENCES orgs(id),
        grantee_org_ids TEXT NOT NULL,
        grantee_kinds TEXT NOT NULL,
        levels TEXT NOT NULL,
        purposes TEXT NOT NULL,
        hours_from INTEGER,
        hours_to INTEGER,
        valid_from TEXT NOT NULL,
        valid_until TEXT,
        consent_version TEXT NOT NULL,
        consented_at TEXT NOT NULL,
        consented_by INTEGER NOT NULL REFERENCES users(id),
        revoked_at TEXT,
        revoked_by INTEGER REFERENCES users(id)
      );
      CREATE INDEX sharing_grants_owner ON sharing_grants(owner_org_id);
      CREATE TABLE sharing_grant_cameras (
        grant_id TEXT NOT NULL REFERENCES sharing_grants(id),
        agent_id TEXT NOT NULL,
        camera_id TEXT NOT NULL,
        PRIMARY KEY (grant_id, agent_id, camera_id)
      );
      CREATE INDEX sharing_grant_cameras_camera ON sharing_grant_cameras(agent_id, camera_id);
    `,
  },
];

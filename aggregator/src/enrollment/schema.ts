import type { Migration } from '../db/database.ts';

/** One-time enrollment tokens (only their sha256 is kept), each for one site (domain's `sites`). */
export const ENROLLMENT_MIGRATIONS: Migration[] = [
  {
    id: 'enrollment-001',
    sql: `
      CREATE TABLE enrollment_tokens (
        id TEXT PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,
        site_id TEXT NOT NULL REFERENCES sites(id),
        note TEXT,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at TEXT,
        agent_id TEXT
      );
    `,
  },
];

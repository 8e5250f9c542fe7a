import type { Migration } from '../db/database.ts';

/**
 * The audit trail: append-only (triggers refuse UPDATE and DELETE) and hash-chained; audit_head
 * remembers the last entry so that removing entries from the end is detected too.
 */
export const AUDIT_MIGRATIONS: Migration[] = [
  {
    id: 'audit-001',
    sql: `
      CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor_user_id INTEGER,
        actor_username TEXT,
        actor_org_id TEXT,
        action TEXT NOT NULL,
        outcome TEXT NOT NULL,
        resource_type TEXT,
        resource_id TEXT,
        owner_org_id TEXT,
        area_id TEXT,
        ip TEXT,
        purpose TEXT,
        detail TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      );
      CREATE INDEX audit_log_at ON audit_log(at);
      CREATE INDEX audit_log_owner ON audit_log(owner_org_id);
      CREATE INDEX audit_log_actor ON audit_log(actor_org_id);
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
      CREATE TABLE audit_head (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seq INTEGER NOT NULL,
        hash TEXT NOT NULL
      );
    `,
  },
];

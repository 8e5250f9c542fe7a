import type { Migration } from '../db/database.ts';

/**
 * Alerts: one row per occurrence. `pending` = the condition is seen but has not lasted long
 * enough yet (not shown); `active` = raised; `cleared` = over. At most one open (pending or
 * active) row per (kind, agent, camera); agent-level alerts have camera_id ''.
 */
export const ALERT_MIGRATIONS: Migration[] = [
  {
    id: 'alerts-001',
    sql: `
      CREATE TABLE alerts (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        agent_id TEXT NOT NULL,
        camera_id TEXT NOT NULL DEFAULT '',
        state TEXT NOT NULL,
        since TEXT NOT NULL,
        raised_at TEXT,
        cleared_at TEXT,
        last_seen_at TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '{}'
      );
      CREATE UNIQUE INDEX alerts_open ON alerts(kind, agent_id, camera_id) WHERE state != 'cleared';
      CREATE INDEX alerts_state ON alerts(state, raised_at);
    `,
  },
  {
    id: 'alerts-002',
    sql: `
      -- an operator took the alert in hand: who and when (it stays active until its cause clears)
      ALTER TABLE alerts ADD COLUMN acknowledged_at TEXT;
      ALTER TABLE alerts ADD COLUMN acknowledged_by TEXT;
    `,
  },
];

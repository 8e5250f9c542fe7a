import type { Migration } from '../storage/db.ts';

/** The uplink's tables in the agent database: the outbox and pending clip uploads. */
export const UPLINK_MIGRATIONS: Migration[] = [
  {
    id: 'outbox-001',
    up: `
      -- every message the agent produces, until the aggregator acknowledged it (PUBACK)
      CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY,
        type TEXT NOT NULL,
        -- 0 replies and events, 1 clip offers, 2 health: lower goes first
        priority INTEGER NOT NULL,
        payload BLOB NOT NULL,
        bytes INTEGER NOT NULL,
        created_at_ms INTEGER NOT NULL
      );
      CREATE INDEX outbox_order ON outbox (priority, seq);

      -- clips offered to the aggregator and what it still needs of them
      CREATE TABLE clip_uploads (
        clip_id TEXT PRIMARY KEY,
        file TEXT NOT NULL,
        offer_json TEXT NOT NULL,
        -- offered | done | cancelled | failed
        state TEXT NOT NULL,
        -- chunk indexes asked for by the aggregator and not yet acknowledged (JSON array)
        need_json TEXT NOT NULL DEFAULT '[]',
        created_at_ms INTEGER NOT NULL,
        updated_at_ms INTEGER NOT NULL
      );
    `,
  },
];

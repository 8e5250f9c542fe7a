import type { Migration } from '../db/database.ts';

export const FLEET_MIGRATIONS: Migration[] = [
  {
    id: 'fleet-001',
    sql: `
      CREATE TABLE agents (
        id TEXT PRIMARY KEY,
        name TEXT,
        secret_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        revoked_at TEXT,
        online INTEGER NOT NULL DEFAULT 0,
        last_seen_at TEXT,
        connected_at TEXT,
        version TEXT,
        build TEXT,
        heartbeat TEXT
      );
      CREATE TABLE cameras (
        agent_id TEXT NOT NULL REFERENCES agents(id),
        camera_id TEXT NOT NULL,
        name TEXT,
        online INTEGER NOT NULL DEFAULT 0,
        recording INTEGER NOT NULL DEFAULT 0,
        problem TEXT,
        record TEXT,
        conformance TEXT,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (agent_id, camera_id)
      );
    `,
  },
];

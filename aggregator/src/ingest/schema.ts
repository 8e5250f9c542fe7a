import type { Migration } from '../db/database.ts';

/**
 * Tables of ingest: the de-duplication window and the stored health samples and events.
 * See README.md in this folder for what each column holds.
 */
export const INGEST_MIGRATIONS: Migration[] = [
  {
    id: 'ingest-001',
    sql: `
      -- (agent_id, seq) of every outbox message stored; a redelivery finds its row and is skipped
      CREATE TABLE ingest_seen (
        agent_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        received_at_ms INTEGER NOT NULL,
        PRIMARY KEY (agent_id, seq)
      ) WITHOUT ROWID;
      CREATE INDEX ingest_seen_received ON ingest_seen (received_at_ms);

      -- one row per camera per health sample
      CREATE TABLE camera_health_samples (
        id INTEGER PRIMARY KEY,
        agent_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        camera_id TEXT NOT NULL,
        sampled_at TEXT NOT NULL,
        online INTEGER NOT NULL,
        recording INTEGER NOT NULL,
        fps REAL,
        bitrate_kbps REAL,
        last_segment_at TEXT,
        gaps_last_hour INTEGER,
        bytes_stored INTEGER,
        -- how many samples the agent's outbox merged into this one during an outage
        coalesced INTEGER NOT NULL DEFAULT 1,
        received_at TEXT NOT NULL
      );
      CREATE INDEX camera_health_samples_camera ON camera_health_samples (agent_id, camera_id, sampled_at);

      -- events as the agents reported them (detections, tamper, sound, gaps, retention, disk)
      CREATE TABLE agent_events (
        agent_id TEXT NOT NULL,
        event_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        kind TEXT NOT NULL,
        camera_id TEXT,
        started_at TEXT NOT NULL,
        ended_at TEXT,
        data_json TEXT NOT NULL,
        snapshot_jpeg BLOB,
        received_at TEXT NOT NULL,
        PRIMARY KEY (agent_id, event_id)
      );
      CREATE INDEX agent_events_started ON agent_events (started_at);
      CREATE INDEX agent_events_camera ON agent_events (agent_id, camera_id, started_at);
    `,
  },
  {
    id: 'ingest-002',
    sql: `
      -- the camera's newest segment-chain link as the agent reported it: the centre's anchor of
      -- the agent's tamper-evident footage history
      ALTER TABLE camera_health_samples ADD COLUMN chain_head TEXT;
    `,
  },
  {
    id: 'ingest-003',
    sql: `
      -- 0: a raw sample; 3600: one camera's samples of an hour folded by the time-series
      -- retention (timeseries/sqlite.ts), which bounds the table
      ALTER TABLE camera_health_samples ADD COLUMN bucket_seconds INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX camera_health_samples_age ON camera_health_samples (bucket_seconds, sampled_at);
    `,
  },
];

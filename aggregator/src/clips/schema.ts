import type { Migration } from '../db/database.ts';

/** Clips offered by agents, the chunks received so far, and where finished clips sit on disk. */
export const CLIPS_MIGRATIONS: Migration[] = [
  {
    id: 'clips-001',
    sql: `
      CREATE TABLE clips (
        agent_id TEXT NOT NULL,
        clip_id TEXT NOT NULL,
        camera_id TEXT NOT NULL,
        from_ts TEXT NOT NULL,
        to_ts TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        chunk_bytes INTEGER NOT NULL,
        chunks INTEGER NOT NULL,
        -- JSON array of the sha256 of the recorded segments the clip was cut from (from the agent)
        segment_hashes_json TEXT NOT NULL,
        reason TEXT,
        command_id TEXT,
        event_id TEXT,
        -- receiving | complete | failed
        state TEXT NOT NULL,
        received_chunks INTEGER NOT NULL DEFAULT 0,
        -- relative to the data dir: clips/<sha256[0:2]>/<sha256>.mp4 once complete
        path TEXT,
        error TEXT,
        offered_at TEXT NOT NULL,
        last_progress_at TEXT NOT NULL,
        completed_at TEXT,
        PRIMARY KEY (agent_id, clip_id)
      );
      CREATE INDEX clips_state ON clips (state, last_progress_at);
      CREATE INDEX clips_camera ON clips (agent_id, camera_id, from_ts);
      CREATE INDEX clips_sha ON clips (sha256);
      CREATE TABLE clip_chunks (
        agent_id TEXT NOT NULL,
        clip_id TEXT NOT NULL,
        idx INTEGER NOT NULL,
        PRIMARY KEY (agent_id, clip_id, idx)
      ) WITHOUT ROWID;
    `,
  },
];

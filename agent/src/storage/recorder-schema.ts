/** Tables of the recording index: segments (with the hash chain), gaps, pins, events, each camera's last known recording time. */
import type { Migration } from './db.ts';

export const RECORDER_MIGRATIONS: Migration[] = [
  {
    id: 'recorder-001',
    up: `
      CREATE TABLE segments (
        id INTEGER PRIMARY KEY,
        camera_id TEXT NOT NULL,
        -- relative to the data directory, e.g. segments/cam1/1763790000000-000001.mp4
        path TEXT NOT NULL UNIQUE,
        start_ms INTEGER NOT NULL,
        end_ms INTEGER NOT NULL,
        duration_ms INTEGER NOT NULL,
        bytes INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        -- sha256 of the previous segment of the same camera in index order (NULL for the first)
        prev_sha256 TEXT,
        -- sha256 over the previous link and this row's fields: an edited or removed row breaks it
        link TEXT NOT NULL,
        -- present | missing (file gone unexpectedly) | expired (deleted by retention)
        status TEXT NOT NULL DEFAULT 'present' CHECK (status IN ('present', 'missing', 'expired')),
        -- recorded | repaired (partial segment after a crash) | adopted (file found unindexed)
        origin TEXT NOT NULL DEFAULT 'recorded',
        removed_at_ms INTEGER,
        removed_reason TEXT,
        indexed_at_ms INTEGER NOT NULL
      );
      CREATE INDEX segments_camera_start ON segments (camera_id, start_ms);
      CREATE INDEX segments_camera_id ON segments (camera_id, id);
      CREATE INDEX segments_status_start ON segments (status, start_ms);

      -- bytes and counts of present segments per camera, kept by triggers so that retention and
      -- health never sum millions of rows
      CREATE TABLE camera_usage (
        camera_id TEXT PRIMARY KEY,
        bytes INTEGER NOT NULL DEFAULT 0,
        segments INTEGER NOT NULL DEFAULT 0
      );
      CREATE TRIGGER segments_usage_insert AFTER INSERT ON segments WHEN NEW.status = 'present'
      BEGIN
        INSERT INTO camera_usage (camera_id, bytes, segments) VALUES (NEW.camera_id, NEW.bytes, 1)
        ON CONFLICT (camera_id) DO UPDATE SET bytes = bytes + NEW.bytes, segments = segments + 1;
      END;
      CREATE TRIGGER segments_usage_leave AFTER UPDATE OF status ON segments
      WHEN OLD.status = 'present' AND NEW.status <> 'present'
      BEGIN
        UPDATE camera_usage SET bytes = bytes - OLD.bytes, segments = segments - 1 WHERE camera_id = OLD.camera_id;
      END;
      CREATE TRIGGER segments_usage_return AFTER UPDATE OF status ON segments
      WHEN OLD.status <> 'present' AND NEW.status = 'present'
      BEGIN
        INSERT INTO camera_usage (camera_id, bytes, segments) VALUES (NEW.camera_id, NEW.bytes, 1)
        ON CONFLICT (camera_id) DO UPDATE SET bytes = bytes + NEW.bytes, segments = segments + 1;
      END;

      CREATE TABLE gaps (
        id INTEGER PRIMARY KEY,
        camera_id TEXT NOT NULL,
        from_ms INTEGER NOT NULL,
        to_ms INTEGER NOT NULL,
        cause TEXT NOT NULL
      );
      CREATE INDEX gaps_camera_to ON gaps (camera_id, to_ms);

      -- segments overlapping a pin are kept by retention unless the free-space floor is breached
      CREATE TABLE pins (
        id TEXT PRIMARY KEY,
        camera_id TEXT NOT NULL,
        from_ms INTEGER NOT NULL,
        to_ms INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('upload', 'hold')),
        note TEXT,
        created_at_ms INTEGER NOT NULL,
        expires_at_ms INTEGER
      );
      CREATE INDEX pins_camera ON pins (camera_id, from_ms);

      -- gap, retention.loss, disk.full ... as emitted, so none is lost when nobody listens
      CREATE TABLE recorder_events (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        camera_id TEXT,
        started_at TEXT NOT NULL,
        ended_at TEXT,
        data_json TEXT NOT NULL
      );
    `,
  },
  {
    id: 'recorder-002',
    up: `
      -- Where a camera's chain continues after its oldest expired rows were pruned from the index:
      -- the last pruned row's hash and link, so verify walks on from there. Rows are pruned only
      -- in a prefix of the chain, and only once their footage was deleted by retention.
      CREATE TABLE chain_checkpoints (
        camera_id TEXT PRIMARY KEY,
        segment_id INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        link TEXT NOT NULL,
        end_ms INTEGER NOT NULL,
        pruned_rows INTEGER NOT NULL
      );
    `,
  },
  {
    id: 'recorder-003',
    up: `
      -- The last known recording time of each camera, so that a start can account for every hole
      -- since, even when earlier runs died before completing a segment (repeated crashes).
      --   covered_to_ms: every moment before it is footage or a gap row (kept by the triggers below,
      --                  in the same transaction as the row that extends it; a row after a hole
      --                  does not move it, so that a start interrupted after reconcile repaired
      --                  footage past a hole still finds the hole; the start's audit moves it);
      --   run_started_ms: when the recorder that last wrote here started (before: the agent was down);
      --   alive_ms:      when that recorder last wrote down its state (every few seconds);
      --   alive_cause:   why that camera was not recording then (NULL: it was recording).
      CREATE TABLE recording_state (
        camera_id TEXT PRIMARY KEY,
        covered_to_ms INTEGER,
        run_started_ms INTEGER,
        alive_ms INTEGER,
        alive_cause TEXT
      );
      CREATE TRIGGER segments_cover AFTER INSERT ON segments
      BEGIN
        INSERT INTO recording_state (camera_id, covered_to_ms) VALUES (NEW.camera_id, NEW.end_ms)
        ON CONFLICT (camera_id) DO UPDATE SET covered_to_ms = CASE
          WHEN covered_to_ms IS NULL THEN NEW.end_ms
          WHEN NEW.start_ms <= covered_to_ms + 250 THEN MAX(covered_to_ms, NEW.end_ms)
          ELSE covered_to_ms END;
      END;
      CREATE TRIGGER gaps_cover AFTER INSERT ON gaps
      BEGIN
        INSERT INTO recording_state (camera_id, covered_to_ms) VALUES (NEW.camera_id, NEW.to_ms)
        ON CONFLICT (camera_id) DO UPDATE SET covered_to_ms = CASE
          WHEN covered_to_ms IS NULL THEN NEW.to_ms
          WHEN NEW.from_ms <= covered_to_ms + 250 THEN MAX(covered_to_ms, NEW.to_ms)
          ELSE covered_to_ms END;
      END;
      INSERT INTO recording_state (camera_id, covered_to_ms)
        SELECT camera_id, MAX(e) FROM (
          SELECT camera_id, end_ms AS e FROM segments
          UNION ALL SELECT camera_id, to_ms FROM gaps
          UNION ALL SELECT camera_id, end_ms FROM chain_checkpoints
        ) GROUP BY camera_id;
    `,
  },
];

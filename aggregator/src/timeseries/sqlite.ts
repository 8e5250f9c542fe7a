/**
 * Embedded time series on SQLite: the `camera_health_samples` table (ingest writes a row per
 * camera per health sample inside its batch transaction). `maintain` keeps the file bounded:
 * raw rows older than `rawHours` are folded into one row per camera and UTC hour
 * (`bucket_seconds = 3600`: online/recording by majority, fps/bitrate averaged, gaps the
 * maximum, bytes and the chain head of the newest sample, `coalesced` the count), and every row
 * older than `retentionDays` is deleted.
 *
 * Bound per camera: rawHours × 3600 / health interval raw rows + retentionDays × 24 hourly rows
 * (defaults 6 h, 30 days, a sample every 10 s: 2,160 + 720 = 2,880 rows, about 0.85 MB with
 * indexes (measured ≈ 290 bytes a row); samples delivered late after an outage longer than rawHours add at most one more row
 * per hour).
 */
import type { Db } from '../db/database.ts';
import type { CameraHealthPoint, CameraHealthQuery, MaintainResult, TimeSeriesRetention, TimeSeriesStore } from './port.ts';
import { DEFAULT_RETENTION } from './port.ts';

const HOUR_MS = 3600_000;

export class SqliteTimeSeries implements TimeSeriesStore {
  readonly engine = 'sqlite' as const;
  private readonly retention: TimeSeriesRetention;

  constructor(
    private readonly db: Db,
    retention: Partial<TimeSeriesRetention> = {},
  ) {
    this.retention = { ...DEFAULT_RETENTION, ...retention };
  }

  async cameraHealth(q: CameraHealthQuery): Promise<CameraHealthPoint[]> {
    const rows = this.db
      .prepare(
        `SELECT sampled_at, online, recording, fps, bitrate_kbps, gaps_last_hour, bytes_stored FROM camera_health_samples
         WHERE agent_id = @agentId AND camera_id = @cameraId AND sampled_at >= @since AND (@until IS NULL OR sampled_at < @until)
         ORDER BY sampled_at DESC, id DESC LIMIT @limit`,
      )
      .all({ agentId: q.agentId, cameraId: q.cameraId, since: q.since.toISOString(), until: q.until?.toISOString() ?? null, limit: q.limit }) as Array<Record<string, unknown>>;
    return rows.reverse().map((r) => ({
      at: r.sampled_at as string,
      online: r.online === 1,
      recording: r.recording === 1,
      fps: (r.fps as number | null) ?? null,
      bitrateKbps: (r.bitrate_kbps as number | null) ?? null,
      gapsLastHour: (r.gaps_last_hour as number | null) ?? null,
      bytesStored: (r.bytes_stored as number | null) ?? null,
    }));
  }

  recordHealth(): void {
    // Ingest stored the rows in its transaction (acknowledged only once stored).
  }

  recordHeartbeat(): void {
    // Agent load history is not kept in the embedded store; the latest heartbeat is the fleet's.
  }

  async maintain(now: Date): Promise<MaintainResult> {
    // Whole hours only, so a bucket is folded once, with every raw sample it will normally get.
    const cutoff = new Date(Math.floor((now.getTime() - this.retention.rawHours * HOUR_MS) / HOUR_MS) * HOUR_MS).toISOString();
    const expiry = new Date(now.getTime() - this.retention.retentionDays * 24 * HOUR_MS).toISOString();
    const db = this.db;
    return db.transaction(() => {
      const folded = db
        .prepare(
          `INSERT INTO camera_health_samples (agent_id, seq, camera_id, sampled_at, online, recording, fps, bitrate_kbps,
             last_segment_at, gaps_last_hour, bytes_stored, coalesced, received_at, chain_head, bucket_seconds)
           SELECT s.agent_id, MAX(s.seq), s.camera_id, strftime('%Y-%m-%dT%H:00:00.000Z', s.sampled_at) AS bucket,
             AVG(s.online) >= 0.5, AVG(s.recording) >= 0.5, AVG(s.fps), AVG(s.bitrate_kbps), MAX(s.last_segment_at), MAX(s.gaps_last_hour),
             (SELECT l.bytes_stored FROM camera_health_samples l WHERE l.agent_id = s.agent_id AND l.camera_id = s.camera_id AND l.bucket_seconds = 0
                AND l.sampled_at >= strftime('%Y-%m-%dT%H:00:00.000Z', s.sampled_at) AND l.sampled_at < @cutoff ORDER BY l.sampled_at DESC LIMIT 1),
             SUM(s.coalesced), MAX(s.received_at),
             (SELECT l.chain_head FROM camera_health_samples l WHERE l.agent_id = s.agent_id AND l.camera_id = s.camera_id AND l.bucket_seconds = 0
                AND l.chain_head IS NOT NULL AND l.sampled_at >= strftime('%Y-%m-%dT%H:00:00.000Z', s.sampled_at) AND l.sampled_at < @cutoff
                ORDER BY l.sampled_at DESC LIMIT 1),
             3600
           FROM camera_health_samples s
           WHERE s.bucket_seconds = 0 AND s.sampled_at < @cutoff
           GROUP BY s.agent_id, s.camera_id, bucket`,
        )
        .run({ cutoff }).changes;
      const removedRaw = db.prepare('DELETE FROM camera_health_samples WHERE bucket_seconds = 0 AND sampled_at < ?').run(cutoff).changes;
      const expired = db.prepare('DELETE FROM camera_health_samples WHERE sampled_at < ?').run(expiry).changes;
      return { downsampled: removedRaw, hourly: folded, deleted: removedRaw + expired };
    })();
  }

  async close(): Promise<void> {}
}

/**
 * The time-series port: camera health (online, recording, fps, bitrate, gaps, bytes) and agent
 * load (CPU, memory, disk, temperature, clock offset) over time. The relational store keeps only
 * the latest state per camera/agent (fleet); history lives behind this port:
 *
 * - `sqlite.ts` (embedded): the `camera_health_samples` rows ingest writes inside its batch
 *   transaction, bounded by retention and downsampling (`maintain`).
 * - `victoria.ts` (cluster): VictoriaMetrics, written in InfluxDB line protocol after ingest's
 *   commit, read through its export API; retention is the server's `-retentionPeriod`.
 *
 * The camera page's chart reads `cameraHealth` whichever adapter is configured.
 */
import type { Message } from '@camfleet/shared';

export interface CameraHealthPoint {
  /** Sample time (bucket start for downsampled points). */
  at: string;
  online: boolean;
  recording: boolean;
  fps: number | null;
  bitrateKbps: number | null;
  gapsLastHour: number | null;
  bytesStored: number | null;
}

export interface CameraHealthQuery {
  agentId: string;
  cameraId: string;
  since: Date;
  until?: Date;
  /** At most this many points: the newest ones. */
  limit: number;
}

export interface MaintainResult {
  /** Raw samples folded into hourly points... */
  downsampled: number;
  /** ...making this many hourly points. */
  hourly: number;
  /** Rows removed: raw rows folded, and points past retention. */
  deleted: number;
}

export interface TimeSeriesStore {
  readonly engine: 'sqlite' | 'victoria';
  /** Oldest first. */
  cameraHealth(q: CameraHealthQuery): Promise<CameraHealthPoint[]>;
  /** A committed health sample (ingest's onCommitted); the SQLite adapter already has it from the transaction. */
  recordHealth(m: Message<'health'>): void;
  /** A committed heartbeat: agent CPU, memory, disk, temperature. */
  recordHeartbeat(m: Message<'heartbeat'>): void;
  /** Retention and downsampling; a no-op where the engine enforces retention itself. */
  maintain(now: Date): Promise<MaintainResult>;
  close(): Promise<void>;
}

export interface TimeSeriesRetention {
  /** Raw samples are kept this long, then folded into one point per camera and hour. */
  rawHours: number;
  /** Points (raw or hourly) older than this are deleted. */
  retentionDays: number;
}

export const DEFAULT_RETENTION: TimeSeriesRetention = { rawHours: 6, retentionDays: 30 };

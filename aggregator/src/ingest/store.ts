/**
 * Reads and writes of ingested health samples and events (tables in schema.ts). Writes run
 * inside ingest's batch transaction; reads are for the API, alerts and the dashboard.
 */
import type { BodyOf } from '@camfleet/shared';
import type { Db } from '../db/database.ts';

export interface HealthSampleRow {
  agentId: string;
  seq: number;
  cameraId: string;
  sampledAt: string;
  online: boolean;
  recording: boolean;
  fps: number | null;
  bitrateKbps: number | null;
  lastSegmentAt: string | null;
  gapsLastHour: number | null;
  bytesStored: number | null;
  coalesced: number;
  /** The camera's newest footage-chain link when the sample was taken (see the agent's `verify --anchor`). */
  chainHead: string | null;
}

export interface AgentEventRow {
  agentId: string;
  eventId: string;
  seq: number;
  kind: string;
  cameraId: string | null;
  startedAt: string;
  endedAt: string | null;
  data: Record<string, unknown>;
  hasSnapshot: boolean;
  receivedAt: string;
}

export class IngestStore {
  private readonly insertHealth;
  private readonly insertEvent;

  constructor(private readonly db: Db) {
    this.insertHealth = db.prepare(
      `INSERT INTO camera_health_samples (agent_id, seq, camera_id, sampled_at, online, recording, fps, bitrate_kbps,
         last_segment_at, gaps_last_hour, bytes_stored, coalesced, received_at, chain_head)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertEvent = db.prepare(
      `INSERT OR IGNORE INTO agent_events (agent_id, event_id, seq, kind, camera_id, started_at, ended_at, data_json, snapshot_jpeg, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  addHealthSample(agentId: string, seq: number, body: BodyOf<'health'>, receivedAt = new Date()): void {
    const at = receivedAt.toISOString();
    for (const c of body.cameras) {
      this.insertHealth.run(
        agentId,
        seq,
        c.cameraId,
        body.sampledAt,
        c.online ? 1 : 0,
        c.recording ? 1 : 0,
        c.fps ?? null,
        c.bitrateKbps ?? null,
        c.lastSegmentAt ?? null,
        c.gapsLastHour ?? null,
        c.bytesStored ?? null,
        body.coalesced ?? 1,
        at,
        c.chainHead ?? null,
      );
    }
  }

  /** Returns false when the event was already stored (same agent and event id). */
  addEvent(agentId: string, seq: number, body: BodyOf<'event'>, receivedAt = new Date()): boolean {
    const snapshot = body.snapshotJpegBase64 ? Buffer.from(body.snapshotJpegBase64, 'base64') : null;
    return (
      this.insertEvent.run(
        agentId,
        body.eventId,
        seq,
        body.kind,
        body.cameraId ?? null,
        body.startedAt,
        body.endedAt ?? null,
        JSON.stringify(body.data ?? {}),
        snapshot,
        receivedAt.toISOString(),
      ).changes > 0
    );
  }

  healthSamples(filter: { agentId?: string; cameraId?: string; since?: string; limit?: number } = {}): HealthSampleRow[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM camera_health_samples
         WHERE (@agentId IS NULL OR agent_id = @agentId) AND (@cameraId IS NULL OR camera_id = @cameraId)
           AND (@since IS NULL OR sampled_at >= @since)
         ORDER BY sampled_at DESC, id DESC LIMIT @limit`,
      )
      .all({ agentId: filter.agentId ?? null, cameraId: filter.cameraId ?? null, since: filter.since ?? null, limit: filter.limit ?? 1000 }) as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      agentId: r.agent_id as string,
      seq: r.seq as number,
      cameraId: r.camera_id as string,
      sampledAt: r.sampled_at as string,
      online: r.online === 1,
      recording: r.recording === 1,
      fps: (r.fps as number | null) ?? null,
      bitrateKbps: (r.bitrate_kbps as number | null) ?? null,
      lastSegmentAt: (r.last_segment_at as string | null) ?? null,
      gapsLastHour: (r.gaps_last_hour as number | null) ?? null,
      bytesStored: (r.bytes_stored as number | null) ?? null,
      coalesced: r.coalesced as number,
      chainHead: (r.chain_head as string | null) ?? null,
    }));
  }

  events(filter: { agentId?: string; cameraId?: string; kind?: string; since?: string; limit?: number } = {}): AgentEventRow[] {
    const rows = this.db
      .prepare(
        `SELECT agent_id, event_id, seq, kind, camera_id, started_at, ended_at, data_json, snapshot_jpeg IS NOT NULL AS has_snapshot, received_at
         FROM agent_events
         WHERE (@agentId IS NULL OR agent_id = @agentId) AND (@cameraId IS NULL OR camera_id = @cameraId)
           AND (@kind IS NULL OR kind = @kind) AND (@since IS NULL OR started_at >= @since)
         ORDER BY started_at DESC LIMIT @limit`,
      )
      .all({
        agentId: filter.agentId ?? null,
        cameraId: filter.cameraId ?? null,
        kind: filter.kind ?? null,
        since: filter.since ?? null,
        limit: filter.limit ?? 1000,
      }) as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      agentId: r.agent_id as string,
      eventId: r.event_id as string,
      seq: r.seq as number,
      kind: r.kind as string,
      cameraId: (r.camera_id as string | null) ?? null,
      startedAt: r.started_at as string,
      endedAt: (r.ended_at as string | null) ?? null,
      data: JSON.parse(r.data_json as string) as Record<string, unknown>,
      hasSnapshot: r.has_snapshot === 1,
      receivedAt: r.received_at as string,
    }));
  }

  eventSnapshot(agentId: string, eventId: string): Buffer | undefined {
    return (this.db.prepare('SELECT snapshot_jpeg FROM agent_events WHERE agent_id = ? AND event_id = ?').pluck().get(agentId, eventId) as Buffer | null) ?? undefined;
  }
}

/** The fleet registry: agents, their connection state and the cameras they report. */
import { EventEmitter } from 'node:events';
import type { BodyOf, CameraReport } from '@camfleet/shared';
import type { Db } from '../db/database.ts';
import { hashPassword, newSecret } from '../auth/secrets.ts';

export interface AgentRow {
  id: string;
  name: string | null;
  online: boolean;
  lastSeenAt: string | null;
  connectedAt: string | null;
  version: string | null;
  build: string | null;
  revoked: boolean;
  heartbeat: BodyOf<'heartbeat'> | null;
}

export interface CameraRow {
  agentId: string;
  cameraId: string;
  name: string | null;
  /** The camera's own report, and the agent being online: a camera behind an offline agent is offline. */
  online: boolean;
  recording: boolean;
  problem: string | null;
  record: CameraReport['record'] | null;
  conformance: CameraReport['conformance'] | null;
  updatedAt: string;
}

/** What changed in the fleet; listeners (the dashboard's live stream) re-read what they may see. */
export interface FleetChange {
  agentId: string;
  what: 'agent' | 'cameras';
}

export class FleetStore {
  /** Emits 'change' (FleetChange) after every write that alters agent or camera state. */
  readonly changes = new EventEmitter<{ change: [FleetChange] }>();

  /**
   * How a new agent's secret is stored. scrypt by default (the CLI and the seed, which do not hold
   * the server's key; such hashes are upgraded at first connect); the uplink sets the keyed hash.
   */
  private hashSecret: (secret: string) => string = hashPassword;

  constructor(private readonly db: Db) {}

  useSecretHash(hash: (secret: string) => string): void {
    this.hashSecret = hash;
  }

  private changed(agentId: string, what: FleetChange['what']): void {
    this.changes.emit('change', { agentId, what });
  }

  /** Registers an agent and returns its MQTT password (shown once; only its hash is kept). */
  createAgent(id: string, name?: string): { agentId: string; password: string } {
    const password = newSecret();
    this.db
      .prepare('INSERT INTO agents (id, name, secret_hash, created_at) VALUES (?, ?, ?, ?)')
      .run(id, name ?? null, this.hashSecret(password), new Date().toISOString());
    return { agentId: id, password };
  }

  revokeAgent(id: string): boolean {
    const revoked = this.db.prepare('UPDATE agents SET revoked_at = ?, online = 0 WHERE id = ? AND revoked_at IS NULL').run(new Date().toISOString(), id).changes > 0;
    if (revoked) this.changed(id, 'agent');
    return revoked;
  }

  setOnline(id: string, online: boolean, at = new Date()): void {
    const ts = at.toISOString();
    if (online) this.db.prepare('UPDATE agents SET online = 1, last_seen_at = ?, connected_at = ? WHERE id = ?').run(ts, ts, id);
    else this.db.prepare('UPDATE agents SET online = 0, last_seen_at = ? WHERE id = ?').run(ts, id);
    this.changed(id, 'agent');
  }

  recordHeartbeat(id: string, hb: BodyOf<'heartbeat'>, at = new Date()): void {
    this.db
      .prepare('UPDATE agents SET online = 1, last_seen_at = ?, version = ?, build = ?, heartbeat = ? WHERE id = ?')
      .run(at.toISOString(), hb.version, hb.build, JSON.stringify(hb), id);
    this.changed(id, 'agent');
  }

  /** Replaces the agent's camera list with the reported one (cameras no longer reported are removed). */
  replaceCameras(agentId: string, cameras: CameraReport[], at = new Date()): void {
    const upsert = this.db.prepare(
      `INSERT INTO cameras (agent_id, camera_id, name, online, recording, problem, record, conformance, updated_at)
       VALUES (@agentId, @cameraId, @name, @online, @recording, @problem, @record, @conformance, @updatedAt)
       ON CONFLICT (agent_id, camera_id) DO UPDATE SET name = excluded.name, online = excluded.online,
         recording = excluded.recording, problem = excluded.problem,
         record = COALESCE(excluded.record, cameras.record),
         conformance = COALESCE(excluded.conformance, cameras.conformance), updated_at = excluded.updated_at`,
    );
    this.db.transaction(() => {
      const keep = new Set(cameras.map((c) => c.id));
      const existing = this.db.prepare('SELECT camera_id FROM cameras WHERE agent_id = ?').pluck().all(agentId) as string[];
      const del = this.db.prepare('DELETE FROM cameras WHERE agent_id = ? AND camera_id = ?');
      for (const id of existing) if (!keep.has(id)) del.run(agentId, id);
      for (const c of cameras) {
        upsert.run({
          agentId,
          cameraId: c.id,
          name: c.name ?? null,
          online: c.online ? 1 : 0,
          recording: c.recording ? 1 : 0,
          problem: c.problem ?? null,
          record: c.record ? JSON.stringify(c.record) : null,
          conformance: c.conformance ? JSON.stringify(c.conformance) : null,
          updatedAt: at.toISOString(),
        });
      }
    })();
    this.changed(agentId, 'cameras');
  }

  listAgents(): AgentRow[] {
    const rows = this.db.prepare('SELECT * FROM agents ORDER BY id').all() as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      id: r.id as string,
      name: (r.name as string | null) ?? null,
      online: r.online === 1,
      lastSeenAt: (r.last_seen_at as string | null) ?? null,
      connectedAt: (r.connected_at as string | null) ?? null,
      version: (r.version as string | null) ?? null,
      build: (r.build as string | null) ?? null,
      revoked: r.revoked_at != null,
      heartbeat: r.heartbeat ? (JSON.parse(r.heartbeat as string) as BodyOf<'heartbeat'>) : null,
    }));
  }

  listCameras(): CameraRow[] {
    const rows = this.db
      .prepare(
        `SELECT c.*, a.online AS agent_online FROM cameras c JOIN agents a ON a.id = c.agent_id
         ORDER BY c.agent_id, c.camera_id`,
      )
      .all() as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      agentId: r.agent_id as string,
      cameraId: r.camera_id as string,
      name: (r.name as string | null) ?? null,
      online: r.online === 1 && r.agent_online === 1,
      recording: r.recording === 1 && r.agent_online === 1,
      problem: r.agent_online === 1 ? ((r.problem as string | null) ?? null) : 'agent offline',
      record: r.record ? JSON.parse(r.record as string) : null,
      conformance: r.conformance ? JSON.parse(r.conformance as string) : null,
      updatedAt: r.updated_at as string,
    }));
  }
}

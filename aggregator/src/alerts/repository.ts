/** Storage of alerts: the interface the engine uses and its SQLite implementation. */
import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/database.ts';

export const ALERT_KINDS = ['camera_offline', 'not_recording', 'recording_gap', 'disk_low', 'clock_skew', 'tamper', 'non_conformant'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export interface Alert {
  id: number;
  kind: AlertKind;
  agentId: string;
  /** null for an alert about the agent (disk, clock). */
  cameraId: string | null;
  state: 'pending' | 'active' | 'cleared';
  since: string;
  raisedAt: string | null;
  clearedAt: string | null;
  lastSeenAt: string;
  detail: Record<string, unknown>;
  /** Set when an operator acknowledged the alert; it stays active until its cause clears. */
  acknowledgedAt?: string | null;
  acknowledgedBy?: string | null;
}

export interface AlertRepository {
  open(kind: AlertKind, agentId: string, cameraId: string | null): Alert | undefined;
  insert(a: Omit<Alert, 'id'>): void;
  update(id: number, changes: Partial<Pick<Alert, 'state' | 'raisedAt' | 'clearedAt' | 'lastSeenAt' | 'detail'>>): void;
  listOpen(): Alert[];
  get(id: number): Alert | undefined;
  /** Marks an active alert acknowledged; false when it is not active or already acknowledged. */
  acknowledge(id: number, by: string, at: string): boolean;
  /** Raised alerts (active, or cleared since `clearedSince`), newest first. */
  list(q: { state: 'active' | 'cleared' | 'all'; clearedSince?: string; limit: number }): Alert[];
}

type Row = Record<string, unknown>;
const toAlert = (r: Row): Alert => ({
  id: Number(r.id),
  kind: r.kind as AlertKind,
  agentId: r.agent_id as string,
  cameraId: r.camera_id ? (r.camera_id as string) : null,
  state: r.state as Alert['state'],
  since: r.since as string,
  raisedAt: (r.raised_at as string | null) ?? null,
  clearedAt: (r.cleared_at as string | null) ?? null,
  lastSeenAt: r.last_seen_at as string,
  detail: JSON.parse(r.detail as string) as Record<string, unknown>,
  acknowledgedAt: (r.acknowledged_at as string | null) ?? null,
  acknowledgedBy: (r.acknowledged_by as string | null) ?? null,
});

// Synchronous on purpose: the engine runs inside ingest's synchronous message handlers. A
// PostgreSQL deployment would queue observations instead.
export function createSqliteAlertRepository(db: Db): AlertRepository {
  // Statements are prepared once: the engine runs for every ingested message (a hot path).
  const statements = new Map<string, Statement<unknown[]>>();
  const stmt = (sql: string): Statement<unknown[]> => {
    let s = statements.get(sql);
    if (!s) statements.set(sql, (s = db.prepare<unknown[]>(sql)));
    return s;
  };
  return {
    open(kind, agentId, cameraId) {
      const r = stmt("SELECT * FROM alerts WHERE kind = ? AND agent_id = ? AND camera_id = ? AND state != 'cleared'").get(kind, agentId, cameraId ?? '') as Row | undefined;
      return r ? toAlert(r) : undefined;
    },
    get(id) {
      const r = stmt('SELECT * FROM alerts WHERE id = ?').get(id) as Row | undefined;
      return r ? toAlert(r) : undefined;
    },
    acknowledge(id, by, at) {
      return stmt("UPDATE alerts SET acknowledged_at = ?, acknowledged_by = ? WHERE id = ? AND state = 'active' AND acknowledged_at IS NULL").run(at, by, id).changes > 0;
    },
    insert(a) {
      stmt('INSERT INTO alerts (kind, agent_id, camera_id, state, since, raised_at, cleared_at, last_seen_at, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
        a.kind, a.agentId, a.cameraId ?? '', a.state, a.since, a.raisedAt, a.clearedAt, a.lastSeenAt, JSON.stringify(a.detail),
      );
    },
    update(id, ch) {
      const sets: string[] = [];
      const args: unknown[] = [];
      if (ch.state !== undefined) sets.push('state = ?'), args.push(ch.state);
      if (ch.raisedAt !== undefined) sets.push('raised_at = ?'), args.push(ch.raisedAt);
      if (ch.clearedAt !== undefined) sets.push('cleared_at = ?'), args.push(ch.clearedAt);
      if (ch.lastSeenAt !== undefined) sets.push('last_seen_at = ?'), args.push(ch.lastSeenAt);
      if (ch.detail !== undefined) sets.push('detail = ?'), args.push(JSON.stringify(ch.detail));
      if (sets.length) stmt(`UPDATE alerts SET ${sets.join(', ')} WHERE id = ?`).run(...args, id);
    },
    listOpen() {
      return (stmt("SELECT * FROM alerts WHERE state != 'cleared'").all() as Row[]).map(toAlert);
    },
    list(q) {
      const where =
        q.state === 'active' ? "state = 'active'" : q.state === 'cleared' ? "state = 'cleared' AND raised_at IS NOT NULL" : "(state = 'active' OR (state = 'cleared' AND raised_at IS NOT NULL))";
      const since = q.clearedSince && q.state !== 'active' ? ' AND (cleared_at IS NULL OR cleared_at >= ?)' : '';
      const args: unknown[] = since ? [q.clearedSince, q.limit] : [q.limit];
      return (stmt(`SELECT * FROM alerts WHERE ${where}${since} ORDER BY COALESCE(cleared_at, raised_at) DESC, id DESC LIMIT ?`).all(...args) as Row[]).map(toAlert);
    },
  };
}

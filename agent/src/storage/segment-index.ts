/**
 * The recording index: one row per finished segment, chained by hashes per camera, plus gaps,
 * pins (pending uploads, evidence holds) and recorder events. Synchronous (better-sqlite3);
 * every method is one short statement or transaction.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { AgentDb } from './db.ts';

export type SegmentStatus = 'present' | 'missing' | 'expired';
export type SegmentOrigin = 'recorded' | 'repaired' | 'adopted';

export interface SegmentRow {
  id: number;
  cameraId: string;
  path: string;
  startMs: number;
  endMs: number;
  durationMs: number;
  bytes: number;
  sha256: string;
  prevSha256: string | null;
  link: string;
  status: SegmentStatus;
  origin: SegmentOrigin;
  removedAtMs: number | null;
  removedReason: string | null;
}

export interface NewSegment {
  cameraId: string;
  path: string;
  startMs: number;
  endMs: number;
  bytes: number;
  sha256: string;
  origin?: SegmentOrigin;
}

export interface GapRow {
  id: number;
  cameraId: string;
  fromMs: number;
  toMs: number;
  cause: string;
}

export type PinKind = 'upload' | 'hold';
export interface PinRow {
  id: string;
  cameraId: string;
  fromMs: number;
  toMs: number;
  kind: PinKind;
  note: string | null;
  createdAtMs: number;
  expiresAtMs: number | null;
}

export interface StoredEvent {
  id: string;
  kind: string;
  cameraId?: string;
  startedAt: string;
  endedAt?: string;
  data: Record<string, unknown>;
}

/** A camera's last known recording time: what a start must account for (recorder-003). */
export interface RecordingState {
  cameraId: string;
  /** Every moment before this is footage or a gap row. */
  coveredToMs: number | null;
  /** When the recorder that last noted its state started. */
  runStartedMs: number | null;
  /** The last time a running recorder wrote down this camera's state. */
  aliveMs: number | null;
  /** Why the camera was not recording at aliveMs; null when it was. */
  aliveCause: string | null;
}

/** The last pruned row of a camera's chain: hash and link are all the chain needs of it. */
export interface ChainCheckpoint {
  segmentId: number;
  sha256: string;
  link: string;
  endMs: number;
  prunedRows: number;
}

/** The chain link of a row: binds its fields to the link of the camera's previous row. */
export function segmentLink(prevLink: string | null, s: Pick<SegmentRow, 'cameraId' | 'path' | 'startMs' | 'endMs' | 'bytes' | 'sha256'>): string {
  return createHash('sha256')
    .update([prevLink ?? 'genesis', s.cameraId, s.path, s.startMs, s.endMs, s.bytes, s.sha256].join('\n'))
    .digest('hex');
}

function segmentColumns(t = ''): string {
  return `${t}id AS id, ${t}camera_id AS cameraId, ${t}path AS path, ${t}start_ms AS startMs, ${t}end_ms AS endMs,
  ${t}duration_ms AS durationMs, ${t}bytes AS bytes, ${t}sha256 AS sha256, ${t}prev_sha256 AS prevSha256, ${t}link AS link,
  ${t}status AS status, ${t}origin AS origin, ${t}removed_at_ms AS removedAtMs, ${t}removed_reason AS removedReason`;
}
const SEGMENT_COLUMNS = segmentColumns();

export class SegmentIndex {
  constructor(readonly db: AgentDb) {}

  /** Appends a finished segment to its camera's chain. */
  addSegment(s: NewSegment, nowMs = Date.now()): SegmentRow {
    return this.db.transaction(() => {
      const prev = this.lastInChain(s.cameraId) ?? this.checkpoint(s.cameraId);
      const link = segmentLink(prev?.link ?? null, s);
      const info = this.db
        .prepare(
          `INSERT INTO segments (camera_id, path, start_ms, end_ms, duration_ms, bytes, sha256, prev_sha256, link, origin, indexed_at_ms)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(s.cameraId, s.path, s.startMs, s.endMs, s.endMs - s.startMs, s.bytes, s.sha256, prev?.sha256 ?? null, link, s.origin ?? 'recorded', nowMs);
      return this.segment(Number(info.lastInsertRowid))!;
    })();
  }

  segment(id: number): SegmentRow | undefined {
    return this.db.prepare(`SELECT ${SEGMENT_COLUMNS} FROM segments WHERE id = ?`).get(id) as SegmentRow | undefined;
  }

  segmentByPath(path: string): SegmentRow | undefined {
    return this.db.prepare(`SELECT ${SEGMENT_COLUMNS} FROM segments WHERE path = ?`).get(path) as SegmentRow | undefined;
  }

  /** The camera's last row in index order, whatever its status (the chain goes on through it). */
  lastInChain(cameraId: string): SegmentRow | undefined {
    return this.db
      .prepare(`SELECT ${SEGMENT_COLUMNS} FROM segments WHERE camera_id = ? ORDER BY id DESC LIMIT 1`)
      .get(cameraId) as SegmentRow | undefined;
  }

  /** Where the chain continues after pruned rows (see pruneExpired), if any were pruned. */
  checkpoint(cameraId: string): ChainCheckpoint | undefined {
    return this.db
      .prepare('SELECT segment_id AS segmentId, sha256, link, end_ms AS endMs, pruned_rows AS prunedRows FROM chain_checkpoints WHERE camera_id = ?')
      .get(cameraId) as ChainCheckpoint | undefined;
  }

  /**
   * Removes from the index the oldest rows of a camera whose footage retention deleted before
   * `olderThanMs`, as long as they form the start of the chain, and keeps the last one's hash and
   * link as the checkpoint the chain goes on from. The index then stays bounded like the footage.
   */
  pruneExpired(cameraId: string, olderThanMs: number): number {
    return this.db.transaction(() => {
      const last = this.db
        .prepare(
          `SELECT id, sha256, link, end_ms AS endMs FROM segments
           WHERE camera_id = @cameraId AND id < COALESCE(
             (SELECT MIN(id) FROM segments WHERE camera_id = @cameraId AND (status <> 'expired' OR end_ms >= @olderThanMs)),
             9223372036854775807)
           ORDER BY id DESC LIMIT 1`,
        )
        .get({ cameraId, olderThanMs }) as { id: number; sha256: string; link: string; endMs: number } | undefined;
      if (!last) return 0;
      const pruned = this.db.prepare('DELETE FROM segments WHERE camera_id = ? AND id <= ?').run(cameraId, last.id).changes;
      this.db
        .prepare(
          `INSERT INTO chain_checkpoints (camera_id, segment_id, sha256, link, end_ms, pruned_rows) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (camera_id) DO UPDATE SET segment_id = excluded.segment_id, sha256 = excluded.sha256, link = excluded.link,
             end_ms = excluded.end_ms, pruned_rows = pruned_rows + excluded.pruned_rows`,
        )
        .run(cameraId, last.id, last.sha256, last.link, last.endMs, pruned);
      return pruned;
    })();
  }

  /** The row before `id` in the camera's chain. */
  predecessor(cameraId: string, id: number): SegmentRow | undefined {
    return this.db
      .prepare(`SELECT ${SEGMENT_COLUMNS} FROM segments WHERE camera_id = ? AND id < ? ORDER BY id DESC LIMIT 1`)
      .get(cameraId, id) as SegmentRow | undefined;
  }

  /** The latest recorded footage end of a camera (by time, present or not). */
  lastEndMs(cameraId: string): number | undefined {
    const r = this.db.prepare('SELECT MAX(end_ms) AS e FROM segments WHERE camera_id = ?').get(cameraId) as { e: number | null };
    return r.e ?? undefined;
  }

  /** Rows of a camera overlapping [fromMs, toMs), in chain (index) order; all statuses. */
  chain(cameraId: string, fromMs = -Infinity, toMs = Infinity): SegmentRow[] {
    return this.db
      .prepare(`SELECT ${SEGMENT_COLUMNS} FROM segments WHERE camera_id = ? AND end_ms > ? AND start_ms < ? ORDER BY id`)
      .all(cameraId, clampMs(fromMs), clampMs(toMs)) as SegmentRow[];
  }

  /** The camera's rows with ids in [loId, hiId], in chain order. */
  chainByIds(cameraId: string, loId: number, hiId: number): SegmentRow[] {
    return this.db
      .prepare(`SELECT ${SEGMENT_COLUMNS} FROM segments WHERE camera_id = ? AND id BETWEEN ? AND ? ORDER BY id`)
      .all(cameraId, loId, hiId) as SegmentRow[];
  }

  /** Present segments of a camera overlapping [fromMs, toMs), in time order. */
  presentSegments(cameraId: string, fromMs: number, toMs: number): SegmentRow[] {
    return this.db
      .prepare(
        `SELECT ${SEGMENT_COLUMNS} FROM segments WHERE camera_id = ? AND status = 'present' AND end_ms > ? AND start_ms < ? ORDER BY start_ms`,
      )
      .all(cameraId, clampMs(fromMs), clampMs(toMs)) as SegmentRow[];
  }

  /** Every indexed path of a camera (for reconciling with its directory). */
  pathsByStatus(cameraId: string): Map<string, SegmentRow> {
    const rows = this.db.prepare(`SELECT ${SEGMENT_COLUMNS} FROM segments WHERE camera_id = ?`).all(cameraId) as SegmentRow[];
    return new Map(rows.map((r) => [r.path, r]));
  }

  /**
   * Every camera this index has any record of: footage, gaps, pruned history or a noted state.
   * Tools refuse a camera id outside this list rather than report "0 segments, OK".
   */
  knownCameras(): string[] {
    const parts = ['SELECT camera_id AS c FROM segments', 'SELECT camera_id FROM gaps'];
    if (this.hasTable('chain_checkpoints')) parts.push('SELECT camera_id FROM chain_checkpoints');
    if (this.hasTable('recording_state')) parts.push('SELECT camera_id FROM recording_state');
    return (this.db.prepare(`SELECT DISTINCT c FROM (${parts.join(' UNION ')}) ORDER BY c`).all() as { c: string }[]).map((r) => r.c);
  }

  /** The first start and last end of a camera's indexed rows (all statuses). */
  span(cameraId: string): { fromMs: number; toMs: number } | undefined {
    const r = this.db.prepare('SELECT MIN(start_ms) AS f, MAX(end_ms) AS t FROM segments WHERE camera_id = ?').get(cameraId) as { f: number | null; t: number | null };
    return r.f === null || r.t === null ? undefined : { fromMs: r.f, toMs: r.t };
  }

  cameraIds(): string[] {
    return (this.db.prepare('SELECT DISTINCT camera_id AS c FROM segments').all() as { c: string }[]).map((r) => r.c);
  }

  markRemoved(id: number, status: 'missing' | 'expired', reason: string, nowMs = Date.now()): void {
    this.db
      .prepare(`UPDATE segments SET status = ?, removed_at_ms = ?, removed_reason = ? WHERE id = ? AND status = 'present'`)
      .run(status, nowMs, reason, id);
  }

  usage(cameraId?: string): { bytes: number; segments: number } {
    const r = (
      cameraId === undefined
        ? this.db.prepare('SELECT COALESCE(SUM(bytes), 0) AS bytes, COALESCE(SUM(segments), 0) AS segments FROM camera_usage').get()
        : this.db.prepare('SELECT COALESCE(SUM(bytes), 0) AS bytes, COALESCE(SUM(segments), 0) AS segments FROM camera_usage WHERE camera_id = ?').get(cameraId)
    ) as { bytes: number; segments: number };
    return r;
  }

  /**
   * Retention candidates: the oldest present segments overall, plus each camera's segments
   * older than its cutoff, each with whether a live pin covers it.
   */
  retentionCandidates(limit: number, nowMs: number, cutoffs: Map<string, number>): Array<SegmentRow & { pinned: boolean }> {
    const pinned = `EXISTS (SELECT 1 FROM pins p WHERE p.camera_id = s.camera_id AND p.from_ms < s.end_ms AND p.to_ms > s.start_ms
      AND (p.expires_at_ms IS NULL OR p.expires_at_ms > @now))`;
    const cols = segmentColumns('s.');
    const oldest = this.db
      .prepare(`SELECT ${cols}, ${pinned} AS pinned FROM segments s WHERE s.status = 'present' ORDER BY s.start_ms LIMIT @limit`)
      .all({ limit, now: nowMs }) as Array<SegmentRow & { pinned: number }>;
    const byId = new Map(oldest.map((r) => [r.id, r]));
    for (const [cameraId, cutoff] of cutoffs) {
      const aged = this.db
        .prepare(
          `SELECT ${cols}, ${pinned} AS pinned FROM segments s WHERE s.camera_id = @cameraId AND s.status = 'present' AND s.end_ms <= @cutoff ORDER BY s.start_ms LIMIT @limit`,
        )
        .all({ cameraId, cutoff, limit, now: nowMs }) as Array<SegmentRow & { pinned: number }>;
      for (const r of aged) byId.set(r.id, r);
    }
    return [...byId.values()].sort((a, b) => a.startMs - b.startMs || a.id - b.id).map((r) => ({ ...r, pinned: r.pinned === 1 }));
  }

  addGap(cameraId: string, fromMs: number, toMs: number, cause: string): GapRow {
    const info = this.db.prepare('INSERT INTO gaps (camera_id, from_ms, to_ms, cause) VALUES (?, ?, ?, ?)').run(cameraId, fromMs, toMs, cause);
    return { id: Number(info.lastInsertRowid), cameraId, fromMs, toMs, cause };
  }

  gaps(cameraId: string, fromMs = -Infinity, toMs = Infinity): GapRow[] {
    return this.db
      .prepare(
        'SELECT id, camera_id AS cameraId, from_ms AS fromMs, to_ms AS toMs, cause FROM gaps WHERE camera_id = ? AND to_ms > ? AND from_ms < ? ORDER BY from_ms',
      )
      .all(cameraId, clampMs(fromMs), clampMs(toMs)) as GapRow[];
  }

  /** The camera's last known recording time (see recording_state in recorder-schema.ts). */
  recordingState(cameraId: string): RecordingState | undefined {
    if (!this.hasTable('recording_state')) return undefined;
    return this.db
      .prepare(
        'SELECT camera_id AS cameraId, covered_to_ms AS coveredToMs, run_started_ms AS runStartedMs, alive_ms AS aliveMs, alive_cause AS aliveCause FROM recording_state WHERE camera_id = ?',
      )
      .get(cameraId) as RecordingState | undefined;
  }

  /**
   * Writes down, in one transaction, that a recorder started at `runStartedMs` was running at
   * `nowMs`, and why each camera was not recording then (null: it was).
   */
  markAlive(runStartedMs: number, states: Array<{ cameraId: string; cause: string | null }>, nowMs = Date.now()): void {
    const stmt = this.db.prepare(
      `INSERT INTO recording_state (camera_id, run_started_ms, alive_ms, alive_cause) VALUES (?, ?, ?, ?)
       ON CONFLICT (camera_id) DO UPDATE SET run_started_ms = excluded.run_started_ms, alive_ms = excluded.alive_ms, alive_cause = excluded.alive_cause`,
    );
    this.db.transaction(() => {
      for (const s of states) stmt.run(s.cameraId, runStartedMs, nowMs, s.cause);
    })();
  }

  /** Moves a camera's covered time forward to `ms` (the start's audit, once every hole before it has its row). */
  coverTo(cameraId: string, ms: number): void {
    this.db
      .prepare(
        `INSERT INTO recording_state (camera_id, covered_to_ms) VALUES (?, ?)
         ON CONFLICT (camera_id) DO UPDATE SET covered_to_ms = MAX(COALESCE(covered_to_ms, excluded.covered_to_ms), excluded.covered_to_ms)`,
      )
      .run(cameraId, ms);
  }

  private hasTable(name: string): boolean {
    return !!this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name);
  }

  addPin(p: { cameraId: string; fromMs: number; toMs: number; kind: PinKind; note?: string; expiresAtMs?: number; id?: string }, nowMs = Date.now()): PinRow {
    const id = p.id ?? randomUUID();
    this.db
      .prepare('INSERT INTO pins (id, camera_id, from_ms, to_ms, kind, note, created_at_ms, expires_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(id, p.cameraId, p.fromMs, p.toMs, p.kind, p.note ?? null, nowMs, p.expiresAtMs ?? null);
    return { id, cameraId: p.cameraId, fromMs: p.fromMs, toMs: p.toMs, kind: p.kind, note: p.note ?? null, createdAtMs: nowMs, expiresAtMs: p.expiresAtMs ?? null };
  }

  removePin(id: string): boolean {
    return this.db.prepare('DELETE FROM pins WHERE id = ?').run(id).changes > 0;
  }

  pins(cameraId?: string): PinRow[] {
    const cols = 'id, camera_id AS cameraId, from_ms AS fromMs, to_ms AS toMs, kind, note, created_at_ms AS createdAtMs, expires_at_ms AS expiresAtMs';
    return (cameraId === undefined
      ? this.db.prepare(`SELECT ${cols} FROM pins ORDER BY from_ms`).all()
      : this.db.prepare(`SELECT ${cols} FROM pins WHERE camera_id = ? ORDER BY from_ms`).all(cameraId)) as PinRow[];
  }

  addEvent(e: StoredEvent): void {
    this.db
      .prepare('INSERT INTO recorder_events (id, kind, camera_id, started_at, ended_at, data_json) VALUES (?, ?, ?, ?, ?, ?)')
      .run(e.id, e.kind, e.cameraId ?? null, e.startedAt, e.endedAt ?? null, JSON.stringify(e.data));
  }

  events(kind?: string): StoredEvent[] {
    const rows = (kind === undefined
      ? this.db.prepare('SELECT * FROM recorder_events ORDER BY rowid').all()
      : this.db.prepare('SELECT * FROM recorder_events WHERE kind = ? ORDER BY rowid').all(kind)) as Array<{
      id: string; kind: string; camera_id: string | null; started_at: string; ended_at: string | null; data_json: string;
    }>;
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      ...(r.camera_id ? { cameraId: r.camera_id } : {}),
      startedAt: r.started_at,
      ...(r.ended_at ? { endedAt: r.ended_at } : {}),
      data: JSON.parse(r.data_json) as Record<string, unknown>,
    }));
  }
}

/** SQLite integers cannot hold ±Infinity; clamp open bounds. */
function clampMs(ms: number): number {
  return Math.max(-8.64e15, Math.min(8.64e15, ms));
}

/**
 * Resumable clip transfer, aggregator side. An offer records the clip; chunks are checked
 * against their own sha256 and written at their offset into a partial file; the chunk table
 * says which ones are in. Chunks and clips live in the blob store (blobs/: local disk, or S3 shared by
 * every aggregator instance) and the transfer's state in the database, so a transfer cut on one
 * instance completes on another. `clip.need` commands tell the agent what is missing: after the offer,
 * when the last requested chunk arrived, when the agent (re)connects, and when a clip stalls.
 * When all chunks are in, the whole file's sha256 must match the offer before the clip is
 * accepted and moved to its content address `clips/<sha[0:2]>/<sha>.mp4`.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { DiskBlobStore } from '../blobs/disk.ts';
import { composeBlobs, type BlobStore } from '../blobs/port.ts';
import { CLIP_CHUNK_BYTES, type Logger, type Message } from '@camfleet/shared';
import type { Db } from '../db/database.ts';
import { IngestRefusal, type Ingest } from '../ingest/ingest.ts';
import type { CommandService } from '../commands/commands.ts';

export interface ClipRow {
  agentId: string;
  clipId: string;
  cameraId: string;
  from: string;
  to: string;
  bytes: number;
  sha256: string;
  chunkBytes: number;
  chunks: number;
  segmentHashes: string[];
  reason: string | null;
  commandId: string | null;
  eventId: string | null;
  state: 'receiving' | 'complete' | 'failed';
  receivedChunks: number;
  path: string | null;
  error: string | null;
  offeredAt: string;
  completedAt: string | null;
}

export interface ClipServiceOptions {
  dataDir: string;
  maxClipBytes: number;
  needRetryMs: number;
  /** Most chunk indexes listed in one clip.need. */
  maxNeedBatch?: number;
  isConnected(agentId: string): boolean;
  /** Where chunks and clips are kept (default: files under dataDir, the layout of before). */
  blobs?: BlobStore;
}

const key = (agentId: string, clipId: string) => `${agentId}\n${clipId}`;

export class ClipService {
  readonly counters = { chunksAccepted: 0, chunkBytes: 0, clipsCompleted: 0, clipBytesCompleted: 0, clipsHashMismatch: 0 };
  /** Indexes asked for in the latest clip.need, per clip: when they are all in, ask for more. */
  private readonly outstanding = new Map<string, Set<number>>();
  private readonly finalizing = new Set<string>();
  private sweepTimer: NodeJS.Timeout | undefined;
  /** Chunk writes to the blob store not finished yet, per clip (finalize waits for them). */
  private readonly writing = new Map<string, Set<Promise<void>>>();
  readonly blobs: BlobStore;

  constructor(
    private readonly db: Db,
    private readonly ingest: Ingest,
    private readonly commands: CommandService,
    private readonly logger: Logger,
    private readonly opts: ClipServiceOptions,
  ) {
    this.blobs = opts.blobs ?? new DiskBlobStore(opts.dataDir);
    ingest.on('clip.offer', (m) => this.recordOffer(m as Message<'clip.offer'>));
    ingest.onCommitted('clip.offer', (m) => this.afterOffer(m as Message<'clip.offer'>));
    ingest.on('clip.chunk', (m) => this.storeChunk(m as Message<'clip.chunk'>));
    ingest.onCommitted('clip.chunk', (m) => this.afterChunk(m as Message<'clip.chunk'>));
    commands.onUnmatchedReply((m) => {
      const clipId = (m.body.result as { clipId?: unknown } | undefined)?.clipId;
      if (m.body.error?.code === 'clip-unavailable' && typeof clipId === 'string') this.fail(m.agentId, clipId, 'the agent no longer has the clip');
    });
  }

  start(): void {
    // Clips whose chunks all arrived before a restart still need their verification.
    for (const c of this.db.prepare("SELECT agent_id, clip_id FROM clips WHERE state = 'receiving' AND received_chunks = chunks").all() as Array<{ agent_id: string; clip_id: string }>) {
      void this.finalize(c.agent_id, c.clip_id);
    }
    this.sweepTimer = setInterval(() => this.sweep(), Math.max(250, Math.floor(this.opts.needRetryMs / 2)));
    this.sweepTimer.unref();
  }

  stop(): void {
    clearInterval(this.sweepTimer);
  }

  get(agentId: string, clipId: string): ClipRow | undefined {
    const r = this.db.prepare('SELECT * FROM clips WHERE agent_id = ? AND clip_id = ?').get(agentId, clipId) as Record<string, unknown> | undefined;
    return r ? toRow(r) : undefined;
  }

  list(filter: { agentId?: string; cameraId?: string; state?: string; limit?: number } = {}): ClipRow[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM clips WHERE (@agentId IS NULL OR agent_id = @agentId) AND (@cameraId IS NULL OR camera_id = @cameraId)
         AND (@state IS NULL OR state = @state) ORDER BY from_ts DESC LIMIT @limit`,
      )
      .all({ agentId: filter.agentId ?? null, cameraId: filter.cameraId ?? null, state: filter.state ?? null, limit: filter.limit ?? 500 }) as Array<Record<string, unknown>>;
    return rows.map(toRow);
  }

  /** Absolute path of a complete clip's file (local-disk blob store only; use openClip otherwise). */
  filePath(row: ClipRow): string | undefined {
    return row.path && this.blobs instanceof DiskBlobStore ? this.blobs.pathOf(row.path) : undefined;
  }

  /** A complete clip's bytes as a stream, from whichever blob store holds them. */
  async openClip(row: ClipRow): Promise<Readable | undefined> {
    return row.path ? this.blobs.read(row.path) : undefined;
  }

  /** An agent (re)connected: tell it what its unfinished clips still need. */
  onAgentConnected(agentId: string): void {
    for (const c of this.db.prepare("SELECT clip_id FROM clips WHERE agent_id = ? AND state = 'receiving'").pluck().all(agentId) as string[]) {
      this.sendNeed(agentId, c);
    }
  }

  /** The blob-key folder of a clip's chunks while it is in transfer (one blob per chunk). */
  private partialPrefix(agentId: string, clipId: string): string {
    const name = createHash('sha256').update(key(agentId, clipId)).digest('hex');
    return `clips/partial/${name}`;
  }

  private recordOffer(m: Message<'clip.offer'>): void {
    const o = m.body;
    if (o.chunkBytes > CLIP_CHUNK_BYTES || o.chunks !== Math.ceil(o.bytes / o.chunkBytes) || o.bytes > this.opts.maxClipBytes) {
      throw new IngestRefusal('bad-clip-offer', `clip offer ${o.clipId} is inconsistent or too large (${o.bytes} bytes, ${o.chunks} x ${o.chunkBytes})`);
    }
    const existing = this.get(m.agentId, o.clipId);
    if (existing) {
      if (existing.sha256 !== o.sha256 || existing.bytes !== o.bytes) throw new IngestRefusal('clip-offer-conflict', `clip ${o.clipId} offered again with different content`);
      return; // a repeated offer: the agent asks what is still needed (answered after commit)
    }
    const now = new Date().toISOString();
    // Content addressing: the same footage already stored is not uploaded twice, but only when
    // this same agent delivered those bytes before (e.g. it re-offers a clip under a new id).
    // Knowing another agent's sha256 proves nothing: completing from its blob would let an agent
    // re-home another site's footage under its own camera. Across agents the bytes must come in
    // (finalize then keeps one file per content, which is safe: the bytes were received and verified).
    const stored = this.db
      .prepare("SELECT path FROM clips WHERE sha256 = ? AND agent_id = ? AND state = 'complete' AND path IS NOT NULL LIMIT 1")
      .pluck()
      .get(o.sha256, m.agentId) as string | undefined;
    // A complete row's blob is there: blobs are deleted only with their rows.
    const have = !!stored;
    this.db
      .prepare(
        `INSERT INTO clips (agent_id, clip_id, camera_id, from_ts, to_ts, bytes, sha256, chunk_bytes, chunks, segment_hashes_json,
           reason, command_id, event_id, state, received_chunks, path, offered_at, last_progress_at, completed_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        m.agentId, o.clipId, o.cameraId, o.from, o.to, o.bytes, o.sha256, o.chunkBytes, o.chunks, JSON.stringify(o.segmentHashes),
        o.reason ?? null, o.commandId ?? null, o.eventId ?? null,
        have || o.chunks === 0 ? 'complete' : 'receiving', have ? o.chunks : 0, have ? stored : null, now, now, have ? now : null,
      );
    if (o.chunks === 0 && !have) {
      // An empty clip: nothing to transfer, and its hash is that of no bytes (written after the commit).
      this.db.prepare('UPDATE clips SET path = ? WHERE agent_id = ? AND clip_id = ?').run(this.finalPath(o.sha256), m.agentId, o.clipId);
    }
  }

  private afterOffer(m: Message<'clip.offer'>): void {
    if (m.body.chunks === 0) {
      void this.blobs
        .put(this.finalPath(m.body.sha256), Buffer.alloc(0))
        .catch((err: Error) => this.logger.warn({ err: err.message }, 'empty clip not written'))
        .then(() => this.sendNeed(m.agentId, m.body.clipId));
      return;
    }
    this.sendNeed(m.agentId, m.body.clipId);
  }

  private storeChunk(m: Message<'clip.chunk'>): void {
    const c = m.body;
    const clip = this.db.prepare('SELECT bytes, chunk_bytes, chunks, state FROM clips WHERE agent_id = ? AND clip_id = ?').get(m.agentId, c.clipId) as
      | { bytes: number; chunk_bytes: number; chunks: number; state: string }
      | undefined;
    if (!clip) throw new IngestRefusal('chunk-unknown-clip', `chunk for unknown clip ${c.clipId}`);
    if (clip.state !== 'receiving') return;
    if (c.index >= clip.chunks) throw new IngestRefusal('bad-chunk', `chunk ${c.index} beyond the clip's ${clip.chunks} chunks`);
    // decodeMessage gives the bytes as `data` (v2 frames, and v1's base64 decoded); dataBase64
    // remains only for chunks handed in without decoding.
    const data = c.data ?? Buffer.from(c.dataBase64 ?? '', 'base64');
    const expected = Math.min(clip.chunk_bytes, clip.bytes - c.index * clip.chunk_bytes);
    if (data.length !== expected) throw new IngestRefusal('bad-chunk', `chunk ${c.index} has ${data.length} bytes, expected ${expected}`);
    if (createHash('sha256').update(data).digest('hex') !== c.sha256) {
      throw new IngestRefusal('chunk-hash-mismatch', `clip ${c.clipId} chunk ${c.index} does not match its sha256`);
    }
    // The bytes go to the blob store after the commit (afterChunk): ingest handlers run inside a
    // synchronous transaction. A chunk whose write is then lost (crash) is found missing when the
    // clip is composed and asked for again; the agent keeps the clip until it hears 'done'.
    const added = this.db.prepare('INSERT OR IGNORE INTO clip_chunks (agent_id, clip_id, idx) VALUES (?, ?, ?)').run(m.agentId, c.clipId, c.index).changes;
    if (added) {
      this.db
        .prepare('UPDATE clips SET received_chunks = received_chunks + 1, last_progress_at = ? WHERE agent_id = ? AND clip_id = ?')
        .run(new Date().toISOString(), m.agentId, c.clipId);
      this.counters.chunksAccepted++;
      this.counters.chunkBytes += data.length;
    }
  }

  private afterChunk(m: Message<'clip.chunk'>): void {
    const c = m.body;
    const data = c.data ?? Buffer.from(c.dataBase64 ?? '', 'base64');
    const k = key(m.agentId, c.clipId);
    const set = this.writing.get(k) ?? new Set<Promise<void>>();
    this.writing.set(k, set);
    const write: Promise<void> = this.blobs
      .put(`${this.partialPrefix(m.agentId, c.clipId)}/${c.index}`, data)
      .then(
        () => this.afterChunkStored(m),
        (err: Error) => {
          // Not stored after all: forget the chunk so the next clip.need asks for it again.
          this.logger.warn({ agentId: m.agentId, clipId: c.clipId, index: c.index, err: err.message }, 'clip chunk not written to the blob store');
          this.forgetChunks(m.agentId, c.clipId, [c.index]);
        },
      )
      .finally(() => {
        set.delete(write);
        if (set.size === 0) this.writing.delete(k);
      });
    set.add(write);
  }

  private forgetChunks(agentId: string, clipId: string, indexes: number[]): void {
    this.db.transaction(() => {
      for (const i of indexes) {
        if (this.db.prepare('DELETE FROM clip_chunks WHERE agent_id = ? AND clip_id = ? AND idx = ?').run(agentId, clipId, i).changes) {
          this.db.prepare('UPDATE clips SET received_chunks = received_chunks - 1 WHERE agent_id = ? AND clip_id = ?').run(agentId, clipId);
        }
      }
    })();
  }

  private afterChunkStored(m: Message<'clip.chunk'>): void {
    const { clipId, index } = m.body;
    const row = this.db.prepare('SELECT received_chunks, chunks, state FROM clips WHERE agent_id = ? AND clip_id = ?').get(m.agentId, clipId) as
      | { received_chunks: number; chunks: number; state: string }
      | undefined;
    if (!row || row.state !== 'receiving') return;
    if (row.received_chunks === row.chunks) {
      void this.finalize(m.agentId, clipId);
      return;
    }
    const k = key(m.agentId, clipId);
    const asked = this.outstanding.get(k);
    if (!asked) return;
    asked.delete(index);
    if (asked.size === 0) this.sendNeed(m.agentId, clipId);
  }

  private missing(agentId: string, clipId: string, chunks: number, limit: number): number[] {
    const have = new Set(this.db.prepare('SELECT idx FROM clip_chunks WHERE agent_id = ? AND clip_id = ?').pluck().all(agentId, clipId) as number[]);
    const out: number[] = [];
    for (let i = 0; i < chunks && out.length < limit; i++) if (!have.has(i)) out.push(i);
    return out;
  }

  private sendNeed(agentId: string, clipId: string): void {
    const row = this.db.prepare('SELECT chunks, state FROM clips WHERE agent_id = ? AND clip_id = ?').get(agentId, clipId) as { chunks: number; state: string } | undefined;
    if (!row) return;
    if (row.state === 'complete') {
      this.control(agentId, { clipId, missing: [], done: true });
      return;
    }
    if (row.state === 'failed') {
      this.control(agentId, { clipId }, 'clip.cancel');
      return;
    }
    const missing = this.missing(agentId, clipId, row.chunks, this.opts.maxNeedBatch ?? 256);
    if (missing.length === 0) {
      void this.finalize(agentId, clipId);
      return;
    }
    this.outstanding.set(key(agentId, clipId), new Set(missing));
    this.control(agentId, { clipId, missing });
  }

  private control(agentId: string, args: Record<string, unknown>, name: 'clip.need' | 'clip.cancel' = 'clip.need'): void {
    this.commands.sendControl(agentId, name, args).catch((err: Error) => this.logger.warn({ agentId, err: err.message }, `${name} not sent`));
  }

  /** Re-asks for clips that made no progress for a while (lost chunks, restarts). */
  sweep(now = Date.now()): void {
    const before = new Date(now - this.opts.needRetryMs).toISOString();
    const stalled = this.db
      .prepare("SELECT agent_id, clip_id FROM clips WHERE state = 'receiving' AND last_progress_at < ?")
      .all(before) as Array<{ agent_id: string; clip_id: string }>;
    for (const c of stalled) {
      if (!this.opts.isConnected(c.agent_id)) continue;
      this.db.prepare('UPDATE clips SET last_progress_at = ? WHERE agent_id = ? AND clip_id = ?').run(new Date(now).toISOString(), c.agent_id, c.clip_id);
      this.sendNeed(c.agent_id, c.clip_id);
    }
  }

  /** All chunks in: verify the whole file, then move it to its content address. */
  private async finalize(agentId: string, clipId: string): Promise<void> {
    const k = key(agentId, clipId);
    if (this.finalizing.has(k)) return;
    this.finalizing.add(k);
    try {
      // Chunk writes of this instance still under way finish first.
      while (this.writing.get(k)?.size) await Promise.all([...this.writing.get(k)!]);
      const clip = this.get(agentId, clipId);
      if (!clip || clip.state !== 'receiving') return;
      const prefix = this.partialPrefix(agentId, clipId);
      const rel = this.finalPath(clip.sha256);
      const parts = Array.from({ length: clip.chunks }, (_, i) => `${prefix}/${i}`);
      const result = await composeBlobs(this.blobs, rel, parts, clip.sha256).catch((err: Error) => ({ ok: false as const, actual: '', error: err.message }));
      if (!result.ok) {
        if ('missing' in result && result.missing) {
          // Recorded but not in the blob store (a crash between commit and write, here or on
          // another instance): ask for that chunk again.
          this.forgetChunks(agentId, clipId, [Number(result.missing.slice(prefix.length + 1))]);
          this.sendNeed(agentId, clipId);
          return;
        }
        if ('error' in result) {
          // The blob store is unreachable: try again on the next sweep.
          this.logger.warn({ agentId, clipId, err: result.error }, 'clip not composed (blob store)');
          return;
        }
        this.counters.clipsHashMismatch++;
        this.ingest.reject(agentId, 'clip-hash-mismatch', `clip ${clipId}: ${result.actual || 'unreadable'} != ${clip.sha256}`);
        // Start over: every chunk again (each was right by itself, so the file must have been damaged here).
        this.db.transaction(() => {
          this.db.prepare('DELETE FROM clip_chunks WHERE agent_id = ? AND clip_id = ?').run(agentId, clipId);
          this.db.prepare('UPDATE clips SET received_chunks = 0 WHERE agent_id = ? AND clip_id = ?').run(agentId, clipId);
        })();
        await this.blobs.deletePrefix(prefix).catch(() => {});
        this.sendNeed(agentId, clipId);
        return;
      }
      this.db.transaction(() => {
        this.db
          .prepare("UPDATE clips SET state = 'complete', path = ?, completed_at = ? WHERE agent_id = ? AND clip_id = ?")
          .run(rel, new Date().toISOString(), agentId, clipId);
        this.db.prepare('DELETE FROM clip_chunks WHERE agent_id = ? AND clip_id = ?').run(agentId, clipId);
      })();
      await this.blobs.deletePrefix(prefix).catch((err: Error) => this.logger.warn({ err: err.message, prefix }, 'chunks of a completed clip not deleted'));
      this.outstanding.delete(k);
      this.counters.clipsCompleted++;
      this.counters.clipBytesCompleted += clip.bytes;
      this.logger.info({ agentId, clipId, bytes: clip.bytes, sha256: clip.sha256 }, 'clip received and verified');
      this.control(agentId, { clipId, missing: [], done: true });
    } finally {
      this.finalizing.delete(k);
    }
  }

  private fail(agentId: string, clipId: string, error: string): void {
    this.db.prepare("UPDATE clips SET state = 'failed', error = ? WHERE agent_id = ? AND clip_id = ? AND state = 'receiving'").run(error, agentId, clipId);
    this.outstanding.delete(key(agentId, clipId));
    void this.blobs.deletePrefix(this.partialPrefix(agentId, clipId)).catch(() => {});
  }

  private finalPath(sha256: string): string {
    return `clips/${sha256.slice(0, 2)}/${sha256}.mp4`;
  }
}

function toRow(r: Record<string, unknown>): ClipRow {
  return {
    agentId: r.agent_id as string,
    clipId: r.clip_id as string,
    cameraId: r.camera_id as string,
    from: r.from_ts as string,
    to: r.to_ts as string,
    bytes: r.bytes as number,
    sha256: r.sha256 as string,
    chunkBytes: r.chunk_bytes as number,
    chunks: r.chunks as number,
    segmentHashes: JSON.parse(r.segment_hashes_json as string) as string[],
    reason: (r.reason as string | null) ?? null,
    commandId: (r.command_id as string | null) ?? null,
    eventId: (r.event_id as string | null) ?? null,
    state: r.state as ClipRow['state'],
    receivedChunks: r.received_chunks as number,
    path: (r.path as string | null) ?? null,
    error: (r.error as string | null) ?? null,
    offeredAt: r.offered_at as string,
    completedAt: (r.completed_at as string | null) ?? null,
  };
}

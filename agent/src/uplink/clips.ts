/**
 * Resumable clip upload, agent side. `offer` records the clip and queues its `clip.offer` in the
 * outbox (one transaction); the aggregator answers with `clip.need` commands listing the chunk
 * indexes it is missing; chunks go out one by one at the lowest priority, each with its sha256,
 * and leave the need list when the broker acknowledged them. Both the need list and the clip
 * survive restarts, so an upload resumes where it stopped; the aggregator's next `clip.need`
 * (sent on reconnect and when progress stalls) corrects anything lost in between. Chunks travel
 * as binary frames (shared/src/protocol/frame.ts): about 300 bytes of header per 256 KiB.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { CLIP_CHUNK_BYTES, type BodyOf, type Logger } from '@camfleet/shared';
import type { AgentDb } from '../storage/db.ts';
import { sha256File } from '../storage/hash.ts';
import type { Outbox } from './outbox.ts';

export interface ClipMeta {
  /** Stable id; offering the same id again is a no-op (idempotent after a restart). */
  clipId?: string;
  cameraId: string;
  from: string;
  to: string;
  segmentHashes: string[];
  reason?: string;
  commandId?: string;
  eventId?: string;
}

export type ClipUploadState = 'offered' | 'done' | 'cancelled' | 'failed';

export interface Chunk {
  clipId: string;
  index: number;
  body: BodyOf<'clip.chunk'>;
}

interface ActiveClip {
  clipId: string;
  file: string;
  offer: BodyOf<'clip.offer'>;
  need: number[];
}

export class ClipUploader {
  private readonly active = new Map<string, ActiveClip>();
  private readonly finishedListeners: Array<(clipId: string, state: ClipUploadState) => void> = [];
  private readonly changedListeners: Array<() => void> = [];

  constructor(
    private readonly db: AgentDb,
    private readonly outbox: Outbox,
    private readonly logger: Logger,
    private readonly chunkBytes = CLIP_CHUNK_BYTES,
  ) {
    const rows = db.prepare("SELECT clip_id, file, offer_json, need_json FROM clip_uploads WHERE state = 'offered'").all() as Array<Record<string, string>>;
    for (const r of rows) {
      this.active.set(r.clip_id!, { clipId: r.clip_id!, file: r.file!, offer: JSON.parse(r.offer_json!), need: JSON.parse(r.need_json!) });
    }
  }

  /** Called when an upload ends (done, cancelled, failed): the recorder may unpin its segments. */
  onFinished(listener: (clipId: string, state: ClipUploadState) => void): void {
    this.finishedListeners.push(listener);
  }

  /** Called when chunks became wanted (the sender wakes up). */
  onChanged(listener: () => void): void {
    this.changedListeners.push(listener);
  }

  /** Hashes the file and offers it; returns the clip id. */
  async offer(file: string, meta: ClipMeta): Promise<string> {
    const clipId = meta.clipId ?? `${meta.cameraId}-${Date.parse(meta.from)}-${Date.parse(meta.to)}`;
    if (this.state(clipId)) return clipId;
    const bytes = statSync(file).size;
    const sha256 = await sha256File(file);
    const offer: BodyOf<'clip.offer'> = {
      clipId,
      cameraId: meta.cameraId,
      from: meta.from,
      to: meta.to,
      bytes,
      sha256,
      chunkBytes: this.chunkBytes,
      chunks: Math.ceil(bytes / this.chunkBytes),
      segmentHashes: meta.segmentHashes,
      reason: meta.reason,
      commandId: meta.commandId,
      eventId: meta.eventId,
    };
    const now = Date.now();
    this.db.transaction(() => {
      this.db
        .prepare("INSERT INTO clip_uploads (clip_id, file, offer_json, state, created_at_ms, updated_at_ms) VALUES (?, ?, ?, 'offered', ?, ?)")
        .run(clipId, file, JSON.stringify(offer), now, now);
      this.outbox.add('clip.offer', offer);
    })();
    this.active.set(clipId, { clipId, file, offer, need: [] });
    return clipId;
  }

  state(clipId: string): ClipUploadState | undefined {
    return (this.db.prepare('SELECT state FROM clip_uploads WHERE clip_id = ?').pluck().get(clipId) as ClipUploadState | undefined) ?? undefined;
  }

  /** Clip ids whose upload has not finished (their footage must be kept). */
  pending(): string[] {
    return [...this.active.keys()];
  }

  /**
   * The aggregator's `clip.need`: which chunks it still misses, or that the clip is complete.
   * Returns false for a clip this agent does not have (any more).
   */
  need(clipId: string, missing: number[], done: boolean): boolean {
    const clip = this.active.get(clipId);
    if (!clip) return this.state(clipId) === 'done';
    if (done) {
      this.finish(clip, 'done');
      return true;
    }
    clip.need = [...new Set(missing.filter((i) => Number.isInteger(i) && i >= 0 && i < clip.offer.chunks))].sort((a, b) => a - b);
    this.persistNeed(clip);
    for (const l of this.changedListeners) l();
    return true;
  }

  /**
   * On (re)connect: clips with nothing asked for are offered again, which makes the aggregator
   * answer with what it still needs (or that it has the clip). Offers are idempotent there.
   */
  reofferIdle(): void {
    for (const clip of this.active.values()) if (clip.need.length === 0) this.outbox.add('clip.offer', clip.offer);
  }

  cancel(clipId: string): void {
    const clip = this.active.get(clipId);
    if (clip) this.finish(clip, 'cancelled');
  }

  /** The next chunk to send (not one of `inFlight`, keys `<clipId>#<index>`), read from disk. */
  nextChunk(inFlight: ReadonlySet<string>): Chunk | undefined {
    for (const clip of this.active.values()) {
      const index = clip.need.find((i) => !inFlight.has(`${clip.clipId}#${i}`));
      if (index === undefined) continue;
      let data: Buffer;
      try {
        data = readChunk(clip.file, index * clip.offer.chunkBytes, Math.min(clip.offer.chunkBytes, clip.offer.bytes - index * clip.offer.chunkBytes));
      } catch (err) {
        this.logger.error({ clipId: clip.clipId, err: (err as Error).message }, 'clip file unreadable; upload abandoned');
        this.finish(clip, 'failed');
        continue;
      }
      const sha256 = createHash('sha256').update(data).digest('hex');
      // The raw bytes: encodeMessage sends them after a small header (protocol v2 frame), not in base64.
      return { clipId: clip.clipId, index, body: { clipId: clip.clipId, index, sha256, data } };
    }
    return undefined;
  }

  /** The broker acknowledged a chunk. */
  chunkAcked(clipId: string, index: number): void {
    const clip = this.active.get(clipId);
    if (!clip) return;
    const at = clip.need.indexOf(index);
    if (at < 0) return;
    clip.need.splice(at, 1);
    this.persistNeed(clip);
  }

  private persistNeed(clip: ActiveClip): void {
    this.db.prepare('UPDATE clip_uploads SET need_json = ?, updated_at_ms = ? WHERE clip_id = ?').run(JSON.stringify(clip.need), Date.now(), clip.clipId);
  }

  private finish(clip: ActiveClip, state: ClipUploadState): void {
    this.active.delete(clip.clipId);
    this.db.prepare("UPDATE clip_uploads SET state = ?, need_json = '[]', updated_at_ms = ? WHERE clip_id = ?").run(state, Date.now(), clip.clipId);
    this.logger.info({ clipId: clip.clipId, state }, 'clip upload finished');
    for (const l of this.finishedListeners) l(clip.clipId, state);
  }
}

function readChunk(file: string, offset: number, length: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(length);
    const n = readSync(fd, buf, 0, length, offset);
    if (n !== length) throw new Error(`short read (${n} of ${length} bytes): the file changed`);
    return buf;
  } finally {
    closeSync(fd);
  }
}

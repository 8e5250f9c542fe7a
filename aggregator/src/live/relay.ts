/**
 * The live relay's core, without I/O: one channel per camera takes the agent's fragmented-MP4
 * byte stream, checks it box by box, keeps the init segment (ftyp + moov) for viewers who join
 * late, and fans each media fragment (moof + mdat; with `frag_keyframe` every one starts on a
 * keyframe, so any of them is a place to join) out to every viewer.
 *
 * Memory is bounded on both sides:
 * - from the agent: a box larger than `maxBoxBytes`, a box type outside the short list ffmpeg's
 *   fMP4 muxer writes, or boxes out of order are garbage: the channel fails and the agent's
 *   connection is closed. At most one box (≤ maxBoxBytes) is ever held while it arrives.
 * - towards viewers: each viewer reports what it still has queued; a fragment that would take a
 *   viewer past `maxViewerQueueBytes` drops that viewer (a slow viewer is dropped, the others go
 *   on), so a stalled viewer costs at most its bound.
 */

export interface RelayViewer {
  /** Queue `bytes` for this viewer (never blocks). */
  write(bytes: Buffer): void;
  /** Bytes written but not yet taken by the viewer's connection. */
  queuedBytes(): number;
  /** The relay gives up on this viewer (too slow, or the channel ended). */
  drop(reason: 'slow' | 'ended' | 'upstream-error'): void;
}

export interface RelayLimits {
  maxBoxBytes: number;
  maxViewerQueueBytes: number;
  /** The init segment (ftyp + moov) is small; larger is garbage. */
  maxInitBytes: number;
}

export const DEFAULT_RELAY_LIMITS: RelayLimits = { maxBoxBytes: 8 << 20, maxViewerQueueBytes: 8 << 20, maxInitBytes: 1 << 20 };

/** Top-level boxes ffmpeg's fragmented MP4 muxer writes (plus harmless padding). */
const ALLOWED = new Set(['ftyp', 'moov', 'moof', 'mdat', 'free', 'skip', 'styp', 'sidx', 'prft']);

export class RelayError extends Error {}

/** Splits a byte stream into whole top-level MP4 boxes, refusing oversize or unknown ones. */
export class BoxSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  constructor(private readonly maxBoxBytes: number) {}

  /** The complete boxes `chunk` finishes; throws RelayError on garbage. */
  push(chunk: Buffer): Array<{ type: string; bytes: Buffer }> {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    const out: Array<{ type: string; bytes: Buffer }> = [];
    for (;;) {
      if (this.pendingBytes < 8) break;
      const head = this.peek(16);
      let size = head.readUInt32BE(0);
      const type = head.toString('latin1', 4, 8);
      if (!ALLOWED.has(type)) throw new RelayError(`unexpected box type ${JSON.stringify(type)}`);
      if (size === 1) {
        if (head.length < 16) break;
        const big = head.readBigUInt64BE(8);
        if (big > BigInt(this.maxBoxBytes)) throw new RelayError(`box ${type} of ${big} bytes is over the limit`);
        size = Number(big);
      }
      // size 0 ("to the end of the file") has no place in a live stream.
      if (size < 8) throw new RelayError(`box ${type} has an invalid size ${size}`);
      if (size > this.maxBoxBytes) throw new RelayError(`box ${type} of ${size} bytes is over the limit`);
      if (this.pendingBytes < size) break;
      const all = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
      out.push({ type, bytes: Buffer.from(all.subarray(0, size)) });
      const rest = all.subarray(size);
      this.pending = rest.length ? [rest] : [];
      this.pendingBytes = rest.length;
    }
    return out;
  }

  private peek(n: number): Buffer {
    if (this.pending[0]!.length >= n || this.pending.length === 1) return this.pending[0]!.subarray(0, n);
    const all = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [all];
    return all.subarray(0, n);
  }
}

/** One camera's upstream and its viewers. */
export class RelayChannel {
  private readonly splitter: BoxSplitter;
  private readonly initParts: Buffer[] = [];
  private init: Buffer | undefined;
  private moof: Buffer | undefined;
  private readonly viewers = new Set<RelayViewer>();
  private failed: string | undefined;
  /** Bytes received from the agent, and media fragments relayed. */
  bytesIn = 0;
  fragments = 0;

  constructor(private readonly limits: RelayLimits = DEFAULT_RELAY_LIMITS) {
    this.splitter = new BoxSplitter(limits.maxBoxBytes);
  }

  get viewerCount(): number {
    return this.viewers.size;
  }
  get hasInit(): boolean {
    return !!this.init;
  }
  get error(): string | undefined {
    return this.failed;
  }

  addViewer(v: RelayViewer): void {
    if (this.failed) {
      v.drop('upstream-error');
      return;
    }
    this.viewers.add(v);
    if (this.init) v.write(this.init);
  }

  removeViewer(v: RelayViewer): void {
    this.viewers.delete(v);
  }

  /** Bytes from the agent. Throws RelayError (and drops every viewer) on garbage. */
  push(chunk: Buffer): void {
    if (this.failed) throw new RelayError(this.failed);
    this.bytesIn += chunk.length;
    try {
      for (const box of this.splitter.push(chunk)) this.onBox(box.type, box.bytes);
    } catch (err) {
      this.fail((err as Error).message);
      throw err;
    }
  }

  /** The upstream ended: every viewer is told. */
  end(reason: 'ended' | 'upstream-error' = 'ended'): void {
    for (const v of [...this.viewers]) v.drop(reason);
    this.viewers.clear();
  }

  private fail(message: string): void {
    this.failed = message;
    this.end('upstream-error');
  }

  private onBox(type: string, bytes: Buffer): void {
    if (type === 'free' || type === 'skip' || type === 'prft' || type === 'sidx' || type === 'styp') return;
    if (!this.init) {
      if (type === 'ftyp' && this.initParts.length === 0) {
        this.initParts.push(bytes);
        return;
      }
      if (type === 'moov' && this.initParts.length === 1) {
        const init = Buffer.concat([this.initParts[0]!, bytes]);
        if (init.length > this.limits.maxInitBytes) throw new RelayError(`init segment of ${init.length} bytes is over the limit`);
        this.init = init;
        this.initParts.length = 0;
        for (const v of this.viewers) v.write(init);
        return;
      }
      throw new RelayError(`box ${type} before the init segment (ftyp, moov)`);
    }
    if (type === 'moof') {
      if (this.moof) throw new RelayError('two moof boxes without an mdat');
      this.moof = bytes;
      return;
    }
    if (type === 'mdat') {
      if (!this.moof) throw new RelayError('mdat without a moof');
      const fragment = Buffer.concat([this.moof, bytes]);
      this.moof = undefined;
      this.fragments++;
      for (const v of [...this.viewers]) {
        if (v.queuedBytes() + fragment.length > this.limits.maxViewerQueueBytes) {
          this.viewers.delete(v);
          v.drop('slow');
        } else v.write(fragment);
      }
      return;
    }
    throw new RelayError(`box ${type} after the init segment`);
  }
}

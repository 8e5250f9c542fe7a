/**
 * Moves messages from the outbox (and clip chunks from the uploader) onto the wire in order of
 * urgency, within the byte budget: replies and events first, then clip offers, then health, and
 * clip chunks only when nothing else waits, a chunk or two at a time, so a clip transfer yields
 * to the next event within one chunk. Outbox rows are deleted when their PUBACK arrives (the
 * mqtt.js publish callback for QoS 1).
 */
import { topicFor, type Logger, type MessageType } from '@camfleet/shared';
import { TokenBucket } from '@camfleet/shared/token-bucket';
import type { Outbox } from './outbox.ts';
import type { ClipUploader } from './clips.ts';

export interface SenderOptions {
  agentId: string;
  outbox: Outbox;
  clips: ClipUploader;
  /** 0 or undefined: no budget. */
  bandwidthBytesPerSecond?: number;
  /** Messages per second (chunks included); keep it under the broker's per-connection limit. 0: none. */
  maxMessagesPerSecond?: number;
  maxInFlight: number;
  maxChunksInFlight?: number;
  connected(): boolean;
  publish(topic: string, payload: Buffer): Promise<void>;
  /** Envelope for a chunk (seq assigned at send time). */
  encodeChunk(body: import('@camfleet/shared').BodyOf<'clip.chunk'>): Buffer;
  logger: Logger;
}

const TOPIC_OF: Record<string, Parameters<typeof topicFor>[0]> = {
  health: 'health',
  event: 'events',
  'clip.offer': 'clipOffer',
  reply: 'replies',
};

export class UplinkSender {
  readonly bucket?: TokenBucket;
  private readonly messageBucket?: TokenBucket;
  private readonly chunksInFlight = new Set<string>();
  private scheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  readonly counters = { messagesSent: 0, chunksSent: 0, bytesSent: 0 };

  constructor(private readonly opts: SenderOptions) {
    const rate = opts.bandwidthBytesPerSecond ?? 0;
    // One second of budget as burst, at least one chunk so a chunk never waits forever.
    if (rate > 0) this.bucket = new TokenBucket(rate, rate);
    const messages = opts.maxMessagesPerSecond ?? 0;
    if (messages > 0) this.messageBucket = new TokenBucket(messages, messages);
  }

  /** Something changed (new message, reconnect, ack): send what can be sent. */
  kick(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  /** Accounts bytes sent outside the outbox (status, heartbeat) against the budget. */
  spend(bytes: number): void {
    this.bucket?.takeWithDebt(bytes);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private waitForBudget(): boolean {
    const ms = Math.max(this.bucket?.msUntilNonNegative() ?? 0, this.messageBucket?.msUntilNonNegative() ?? 0);
    if (ms <= 0) return false;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.kick(), ms);
    return true;
  }

  private pump(): void {
    const { outbox, clips } = this.opts;
    if (this.stopped || !this.opts.connected()) return;
    for (;;) {
      const room = this.opts.maxInFlight - outbox.inFlight.size;
      const rows = outbox.next(Math.min(room, 100));
      for (const row of rows) {
        if (this.waitForBudget()) return;
        this.bucket?.takeWithDebt(row.payload.length);
        this.messageBucket?.takeWithDebt(1);
        outbox.inFlight.add(row.seq);
        this.counters.messagesSent++;
        this.counters.bytesSent += row.payload.length;
        this.opts.publish(topicFor(TOPIC_OF[row.type as MessageType]!, this.opts.agentId), row.payload).then(
          () => {
            outbox.ack(row.seq);
            outbox.inFlight.delete(row.seq);
            this.kick();
          },
          (err: Error) => {
            // Not acknowledged (client closed): stays in the outbox for the next connection.
            outbox.inFlight.delete(row.seq);
            this.opts.logger.debug({ seq: row.seq, err: err.message }, 'outbox publish not acknowledged');
          },
        );
      }
      if (rows.length > 0) continue;
      // Clips only when no outbox message is waiting to go out.
      if (outbox.stats().messages > outbox.inFlight.size) return;
      if (this.chunksInFlight.size >= (this.opts.maxChunksInFlight ?? 2)) return;
      if (this.waitForBudget()) return;
      const chunk = clips.nextChunk(this.chunksInFlight);
      if (!chunk) return;
      const key = `${chunk.clipId}#${chunk.index}`;
      const payload = this.opts.encodeChunk(chunk.body);
      this.bucket?.takeWithDebt(payload.length);
      this.messageBucket?.takeWithDebt(1);
      this.chunksInFlight.add(key);
      this.counters.chunksSent++;
      this.counters.bytesSent += payload.length;
      this.opts.publish(topicFor('clipChunk', this.opts.agentId), payload).then(
        () => {
          this.chunksInFlight.delete(key);
          clips.chunkAcked(chunk.clipId, chunk.index);
          this.kick();
        },
        () => this.chunksInFlight.delete(key),
      );
    }
  }
}

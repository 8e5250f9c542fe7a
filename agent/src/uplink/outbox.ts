/**
 * The durable outbox: every message the agent produces for the aggregator (health samples,
 * events, clip offers, command replies) is written here before it is sent and deleted only
 * when the broker acknowledged it. It survives restarts and long outages.
 *
 * Bound: past `maxMessages` or `maxBytes`, the oldest health samples are merged into one
 * (latest state per camera, `coalesced` = how many samples it stands for). Events, replies and
 * offers are never dropped; if only they remain, the outbox grows past its bound and says so.
 */
import {
  decodeMessage,
  encodeMessage,
  makeMessage,
  type BodyOf,
  type CameraHealth,
  type Logger,
  type Message,
  type MessageType,
} from '@camfleet/shared';
import type { AgentDb } from '../storage/db.ts';
import type { SeqCounter } from './seq.ts';

export type OutboxType = 'health' | 'event' | 'clip.offer' | 'reply';

export const PRIORITY: Record<OutboxType, number> = { reply: 0, event: 0, 'clip.offer': 1, health: 2 };

export interface OutboxRow {
  seq: number;
  type: OutboxType;
  priority: number;
  payload: Buffer;
}

export interface OutboxPolicy {
  maxMessages: number;
  maxBytes: number;
}

export class Outbox {
  /** Seqs currently on the wire: not offered again, not coalesced away. */
  readonly inFlight = new Set<number>();
  private count: number;
  private bytes: number;
  private warnedOverBound = false;
  private readonly listeners: Array<() => void> = [];

  constructor(
    private readonly db: AgentDb,
    private readonly agentId: string,
    private readonly seq: SeqCounter,
    private readonly policy: OutboxPolicy,
    private readonly logger: Logger,
  ) {
    const stats = db.prepare('SELECT COUNT(*) AS n, COALESCE(SUM(bytes), 0) AS b FROM outbox').get() as { n: number; b: number };
    this.count = stats.n;
    this.bytes = stats.b;
  }

  /** Called whenever something was added (the sender wakes up). */
  onAdded(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Stores a message; returns its seq. Durable when this returns. */
  add<T extends OutboxType>(type: T, body: BodyOf<T>, now = new Date()): number {
    const seq = this.db.transaction(() => {
      const s = this.insert(type, body, now);
      this.enforceBound();
      return s;
    })();
    for (const l of this.listeners) l();
    return seq;
  }

  private insert<T extends OutboxType>(type: T, body: BodyOf<T>, now: Date): number {
    const message = makeMessage(type as MessageType, this.agentId, this.seq.take(), body as BodyOf<MessageType>, now);
    const payload = encodeMessage(message);
    this.db
      .prepare('INSERT INTO outbox (seq, type, priority, payload, bytes, created_at_ms) VALUES (?, ?, ?, ?, ?, ?)')
      .run(message.seq, type, PRIORITY[type], payload, payload.length, now.getTime());
    this.count++;
    this.bytes += payload.length;
    return message.seq;
  }

  /** The next messages to send, most urgent first, skipping those in flight. */
  next(limit: number): OutboxRow[] {
    if (limit <= 0) return [];
    const rows = this.db
      .prepare('SELECT seq, type, priority, payload FROM outbox ORDER BY priority, seq LIMIT ?')
      .all(limit + this.inFlight.size) as OutboxRow[];
    return rows.filter((r) => !this.inFlight.has(r.seq)).slice(0, limit);
  }

  /** The message with this seq reached the aggregator: forget it. */
  ack(seq: number): void {
    const row = this.db.prepare('DELETE FROM outbox WHERE seq = ? RETURNING bytes').get(seq) as { bytes: number } | undefined;
    if (row) {
      this.count--;
      this.bytes -= row.bytes;
    }
  }

  stats(): { messages: number; bytes: number } {
    return { messages: this.count, bytes: this.bytes };
  }

  private overBound(): boolean {
    return this.count > this.policy.maxMessages || this.bytes > this.policy.maxBytes;
  }

  /** Merges the oldest half of the idle health samples until under the bound. */
  private enforceBound(): void {
    while (this.overBound()) {
      const idle = (this.db.prepare("SELECT seq, payload, bytes FROM outbox WHERE type = 'health' ORDER BY seq").all() as Array<{
        seq: number;
        payload: Buffer;
        bytes: number;
      }>).filter((r) => !this.inFlight.has(r.seq));
      if (idle.length < 2) {
        if (!this.warnedOverBound) {
          this.warnedOverBound = true;
          this.logger.warn(this.stats(), 'outbox over its bound with nothing left to coalesce; keeping every event');
        }
        return;
      }
      // Decoded, not JSON.parse'd: v2 health samples are stored in their compact wire form. A
      // row that does not decode (never expected: this agent wrote it) is left as it is, not merged away.
      const decoded = idle.slice(0, Math.max(2, Math.floor(idle.length / 2))).map((r) => ({ r, d: decodeMessage('health', this.agentId, r.payload) }));
      const group = decoded.filter((x) => x.d.ok).map((x) => x.r);
      const bodies = decoded.flatMap((x) => (x.d.ok ? [(x.d.message as Message<'health'>).body] : []));
      if (group.length < 2) return;
      const del = this.db.prepare('DELETE FROM outbox WHERE seq = ?');
      for (const r of group) {
        del.run(r.seq);
        this.count--;
        this.bytes -= r.bytes;
      }
      // A fresh seq: the merged sample is a new message (a seq the aggregator may have seen must not carry other content).
      this.insert('health', coalesceHealth(bodies), new Date());
    }
    this.warnedOverBound = false;
  }
}

/** Latest state per camera over several samples, counting how many samples it stands for. */
export function coalesceHealth(bodies: Array<BodyOf<'health'>>): BodyOf<'health'> {
  const cameras = new Map<string, CameraHealth>();
  let coalesced = 0;
  let sampledAt = bodies[0]!.sampledAt;
  for (const b of bodies) {
    for (const c of b.cameras) cameras.set(c.cameraId, c);
    coalesced += b.coalesced ?? 1;
    if (b.sampledAt > sampledAt) sampledAt = b.sampledAt;
  }
  return { sampledAt, cameras: [...cameras.values()], coalesced };
}

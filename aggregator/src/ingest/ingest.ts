/**
 * Turns accepted agent messages into state: decode and validate (never throwing on hostile
 * input), then dispatch by message type. Bad messages are refused, counted by reason and logged
 * once per agent and reason so a misbehaving agent cannot flood the log.
 *
 * With a database, accepted messages are written in batches: one transaction per batch (up to
 * `batchMaxMessages` or `batchMaxDelayMs`), in which outbox messages are de-duplicated by
 * (agentId, seq) and every handler of the message runs. `handle` resolves only after that
 * transaction committed, and the broker sends the agent's PUBACK only then.
 */
import { PROTOCOL_VERSION, TOPICS, decodeMessage, encodeForVersion, parseTopic, type Logger, type Message, type MessageType, type ProtocolVersion } from '@camfleet/shared';
import type { Db } from '../db/database.ts';
import type { FleetStore } from '../fleet/store.ts';
import { IngestStore } from './store.ts';

/** Thrown by a handler to refuse a message with a reason of its own (counted under that reason). */
export class IngestRefusal extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export interface IngestCounters {
  accepted: number;
  duplicates: number;
  byType: Record<string, number>;
  rejected: Record<string, number>;
  batches: number;
}

/** Runs inside the batch transaction: DB writes only, no I/O that cannot be rolled back. */
export type MessageHandler = (message: Message) => void;
/** Runs after the batch committed: side effects (commands, metrics export). */
export type CommittedHandler = (message: Message) => void;

export interface IngestOptions {
  db?: Db;
  batchMaxMessages?: number;
  batchMaxDelayMs?: number;
  dedupWindowHours?: number;
}

interface Pending {
  message: Message;
  outbox: boolean;
  resolve(): void;
  reject(err: Error): void;
}

export class Ingest {
  readonly counters: IngestCounters = { accepted: 0, duplicates: 0, byType: {}, rejected: {}, batches: 0 };
  readonly store?: IngestStore;
  private readonly logged = new Set<string>();
  private readonly handlers = new Map<string, MessageHandler[]>();
  private readonly committed = new Map<string, CommittedHandler[]>();
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private readonly maxBatch: number;
  private readonly maxDelayMs: number;
  private readonly markSeen;
  private readonly rejectListeners: Array<(agentId: string, reason: string) => void> = [];

  constructor(
    private readonly fleet: FleetStore,
    private readonly logger: Logger,
    private readonly options: IngestOptions = {},
  ) {
    this.maxBatch = options.batchMaxMessages ?? 500;
    this.maxDelayMs = options.batchMaxDelayMs ?? 5;
    const db = options.db;
    this.markSeen = db?.prepare('INSERT OR IGNORE INTO ingest_seen (agent_id, seq, received_at_ms) VALUES (?, ?, ?)');
    this.on('status', (m) => this.fleet.setOnline(m.agentId, (m as Message<'status'>).body.state === 'online', new Date()));
    this.on('heartbeat', (m) => this.fleet.recordHeartbeat(m.agentId, (m as Message<'heartbeat'>).body));
    this.on('cameras', (m) => this.fleet.replaceCameras(m.agentId, (m as Message<'cameras'>).body.cameras));
    if (db) {
      const store = new IngestStore(db);
      this.store = store;
      this.on('health', (m) => store.addHealthSample(m.agentId, m.seq, (m as Message<'health'>).body));
      this.on('event', (m) => void store.addEvent(m.agentId, m.seq, (m as Message<'event'>).body));
      this.pruneSeen();
      this.pruneTimer = setInterval(() => this.pruneSeen(), 3600_000);
      this.pruneTimer.unref();
    }
  }

  /** Other modules (events, clips, replies) register for the message types they own. */
  on(type: MessageType | string, handler: MessageHandler): void {
    const list = this.handlers.get(type) ?? [];
    list.push(handler);
    this.handlers.set(type, list);
  }

  /** Side effects after the message's batch is committed (not for duplicates). */
  onCommitted(type: MessageType | string, handler: CommittedHandler): void {
    const list = this.committed.get(type) ?? [];
    list.push(handler);
    this.committed.set(type, list);
  }

  /**
   * The protocol version each agent last spoke (its envelopes' `v`), so the centre answers a v1
   * agent in v1: see forAgent().
   */
  private readonly protocolVersions = new Map<string, ProtocolVersion>();

  /** `payload` for the agent owning `topic`, in the protocol version it last spoke (v2 until heard). */
  forAgent(topic: string, payload: Buffer): Buffer {
    const agentId = parseTopic(topic)?.agentId;
    const v = agentId ? this.protocolVersions.get(agentId) : undefined;
    return v && v !== PROTOCOL_VERSION ? encodeForVersion(payload, v) : payload;
  }

  /** Called for each refused message (for metrics). */
  onReject(listener: (agentId: string, reason: string) => void): void {
    this.rejectListeners.push(listener);
  }

  /**
   * Handles one payload from a connected agent. Refused input resolves at once (it is counted,
   * and acknowledging it stops a poison message from being redelivered forever); accepted input
   * resolves once stored. Rejects only when the store itself failed: the agent then retries.
   */
  handle(clientAgentId: string, topic: string, payload: Buffer): Promise<void> | void {
    const parsed = parseTopic(topic);
    if (!parsed || parsed.agentId !== clientAgentId) return this.reject(clientAgentId, 'bad-topic', topic);
    const result = decodeMessage(parsed.name, parsed.agentId, payload);
    if (!result.ok) return this.reject(clientAgentId, result.error, result.detail);
    const message = result.message;
    this.protocolVersions.set(message.agentId, message.v);
    const outbox = TOPICS[parsed.name].outbox;
    if (!this.options.db) {
      this.countAccepted(message);
      this.runHandlers(message);
      this.runCommitted(message);
      return;
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ message, outbox, resolve, reject });
      if (this.queue.length >= this.maxBatch) this.flush();
      else if (!this.timer) this.timer = setTimeout(() => this.flush(), this.maxDelayMs);
    });
  }

  /** Writes everything queued now (also used at shutdown). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    const db = this.options.db!;
    const fresh: Message[] = [];
    const now = Date.now();
    try {
      db.transaction(() => {
        for (const item of batch) {
          const m = item.message;
          if (item.outbox && this.markSeen!.run(m.agentId, m.seq, now).changes === 0) {
            this.counters.duplicates++;
            continue;
          }
          this.countAccepted(m);
          // A savepoint per message: a failing handler undoes only this message's writes.
          try {
            db.transaction(() => {
              for (const handler of this.handlers.get(m.type) ?? []) handler(m);
            })();
            fresh.push(m);
          } catch (err) {
            this.reject(m.agentId, err instanceof IngestRefusal ? err.reason : 'handler-failed', (err as Error).message);
          }
        }
      })();
    } catch (err) {
      this.logger.error({ err: (err as Error).message, messages: batch.length }, 'ingest batch failed; agents will redeliver');
      for (const item of batch) item.reject(err as Error);
      return;
    }
    this.counters.batches++;
    for (const item of batch) item.resolve();
    for (const m of fresh) this.runCommitted(m);
  }

  close(): void {
    this.flush();
    clearInterval(this.pruneTimer);
  }

  private countAccepted(m: Message): void {
    this.counters.accepted++;
    this.counters.byType[m.type] = (this.counters.byType[m.type] ?? 0) + 1;
  }

  private runHandlers(message: Message): void {
    for (const handler of this.handlers.get(message.type) ?? []) {
      try {
        handler(message);
      } catch (err) {
        this.reject(message.agentId, 'handler-failed', (err as Error).message);
      }
    }
  }

  private runCommitted(message: Message): void {
    for (const handler of this.committed.get(message.type) ?? []) {
      try {
        handler(message);
      } catch (err) {
        this.logger.error({ err: (err as Error).message, type: message.type }, 'post-commit handler failed');
      }
    }
  }

  private pruneSeen(): void {
    const hours = this.options.dedupWindowHours ?? 7 * 24;
    this.options.db!.prepare('DELETE FROM ingest_seen WHERE received_at_ms < ?').run(Date.now() - hours * 3600_000);
  }

  /** Counts and logs (once per agent and reason) a refused message. */
  reject(agentId: string, reason: string, detail: string): void {
    this.counters.rejected[reason] = (this.counters.rejected[reason] ?? 0) + 1;
    for (const l of this.rejectListeners) l(agentId, reason);
    const key = `${agentId}:${reason}`;
    if (this.logged.has(key)) return;
    if (this.logged.size > 10_000) this.logged.clear();
    this.logged.add(key);
    this.logger.warn({ agentId, reason, detail: detail.slice(0, 200) }, 'agent message refused (further ones of this kind from this agent are counted, not logged)');
  }
}

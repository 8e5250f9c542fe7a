/**
 * Turns accepted agent messages into state: decode and validate (never throwing on hostile
 * input), then dispatch by message type. Bad messages are refused, counted by reason and logged
 * once per agent and reason so a misbehaving agent cannot flood the log.
 */
import { decodeMessage, parseTopic, type Logger, type Message } from '@camfleet/shared';
import type { FleetStore } from '../fleet/store.ts';

export interface IngestCounters {
  accepted: number;
  rejected: Record<string, number>;
}

export type MessageHandler = (message: Message) => void;

export class Ingest {
  readonly counters: IngestCounters = { accepted: 0, rejected: {} };
  private readonly logged = new Set<string>();
  private readonly handlers = new Map<string, MessageHandler[]>();

  constructor(
    private readonly fleet: FleetStore,
    private readonly logger: Logger,
  ) {
    this.on('status', (m) => this.fleet.setOnline(m.agentId, (m as Message<'status'>).body.state === 'online', new Date()));
    this.on('heartbeat', (m) => this.fleet.recordHeartbeat(m.agentId, (m as Message<'heartbeat'>).body));
    this.on('cameras', (m) => this.fleet.replaceCameras(m.agentId, (m as Message<'cameras'>).body.cameras));
  }

  /** Other modules (events, clips, replies) register for the message types they own. */
  on(type: string, handler: MessageHandler): void {
    const list = this.handlers.get(type) ?? [];
    list.push(handler);
    this.handlers.set(type, list);
  }

  handle(clientAgentId: string, topic: string, payload: Buffer): void {
    const parsed = parseTopic(topic);
    if (!parsed || parsed.agentId !== clientAgentId) return this.reject(clientAgentId, 'bad-topic', topic);
    const result = decodeMessage(parsed.name, parsed.agentId, payload);
    if (!result.ok) return this.reject(clientAgentId, result.error, result.detail);
    this.counters.accepted++;
    for (const handler of this.handlers.get(result.message.type) ?? []) {
      try {
        handler(result.message);
      } catch (err) {
        this.reject(clientAgentId, 'handler-failed', (err as Error).message);
      }
    }
  }

  private reject(agentId: string, reason: string, detail: string): void {
    this.counters.rejected[reason] = (this.counters.rejected[reason] ?? 0) + 1;
    const key = `${agentId}:${reason}`;
    if (this.logged.has(key)) return;
    this.logged.add(key);
    this.logger.warn({ agentId, reason, detail: detail.slice(0, 200) }, 'agent message refused (further ones of this kind from this agent are counted, not logged)');
  }
}

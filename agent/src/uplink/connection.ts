/**
 * The agent's MQTT connection to the aggregator: authenticates as its agent id, leaves a
 * retained 'offline' last will, announces 'online' on every (re)connect, and listens to its own
 * commands topic only. Everything above this file speaks in message types, not topics.
 *
 * Messages of outbox topics (health, events, clip offers, replies) go through the durable
 * outbox and the prioritised, budgeted sender; state messages (status, heartbeat, cameras) are
 * sent directly and only while connected (the latest value is what matters).
 */
import { readFileSync } from 'node:fs';
import mqtt, { type MqttClient } from 'mqtt';
import {
  TOPICS,
  decodeMessage,
  encodeMessage,
  makeMessage,
  redactUrl,
  topicFor,
  type BodyOf,
  type Logger,
  type Message,
  type MessageType,
  type TopicName,
} from '@camfleet/shared';
import type { Credentials } from './credentials.ts';
import type { SeqCounter } from './seq.ts';
import type { AgentDb } from '../storage/db.ts';
import { Outbox, type OutboxType } from './outbox.ts';
import { ClipUploader, type ClipMeta } from './clips.ts';
import { CommandDispatcher } from './commands.ts';
import { UplinkSender } from './sender.ts';

export interface UplinkOptions {
  credentials: Credentials;
  mqttUrl: string;
  caFile?: string;
  keepaliveSeconds: number;
  seq: SeqCounter;
  logger: Logger;
  /** The agent database (outbox and clip uploads, migrations in schema.ts applied by the caller). */
  db: AgentDb;
  bandwidthBytesPerSecond?: number;
  /** Default 200: under the broker's per-connection limit (500/s) so a long drain is not cut off. */
  maxMessagesPerSecond?: number;
  outboxMaxMessages?: number;
  outboxMaxBytes?: number;
  maxInFlight?: number;
  /** Chunk size of offered clips (tests use small ones). */
  clipChunkBytes?: number;
  /** Commands wait until `commands.release()` (the runtime registers its handlers first). */
  holdCommands?: boolean;
  /** Seen before the dispatcher; the dispatcher replies to every command. */
  onCommand?(message: Message<'command'>): void;
  onConnect?(): void;
}

/** Each message type's topic, read from the protocol's own table (TOPICS[...].types): one source. */
const TOPIC_OF_TYPE = new Map<string, TopicName>(
  (Object.keys(TOPICS) as TopicName[]).flatMap((name) => TOPICS[name].types.map((type) => [type, name] as const)),
);

export function topicOfType(type: MessageType): TopicName {
  const topic = TOPIC_OF_TYPE.get(type);
  if (!topic) throw new Error(`no topic carries messages of type '${type}'`);
  return topic;
}

export class Uplink {
  readonly client: MqttClient;
  readonly outbox: Outbox;
  readonly clips: ClipUploader;
  readonly commands: CommandDispatcher;
  readonly sender: UplinkSender;
  private readonly agentId: string;

  constructor(private readonly opts: UplinkOptions) {
    this.agentId = opts.credentials.agentId;
    this.outbox = new Outbox(
      opts.db,
      this.agentId,
      opts.seq,
      { maxMessages: opts.outboxMaxMessages ?? 100_000, maxBytes: opts.outboxMaxBytes ?? 512 * 1024 * 1024 },
      opts.logger,
    );
    this.clips = new ClipUploader(opts.db, this.outbox, opts.logger, opts.clipChunkBytes);
    this.commands = new CommandDispatcher((reply) => this.outbox.add('reply', reply), opts.logger, { held: opts.holdCommands });
    this.commands.register(
      'clip.need',
      (args, command) => {
        const clipId = String(args.clipId ?? '');
        const missing = Array.isArray(args.missing) ? args.missing.map(Number) : [];
        if (!this.clips.need(clipId, missing, args.done === true)) {
          // Tell the centre to stop asking: the clip is gone here.
          this.outbox.add('reply', {
            commandId: command.commandId,
            ok: false,
            result: { clipId },
            error: { code: 'clip-unavailable', message: `clip '${clipId}' is not (any more) on this agent` },
          });
        }
      },
      { reply: false },
    );
    this.commands.register('clip.cancel', (args) => this.clips.cancel(String(args.clipId ?? '')), { reply: false });
    this.sender = new UplinkSender({
      agentId: this.agentId,
      outbox: this.outbox,
      clips: this.clips,
      bandwidthBytesPerSecond: opts.bandwidthBytesPerSecond,
      maxMessagesPerSecond: opts.maxMessagesPerSecond ?? 200,
      maxInFlight: opts.maxInFlight ?? 64,
      connected: () => this.client.connected,
      publish: (topic, payload) => this.publishRaw(topic, payload, 1, false),
      encodeChunk: (body) => encodeMessage(makeMessage('clip.chunk', this.agentId, this.opts.seq.take(), body)),
      logger: opts.logger,
    });
    this.outbox.onAdded(() => this.sender.kick());
    this.clips.onChanged(() => this.sender.kick());
    const willMessage = makeMessage('status', this.agentId, 0, { state: 'offline', reason: 'connection lost' });
    this.client = mqtt.connect(opts.mqttUrl, {
      clientId: this.agentId,
      username: this.agentId,
      password: opts.credentials.password,
      keepalive: opts.keepaliveSeconds,
      clean: false,
      reconnectPeriod: 2000,
      connectTimeout: 10_000,
      ca: opts.caFile ? readFileSync(opts.caFile) : undefined,
      will: {
        topic: topicFor('status', this.agentId),
        payload: encodeMessage(willMessage),
        qos: 1,
        retain: true,
      },
    });
    this.client.on('connect', () => {
      opts.logger.info({ url: redactUrl(opts.mqttUrl) }, 'connected to aggregator');
      // 'online' only once subscribed: the centre re-sends pending commands when it hears it.
      this.client.subscribe(topicFor('commands', this.agentId), { qos: 1 }, (err) => {
        if (err) opts.logger.warn({ err: err.message }, 'subscribing to commands failed');
        void this.publish('status', { state: 'online' }).catch(() => undefined);
      });
      this.clips.reofferIdle();
      this.sender.kick();
      opts.onConnect?.();
    });
    this.client.on('error', (err) => opts.logger.warn({ err: err.message }, 'mqtt error'));
    this.client.on('offline', () => opts.logger.warn('aggregator unreachable; will retry'));
    this.client.on('message', (topic, payload) => {
      if (topic !== topicFor('commands', this.agentId)) return;
      const decoded = decodeMessage('commands', this.agentId, payload);
      if (!decoded.ok) {
        opts.logger.warn({ reason: decoded.error }, 'ignored malformed command');
        return;
      }
      opts.onCommand?.(decoded.message as Message<'command'>);
      void this.commands.handle(decoded.message as Message<'command'>);
    });
  }

  get connected(): boolean {
    return this.client.connected;
  }

  /**
   * Sends one message of `type` on its topic with the topic's QoS and retain flags. Outbox
   * types resolve once stored durably (delivery follows, across outages); state types are sent
   * at once and fail when not connected.
   */
  publish<T extends MessageType>(type: T, body: BodyOf<T>): Promise<void> {
    const name = topicOfType(type);
    const spec = TOPICS[name];
    if (spec.outbox) {
      try {
        this.outbox.add(type as OutboxType, body as BodyOf<OutboxType>);
      } catch (err) {
        // e.g. the disk is full: the caller learns the message was not stored.
        return Promise.reject(err as Error);
      }
      return Promise.resolve();
    }
    const message = makeMessage(type, this.agentId, this.opts.seq.take(), body);
    const payload = encodeMessage(message);
    this.sender.spend(payload.length);
    return this.publishRaw(topicFor(name, this.agentId), payload, spec.qos, spec.retain);
  }

  /** Offers a clip file for upload (resumable, verified by the aggregator); returns its id. */
  offerClip(file: string, meta: ClipMeta): Promise<string> {
    return this.clips.offer(file, meta);
  }

  publishRaw(topic: string, payload: Buffer, qos: 0 | 1, retain: boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.publish(topic, payload, { qos, retain }, (err) => (err ? reject(err) : resolve()));
    });
  }

  /** Clean shutdown: say 'offline' ourselves (the will is only for unclean ends). */
  async close(): Promise<void> {
    this.sender.stop();
    if (this.client.connected) {
      const said = this.publish('status', { state: 'offline', reason: 'shutdown' }).catch(() => undefined);
      await Promise.race([said, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    }
    // Forced: nothing unacknowledged is lost, the outbox still holds it for the next start.
    await this.client.endAsync(true);
  }
}

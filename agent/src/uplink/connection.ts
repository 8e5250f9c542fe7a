/**
 * The agent's MQTT connection to the aggregator: authenticates as its agent id, leaves a
 * retained 'offline' last will, announces 'online' on every (re)connect, and listens to its own
 * commands topic only. Everything above this file speaks in message types, not topics.
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

export interface UplinkOptions {
  credentials: Credentials;
  mqttUrl: string;
  caFile?: string;
  keepaliveSeconds: number;
  seq: SeqCounter;
  logger: Logger;
  onCommand?(message: Message<'command'>): void;
  onConnect?(): void;
}

const TOPIC_OF_TYPE: Record<MessageType, TopicName> = {
  status: 'status',
  heartbeat: 'heartbeat',
  cameras: 'cameras',
  health: 'health',
  event: 'events',
  'clip.offer': 'clipOffer',
  'clip.chunk': 'clipChunk',
  reply: 'replies',
  command: 'commands',
};

export function topicOfType(type: MessageType): TopicName {
  return TOPIC_OF_TYPE[type];
}

export class Uplink {
  readonly client: MqttClient;
  private readonly agentId: string;

  constructor(private readonly opts: UplinkOptions) {
    this.agentId = opts.credentials.agentId;
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
      this.client.subscribe(topicFor('commands', this.agentId), { qos: 1 });
      void this.publish('status', { state: 'online' });
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
    });
  }

  get connected(): boolean {
    return this.client.connected;
  }

  /** Publishes one message of `type` on its topic with the topic's QoS and retain flags. */
  publish<T extends MessageType>(type: T, body: BodyOf<T>): Promise<void> {
    const name = topicOfType(type);
    const spec = TOPICS[name];
    const message = makeMessage(type, this.agentId, this.opts.seq.take(), body);
    return this.publishRaw(topicFor(name, this.agentId), encodeMessage(message), spec.qos, spec.retain);
  }

  publishRaw(topic: string, payload: Buffer, qos: 0 | 1, retain: boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.publish(topic, payload, { qos, retain }, (err) => (err ? reject(err) : resolve()));
    });
  }

  /** Clean shutdown: say 'offline' ourselves (the will is only for unclean ends). */
  async close(): Promise<void> {
    if (this.client.connected) {
      await this.publish('status', { state: 'offline', reason: 'shutdown' }).catch(() => undefined);
    }
    await this.client.endAsync();
  }
}

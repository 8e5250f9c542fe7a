/**
 * The clustered transport: agents speak MQTT to any node of a RabbitMQ cluster (MQTT plugin);
 * the aggregator instances speak AMQP to it.
 *
 * Ingest: one durable quorum queue (`camfleet.ingest` by default) bound to amq.topic for every
 * agent-to-aggregator topic. It is declared before anything else so no agent publish is routed
 * nowhere (RabbitMQ acknowledges a QoS 1 publish that matched no queue and drops it,
 * rabbitmq-mqtt#222). Every aggregator instance consumes from it with manual acknowledgement and
 * a bounded prefetch: competing consumers share the load, each message is acknowledged only after
 * the handler (ingest's commit) resolved, and the messages a crashed consumer held unacknowledged
 * are delivered to another. A redelivered outbox message is recognised by (agent, seq) in the same
 * transaction as its writes, so it is never stored twice.
 *
 * What a PUBACK means on this tier: the MQTT plugin answers an agent's QoS 1 PUBLISH only after
 * the quorum queue confirmed it, i.e. after a majority of nodes wrote it to their Raft log on
 * disk. The agent's outbox deletes the message then, and not before.
 *
 * Commands: published to amq.topic with the agent's commands routing key; the MQTT plugin's
 * subscription queue of that agent, on whichever node it is connected to, receives them. Those
 * session queues are not replicated in 3.10, so the centre re-sends pending commands when an
 * agent says 'online' (commands module) instead of relying on persistent sessions.
 *
 * Ordering: competing consumers may apply two messages of one agent out of order. Outbox
 * messages do not care (seq); the 'status' and 'cameras' state topics could (a late 'offline'
 * after a newer 'online'); see the README.
 */
import amqp from 'amqplib';
import type { ChannelModel, Channel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import type { Logger } from '@camfleet/shared';
import { parseTopic } from '@camfleet/shared';
import type { AgentMessageHandler, AgentTransport } from './port.ts';
import { ingestBindingKeys, mqttToRoutingKey, routingKeyToMqtt } from './topics.ts';

export interface RabbitTransportOptions {
  /** One AMQP URL per node; the adapter uses the first that answers and moves on when it fails. */
  amqpUrls: string[];
  /** Management API base URLs (for closing a revoked agent's connections), any node will do. */
  managementUrls?: string[];
  /** Credentials for the management API (default: those of the first AMQP URL). */
  managementUser?: string;
  managementPassword?: string;
  queue?: string;
  /** Unacknowledged messages one instance holds at once (default 500: one ingest batch). */
  prefetch?: number;
  /** When false, this instance only publishes (e.g. an API-only instance). */
  consume?: boolean;
  onAgentMessage: AgentMessageHandler;
  /** Presence from the store (agents' status messages, last wills). */
  isConnected?: (agentId: string) => boolean;
  logger: Logger;
}

export interface RabbitTransport extends AgentTransport {
  readonly counters: { delivered: number; acked: number; requeued: number; dropped: number; reconnects: number };
  /** The node this instance is connected to now (index into amqpUrls), or -1. */
  currentNode(): number;
}

export async function startRabbitTransport(opts: RabbitTransportOptions): Promise<RabbitTransport> {
  const log = opts.logger;
  const queue = opts.queue ?? 'camfleet.ingest';
  const prefetch = opts.prefetch ?? 500;
  const counters = { delivered: 0, acked: 0, requeued: 0, dropped: 0, reconnects: 0 };
  let conn: ChannelModel | undefined;
  let pub: ConfirmChannel | undefined;
  let sub: Channel | undefined;
  let node = -1;
  let closing = false;
  let next = 0;
  let wake: (() => void) | undefined;
  let firstReady: (() => void) | undefined;
  const readyOnce = new Promise<void>((r) => (firstReady = r));

  const connectOnce = async (): Promise<void> => {
    const i = next++ % opts.amqpUrls.length;
    const url = opts.amqpUrls[i]!;
    const c = await amqp.connect(url, { timeout: 5000 });
    try {
      const p = await c.createConfirmChannel();
      // Declared before consuming, and idempotently by every instance: the queue must exist
      // before any agent publishes (see the header).
      await p.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
      for (const key of ingestBindingKeys()) await p.bindQueue(queue, 'amq.topic', key);
      let s: Channel | undefined;
      if (opts.consume !== false) {
        s = await c.createChannel();
        await s.prefetch(prefetch);
        await s.consume(queue, (msg) => msg && onDelivery(s!, msg), { noAck: false });
      }
      conn = c;
      pub = p;
      sub = s;
      node = i;
      c.on('error', (err) => log.warn({ err: err.message, node: i }, 'rabbitmq connection error'));
      c.on('close', () => {
        if (conn !== c) return;
        conn = pub = sub = undefined;
        node = -1;
        if (!closing) {
          log.warn({ node: i }, 'rabbitmq connection lost; reconnecting to another node');
          wake?.();
        }
      });
      log.info({ node: i, queue }, 'rabbitmq transport connected');
    } catch (err) {
      await c.close().catch(() => {});
      throw err;
    }
  };

  const onDelivery = (ch: Channel, msg: ConsumeMessage) => {
    counters.delivered++;
    const topic = routingKeyToMqtt(msg.fields.routingKey);
    const agentId = parseTopic(topic)?.agentId;
    if (!agentId) {
      // Only the ACL-checked agent topics are bound here; anything else is not ours to keep.
      counters.dropped++;
      ch.ack(msg);
      return;
    }
    let result: void | Promise<void>;
    try {
      result = opts.onAgentMessage(agentId, topic, msg.content);
    } catch (err) {
      result = Promise.reject(err);
    }
    Promise.resolve(result).then(
      () => {
        // A closed channel cannot ack: the broker redelivers, and (agent, seq) de-duplicates.
        if (sub !== ch) return;
        try {
          ch.ack(msg);
          counters.acked++;
        } catch {}
      },
      (err: Error) => {
        // The store failed: give the message back after a pause, so a database restart is
        // ridden out without a hot loop and without losing anything.
        log.warn({ err: err.message, agentId }, 'ingest failed; message requeued');
        setTimeout(() => {
          if (sub !== ch) return;
          try {
            ch.nack(msg, false, true);
            counters.requeued++;
          } catch {}
        }, 1000).unref();
      },
    );
  };

  // Connection supervisor: keeps one connection, trying each node in turn with backoff, and
  // says which engine is missing and how to start it rather than crashing.
  const supervise = async () => {
    let delay = 500;
    let warned = false;
    while (!closing) {
      if (!conn) {
        try {
          await connectOnce();
          if (warned) log.info('rabbitmq reachable again');
          if (counters.reconnects++ > 0 || warned) warned = false;
          delay = 500;
          firstReady?.();
        } catch (err) {
          if (!warned) {
            log.error(
              { err: (err as Error).message, urls: opts.amqpUrls.map(redact) },
              'RabbitMQ is not reachable (start it: `systemctl start rabbitmq-server`, or `npm run cluster` for a local cluster); retrying',
            );
            warned = true;
          }
          await sleep(delay);
          delay = Math.min(delay * 2, 10_000);
          continue;
        }
      }
      await new Promise<void>((r) => (wake = r));
      wake = undefined;
    }
  };
  void supervise();
  // Start-up waits a little for the broker so the first requests do not fail, but never forever.
  await Promise.race([readyOnce, sleep(15_000)]);

  const mgmtUser = opts.managementUser ?? decodeURIComponent(new URL(opts.amqpUrls[0]!).username);
  const mgmtPass = opts.managementPassword ?? decodeURIComponent(new URL(opts.amqpUrls[0]!).password);
  const mgmtAuth = 'Basic ' + Buffer.from(`${mgmtUser}:${mgmtPass}`).toString('base64');

  return {
    engine: 'rabbitmq',
    counters,
    currentNode: () => node,
    ready: () => !!conn,
    async publish(topic, payload) {
      const ch = pub;
      if (!ch) throw new Error('rabbitmq not connected');
      await new Promise<void>((resolve, reject) => {
        ch.publish('amq.topic', mqttToRoutingKey(topic), payload, { deliveryMode: 2 }, (err) => (err ? reject(err) : resolve()));
      });
    },
    isConnected: (id) => opts.isConnected?.(id) ?? false,
    async disconnectAgent(agentId) {
      // The management API lists the connections of the whole cluster from any node; agents
      // are their own RabbitMQ user, so their connections are found by user name.
      for (const base of opts.managementUrls ?? []) {
        try {
          const res = await fetch(`${base}/api/connections?columns=name,user`, { headers: { authorization: mgmtAuth } });
          if (!res.ok) throw new Error(`HTTP ${res.status}`);
          const list = (await res.json()) as Array<{ name: string; user: string }>;
          await Promise.all(
            list
              .filter((c) => c.user === agentId)
              .map((c) =>
                fetch(`${base}/api/connections/${encodeURIComponent(c.name)}`, {
                  method: 'DELETE',
                  headers: { authorization: mgmtAuth, 'x-reason': 'agent revoked' },
                }),
              ),
          );
          return;
        } catch (err) {
          log.warn({ err: (err as Error).message, base }, 'rabbitmq management: could not close connections; trying another node');
        }
      }
      log.warn({ agentId }, 'no rabbitmq management node answered: the revoked agent stays refused on its next connect');
    },
    async close() {
      closing = true;
      wake?.();
      const c = conn;
      conn = pub = sub = undefined;
      await c?.close().catch(() => {});
    },
  };
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(bad url)';
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

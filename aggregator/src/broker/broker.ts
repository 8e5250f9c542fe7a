/**
 * The embedded MQTT broker (aedes). Every client authenticates as an agent (username = agent
 * id); the ACL in acl.ts confines it to its own subtree. Refusals are counted so they show in
 * metrics; accepted agent messages are handed to `onAgentMessage`.
 */
import { createServer, type Server } from 'node:net';
import { Aedes, type AedesPublishPacket, type Client } from 'aedes';
import type { Logger } from '@camfleet/shared';
import { mayAgentPublish, mayAgentSubscribe, mayRetain } from './acl.ts';

export interface BrokerCounters {
  authFailures: number;
  publishDenied: number;
  subscribeDenied: number;
}

export interface BrokerOptions {
  host: string;
  port: number;
  logger: Logger;
  verifyAgent(agentId: string, password: string): boolean;
  onAgentMessage(agentId: string, topic: string, payload: Buffer): void;
  onAgentConnected?(agentId: string): void;
  onAgentDisconnected?(agentId: string): void;
}

export interface RunningBroker {
  aedes: Aedes;
  server: Server;
  port: number;
  counters: BrokerCounters;
  /** Publishes from the aggregator itself (commands to agents). */
  publish(topic: string, payload: Buffer, qos: 0 | 1, retain?: boolean): Promise<void>;
  /** Disconnects a connected agent (after its revocation). */
  disconnectAgent(agentId: string): void;
  close(): Promise<void>;
}

class AuthError extends Error {
  constructor(public returnCode: number) {
    super('not authorized');
  }
}

export async function startBroker(opts: BrokerOptions): Promise<RunningBroker> {
  const counters: BrokerCounters = { authFailures: 0, publishDenied: 0, subscribeDenied: 0 };
  const clients = new Map<string, Client>();
  const aedes = await Aedes.createBroker({
    // Agent ids are short; a longer client id is no agent of ours.
    maxClientsIdLength: 64,
    authenticate(client, username, password, done) {
      const id = client.id;
      const ok = !!username && username === id && !!password && opts.verifyAgent(username, password.toString());
      if (!ok) {
        counters.authFailures++;
        opts.logger.warn({ clientId: id }, 'mqtt authentication refused');
        done(new AuthError(5) as Error & { returnCode: 5 }, false);
        return;
      }
      done(null, true);
    },
    authorizePublish(client, packet, callback) {
      if (!client) return callback(null);
      if (!mayAgentPublish(client.id, packet.topic) || (packet.retain && !mayRetain(packet.topic))) {
        counters.publishDenied++;
        opts.logger.warn({ clientId: client.id, topic: packet.topic }, 'mqtt publish refused');
        return callback(new Error('publish not authorized'));
      }
      callback(null);
    },
    authorizeSubscribe(client, sub, callback) {
      if (!mayAgentSubscribe(client.id, sub.topic)) {
        counters.subscribeDenied++;
        opts.logger.warn({ clientId: client.id, topic: sub.topic }, 'mqtt subscribe refused');
        return callback(new Error('subscribe not authorized'));
      }
      callback(null, sub);
    },
  });

  aedes.on('clientReady', (client) => {
    clients.get(client.id)?.close();
    clients.set(client.id, client);
    opts.onAgentConnected?.(client.id);
  });
  aedes.on('clientDisconnect', (client) => {
    if (clients.get(client.id) === client) {
      clients.delete(client.id);
      opts.onAgentDisconnected?.(client.id);
    }
  });
  aedes.on('publish', (packet: AedesPublishPacket, client: Client | null) => {
    if (!client) return;
    opts.onAgentMessage(client.id, packet.topic, packet.payload as Buffer);
  });

  const server = createServer(aedes.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;

  return {
    aedes,
    server,
    port,
    counters,
    publish(topic, payload, qos, retain = false) {
      return new Promise((resolve, reject) =>
        aedes.publish({ cmd: 'publish', topic, payload, qos, retain, dup: false }, (err) => (err ? reject(err) : resolve())),
      );
    },
    disconnectAgent(agentId) {
      clients.get(agentId)?.close();
    },
    async close() {
      for (const c of clients.values()) c.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
}

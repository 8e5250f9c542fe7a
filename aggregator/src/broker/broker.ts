/**
 * The embedded MQTT broker (aedes). Every client authenticates as an agent (username = client
 * id = agent id); the ACL in acl.ts confines it to its own subtree. Refusals are counted so they
 * show in metrics.
 *
 * Accepted agent messages are handed to `onAgentMessage` from aedes' `authorizePublish` hook,
 * which runs before the QoS 1 PUBACK is written: the PUBACK therefore waits until ingest has
 * committed the message, and an agent only deletes from its outbox what is safely stored.
 *
 * Per-agent byte quota: each agent's payload bytes draw on its own token bucket before ingest
 * sees them. An agent over its quota has its next message held (aedes reads no further packets
 * from that connection meanwhile, so TCP pushes back on it): one agent sending huge but valid
 * messages slows only itself, not other agents' PUBACKs or the API.
 *
 * TLS only: with `plain: false` no plaintext listener is opened at all.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { Aedes, type Client } from 'aedes';
import type { Logger } from '@camfleet/shared';
import { TokenBucket } from '@camfleet/shared/token-bucket';
import { mayAgentPublish, mayAgentSubscribe, mayRetain } from './acl.ts';
import { GuardedConnection } from './guarded-connection.ts';

export interface BrokerCounters {
  authFailures: number;
  emptyClientId: number;
  publishDenied: number;
  subscribeDenied: number;
  rateLimited: number;
  oversizedPackets: number;
  revokedDisconnects: number;
  /** Messages held back because their agent was over its byte quota. */
  quotaDelayed: number;
}

export interface BrokerTls {
  port: number;
  cert: Buffer;
  key: Buffer;
}

export interface AgentByteQuota {
  /** Sustained payload bytes per second per agent. */
  bytesPerSecond: number;
  /** Bytes an agent may send at once before the rate applies. */
  burstBytes: number;
}

export interface BrokerOptions {
  host: string;
  port: number;
  logger: Logger;
  tls?: BrokerTls;
  /** Open the plaintext listener on `port` (default true). false = TLS only (needs `tls`). */
  plain?: boolean;
  /** Per-agent payload byte quota (default 2 MiB/s, burst 8 MiB). */
  agentQuota?: AgentByteQuota;
  /** Packets announcing a larger size cut the connection (default 640 KiB). */
  maxPacketBytes?: number;
  /** Per-connection publish rate limit (token bucket); beyond it the client is disconnected. */
  publishRatePerSecond?: number;
  publishBurst?: number;
  /** `ip`: the connection's remote address, for per-address throttling of wrong secrets. */
  verifyAgent(agentId: string, password: string, ip: string | null): boolean | Promise<boolean>;
  /** Whether a connected agent may stay connected (revocations made elsewhere, e.g. by the CLI). */
  isAgentActive?(agentId: string): boolean;
  revocationCheckMs?: number;
  /** Resolves when the message is durably handled; the QoS 1 PUBACK waits for it. */
  onAgentMessage(agentId: string, topic: string, payload: Buffer): void | Promise<void>;
  onAgentConnected?(agentId: string): void;
  onAgentDisconnected?(agentId: string): void;
}

export interface RunningBroker {
  aedes: Aedes;
  /** The plaintext listener, or the TLS one when TLS only (`plain` false). */
  server: Server;
  tlsServer?: TlsServer;
  /** Whether a plaintext listener is open. */
  plain: boolean;
  /** The plaintext port, or the TLS port when TLS only. */
  port: number;
  tlsPort?: number;
  counters: BrokerCounters;
  connectedAgents(): string[];
  /** Publishes from the aggregator itself (commands to agents). */
  publish(topic: string, payload: Buffer, qos: 0 | 1, retain?: boolean): Promise<void>;
  /** Disconnects a connected agent (after its revocation). */
  disconnectAgent(agentId: string): void;
  close(): Promise<void>;
}

class AuthError extends Error {
  constructor(public returnCode: number) {
    super(returnCode === 2 ? 'identifier rejected' : 'not authorized');
  }
}

export async function startBroker(opts: BrokerOptions): Promise<RunningBroker> {
  const counters: BrokerCounters = {
    authFailures: 0,
    emptyClientId: 0,
    publishDenied: 0,
    subscribeDenied: 0,
    rateLimited: 0,
    oversizedPackets: 0,
    revokedDisconnects: 0,
    quotaDelayed: 0,
  };
  if (opts.plain === false && !opts.tls) throw new Error('mqtt: TLS only needs a TLS listener (mqtt.tls)');
  const clients = new Map<string, Client>();
  const emptyIds = new WeakSet<Client>();
  const buckets = new WeakMap<Client, TokenBucket>();
  const rate = opts.publishRatePerSecond ?? 500;
  const burst = opts.publishBurst ?? 1000;
  const quota = opts.agentQuota ?? { bytesPerSecond: 2 * 1024 * 1024, burstBytes: 8 * 1024 * 1024 };
  const quotas = new Map<string, TokenBucket>();

  const aedes = await Aedes.createBroker({
    // Agent ids are short; a longer client id is no agent of ours.
    maxClientsIdLength: 64,
    preConnect(client, packet, done) {
      // aedes would invent an id for an empty one; MQTT 3.1.1 lets the server refuse it with
      // CONNACK 0x02 instead, which we do: every client must say which agent it is.
      if (!packet.clientId) emptyIds.add(client);
      done(null, true);
    },
    authenticate(client, username, password, done) {
      if (emptyIds.has(client)) {
        counters.emptyClientId++;
        opts.logger.warn('mqtt connection with an empty client id refused');
        done(new AuthError(2) as Error & { returnCode: 2 }, false);
        return;
      }
      const id = client.id;
      const refuse = () => {
        counters.authFailures++;
        opts.logger.warn({ clientId: id }, 'mqtt authentication refused');
        done(new AuthError(5) as Error & { returnCode: 5 }, false);
      };
      if (!username || username !== id || !password) return refuse();
      const ip = (client.conn as unknown as { remoteAddress?: string }).remoteAddress ?? null;
      Promise.resolve(opts.verifyAgent(username, password.toString(), ip)).then(
        (ok) => (ok ? done(null, true) : refuse()),
        () => refuse(),
      );
    },
    authorizePublish(client, packet, callback) {
      if (!client) return callback(null);
      if (!mayAgentPublish(client.id, packet.topic) || (packet.retain && !mayRetain(packet.topic))) {
        counters.publishDenied++;
        opts.logger.warn({ clientId: client.id, topic: packet.topic }, 'mqtt publish refused');
        return callback(new Error('publish not authorized'));
      }
      let bucket = buckets.get(client);
      if (!bucket) buckets.set(client, (bucket = new TokenBucket(rate, burst)));
      if (!bucket.tryTake(1)) {
        counters.rateLimited++;
        opts.logger.warn({ clientId: client.id }, 'mqtt publish rate exceeded; disconnecting');
        return callback(new Error('publish rate exceeded'));
      }
      const payload = packet.payload as Buffer;
      // The quota is per agent, not per connection: reconnecting does not refill it.
      let q = quotas.get(client.id);
      if (!q) quotas.set(client.id, (q = new TokenBucket(quota.bytesPerSecond, quota.burstBytes)));
      const deliver = () => {
        let result: void | Promise<void>;
        try {
          result = opts.onAgentMessage(client.id, packet.topic, payload);
        } catch (err) {
          return callback(err as Error);
        }
        if (result) result.then(() => callback(null), (err: Error) => callback(err));
        else callback(null);
      };
      const agentQuota = q;
      const attempt = () => {
        if (client.closed) return callback(new Error('connection closed'));
        if (agentQuota.takeWithDebt(payload.length)) return deliver();
        setTimeout(attempt, Math.max(5, agentQuota.msUntilNonNegative())).unref();
      };
      if (agentQuota.takeWithDebt(payload.length)) return deliver();
      counters.quotaDelayed++;
      setTimeout(attempt, Math.max(5, agentQuota.msUntilNonNegative())).unref();
    },
    authorizeSubscribe(client, sub, callback) {
      if (!client || !mayAgentSubscribe(client.id, sub.topic)) {
        counters.subscribeDenied++;
        opts.logger.warn({ clientId: client?.id, topic: sub.topic }, 'mqtt subscribe refused');
        // A null subscription makes aedes answer SUBACK 0x80 (failure), as MQTT 3.1.1 intends.
        return callback(null, null);
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

  const maxPacketBytes = opts.maxPacketBytes ?? 640 * 1024;
  const sockets = new Set<Socket>();
  const handleSocket = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const conn = new GuardedConnection(socket, maxPacketBytes, (announced) => {
      counters.oversizedPackets++;
      opts.logger.warn({ remote: socket.remoteAddress, announced }, 'mqtt packet over the size limit; connection cut');
    });
    aedes.handle(conn as unknown as Socket);
  };

  let server: Server | undefined;
  if (opts.plain !== false) {
    server = createServer(handleSocket);
    await listen(server, opts.port, opts.host);
  }
  let tlsServer: TlsServer | undefined;
  if (opts.tls) {
    tlsServer = createTlsServer({ cert: opts.tls.cert, key: opts.tls.key, minVersion: 'TLSv1.2' }, handleSocket);
    tlsServer.on('tlsClientError', (err) => opts.logger.warn({ err: err.message }, 'mqtts handshake failed'));
    await listen(tlsServer, opts.tls.port, opts.host);
  }

  const revocationTimer = opts.isAgentActive
    ? setInterval(() => {
        for (const [id, client] of clients) {
          if (!opts.isAgentActive!(id)) {
            counters.revokedDisconnects++;
            opts.logger.warn({ agentId: id }, 'agent revoked; disconnecting');
            client.close();
          }
        }
      }, opts.revocationCheckMs ?? 1000)
    : undefined;
  revocationTimer?.unref();

  const main = (server ?? tlsServer)!;
  return {
    aedes,
    server: main,
    tlsServer,
    plain: !!server,
    port: (main.address() as { port: number }).port,
    tlsPort: tlsServer ? (tlsServer.address() as { port: number }).port : undefined,
    counters,
    connectedAgents: () => [...clients.keys()],
    publish(topic, payload, qos, retain = false) {
      return new Promise((resolve, reject) =>
        aedes.publish({ cmd: 'publish', topic, payload, qos, retain, dup: false }, (err) => (err ? reject(err) : resolve())),
      );
    },
    disconnectAgent(agentId) {
      clients.get(agentId)?.close();
    },
    async close() {
      clearInterval(revocationTimer);
      for (const c of clients.values()) c.close();
      for (const s of sockets) s.destroy();
      if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
      if (tlsServer) await new Promise<void>((resolve) => tlsServer!.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
}

function listen(server: Server | TlsServer, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

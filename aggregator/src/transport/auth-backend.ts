/**
 * RabbitMQ's HTTP auth backend (rabbitmq_auth_backend_http), served by the aggregator: every
 * broker node asks here whether an MQTT client may connect, use a vhost, a queue or exchange,
 * and publish or subscribe on a topic. Agents are checked with the same secret verification and
 * the same pure ACL (broker/acl.ts) as the embedded broker, so both tiers enforce one policy.
 *
 * Nothing is cached on the broker side (no rabbitmq_auth_backend_cache): a revoked agent is
 * refused by every node on its next connect, and `AgentTransport.disconnectAgent` cuts the
 * connection it still has.
 *
 * Who may call: the endpoints are on their own listener (loopback by default, never the public
 * API port) under a path holding a shared secret that only the broker nodes' configuration
 * knows, and calls are rate limited (a broker in a reconnect storm cannot starve the API).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { Logger } from '@camfleet/shared';
import { isValidAgentId } from '@camfleet/shared';
import { TokenBucket } from '@camfleet/shared/token-bucket';
import { mayAgentPublish, mayAgentSubscribe } from '../broker/acl.ts';
import { routingKeyToMqtt } from './topics.ts';

export interface AuthBackendDeps {
  /** The agent secret check (broker/agent-auth.ts: fast keyed hash, revocation checked). */
  verifyAgent(agentId: string, password: string): Promise<boolean> | boolean;
  /** Whether an agent is enrolled and not revoked. */
  isAgentActive(agentId: string): Promise<boolean> | boolean;
  /** The path secret: requests must come to /internal/rabbitmq/<secret>/... */
  secret: string;
  /** The vhost agents use (default '/'). */
  vhost?: string;
  /** Calls per second across all nodes before answering 'deny' (default 2,000, burst 4,000). */
  ratePerSecond?: number;
  logger: Logger;
}

export interface AuthBackendCounters {
  allowed: number;
  denied: number;
  rateLimited: number;
  badSecret: number;
}

export type AuthDecision = 'allow' | 'deny';

/** The decision logic, without HTTP: testable alone. */
export class AuthBackend {
  readonly counters: AuthBackendCounters = { allowed: 0, denied: 0, rateLimited: 0, badSecret: 0 };
  private readonly bucket: TokenBucket;
  private readonly vhost: string;

  constructor(private readonly deps: AuthBackendDeps) {
    const rate = deps.ratePerSecond ?? 2000;
    this.bucket = new TokenBucket(rate, rate * 2);
    this.vhost = deps.vhost ?? '/';
  }

  async decide(kind: string, p: Record<string, string>): Promise<AuthDecision> {
    const agentId = p.username ?? '';
    if (!isValidAgentId(agentId)) return 'deny';
    switch (kind) {
      case 'user': {
        // MQTT clients must use their agent id as client id too (the embedded broker's rule).
        if (p.client_id !== undefined && p.client_id !== agentId) return 'deny';
        return (await this.deps.verifyAgent(agentId, p.password ?? '')) ? 'allow' : 'deny';
      }
      case 'vhost':
        return p.vhost === this.vhost && (await this.deps.isAgentActive(agentId)) ? 'allow' : 'deny';
      case 'resource': {
        if (p.vhost !== this.vhost) return 'deny';
        // The MQTT plugin publishes to and binds from amq.topic, and keeps the agent's command
        // subscription in a queue named after its client id (= agent id).
        if (p.resource === 'exchange') return p.name === 'amq.topic' && (p.permission === 'write' || p.permission === 'read') ? 'allow' : 'deny';
        if (p.resource === 'queue') return /^mqtt-subscription-(.+)qos[01]$/.exec(p.name ?? '')?.[1] === agentId ? 'allow' : 'deny';
        return 'deny';
      }
      case 'topic': {
        if (p.vhost !== this.vhost || p.name !== 'amq.topic' || p.resource !== 'topic') return 'deny';
        const topic = routingKeyToMqtt(p.routing_key ?? '');
        if (p.permission === 'write') return mayAgentPublish(agentId, topic) ? 'allow' : 'deny';
        if (p.permission === 'read') return mayAgentSubscribe(agentId, topic) ? 'allow' : 'deny';
        return 'deny';
      }
      default:
        return 'deny';
    }
  }

  /** Handles one HTTP request; answers 'allow'/'deny' as plain text, as the plugin expects. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/internal\/rabbitmq\/([^/]+)\/(user|vhost|resource|topic)$/.exec(url.pathname);
    const send = (status: number, body: string) => {
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(body);
    };
    if (!m) return send(404, 'not found');
    if (!sameSecret(m[1]!, this.deps.secret)) {
      this.counters.badSecret++;
      return send(403, 'deny');
    }
    if (!this.bucket.tryTake(1)) {
      // 'deny' rather than an HTTP error: the client retries its connect later with backoff.
      this.counters.rateLimited++;
      return send(200, 'deny');
    }
    let body = '';
    for await (const chunk of req) {
      body += chunk;
      if (body.length > 16 * 1024) return send(413, 'deny');
    }
    const params: Record<string, string> = Object.fromEntries(url.searchParams);
    for (const [k, v] of new URLSearchParams(body)) params[k] = v;
    let decision: AuthDecision = 'deny';
    try {
      decision = await this.decide(m[2]!, params);
    } catch (err) {
      // The store being down must not let anyone in; the broker refuses and the agent retries.
      this.deps.logger.warn({ err: (err as Error).message, kind: m[2] }, 'auth backend: check failed, denying');
    }
    if (decision === 'allow') this.counters.allowed++;
    else this.counters.denied++;
    send(200, decision);
  }
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Serves the auth backend on its own listener (loopback unless told otherwise). */
export async function startAuthBackend(backend: AuthBackend, host = '127.0.0.1', port = 0): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    backend.handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end('deny');
    });
  });
  // Broker nodes keep connections open; keep-alive saves a handshake per check.
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as { port: number }).port;
  return {
    server,
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

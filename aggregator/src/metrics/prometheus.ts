/**
 * The aggregator's own figures for Prometheus (`GET /metrics`): connected agents, messages in by
 * type, refusals by reason, duplicates, clip bytes. Values are read from the modules' counters
 * at scrape time, so the hot paths only bump plain numbers.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { Hono } from 'hono';
import type { RunningBroker } from '../broker/broker.ts';
import type { Ingest } from '../ingest/ingest.ts';
import type { ClipService } from '../clips/clips.ts';
import type { ApiEnv } from '../api/app.ts';
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolveSecret, type SecretRef } from '@camfleet/shared';
import { credential, route } from '../api/registry.ts';

export interface MetricsSources {
  broker: () => RunningBroker | undefined;
  ingest: Ingest;
  clips: ClipService;
  pendingCommands: () => number;
}

/** A counter whose value is copied from a monotonic source at each scrape. */
function mirroredCounter(registry: Registry, name: string, help: string, labelNames: string[], read: () => Array<[Record<string, string>, number]>) {
  return new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, value] of read()) if (value > 0) this.inc(labels, value);
    },
  });
}

export function createMetricsRegistry(src: MetricsSources): Registry {
  const registry = new Registry();
  new Gauge({
    name: 'camfleet_agents_connected',
    help: 'Agents connected to the broker now',
    registers: [registry],
    collect() {
      this.set(src.broker()?.connectedAgents().length ?? 0);
    },
  });
  mirroredCounter(registry, 'camfleet_messages_in_total', 'Agent messages accepted, by type', ['type'], () =>
    Object.entries(src.ingest.counters.byType).map(([type, n]) => [{ type }, n]),
  );
  mirroredCounter(registry, 'camfleet_messages_rejected_total', 'Agent messages refused by ingest, by reason', ['reason'], () =>
    Object.entries(src.ingest.counters.rejected).map(([reason, n]) => [{ reason }, n]),
  );
  mirroredCounter(registry, 'camfleet_messages_duplicate_total', 'Redelivered outbox messages recognised by (agent, seq) and skipped', [], () => [
    [{}, src.ingest.counters.duplicates],
  ]);
  mirroredCounter(registry, 'camfleet_broker_refusals_total', 'Connections and packets refused by the broker, by kind', ['kind'], () => {
    const c = src.broker()?.counters;
    return c ? Object.entries(c).map(([kind, n]) => [{ kind }, n]) : [];
  });
  mirroredCounter(registry, 'camfleet_clip_bytes_total', 'Clip bytes received in verified-by-hash chunks', [], () => [[{}, src.clips.counters.chunkBytes]]);
  mirroredCounter(registry, 'camfleet_clips_completed_total', 'Clips received whole and verified', [], () => [[{}, src.clips.counters.clipsCompleted]]);
  mirroredCounter(registry, 'camfleet_clips_hash_mismatch_total', 'Clips whose assembled file did not match the offered sha256', [], () => [
    [{}, src.clips.counters.clipsHashMismatch],
  ]);
  new Gauge({
    name: 'camfleet_commands_pending',
    help: 'Commands sent to agents and not yet answered',
    registers: [registry],
    collect() {
      this.set(src.pendingCommands());
    },
  });
  return registry;
}

export interface PrometheusSettings {
  token?: SecretRef;
  listen?: { host: string; port: number };
}

/**
 * GET /metrics on the API's port, only when a scraper token is configured (`Authorization:
 * Bearer <token>`, compared in constant time). Without one the route does not exist there: the
 * figures (agents connected, refusals) are reconnaissance for an attacker.
 */
export function metricsRoute(registry: Registry, settings: PrometheusSettings = {}) {
  const token = settings.token ? resolveSecret(settings.token) : undefined;
  if (token !== undefined && token.length < 16) throw new Error('metrics.prometheus.token must be at least 16 characters');
  return (app: Hono<ApiEnv>) => {
    if (token === undefined) return;
    route(
      app,
      { method: 'get', path: '/metrics', tags: ['system'], summary: 'Prometheus metrics', authz: credential('the scraper token (metrics.prometheus.token) as a bearer token', (c) => bearerMatches(c.req.header('authorization'), token)) },
      async (c) => c.body(await registry.metrics(), 200, { 'content-type': registry.contentType }),
    );
  };
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1] ?? '';
  // Compare digests: equal length, so timingSafeEqual never throws and length leaks nothing.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b) && given.length > 0;
}

/**
 * A separate listener serving only GET /metrics (e.g. on 127.0.0.1 or an internal interface),
 * for scrapers that cannot send a token. Requires the token too when one is configured.
 */
export async function startMetricsListener(registry: Registry, settings: PrometheusSettings & { listen: { host: string; port: number } }): Promise<{ port: number; close(): Promise<void> }> {
  const token = settings.token ? resolveSecret(settings.token) : undefined;
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    if (token !== undefined && !bearerMatches(req.headers.authorization, token)) {
      res.writeHead(401).end();
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.listen.port, settings.listen.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

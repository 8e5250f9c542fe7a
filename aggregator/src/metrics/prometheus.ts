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

/** GET /metrics in the Prometheus text format (outside /api/v1: no bearer token; keep it on an internal network). */
export function metricsRoute(registry: Registry) {
  return (app: Hono<ApiEnv>) => {
    app.get('/metrics', async (c) => c.body(await registry.metrics(), 200, { 'content-type': registry.contentType }));
  };
}

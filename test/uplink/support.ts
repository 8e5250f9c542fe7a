/**
 * Helpers for the uplink tests: an aggregator in this process on free ports and a temp dir, a
 * site to enroll into, enrolled agents, and an agent-side Uplink.
 */
import { AggregatorConfigSchema, type AggregatorConfig } from '../../aggregator/src/config.ts';
import { startAggregator, type RunningAggregator } from '../../aggregator/src/server.ts';
import type { Db } from '../../aggregator/src/db/database.ts';
import type { Credentials } from '../../agent/src/uplink/credentials.ts';

import { quietLogger } from './agent-support.ts';
export { quietLogger };

export function aggregatorConfig(dataDir: string, overrides: Record<string, unknown> = {}): AggregatorConfig {
  const base = { dataDir, mqtt: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 } };
  return AggregatorConfigSchema.parse(deepMerge(base, overrides));
}

export function startTestAggregator(dataDir: string, overrides: Record<string, unknown> = {}): Promise<RunningAggregator> {
  return startAggregator(aggregatorConfig(dataDir, overrides), quietLogger());
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && typeof a[k] === 'object' ? deepMerge(a[k] as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

/** An area, an organisation and a site, straight into the domain tables. */
export function createSite(db: Db, siteId = 'hoan-kiem-market'): string {
  db.prepare("INSERT OR IGNORE INTO areas (id, parent_id, name, kind) VALUES ('hn', NULL, 'Ha Noi', 'city')").run();
  db.prepare("INSERT OR IGNORE INTO orgs (id, name, kind, area_id) VALUES ('ward-hk', 'Hoan Kiem ward', 'ward', 'hn')").run();
  db.prepare("INSERT OR IGNORE INTO sites (id, name, org_id, area_id, created_at) VALUES (?, 'Market', 'ward-hk', 'hn', ?)").run(siteId, new Date().toISOString());
  return siteId;
}

/** Enrolls a new agent through the enrollment service and returns its credentials. */
export function enrollAgent(agg: RunningAggregator, siteId = createSite(agg.db)): Credentials {
  const { token } = agg.uplink.enrollment.createToken(siteId, 3600);
  const e = agg.uplink.enrollment.enroll(token);
  return { agentId: e.agentId, password: e.password, mqttUrl: `mqtt://127.0.0.1:${agg.mqttPort}` };
}

export { startTestUplink, type TestUplinkOptions } from './agent-support.ts';

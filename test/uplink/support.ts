/**
 * Helpers for the uplink tests: an aggregator in this process on free ports and a temp dir, a
 * site to enroll into, enrolled agents, and an agent-side Uplink.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '@camfleet/shared';
import { AggregatorConfigSchema, type AggregatorConfig } from '../../aggregator/src/config.ts';
import { startAggregator, type RunningAggregator } from '../../aggregator/src/server.ts';
import type { Db } from '../../aggregator/src/db/database.ts';
import { Uplink } from '../../agent/src/uplink/connection.ts';
import { SeqCounter } from '../../agent/src/uplink/seq.ts';
import { UPLINK_MIGRATIONS } from '../../agent/src/uplink/schema.ts';
import { openAgentDb } from '../../agent/src/storage/db.ts';
import type { Credentials } from '../../agent/src/uplink/credentials.ts';

export const quietLogger = () => createLogger('test', { level: process.env.CAMFLEET_LOG_LEVEL ?? 'silent' });

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

export interface TestUplinkOptions {
  dataDir: string;
  credentials: Credentials;
  mqttUrl?: string;
  bandwidthBytesPerSecond?: number;
  clipChunkBytes?: number;
  outboxMaxMessages?: number;
}

export function startTestUplink(o: TestUplinkOptions): { uplink: Uplink; close(): Promise<void> } {
  mkdirSync(o.dataDir, { recursive: true });
  const db = openAgentDb(o.dataDir, UPLINK_MIGRATIONS);
  const uplink = new Uplink({
    credentials: o.credentials,
    mqttUrl: o.mqttUrl ?? o.credentials.mqttUrl!,
    keepaliveSeconds: 5,
    seq: new SeqCounter(join(o.dataDir, 'seq.json')),
    logger: quietLogger(),
    db,
    bandwidthBytesPerSecond: o.bandwidthBytesPerSecond,
    clipChunkBytes: o.clipChunkBytes,
    outboxMaxMessages: o.outboxMaxMessages,
  });
  return {
    uplink,
    async close() {
      await uplink.close();
      db.close();
    },
  };
}

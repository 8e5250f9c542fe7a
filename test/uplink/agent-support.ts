/** The agent half of the uplink test helpers (no aggregator imports: child processes load it). */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '@camfleet/shared';
import { Uplink } from '../../agent/src/uplink/connection.ts';
import { SeqCounter } from '../../agent/src/uplink/seq.ts';
import { UPLINK_MIGRATIONS } from '../../agent/src/uplink/schema.ts';
import { openAgentDb, type AgentDb } from '../../agent/src/storage/db.ts';
import type { Credentials } from '../../agent/src/uplink/credentials.ts';

export const quietLogger = () => createLogger('test', { level: process.env.CAMFLEET_LOG_LEVEL ?? 'silent' });

export interface TestUplinkOptions {
  dataDir: string;
  credentials: Credentials;
  mqttUrl?: string;
  bandwidthBytesPerSecond?: number;
  clipChunkBytes?: number;
  outboxMaxMessages?: number;
  maxMessagesPerSecond?: number;
  maxInFlight?: number;
}

export function startTestUplink(o: TestUplinkOptions): { uplink: Uplink; db: AgentDb; close(): Promise<void> } {
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
    maxMessagesPerSecond: o.maxMessagesPerSecond,
    maxInFlight: o.maxInFlight,
  });
  return {
    uplink,
    db,
    async close() {
      await uplink.close();
      db.close();
    },
  };
}

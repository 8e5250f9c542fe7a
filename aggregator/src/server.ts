/**
 * Wires the aggregator together: database, broker, ingest and HTTP API. Protocol libraries stay
 * in their modules; this file only connects them.
 */
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { createLogger, type Logger } from '@camfleet/shared';
import type { AggregatorConfig } from './config.ts';
import { openDatabase, type Db } from './db/database.ts';
import { FleetStore } from './fleet/store.ts';
import { UserStore } from './auth/users.ts';
import { startBroker, type RunningBroker } from './broker/broker.ts';
import { Ingest } from './ingest/ingest.ts';
import { createApi } from './api/app.ts';
import { AGGREGATOR_VERSION } from './version.ts';

export interface RunningAggregator {
  db: Db;
  fleet: FleetStore;
  users: UserStore;
  ingest: Ingest;
  broker: RunningBroker;
  mqttPort: number;
  httpPort: number;
  httpUrl: string;
  logger: Logger;
  close(): Promise<void>;
}

export async function startAggregator(config: AggregatorConfig, logger = createLogger('aggregator', { level: config.log.level })): Promise<RunningAggregator> {
  const db = openDatabase(join(config.dataDir, 'aggregator.db'));
  const fleet = new FleetStore(db);
  const users = new UserStore(db);
  const ingest = new Ingest(fleet, logger);

  const broker = await startBroker({
    host: config.mqtt.host,
    port: config.mqtt.port,
    logger,
    verifyAgent: (id, password) => fleet.verifyAgent(id, password),
    onAgentMessage: (agentId, topic, payload) => ingest.handle(agentId, topic, payload),
    onAgentConnected: (agentId) => logger.info({ agentId }, 'agent connected'),
    // A dropped connection means the agent is offline even if no will was delivered.
    onAgentDisconnected: (agentId) => {
      fleet.setOnline(agentId, false);
      logger.info({ agentId }, 'agent disconnected');
    },
  });

  const api = createApi({ fleet, users, version: AGGREGATOR_VERSION });
  let http: ServerType;
  const httpPort = await new Promise<number>((resolve) => {
    http = serve({ fetch: api.fetch, port: config.http.port, hostname: config.http.host }, (info) => resolve(info.port));
  });
  const httpHost = config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host;
  logger.info({ mqttPort: broker.port, httpPort }, 'aggregator started');

  return {
    db,
    fleet,
    users,
    ingest,
    broker,
    mqttPort: broker.port,
    httpPort,
    httpUrl: `http://${httpHost}:${httpPort}`,
    logger,
    async close() {
      await broker.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      db.close();
    },
  };
}

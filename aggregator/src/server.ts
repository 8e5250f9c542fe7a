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
import type { RunningBroker } from './broker/broker.ts';
import type { Ingest } from './ingest/ingest.ts';
import { startUplink, type UplinkStack } from './uplink/stack.ts';
import { createApi } from './api/app.ts';
import { createDashboardApp, isDashboardPath } from './dashboard/static.ts';
import { LiveStreams } from './dashboard/stream.ts';
import { clipRoutes } from './dashboard/clip-routes.ts';
import { cameraRoutes } from './dashboard/camera-routes.ts';
import { AGGREGATOR_VERSION } from './version.ts';
import { createDomainServices, type DomainServices } from './services.ts';
import { AuditAnchor } from './audit/anchor.ts';
import { anchorConfig } from './audit/config.ts';

export interface RunningAggregator {
  db: Db;
  fleet: FleetStore;
  users: UserStore;
  ingest: Ingest;
  broker: RunningBroker;
  /** Broker, ingest, enrollment, commands, clips and metrics (see uplink/stack.ts). */
  uplink: UplinkStack;
  /** City model, authorization, audit, sharing, alerts. */
  domain: DomainServices;
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
  const uplink = await startUplink({ config, db, fleet, logger });
  const { ingest, broker } = uplink;
  const domain = createDomainServices(db, {
    ingest,
    logger,
    alertSweepMs: 30_000,
    // The audit chain's signed anchor, outside the database (a rebuilt chain no longer verifies).
    auditAnchor: AuditAnchor.open(anchorConfig(config)),
    // Revocations reach the agent as a command (kept and retried by the command service).
    notifyAgent: (agentId, args) => uplink.commands.send(agentId, 'sharing.update', args, { timeoutMs: 24 * 3600_000, requestedBy: 'sharing' }),
  });

  await domain.audit.adoptExisting();
  const live = new LiveStreams(fleet);
  const api = createApi({ fleet, users, domain, version: AGGREGATOR_VERSION, live, publicRoutes: uplink.publicRoutes, routes: [...uplink.routes, clipRoutes({ clips: uplink.clips, audit: domain.audit }), cameraRoutes({ samples: domain.events, fleet })] });
  const dashboard = createDashboardApp(config.dashboard);
  let http: ServerType;
  const httpPort = await new Promise<number>((resolve) => {
    http = serve({ fetch: (req, env) => (isDashboardPath(new URL(req.url).pathname) ? dashboard.fetch(req, env) : api.fetch(req, env)), port: config.http.port, hostname: config.http.host }, (info) => resolve(info.port));
  });
  const httpHost = config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host;
  logger.info({ mqttPort: broker.port, httpPort }, 'aggregator started');

  return {
    db,
    fleet,
    users,
    ingest,
    broker,
    uplink,
    domain,
    mqttPort: broker.port,
    httpPort,
    httpUrl: `http://${httpHost}:${httpPort}`,
    logger,
    async close() {
      domain.close();
      await uplink.close();
      live.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      db.close();
    },
  };
}

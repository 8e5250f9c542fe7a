/**
 * Wires the aggregator together: database, broker, ingest and HTTP API. Protocol libraries stay
 * in their modules; this file only connects them.
 */
import { join } from 'node:path';
import { mkdirSync, chmodSync, readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { serve, type ServerType } from '@hono/node-server';
import { createLogger, type Logger } from '@camfleet/shared';
import type { AggregatorConfig } from './config.ts';
import { openDatabase, type Db } from './db/database.ts';
import { FleetStore } from './fleet/store.ts';
import { UserStore } from './auth/users.ts';
import type { RunningBroker } from './broker/broker.ts';
import { embeddedOnly } from './transport/aedes.ts';
import type { Ingest } from './ingest/ingest.ts';
import { startUplink, type UplinkStack } from './uplink/stack.ts';
import { createApi } from './api/app.ts';
import { createDashboardApp, isDashboardPath } from './dashboard/static.ts';
import { LiveStreams } from './dashboard/stream.ts';
import { clipRoutes } from './dashboard/clip-routes.ts';
import { cameraRoutes } from './dashboard/camera-routes.ts';
import { AGGREGATOR_VERSION } from './version.ts';
import { loginThrottle } from './auth/rate-limit.ts';
import { SqliteAttemptStore } from './auth/attempts-sqlite.ts';
import { startMetricsListener } from './metrics/prometheus.ts';
import { createDomainServices, type DomainServices } from './services.ts';
import { assertStorageSupported } from './storage/index.ts';
import { AuditAnchor } from './audit/anchor.ts';
import { anchorConfig } from './audit/config.ts';
import { LiveService } from './live/service.ts';
import { liveRoutes } from './live/routes.ts';

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
  /** http://... or https://... (http.tls). */
  httpUrl: string;
  /** Port of the separate metrics listener (metrics.prometheus.listen), when configured. */
  metricsPort?: number;
  /** Live view relay (live/README.md): upstreams and viewers, for status, tests and benchmarks. */
  liveView: LiveService;
  /** The API app (every route, as served); tests call it in-process with `api.request`. */
  api: ReturnType<typeof createApi>;
  logger: Logger;
  close(): Promise<void>;
}

export async function startAggregator(config: AggregatorConfig, logger = createLogger('aggregator', { level: config.log.level })): Promise<RunningAggregator> {
  // State is private to the aggregator's user: the directory 0700, the database 0600 (db/database.ts).
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  chmodSync(config.dataDir, 0o700);
  assertStorageSupported(config.storage);
  const db = openDatabase(join(config.dataDir, 'aggregator.db'));
  const fleet = new FleetStore(db);
  const users = new UserStore(db);
  let domainRef: DomainServices | undefined;
  const uplink = await startUplink({
    config,
    db,
    fleet,
    logger,
    // Every enrollment attempt, refused or not, is in the audit trail.
    onEnrollAttempt: async (a) => {
      await domainRef?.audit.record({
        action: 'agent.enroll',
        outcome: a.outcome === 'enrolled' ? 'done' : 'failed',
        ip: a.ip,
        resource: a.agentId ? { type: 'agent', id: a.agentId } : undefined,
        detail: { outcome: a.outcome, code: a.code ?? null, siteId: a.siteId ?? null },
      });
    },
  });
  const { ingest } = uplink;
  const broker = embeddedOnly(uplink.broker);
  const domain = createDomainServices(db, {
    ingest,
    logger,
    timeseries: config.timeseries,
    alertSweepMs: 30_000,
    // The audit chain's signed anchor, outside the database (a rebuilt chain no longer verifies).
    auditAnchor: AuditAnchor.open(anchorConfig(config)),
    // Revocations reach the agent as a command (kept and retried by the command service).
    notifyAgent: (agentId, args) => uplink.commands.send(agentId, 'sharing.update', args, { timeoutMs: 24 * 3600_000, requestedBy: 'sharing' }),
  });

  domainRef = domain;
  await domain.audit.adoptExisting();

  // A stream ends when its session does (logout, revoked token, disabled user).
  const live = new LiveStreams(fleet, { maxPerUser: config.http.maxStreamsPerUser, isTokenValid: (token) => !!users.userForToken(token) });
  // Live view (live/README.md): one upstream per camera from the agent's outbound WebSocket.
  const agentOnline = db.prepare('SELECT online FROM agents WHERE id = ? AND revoked_at IS NULL').pluck();
  const liveView = new LiveService({
    sendCommand: (agentId, name, args) => uplink.commands.sendControl(agentId, name, args),
    verifyAgent: (agentId, password, ip) => uplink.agentAuth.verify(agentId, password, ip),
    stillAllowed: async (v) => {
      const user = users.userForToken(v.token);
      if (!user || user.id !== v.principal.userId) return false;
      const d = await domain.authorizer.check(user, 'view_snapshot', { type: 'camera', agentId: v.agentId, cameraId: v.cameraId }, v.purpose ?? undefined);
      return d.allow;
    },
    audit: async (input) => {
      await domain.audit.record(input);
    },
    logger,
  });
  const api = createApi({
    fleet,
    users,
    domain,
    version: AGGREGATOR_VERSION,
    live,
    logger,
    maxBodyBytes: config.http.maxBodyBytes,
    loginThrottle: loginThrottle(new SqliteAttemptStore(db)),
    publicRoutes: uplink.publicRoutes,
    routes: [...uplink.routes, clipRoutes({ clips: uplink.clips, audit: domain.audit }), cameraRoutes({ timeseries: domain.timeseries, fleet }),
      liveRoutes({
        live: liveView,
        agentOnline: (id) => agentOnline.get(id) === 1,
        cameraOnline: (agentId, cameraId) => !!fleet.listCameras().find((c) => c.agentId === agentId && c.cameraId === cameraId && c.online),
      }),
    ],
  });
  const dashboard = createDashboardApp(config.dashboard);
  let http: ServerType;
  const tls = config.http.tls;
  const httpPort = await new Promise<number>((resolve) => {
    http = serve(
      {
        fetch: (req, env) => (isDashboardPath(new URL(req.url).pathname) ? dashboard.fetch(req, env) : api.fetch(req, env)),
        port: config.http.port,
        hostname: config.http.host,
        ...(tls ? { createServer: createHttpsServer, serverOptions: { cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile), minVersion: 'TLSv1.2' as const } } : {}),
      },
      (info) => resolve(info.port),
    );
  });
  // Slow-loris bounds: a client must send its headers, and its body, within these.
  const httpServer = http! as import('node:http').Server;
  httpServer.headersTimeout = 20_000;
  httpServer.requestTimeout = 120_000;
  // The only WebSocket the centre accepts: an agent's live upstream (authenticated in live/service.ts).
  httpServer.on('upgrade', (req, socket, head) => {
    if (!liveView.handleUpgrade(req, socket, head)) socket.destroy();
  });
  const prom = config.metrics.prometheus;
  const metricsListener = prom.listen ? await startMetricsListener(uplink.metrics, { ...prom, listen: prom.listen }) : undefined;
  const httpHost = config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host;
  logger.info({ mqttPort: broker.port, mqttPlain: broker.plain, httpPort, https: !!tls, metricsPort: metricsListener?.port }, 'aggregator started');

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
    httpUrl: `${tls ? 'https' : 'http'}://${httpHost}:${httpPort}`,
    metricsPort: metricsListener?.port,
    api,
    liveView,
    logger,
    async close() {
      domain.close();
      await uplink.close();
      live.close();
      liveView.close();
      await metricsListener?.close();
      // Ends connections still open (a client stuck mid-body after a 413, a slow reader) so
      // shutdown never waits on a client.
      const closing = new Promise<void>((resolve) => http.close(() => resolve()));
      httpServer.closeAllConnections();
      await closing;
      db.close();
    },
  };
}

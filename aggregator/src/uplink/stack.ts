/**
 * The central end of the uplink, wired together: the transport (embedded aedes broker with auth,
 * ACL, limits, TLS; or a RabbitMQ cluster with the aggregator as its HTTP auth backend), ingest
 * (batched, de-duplicated), enrollment, commands, clip transfer (blob store: disk or S3) and
 * metrics. server.ts starts it and mounts its HTTP routes; each part lives in its own module.
 */
import { readFileSync } from 'node:fs';
import type { Hono } from 'hono';
import type { Logger, Message } from '@camfleet/shared';
import type { AggregatorConfig } from '../config.ts';
import type { Db } from '../db/database.ts';
import type { FleetStore } from '../fleet/store.ts';
import type { ApiEnv } from '../api/app.ts';
import { startBroker, type RunningBroker } from '../broker/broker.ts';
import { AgentAuthenticator, loadAgentSecretKey } from '../broker/agent-auth.ts';
import { hashAgentSecret } from '../auth/secrets.ts';
import { SqliteAgentSecretStore } from '../broker/sqlite.ts';
import { SqliteAttemptStore } from '../auth/attempts-sqlite.ts';
import { AttemptThrottle } from '../auth/rate-limit.ts';
import { join } from 'node:path';
import { permission, publicRoute, route } from '../api/registry.ts';
import { Ingest } from '../ingest/ingest.ts';
import { EnrollmentService } from '../enrollment/enrollment.ts';
import { enrollmentRoutes, type EnrollAttempt } from '../enrollment/routes.ts';
import { CommandService } from '../commands/commands.ts';
import { commandRoutes } from '../commands/routes.ts';
import { ClipService } from '../clips/clips.ts';
import { createMetricsRegistry, metricsRoute } from '../metrics/prometheus.ts';
import { InfluxExporter } from '../metrics/influx.ts';
import type { Registry } from 'prom-client';
import { resolveSecret } from '@camfleet/shared';
import type { AgentTransport } from '../transport/port.ts';
import { aedesTransport } from '../transport/aedes.ts';
import { startRabbitTransport } from '../transport/rabbitmq.ts';
import { AuthBackend, startAuthBackend } from '../transport/auth-backend.ts';
import type { BrokerConfig } from '../transport/config.ts';
import { createBlobStore, type BlobsConfig } from '../blobs/config.ts';
import type { BlobStore } from '../blobs/port.ts';

export interface UplinkStack {
  /** The embedded broker; undefined when agents connect to a RabbitMQ cluster (broker.engine). */
  broker?: RunningBroker;
  /** How the centre reaches agents, whichever engine carries them. */
  transport: AgentTransport;
  blobs: BlobStore;
  /** Agent secret checks (also for other front doors, e.g. a RabbitMQ HTTP auth backend). */
  agentAuth: AgentAuthenticator;
  ingest: Ingest;
  enrollment: EnrollmentService;
  commands: CommandService;
  clips: ClipService;
  metrics: Registry;
  /** Present when metrics.influx is configured. */
  influx?: InfluxExporter;
  /** Mounted before the API's bearer check (enrollment, /metrics). */
  publicRoutes: Array<(app: Hono<ApiEnv>) => void>;
  routes: Array<(app: Hono<ApiEnv>) => void>;
  close(): Promise<void>;
}

export interface UplinkDeps {
  config: AggregatorConfig;
  db: Db;
  fleet: FleetStore;
  logger: Logger;
  /** Every enrollment attempt (server.ts records it in the audit trail). */
  onEnrollAttempt?(attempt: EnrollAttempt): void | Promise<void>;
}

export async function startUplink({ config, db, fleet, logger, onEnrollAttempt }: UplinkDeps): Promise<UplinkStack> {
  const ingest = new Ingest(fleet, logger, {
    db,
    batchMaxMessages: config.uplink.batchMaxMessages,
    batchMaxDelayMs: config.uplink.batchMaxDelayMs,
    dedupWindowHours: config.uplink.dedupWindowHours,
  });
  const enrollment = new EnrollmentService(db, fleet);
  const isActive = db.prepare('SELECT 1 FROM agents WHERE id = ? AND revoked_at IS NULL').pluck();
  const agentActive = (id: string) => !!isActive.get(id);
  const brokerConfig: BrokerConfig = config.broker;
  const blobsConfig: BlobsConfig = config.blobs;
  const blobs = createBlobStore(blobsConfig, config.dataDir);

  let broker: RunningBroker | undefined;
  let transport: AgentTransport | undefined;
  const commands = new CommandService(
    db,
    // In the protocol version the agent speaks (a v1 agent gets v1 commands).
    (topic, payload) => (transport ? transport.publish(topic, ingest.forAgent(topic, payload)) : Promise.reject(new Error('transport not started'))),
    logger,
  );
  ingest.on('reply', (m) => commands.handleReply(m as Message<'reply'>));
  const clips = new ClipService(db, ingest, commands, logger, {
    dataDir: config.dataDir,
    maxClipBytes: config.uplink.maxClipBytes,
    needRetryMs: config.uplink.clipNeedRetrySeconds * 1000,
    isConnected: (id) => !!transport?.isConnected(id),
    blobs,
  });
  // The agent says 'online' after subscribing to its commands: then it can hear what its clips
  // need, and the commands it may have missed.
  ingest.onCommitted('status', (m) => {
    if ((m as Message<'status'>).body.state !== 'online') return;
    commands.resendPending(m.agentId);
    clips.onAgentConnected(m.agentId);
  });

  const agentKey = loadAgentSecretKey({ ref: config.mqtt.agentSecretKey, file: join(config.dataDir, 'agent-secret.key') });
  const auth = new AgentAuthenticator(new SqliteAgentSecretStore(db), agentKey);
  // Agents enrolled from now on get the keyed hash straight away: no scrypt on the enrollment
  // request, none at their first connect.
  fleet.useSecretHash((secret) => hashAgentSecret(secret, agentKey));
  const tls = config.mqtt.tls;
  let authServer: Awaited<ReturnType<typeof startAuthBackend>> | undefined;
  if (brokerConfig.engine === 'rabbitmq') {
    // Agents connect to the RabbitMQ nodes; the nodes ask this instance who may do what.
    const authBackend = new AuthBackend({
      verifyAgent: (id, password) => auth.verify(id, password),
      isAgentActive: agentActive,
      secret: resolveSecret(brokerConfig.authBackend.secret),
      ratePerSecond: brokerConfig.authBackend.ratePerSecond,
      logger,
    });
    authServer = await startAuthBackend(authBackend, brokerConfig.authBackend.host, brokerConfig.authBackend.port);
    const password = brokerConfig.password ? resolveSecret(brokerConfig.password) : undefined;
    const withPassword = (u: string) => {
      if (!password) return u;
      const url = new URL(u);
      url.password = encodeURIComponent(password);
      return url.toString();
    };
    const isOnline = db.prepare('SELECT online FROM agents WHERE id = ?').pluck();
    transport = await startRabbitTransport({
      amqpUrls: brokerConfig.amqpUrls.map(withPassword),
      managementUrls: brokerConfig.managementUrls,
      managementPassword: password,
      queue: brokerConfig.queue,
      prefetch: brokerConfig.prefetch,
      logger,
      onAgentMessage: (agentId, topic, payload) => ingest.handle(agentId, topic, payload),
      // Presence comes from the agents' status messages and last wills, through ingest.
      isConnected: (id) => isOnline.get(id) === 1,
    });
  } else {
  broker = await startBroker({
    host: config.mqtt.host,
    port: config.mqtt.port,
    logger,
    tls: tls ? { port: tls.port, cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) } : undefined,
    plain: config.mqtt.plain,
    agentQuota: { bytesPerSecond: config.mqtt.agentBytesPerSecond, burstBytes: config.mqtt.agentBurstBytes },
    maxPacketBytes: config.mqtt.maxPacketBytes,
    publishRatePerSecond: config.mqtt.publishRatePerSecond,
    publishBurst: config.mqtt.publishBurst,
    verifyAgent: (id, password, ip) => auth.verify(id, password, ip),
    isAgentActive: agentActive,
    revocationCheckMs: config.mqtt.revocationCheckMs,
    onAgentMessage: (agentId, topic, payload) => ingest.handle(agentId, topic, payload),
    onAgentConnected: (agentId) => logger.info({ agentId }, 'agent connected'),
    // A dropped connection means the agent is offline even if no will was delivered.
    onAgentDisconnected: (agentId) => {
      fleet.setOnline(agentId, false);
      logger.info({ agentId }, 'agent disconnected');
    },
  });
  transport = aedesTransport(broker);
  }
  const running = transport;
  commands.startSweeper();
  clips.start();

  const pendingCommands = db.prepare("SELECT COUNT(*) FROM agent_commands WHERE state = 'pending'").pluck();
  const metrics = createMetricsRegistry({ broker: () => broker, ingest, clips, pendingCommands: () => pendingCommands.get() as number });
  const influx = config.metrics.influx ? new InfluxExporter(config.metrics.influx, logger) : undefined;
  if (influx) {
    ingest.onCommitted('health', (m) => influx.health(m as Message<'health'>));
    ingest.onCommitted('heartbeat', (m) => influx.heartbeat(m as Message<'heartbeat'>));
  }

  return {
    broker,
    transport: running,
    blobs,
    agentAuth: auth,
    ingest,
    enrollment,
    commands,
    clips,
    metrics,
    influx,
    publicRoutes: [
      // For the load balancer: /healthz says the process answers; /readyz that this instance can
      // serve (database, transport to the agents, blob store), else 503 naming what is missing.
      (app) =>
        route(app, { method: 'get', path: '/healthz', tags: ['ops'], summary: 'Liveness', authz: publicRoute('a liveness probe: reveals nothing') }, (c) => c.json({ ok: true })),
      (app) =>
        route(app, { method: 'get', path: '/readyz', tags: ['ops'], summary: 'Readiness (database, transport, blob store)', authz: publicRoute('a readiness probe: reveals only which engine is down') }, async (c) => {
          const down: string[] = [];
          try {
            db.prepare('SELECT 1').get();
          } catch {
            down.push('database');
          }
          // The broker and the blob store are reported, but only the database takes an instance
          // out of the balancer: API reads must keep working while the transport moves to
          // another broker node (it reconnects by itself) or S3 blinks.
          const degraded: string[] = [];
          if (!running.ready()) degraded.push(running.engine === 'rabbitmq' ? 'rabbitmq' : 'mqtt');
          if (!(await blobs.ping().catch(() => false))) degraded.push(`blobs (${blobs.engine})`);
          return c.json({ ready: down.length === 0, down, degraded }, down.length === 0 ? 200 : 503);
        }),
      metricsRoute(metrics, config.metrics.prometheus),
      enrollmentRoutes({
        throttle: new AttemptThrottle(new SqliteAttemptStore(db), 'enroll', { freeFailures: 5, freeFailuresPerAddress: 5 }),
        logger,
        onAttempt: onEnrollAttempt,
        enrollment,
        publicMqttUrl: config.uplink.publicMqttUrl ?? (brokerConfig.engine === 'rabbitmq' ? brokerConfig.publicMqttUrl : undefined),
        mqttPort: broker?.port,
        tlsPort: broker?.tlsPort,
        caFile: tls?.caFile,
      }),
    ],
    routes: [
      commandRoutes({ commands, defaultTimeoutSeconds: config.uplink.commandTimeoutSeconds, agentExists: agentActive }),
      (app) =>
        route(
          app,
          { method: 'post', path: '/api/v1/agents/:id/revoke', tags: ['fleet'], summary: "Revoke an agent's credentials (disconnected at once)", authz: permission('manage_sites', (c) => ({ type: 'agent', agentId: c.req.param('id') ?? '' })) },
          async (c) => {
            const id = c.req.param('id') ?? '';
            const revoked = fleet.revokeAgent(id);
            // On RabbitMQ every node refuses the agent from now on (the auth backend reads the
            // revocation); this cuts the connection it still has, on whichever node.
            await running.disconnectAgent(id);
            return c.json({ agentId: id, revoked });
          },
        ),
    ],
    async close() {
      commands.stop();
      clips.stop();
      await running.close();
      await authServer?.close();
      ingest.close();
      await influx?.close();
    },
  };
}

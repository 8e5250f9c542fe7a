/**
 * The central end of the uplink, wired together: the broker (auth, ACL, limits, TLS), ingest
 * (batched, de-duplicated), enrollment, commands, clip transfer and metrics. server.ts starts
 * it and mounts its HTTP routes; each part lives in its own module.
 */
import { readFileSync } from 'node:fs';
import type { Hono } from 'hono';
import type { Logger, Message } from '@camfleet/shared';
import type { AggregatorConfig } from '../config.ts';
import type { Db } from '../db/database.ts';
import type { FleetStore } from '../fleet/store.ts';
import type { ApiEnv } from '../api/app.ts';
import { startBroker, type RunningBroker } from '../broker/broker.ts';
import { AgentAuthenticator } from '../broker/agent-auth.ts';
import { Ingest } from '../ingest/ingest.ts';
import { EnrollmentService } from '../enrollment/enrollment.ts';
import { enrollmentRoutes } from '../enrollment/routes.ts';
import { CommandService } from '../commands/commands.ts';
import { commandRoutes } from '../commands/routes.ts';
import { ClipService } from '../clips/clips.ts';
import { createMetricsRegistry, metricsRoute } from '../metrics/prometheus.ts';
import { InfluxExporter } from '../metrics/influx.ts';
import type { Registry } from 'prom-client';

export interface UplinkStack {
  broker: RunningBroker;
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
}

export async function startUplink({ config, db, fleet, logger }: UplinkDeps): Promise<UplinkStack> {
  const ingest = new Ingest(fleet, logger, {
    db,
    batchMaxMessages: config.uplink.batchMaxMessages,
    batchMaxDelayMs: config.uplink.batchMaxDelayMs,
    dedupWindowHours: config.uplink.dedupWindowHours,
  });
  const enrollment = new EnrollmentService(db, fleet);
  const isActive = db.prepare('SELECT 1 FROM agents WHERE id = ? AND revoked_at IS NULL').pluck();
  const agentActive = (id: string) => !!isActive.get(id);

  let broker: RunningBroker | undefined;
  const commands = new CommandService(
    db,
    (topic, payload) => (broker ? broker.publish(topic, payload, 1) : Promise.reject(new Error('broker not started'))),
    logger,
  );
  ingest.on('reply', (m) => commands.handleReply(m as Message<'reply'>));
  const clips = new ClipService(db, ingest, commands, logger, {
    dataDir: config.dataDir,
    maxClipBytes: config.uplink.maxClipBytes,
    needRetryMs: config.uplink.clipNeedRetrySeconds * 1000,
    isConnected: (id) => !!broker?.connectedAgents().includes(id),
  });
  // The agent says 'online' after subscribing to its commands: then it can hear what its clips
  // need, and the commands it may have missed.
  ingest.onCommitted('status', (m) => {
    if ((m as Message<'status'>).body.state !== 'online') return;
    commands.resendPending(m.agentId);
    clips.onAgentConnected(m.agentId);
  });

  const auth = new AgentAuthenticator(db);
  const tls = config.mqtt.tls;
  broker = await startBroker({
    host: config.mqtt.host,
    port: config.mqtt.port,
    logger,
    tls: tls ? { port: tls.port, cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) } : undefined,
    maxPacketBytes: config.mqtt.maxPacketBytes,
    publishRatePerSecond: config.mqtt.publishRatePerSecond,
    publishBurst: config.mqtt.publishBurst,
    verifyAgent: (id, password) => auth.verify(id, password),
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
  commands.startSweeper();
  clips.start();

  const pendingCommands = db.prepare("SELECT COUNT(*) FROM agent_commands WHERE state = 'pending'").pluck();
  const metrics = createMetricsRegistry({ broker: () => broker, ingest, clips, pendingCommands: () => pendingCommands.get() as number });
  const influx = config.metrics.influx ? new InfluxExporter(config.metrics.influx, logger) : undefined;
  if (influx) {
    ingest.onCommitted('health', (m) => influx.health(m as Message<'health'>));
    ingest.onCommitted('heartbeat', (m) => influx.heartbeat(m as Message<'heartbeat'>));
  }

  const running = broker;
  return {
    broker: running,
    ingest,
    enrollment,
    commands,
    clips,
    metrics,
    influx,
    publicRoutes: [
      metricsRoute(metrics),
      enrollmentRoutes({
        enrollment,
        publicMqttUrl: config.uplink.publicMqttUrl,
        mqttPort: running.port,
        tlsPort: running.tlsPort,
        caFile: tls?.caFile,
      }),
    ],
    routes: [
      commandRoutes({ commands, defaultTimeoutSeconds: config.uplink.commandTimeoutSeconds, agentExists: agentActive }),
      (app) =>
        app.post('/api/v1/agents/:id/revoke', (c) => {
          const id = c.req.param('id');
          const revoked = fleet.revokeAgent(id);
          running.disconnectAgent(id);
          return c.json({ agentId: id, revoked });
        }),
    ],
    async close() {
      commands.stop();
      clips.stop();
      await running.close();
      ingest.close();
      await influx?.close();
    },
  };
}

/**
 * The domain side of the aggregator in one object: the city model's repositories, the
 * authorization point, the audit trail, sharing, alerts. Built from the database by the server,
 * the CLI and tests alike; swapping the SQLite repositories for PostgreSQL ones happens here only.
 */
import type { Logger, Message } from '@camfleet/shared';
import type { Db } from './db/database.ts';
import { createSqliteDomainRepos } from './domain/sqlite.ts';
import { createPostgresDomainRepos } from './domain/postgres.ts';
import { createPostgresGrantRepository } from './sharing/postgres.ts';
import type { PgQueryable } from './storage/postgres.ts';
import { InventoryQueries } from './inventory/service.ts';
import type { TimeSeriesConfig } from './timeseries/config.ts';
import type { TimeSeriesStore } from './timeseries/port.ts';
import { openTimeSeries } from './timeseries/index.ts';
import { SqliteTimeSeries } from './timeseries/sqlite.ts';
import type { DomainRepos } from './domain/repositories.ts';
import { createSqliteGrantRepository, type GrantRepository } from './sharing/repository.ts';
import { SharingService, type AgentNotifier } from './sharing/service.ts';
import { Authorizer } from './authz/authorizer.ts';
import { createSqliteAuditRepository } from './audit/repository.ts';
import { AuditTrail } from './audit/trail.ts';
import type { AuditAnchor } from './audit/anchor.ts';
import { IngestStore } from './ingest/store.ts';
import { createSqliteAlertRepository, type AlertRepository } from './alerts/repository.ts';
import { AlertEngine, type AlertThresholds } from './alerts/engine.ts';

/** The part of ingest the domain listens to. */
export interface MessageSource {
  on(type: string, handler: (message: Message) => void): void;
  /** After the message's batch is committed (time series outside the transaction). */
  onCommitted?(type: string, handler: (message: Message) => void): void;
}

export interface DomainServiceOptions {
  /** Clock (tests). */
  now?: () => Date;
  /** Local time offset for sharing hours; Hanoi: +420 (UTC+7). */
  utcOffsetMinutes?: number;
  /** Agent messages: reported cameras join the inventory. */
  ingest?: MessageSource;
  /** Sends `sharing.update` to an agent (the command service). */
  notifyAgent?: AgentNotifier;
  logger?: Logger;
  /** Alert thresholds, and how often to sweep (0 / absent: no timer; call alerts.sweep yourself). */
  alertThresholds?: Partial<AlertThresholds>;
  alertSweepMs?: number;
  /**
   * The PostgreSQL pool when `storage.engine` is postgres: the modules ported so far (domain,
   * sharing) use their PostgreSQL adapters; the others still use `db` (see storage/README.md).
   */
  postgres?: PgQueryable;
  /** Where health history lives (default: the SQLite table, with retention and downsampling). */
  timeseries?: TimeSeriesConfig;
  /** Signed anchor of the audit chain outside the database (audit/anchor.ts). */
  auditAnchor?: AuditAnchor;
}

export interface DomainServices {
  repos: DomainRepos;
  grants: GrantRepository;
  /** The scoped inventory (list, map, exports) as one query per request. */
  inventory: InventoryQueries;
  /** Health history (the camera page's chart reads it here). */
  timeseries: TimeSeriesStore;
  authorizer: Authorizer;
  audit: AuditTrail;
  sharing: SharingService;
  /** Events and health samples as ingest stored them (read only here). */
  events: IngestStore;
  /** The camera an event is about (null for agent-level events); undefined when there is no such event. */
  eventCamera(agentId: string, eventId: string): string | null | undefined;
  alerts: AlertEngine;
  alertStore: AlertRepository;
  /** Stops timers. */
  close(): void;
}

export function createDomainServices(db: Db, opts: DomainServiceOptions = {}): DomainServices {
  const repos = opts.postgres ? createPostgresDomainRepos(opts.postgres) : createSqliteDomainRepos(db);
  const grants = opts.postgres ? createPostgresGrantRepository(opts.postgres) : createSqliteGrantRepository(db);
  const agentExists = (id: string) => !!db.prepare('SELECT 1 FROM agents WHERE id = ?').get(id);
  const audit = new AuditTrail(createSqliteAuditRepository(db), opts.now, opts.auditAnchor);
  const authorizer = new Authorizer({ repos, grants, now: opts.now, utcOffsetMinutes: opts.utcOffsetMinutes, agentExists, audit });
  const sharing = new SharingService({ repos, grants, audit, notify: opts.notifyAgent, now: opts.now });

  const alertStore = createSqliteAlertRepository(db);
  const alerts = new AlertEngine(alertStore, sqliteFleetView(db), opts.alertThresholds);
  const guard = (what: string, fn: () => void) => {
    try {
      fn();
    } catch (err) {
      opts.logger?.warn({ err: (err as Error).message }, `${what} failed`);
    }
  };
  opts.ingest?.on('cameras', (m) => guard('alerts', () => alerts.onCameras(m.agentId, (m as Message<'cameras'>).body.cameras)));
  opts.ingest?.on('health', (m) => guard('alerts', () => alerts.onHealth(m.agentId, (m as Message<'health'>).body)));
  opts.ingest?.on('heartbeat', (m) => guard('alerts', () => alerts.onHeartbeat(m.agentId, (m as Message<'heartbeat'>).body)));
  opts.ingest?.on('event', (m) => guard('alerts', () => alerts.onEvent(m.agentId, (m as Message<'event'>).body)));
  const timer = opts.alertSweepMs ? setInterval(() => guard('alert sweep', () => alerts.sweep(opts.now?.() ?? new Date())), opts.alertSweepMs) : undefined;
  timer?.unref();

  const log = opts.logger ?? { warn: () => undefined, info: () => undefined, debug: () => undefined, error: () => undefined };
  const timeseries = openTimeSeries(opts.timeseries, db, log as Logger);
  opts.ingest?.onCommitted?.('health', (m) => guard('time series', () => timeseries.recordHealth(m as Message<'health'>)));
  opts.ingest?.onCommitted?.('heartbeat', (m) => guard('time series', () => timeseries.recordHeartbeat(m as Message<'heartbeat'>)));
  // The embedded health table stays bounded whichever store serves the chart (ingest writes it).
  const bounded = timeseries instanceof SqliteTimeSeries ? timeseries : new SqliteTimeSeries(db, opts.timeseries?.engine === 'sqlite' ? opts.timeseries : {});
  const maintainEvery = (opts.timeseries?.engine === 'sqlite' ? opts.timeseries.maintainEveryMinutes : 10) * 60_000;
  const maintain = () =>
    bounded.maintain(opts.now?.() ?? new Date()).then(
      (r) => r.deleted && opts.logger?.debug(r, 'health history: retention and downsampling'),
      (err: Error) => opts.logger?.warn({ err: err.message }, 'health history retention failed'),
    );
  const maintainTimer = opts.ingest ? setInterval(maintain, maintainEvery) : undefined;
  maintainTimer?.unref();
  if (opts.ingest) void maintain();

  opts.ingest?.on('cameras', (m) => {
    const body = (m as Message<'cameras'>).body;
    const reported = body.cameras.map((c) => ({
      cameraId: c.id,
      name: c.name ?? null,
      serial: c.record?.serialNumber || null,
      mac: c.record?.scopes.mac || null,
      manufacturer: c.record?.manufacturer || null,
      model: c.record?.model || null,
    }));
    repos.inventory.mergeReported(m.agentId, reported).catch((err: Error) => opts.logger?.warn({ agentId: m.agentId, err: err.message }, 'inventory merge failed'));
  });

  return {
    repos, grants, inventory: new InventoryQueries(repos.inventory), timeseries, authorizer, audit, sharing, events: new IngestStore(db), alerts, alertStore,
    eventCamera: (agentId, eventId) => {
      // A read of ingest's table by key (its store lists, but has no lookup by id).
      const row = db.prepare('SELECT camera_id FROM agent_events WHERE agent_id = ? AND event_id = ?').get(agentId, eventId) as { camera_id: string | null } | undefined;
      return row ? row.camera_id : undefined;
    },
    close: () => {
      if (timer) clearInterval(timer);
      if (maintainTimer) clearInterval(maintainTimer);
      void timeseries.close();
    },
  };
}

/** Agent and camera state as the fleet module stored it (read only). */
function sqliteFleetView(db: Db) {
  return {
    agentsOnline: () => new Map((db.prepare('SELECT id, online FROM agents').all() as Array<{ id: string; online: number }>).map((a) => [a.id, a.online === 1])),
    cameras: () =>
      (db.prepare('SELECT agent_id, camera_id, online, recording FROM cameras').all() as Array<{ agent_id: string; camera_id: string; online: number; recording: number }>).map((c) => ({
        agentId: c.agent_id, cameraId: c.camera_id, online: c.online === 1, recording: c.recording === 1,
      })),
  };
}

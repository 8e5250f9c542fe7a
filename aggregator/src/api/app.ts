/**
 * The HTTP API (hono) under /api/v1. Authentication happens once here: a bearer token resolves
 * to a user, or the request is refused with the one error shape `{error: {code, message}}`.
 */
import { Hono, type Context } from 'hono';
import type { FleetStore } from '../fleet/store.ts';
import type { UserStore, User } from '../auth/users.ts';
import type { LiveStreams } from '../dashboard/stream.ts';
import type { DomainServices } from '../services.ts';
import { AccessGate, requirePermission, statedPurposeOf } from '../authz/gate.ts';
import { ROUTE_GUARDS, guardMiddleware } from '../authz/route-guards.ts';
import { scopeFleet } from '../authz/fleet-scope.ts';
import { clientIp as clientAddress } from './routes/common.ts';
import { buildDomainRouters, mountDomainRoutes, mountPublicDomainRoutes } from './routes/index.ts';
import type { LoginLimiter } from '../auth/rate-limit.ts';

export type ApiEnv = { Variables: { user: User; access: AccessGate } };

export function apiError(c: Context, status: 400 | 401 | 403 | 404 | 409 | 413 | 429 | 500, code: string, message: string) {
  return c.json({ error: { code, message } }, status);
}

export interface ApiDeps {
  fleet: FleetStore;
  users: UserStore;
  version: string;
  /** The city model, authorization point, audit trail, sharing and alerts (services.ts). */
  domain: DomainServices;
  /** Login rate limiting (default: 5 failures per username in 15 min). */
  loginLimiter?: LoginLimiter;
  /** The dashboard's live-update stream (GET /api/v1/stream); absent = route not offered. */
  live?: LiveStreams;
  /** Routes that authenticate by other means (enrollment tokens); mounted before the bearer check. */
  publicRoutes?: Array<(app: Hono<ApiEnv>) => void>;
  /** Further authenticated routes (commands, clips...). */
  routes?: Array<(app: Hono<ApiEnv>) => void>;
}

export function createApi(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();

  // `time` (ms precision) lets agents measure their clock offset against the centre.
  app.get('/api/v1/health', (c) => c.json({ status: 'ok', version: deps.version, time: new Date().toISOString() }));
  for (const mount of deps.publicRoutes ?? []) mount(app);
  const domainRouters = buildDomainRouters(deps);
  mountPublicDomainRoutes(app, domainRouters);

  app.use('/api/v1/*', async (c, next) => {
    if (c.req.path === '/api/v1/health') return next();
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const user = match ? deps.users.userForToken(match[1]!) : undefined;
    if (!user) return apiError(c, 401, 'unauthenticated', 'a valid bearer token is required');
    c.set('user', user);
    const gate = new AccessGate(deps.domain.authorizer, user, statedPurposeOf(c), clientAddress(c));
    c.set('access', gate);
    await next();
    // Deny by default: a route that answered without asking the authorization point is refused.
    if (!gate.checked && c.res.status < 400) {
      c.res = undefined;
      c.res = c.json({ error: { code: 'unguarded-route', message: `${c.req.method} ${c.req.path} has no permission check (see aggregator/src/authz/README.md)` } }, 500);
    }
  });
  for (const guard of ROUTE_GUARDS) app.use(guard.path, guardMiddleware(guard));
  mountDomainRoutes(app, domainRouters);

  app.get('/api/v1/fleet', requirePermission('view_health'), async (c) => {
    const scoped = await scopeFleet(c.get('access'), deps.domain.repos, deps.fleet.listAgents(), deps.fleet.listCameras());
    const cameras = scoped.cameras;
    const agents = scoped.agents.map((a) => ({
      id: a.id,
      name: a.name,
      online: a.online,
      lastSeenAt: a.lastSeenAt,
      version: a.version,
      build: a.build,
      revoked: a.revoked,
      cameras: cameras.filter((cam) => cam.agentId === a.id).map((cam) => ({
        id: cam.cameraId,
        name: cam.name,
        online: cam.online,
        recording: cam.recording,
        problem: cam.problem,
        conformance: cam.conformance?.verdict ?? null,
      })),
    }));
    return c.json({
      agents,
      summary: {
        agents: agents.length,
        agentsOnline: agents.filter((a) => a.online).length,
        cameras: cameras.length,
        camerasOnline: cameras.filter((cam) => cam.online).length,
        camerasRecording: cameras.filter((cam) => cam.recording).length,
      },
    });
  });

  if (deps.live) app.get('/api/v1/stream', (c) => deps.live!.handle(c));

  for (const mount of deps.routes ?? []) mount(app);

  app.notFound((c) => apiError(c, 404, 'not-found', `no route ${c.req.method} ${c.req.path}`));
  app.onError((err, c) => apiError(c, 500, 'internal', err.message));
  return app;
}

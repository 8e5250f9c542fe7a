/**
 * The HTTP API (hono) under /api/v1. In order, for every request:
 *
 * 1. the body limit (`maxBodyBytes`, default 1 MiB): a larger declared body is refused with 413
 *    before a byte of it is read, a chunked one as soon as it passes the limit;
 * 2. JSON bodies nested deeper than MAX_JSON_DEPTH are refused with 400 `too-deep` (deep nesting
 *    overflows the stack of recursive code further on: validation, hashing, serialisation);
 * 3. authentication: a bearer token resolves to a user and the per-request `AccessGate`; an
 *    absent or invalid token is not refused here;
 * 4. the route's own declaration (api/registry.ts), first in its handler chain: public, self,
 *    or a permission checked by the authorization point, before the handler runs.
 *
 * Every route is registered through the registry; `createApi` refuses to build an app with a
 * route that is not. Errors have one shape, `{error: {code, message}}`, and never carry an
 * internal message (a SQLite error, a stack) to the client.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from '@camfleet/shared';
import type { FleetStore } from '../fleet/store.ts';
import type { UserStore, User } from '../auth/users.ts';
import type { LiveStreams } from '../dashboard/stream.ts';
import type { DomainServices } from '../services.ts';
import { AccessGate, statedPurposeOf } from '../authz/gate.ts';
import { scopeFleet } from '../authz/fleet-scope.ts';
import { clientIp as clientAddress, newRouter } from './routes/common.ts';
import { mountDomainRoutes, openApiRoute } from './routes/index.ts';
import { loginThrottle, type LoginThrottle } from '../auth/rate-limit.ts';
import { assertEveryRouteDeclared, permission, publicRoute, route } from './registry.ts';

export type ApiEnv = { Variables: { user: User; access: AccessGate; token: string } };

/** Deeper JSON is refused: no request of this API needs more than a handful of levels. */
export const MAX_JSON_DEPTH = 32;
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export function apiError(c: Context, status: 400 | 401 | 403 | 404 | 409 | 413 | 429 | 500 | 503, code: string, message: string) {
  return c.json({ error: { code, message } }, status);
}

/** A route registrar: mounts routes (through api/registry.ts) on the API's app. */
export type RouteMount = (app: Hono<ApiEnv>) => void;

export interface ApiDeps {
  fleet: FleetStore;
  users: UserStore;
  version: string;
  /** The city model, authorization point, audit trail, sharing and alerts (services.ts). */
  domain: DomainServices;
  /** Login throttle (default: in memory; server.ts gives it the database-backed store). */
  loginThrottle?: LoginThrottle;
  /** The dashboard's live-update stream (GET /api/v1/stream); absent = route not offered. */
  live?: LiveStreams;
  /** Routes that authenticate by other means (enrollment tokens, the metrics scraper token). */
  publicRoutes?: RouteMount[];
  /** Further routes (commands, clips...). */
  routes?: RouteMount[];
  /** Largest request body (default 1 MiB). */
  maxBodyBytes?: number;
  logger?: Logger;
}

/** Nesting depth of a JSON text, without parsing it (strings skipped); stops counting past `limit`. */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 92 /* \ */) i++;
      else if (ch === 34 /* " */) inString = false;
    } else if (ch === 34) inString = true;
    else if (ch === 123 /* { */ || ch === 91 /* [ */) {
      if (++depth > limit) return true;
    } else if (ch === 125 || ch === 93) depth--;
  }
  return false;
}

export function createApi(deps: ApiDeps): OpenAPIHono<ApiEnv> {
  // newRouter: request validation failures answer in the one error shape (400 bad-request).
  const app = newRouter();
  const maxBody = deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

  app.use(
    '*',
    bodyLimit({ maxSize: maxBody, onError: (c) => apiError(c, 413, 'too-large', `request bodies are limited to ${maxBody} bytes`) }),
  );
  app.use('*', async (c, next) => {
    if (c.req.raw.body && /json/i.test(c.req.header('content-type') ?? '')) {
      // Read once here (bounded by the limit above); hono caches it for the route's own parsing.
      const text = await c.req.text();
      if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) return apiError(c, 400, 'too-deep', `JSON nested deeper than ${MAX_JSON_DEPTH} levels is refused`);
    }
    return next();
  });
  app.use('*', async (c, next) => {
    const match = /^Bearer\s+(\S{1,512})$/i.exec(c.req.header('authorization') ?? '');
    const user = match ? deps.users.userForToken(match[1]!) : undefined;
    if (user) {
      c.set('user', user);
      c.set('token', match![1]!);
      c.set('access', new AccessGate(deps.domain.authorizer, user, statedPurposeOf(c), clientAddress(c)));
    }
    return next();
  });

  // `time` (ms precision) lets agents measure their clock offset against the centre.
  route(app, { method: 'get', path: '/api/v1/health', authz: publicRoute('liveness; no data beyond the version'), summary: 'Liveness', tags: ['system'] }, (c) =>
    c.json({ status: 'ok', version: deps.version, time: new Date().toISOString() }),
  );
  openApiRoute(app, deps.version);
  for (const mount of deps.publicRoutes ?? []) mount(app as unknown as Hono<ApiEnv>);
  mountDomainRoutes(app, deps, deps.loginThrottle ?? loginThrottle());

  route(app, { method: 'get', path: '/api/v1/fleet', authz: permission('view_health'), summary: 'Agents and the cameras they report, in your scope', tags: ['fleet'] }, async (c) => {
    const access = c.get('access') as AccessGate;
    const scoped = await scopeFleet(access, deps.domain.repos, deps.fleet.listAgents(), deps.fleet.listCameras());
    const cameras = scoped.cameras;
    const agents = scoped.agents.map((a) => ({
      id: a.id,
      name: a.name,
      online: a.online,
      lastSeenAt: a.lastSeenAt,
      version: a.version,
      build: a.build,
      revoked: a.revoked,
      cameras: cameras
        .filter((cam) => cam.agentId === a.id)
        .map((cam) => ({
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

  const live = deps.live;
  if (live) {
    route(
      app,
      { method: 'get', path: '/api/v1/stream', authz: permission('view_health'), summary: 'Live updates for the dashboard (server-sent events; data-free hints)', tags: ['fleet'] },
      (c) => live.handle(c),
    );
  }

  for (const mount of deps.routes ?? []) mount(app as unknown as Hono<ApiEnv>);

  app.notFound((c) => apiError(c, 404, 'not-found', `no route ${c.req.method} ${c.req.path.slice(0, 200)}`));
  app.onError((err, c) => {
    // Hono's own client errors (malformed JSON in a validated body...) keep their status.
    if (err instanceof HTTPException && err.status < 500) return apiError(c, err.status === 413 ? 413 : 400, err.status === 413 ? 'too-large' : 'bad-request', 'the request could not be read');
    deps.logger?.error({ err: err.message, method: c.req.method, path: c.req.path }, 'api error');
    return apiError(c, 500, 'internal', 'internal error');
  });
  assertEveryRouteDeclared(app as unknown as Hono);
  return app;
}

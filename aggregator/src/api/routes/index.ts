/**
 * Mounts the domain's routes. They are declared with @hono/zod-openapi, so the same zod schemas
 * validate requests and produce the OpenAPI document at /api/v1/openapi.json.
 */
import type { Hono } from 'hono';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { ApiDeps, ApiEnv } from '../app.ts';
import { LoginLimiter } from '../../auth/rate-limit.ts';
import { newRouter } from './common.ts';
import { inventoryRoutes } from './inventory.ts';
import { eventRoutes } from './events.ts';
import { sharingRoutes } from './sharing.ts';
import { auditRoutes } from './audit.ts';
import { publicAuthRoutes, selfRoutes } from './auth.ts';
import { modelRoutes } from './model.ts';
import { userRoutes } from './users.ts';
import { alertRoutes } from './alerts.ts';

export interface DomainRouters {
  /** Mounted before authentication: login and the OpenAPI document. */
  public: OpenAPIHono<ApiEnv>;
  /** Mounted after authentication. */
  protected: OpenAPIHono<ApiEnv>;
}

export function buildDomainRouters(deps: ApiDeps): DomainRouters {
  const pub = newRouter();
  const prot = newRouter();
  publicAuthRoutes(pub, deps, deps.loginLimiter ?? new LoginLimiter());
  selfRoutes(prot, deps);
  inventoryRoutes(prot, deps.domain);
  eventRoutes(prot, deps.domain);
  sharingRoutes(prot, deps.domain);
  auditRoutes(prot, deps.domain);
  modelRoutes(prot, deps);
  userRoutes(prot, deps);
  alertRoutes(prot, deps.domain);

  documentOtherRoutes(prot);

  pub.get('/api/v1/openapi.json', (c) => {
    const info = { title: 'camfleet aggregator API', version: deps.version, description: 'REST API of the camfleet aggregator. Authenticate with `Authorization: Bearer <token>` (POST /api/v1/auth/login, or an API token). Errors: `{error: {code, message}}`. Footage routes need a stated purpose (`X-Camfleet-Purpose`).' };
    const doc = { openapi: '3.1.0', info };
    const a = pub.getOpenAPI31Document(doc);
    const b = prot.getOpenAPI31Document(doc);
    return c.json({
      ...b,
      paths: { ...a.paths, ...b.paths },
      components: { ...b.components, schemas: { ...a.components?.schemas, ...b.components?.schemas }, securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    });
  });
  return { public: pub, protected: prot };
}

export function mountPublicDomainRoutes(app: Hono<ApiEnv>, routers: DomainRouters): void {
  app.route('/', routers.public);
}

export function mountDomainRoutes(app: Hono<ApiEnv>, routers: DomainRouters): void {
  app.route('/', routers.protected);
}

/** Routes declared elsewhere without zod-openapi: listed so the document covers the whole API. */
function documentOtherRoutes(app: OpenAPIHono<ApiEnv>): void {
  const r = app.openAPIRegistry;
  const ok = (description: string) => ({ 200: { description } });
  r.registerPath({ method: 'get', path: '/api/v1/health', tags: ['system'], summary: 'Liveness (public)', responses: ok('status and version') });
  r.registerPath({ method: 'get', path: '/api/v1/fleet', tags: ['fleet'], summary: 'Agents and the cameras they report, in your view_health scope', responses: ok('agents with cameras and a summary') });
  r.registerPath({ method: 'get', path: '/api/v1/stream', tags: ['fleet'], summary: 'Live updates for the dashboard (server-sent events; view_health)', responses: ok('event stream') });
  r.registerPath({ method: 'post', path: '/api/v1/agents/{id}/commands', tags: ['commands'], summary: 'Send a command to an agent (clip.request needs request_clip on the camera and a stated purpose; snapshot view_snapshot; others manage_sites)', responses: { 202: { description: 'the command record' } } });
  r.registerPath({ method: 'get', path: '/api/v1/commands/{id}', tags: ['commands'], summary: "A command's state", responses: ok('the command record') });
  r.registerPath({ method: 'get', path: '/api/v1/cameras/{agentId}/{cameraId}/clips', tags: ['clips'], summary: "A camera's clips (view_clips; state a purpose)", responses: ok('clips') });
  r.registerPath({ method: 'get', path: '/api/v1/clips/{agentId}/{clipId}/video', tags: ['clips'], summary: "A complete clip's MP4 with Range support (view_clips; state a purpose; audited)", responses: ok('video/mp4') });
  r.registerPath({ method: 'post', path: '/api/v1/agents/{id}/revoke', tags: ['fleet'], summary: "Revoke an agent's credentials (manage_sites on its site)", responses: ok('revoked') });
}

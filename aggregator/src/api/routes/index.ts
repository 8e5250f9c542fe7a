/**
 * Mounts the domain's routes. They are declared with @hono/zod-openapi, so the same zod schemas
 * validate requests and produce the OpenAPI document at /api/v1/openapi.json.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { ApiDeps, ApiEnv } from '../app.ts';
import type { LoginThrottle } from '../../auth/rate-limit.ts';
import { publicRoute, route } from '../registry.ts';
import { inventoryRoutes } from './inventory.ts';
import { eventRoutes } from './events.ts';
import { sharingRoutes } from './sharing.ts';
import { auditRoutes } from './audit.ts';
import { publicAuthRoutes, selfRoutes } from './auth.ts';
import { modelRoutes } from './model.ts';
import { userRoutes } from './users.ts';
import { alertRoutes } from './alerts.ts';

/**
 * Mounts the domain's routes on the API's app and serves the OpenAPI document of every route the
 * app has (domain routes from their zod schemas, the others from their declarations).
 */
export function mountDomainRoutes(app: OpenAPIHono<ApiEnv>, deps: ApiDeps, limiter: LoginThrottle): void {
  publicAuthRoutes(app, deps, limiter);
  selfRoutes(app, deps);
  inventoryRoutes(app, deps.domain);
  eventRoutes(app, deps.domain);
  sharingRoutes(app, deps.domain);
  auditRoutes(app, deps.domain);
  modelRoutes(app, deps);
  userRoutes(app, deps);
  alertRoutes(app, deps.domain);
}

export function openApiRoute(app: OpenAPIHono<ApiEnv>, version: string): void {
  route(app, { method: 'get', path: '/api/v1/openapi.json', authz: publicRoute('describes the API; no data'), summary: 'This document', tags: ['system'] }, (c) => {
    const info = { title: 'camfleet aggregator API', version, description: 'REST API of the camfleet aggregator. Authenticate with `Authorization: Bearer <token>` (POST /api/v1/auth/login, or an API token). Errors: `{error: {code, message}}`. Footage routes need a stated purpose (`X-Camfleet-Purpose`). Each operation\'s summary ends with the permission it needs.' };
    const doc = app.getOpenAPI31Document({ openapi: '3.1.0', info });
    return c.json({ ...doc, components: { ...doc.components, securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } }, security: [{ bearer: [] }] });
  });
}

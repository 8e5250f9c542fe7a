/** What the domain routes share: the router factory, error shape, paging schema, client address. */
import { OpenAPIHono, z, type RouteConfig, type RouteHandler } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { summarizeIssues } from '@camfleet/shared';
import { apiError, type ApiEnv } from '../app.ts';
import { DomainError } from '../../domain/errors.ts';
import { describeAuthz, guardFor, type Authz, type Method } from '../registry.ts';

export { z };

export const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) }).openapi('Error');

export const PageQuery = {
  page: z.coerce.number().int().min(1).default(1).openapi({ description: 'page number, from 1' }),
  pageSize: z.coerce.number().int().min(1).max(1000).default(100).openapi({ description: 'items per page (at most 1000)' }),
};

export function pageOf<T extends z.ZodType>(item: T, name: string) {
  return z.object({ items: z.array(item), page: z.number(), pageSize: z.number(), total: z.number() }).openapi(name);
}

export function json<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

export const ERRORS = {
  400: json(ErrorBody, 'invalid request'),
  401: json(ErrorBody, 'not authenticated'),
  403: json(ErrorBody, 'not permitted'),
  404: json(ErrorBody, 'no such resource'),
} as const;

export function newRouter(): OpenAPIHono<ApiEnv> {
  return new OpenAPIHono<ApiEnv>({
    defaultHook: (result, c) => {
      if (!result.success) return apiError(c, 400, 'bad-request', summarizeIssues(result.error));
    },
  });
}

/** The caller's address as the socket saw it (no proxy header is trusted). */
export function clientIp(c: Context): string | null {
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    return null;
  }
}

export function domainErrorResponse(c: Context, err: unknown): Response {
  if (err instanceof DomainError) return apiError(c, err.status, err.code, err.message);
  throw err;
}

export const CameraParams = z.object({
  agentId: z.string().min(1).max(64).openapi({ param: { name: 'agentId', in: 'path' } }),
  cameraId: z.string().min(1).max(64).openapi({ param: { name: 'cameraId', in: 'path' } }),
});

/**
 * Registers a route with its authorization declaration (see ../registry.ts): the declaration's
 * guard runs first, before request validation and the handler; the zod schemas in `route`
 * validate the request and feed the OpenAPI document; the handler's context is typed from them.
 * (Responses are not type-checked against the declared schemas, so handlers may return the
 * error shape with any status.)
 */
export function op<R extends RouteConfig>(app: OpenAPIHono<ApiEnv>, authz: Authz, route: R, handler: (c: Parameters<RouteHandler<R, ApiEnv>>[0]) => Response | Promise<Response>): void {
  const guard = guardFor({ method: route.method as Method, path: route.path.replaceAll(/\/{(.+?)}/g, '/:$1'), authz, summary: route.summary ?? '', tags: route.tags });
  const own = route.middleware ? (Array.isArray(route.middleware) ? route.middleware : [route.middleware]) : [];
  const summary = `${route.summary ?? ''} (${describeAuthz(authz)})`;
  app.openapi({ ...route, summary, middleware: [guard, ...own], ...(authz.kind === 'public' ? { security: [] } : {}) } as R, handler as unknown as RouteHandler<R, ApiEnv>);
}

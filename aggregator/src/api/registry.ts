/**
 * The one way to declare an HTTP route: every route states, where it is defined, who may call it
 * (`authz`), and is registered through `route()` (plain hono handlers) or `op()` (zod-openapi,
 * in routes/common.ts). Both put a guard built from the declaration first in the route's handler
 * chain, so the authorization check runs before the handler for every method, HEAD included
 * (hono answers HEAD by running the GET chain), and both list the route in the OpenAPI document.
 *
 * `assertEveryRouteDeclared(app)` runs when the API is built: a route added any other way (a bare
 * `app.get`) has no guard in front of it and the aggregator refuses to start.
 *
 * Authentication (bearer token to user) happens once per request in api/app.ts and never refuses
 * by itself; the guard decides: a public route passes, everything else needs a user (401) and
 * then the declared permission (403/404/400 from the authorization point).
 */
import type { Context, Hono, MiddlewareHandler, Next } from 'hono';
import type { Action } from '../authz/policy.ts';
import type { ResourceRef } from '../authz/authorizer.ts';
import type { AccessGate } from '../authz/gate.ts';

// biome-ignore lint/suspicious/noExplicitAny: resource functions receive each router's own context type.
export type RefFn = (c: Context<any>) => ResourceRef | Promise<ResourceRef>;
export interface Check {
  action: Action;
  /** The resource the action is on; default: the collection (list routes then filter per item). */
  ref?: RefFn;
}

export type Authz =
  /** Anyone; `why` says what protects it instead (a one-time token, nothing to protect...). */
  | { kind: 'public'; why: string }
  /** Any authenticated user, about themselves only (profile, own tokens, logout). */
  | { kind: 'self' }
  /** Every check must pass, in order. */
  | { kind: 'permission'; checks: Check[] }
  /** The action depends on the request (e.g. the command's name in the body); `actions` lists the possible ones. */
  // biome-ignore lint/suspicious/noExplicitAny: see RefFn.
  | { kind: 'decided'; actions: Action[]; decide: (c: Context<any>) => Promise<{ action: Action; ref: ResourceRef }> }
  /** A machine credential checked by `verify` (e.g. the Prometheus scraper's bearer token). */
  | { kind: 'credential'; what: string; verify: (c: Context) => boolean | Promise<boolean> };

export const publicRoute = (why: string): Authz => ({ kind: 'public', why });
export const selfOnly = (): Authz => ({ kind: 'self' });
export const permission = (action: Action, ref?: RefFn): Authz => ({ kind: 'permission', checks: [{ action, ref }] });
export const permissions = (...checks: Check[]): Authz => ({ kind: 'permission', checks });
// biome-ignore lint/suspicious/noExplicitAny: see RefFn.
export const decidedBy = (actions: Action[], decide: (c: Context<any>) => Promise<{ action: Action; ref: ResourceRef }>): Authz => ({ kind: 'decided', actions, decide });
export const credential = (what: string, verify: (c: Context) => boolean | Promise<boolean>): Authz => ({ kind: 'credential', what, verify });

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteDecl {
  method: Method;
  /** hono syntax (`/api/v1/clips/:agentId/:clipId/video`). */
  path: string;
  authz: Authz;
  summary: string;
  tags?: string[];
  /** OpenAPI responses, when more than "200" is worth saying. */
  responses?: Record<string, { description: string }>;
}

// biome-ignore lint/suspicious/noExplicitAny: handlers keep their router's own context type.
export type RouteHandler<P extends string = any> = (c: Context<any, P>, next: Next) => Response | Promise<Response | void> | void;

const DECLARATION = Symbol('camfleet.route-declaration');
type GuardFn = MiddlewareHandler & { [DECLARATION]?: RouteDecl };

/** The guard for one declaration: runs first in the route's chain. */
export function guardFor(decl: RouteDecl): MiddlewareHandler {
  const fn: GuardFn = async (c, next) => {
    const a = decl.authz;
    if (a.kind === 'public') return next();
    if (a.kind === 'credential') {
      if (!(await a.verify(c))) return c.json({ error: { code: 'unauthenticated', message: `${a.what} required` } }, 401);
      return next();
    }
    const gate = c.get('access') as AccessGate | undefined;
    if (!gate) return c.json({ error: { code: 'unauthenticated', message: 'a valid bearer token is required' } }, 401);
    if (a.kind === 'self') {
      gate.allowSelf();
      return next();
    }
    const checks: Array<{ action: Action; ref?: RefFn | ResourceRef }> = a.kind === 'permission' ? a.checks : [await a.decide(c)];
    for (const check of checks) {
      const ref = typeof check.ref === 'function' ? await check.ref(c) : (check.ref ?? { type: 'collection' as const });
      const result = await gate.check(check.action, ref);
      if (!result.ok) return c.json({ error: { code: result.code, message: result.message } }, result.status);
      gate.granted = result.granted;
    }
    return next();
  };
  fn[DECLARATION] = decl;
  return fn;
}

/** Hono path `/a/:b/c` as OpenAPI `/a/{b}/c`. */
export const openApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

interface OpenApiRegistryLike {
  registerPath(p: Record<string, unknown>): void;
}

/**
 * Registers a plain hono route with its declaration. On the API's app (an OpenAPIHono) the route
 * is also listed in the OpenAPI document.
 */
// biome-ignore lint/suspicious/noExplicitAny: accepts any hono app whose env carries the API's variables.
export function route<A extends Hono<any>, P extends string>(app: A, decl: RouteDecl & { path: P }, ...handlers: RouteHandler<P>[]): void {
  const reg = (app as unknown as { openAPIRegistry?: OpenApiRegistryLike }).openAPIRegistry;
  if (reg) {
    const params = [...decl.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    reg.registerPath({
      method: decl.method,
      path: openApiPath(decl.path),
      tags: decl.tags,
      summary: `${decl.summary} (${describeAuthz(decl.authz)})`,
      ...(params.length ? { request: {} } : {}),
      ...(params.length ? { parameters: params } : {}),
      responses: decl.responses ?? { 200: { description: 'ok' } },
      ...(decl.authz.kind === 'public' ? { security: [] } : {}),
    });
  }
  (app as unknown as Hono).on(decl.method.toUpperCase(), decl.path, guardFor(decl), ...(handlers as MiddlewareHandler[]));
}

export function describeAuthz(a: Authz): string {
  switch (a.kind) {
    case 'public':
      return `public: ${a.why}`;
    case 'self':
      return 'any signed-in user, about themselves';
    case 'permission':
      return a.checks.map((c) => c.action).join(' + ');
    case 'decided':
      return `one of ${a.actions.join(', ')}, by request`;
    case 'credential':
      return a.what;
  }
}

/** Every route of `app` with its declaration, in registration order (method in upper case). */
export function declaredRoutes(app: Hono): Array<RouteDecl & { httpMethod: string }> {
  const out: Array<RouteDecl & { httpMethod: string }> = [];
  const seen = new Set<string>();
  for (const r of app.routes) {
    const decl = (r.handler as GuardFn)[DECLARATION];
    const key = `${r.method} ${r.path}`;
    if (!decl || seen.has(key)) continue;
    seen.add(key);
    out.push({ ...decl, path: r.path, httpMethod: r.method });
  }
  return out;
}

/**
 * Refuses an app with a route whose first handler is not a declaration's guard: such a route
 * would run without an authorization check. Middleware (`app.use`, method ALL) is not a route.
 */
export function assertEveryRouteDeclared(app: Hono): void {
  const first = new Map<string, GuardFn>();
  for (const r of app.routes) {
    if (r.method === 'ALL') continue;
    const key = `${r.method} ${r.path}`;
    if (!first.has(key)) first.set(key, r.handler as GuardFn);
  }
  const missing = [...first].filter(([, h]) => !h[DECLARATION]).map(([k]) => k);
  if (missing.length) throw new Error(`routes without an authorization declaration (see aggregator/src/api/README.md): ${missing.join(', ')}`);
}

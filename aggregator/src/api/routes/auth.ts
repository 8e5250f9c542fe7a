/**
 * POST   /api/v1/auth/login        {username, password} -> {token, expiresAt, user}   (public; rate limited)
 * POST   /api/v1/auth/logout       ends this session
 * GET    /api/v1/me                who you are, your organisation and what your role may do
 * GET    /api/v1/me/tokens         your API tokens
 * POST   /api/v1/me/tokens         {name, ttlDays?} -> {token} (shown once)
 * DELETE /api/v1/me/tokens/{id}    revoke one
 */
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { ApiDeps, ApiEnv } from '../app.ts';
import { apiError } from '../app.ts';
import { roleSpec } from '../../authz/policy.ts';
import type { LoginThrottle } from '../../auth/rate-limit.ts';
import { ERRORS, ErrorBody, clientIp, json, z , op } from './common.ts';
import { selfOnly, publicRoute } from '../registry.ts';

const SESSION_TTL_S = 12 * 3600;
const Me = z.object({ id: z.number(), username: z.string(), role: z.string(), orgId: z.string().nullable(), orgName: z.string().nullable(), orgKind: z.string().nullable(), actions: z.array(z.string()) }).openapi('Me');

export function publicAuthRoutes(app: OpenAPIHono<ApiEnv>, deps: ApiDeps, limiter: LoginThrottle): void {
  op(app, publicRoute('rate limited per address and username, with backoff'), createRoute({
      method: 'post', path: '/api/v1/auth/login', tags: ['auth'], summary: 'Log in; returns a session bearer token (12 h)',
      request: { body: { content: { 'application/json': { schema: z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(1024) }).strict() } }, required: true } },
      responses: { 200: json(z.object({ token: z.string(), expiresAt: z.string(), user: Me }).openapi('Session'), 'logged in'), 400: ERRORS[400], 401: ERRORS[401], 429: json(ErrorBody, 'too many failed attempts') },
    }),
    async (c) => {
      const { username, password } = c.req.valid('json');
      const ip = clientIp(c);
      // Counted per (address, username) and per address: a guesser slows down itself, never the
      // user it guesses at, and is refused before any hashing.
      const wait = await limiter.retryAfter(username, ip);
      if (wait > 0) {
        c.header('retry-after', String(wait));
        return apiError(c, 429, 'rate-limited', `too many failed logins; try again in ${wait} s`);
      }
      const user = await deps.users.authenticateAsync(username, password);
      if (!user) {
        await limiter.fail(username, ip);
        await deps.domain.audit.record({ action: 'login.failure', outcome: 'failed', ip, detail: { username } });
        return apiError(c, 401, 'bad-credentials', 'wrong username or password');
      }
      await limiter.succeed(username, ip);
      const token = deps.users.issueToken(user.id, 'session', SESSION_TTL_S);
      const org = user.orgId ? await deps.domain.repos.orgs.get(user.orgId) : undefined;
      await deps.domain.audit.record({ action: 'login', actor: { userId: user.id, username: user.username, orgId: user.orgId }, ip });
      return c.json({ token, expiresAt: new Date(Date.now() + SESSION_TTL_S * 1000).toISOString(), user: { ...user, orgName: org?.name ?? null, orgKind: org?.kind ?? null, actions: [...(roleSpec(user.role)?.actions ?? [])] } }, 200);
    },
  );
}

export function selfRoutes(app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  op(app, selfOnly(), createRoute({ method: 'post', path: '/api/v1/auth/logout', tags: ['auth'], summary: 'End this session', responses: { 200: json(z.object({ ok: z.boolean() }), 'logged out'), 401: ERRORS[401] } }),
    (c) => {
      c.get('access').allowSelf();
      const token = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
      if (token) {
        deps.users.revokeToken(token);
        // Live streams opened with this session end with it.
        deps.live?.endToken(token);
      }
      return c.json({ ok: true }, 200);
    },
  );
  op(app, selfOnly(), createRoute({ method: 'get', path: '/api/v1/me', tags: ['auth'], summary: 'Who you are and what you may do', responses: { 200: json(Me, 'you'), 401: ERRORS[401] } }),
    async (c) => {
      const access = c.get('access');
      access.allowSelf();
      const p = await access.getPrincipal();
      const org = p.orgId ? await deps.domain.repos.orgs.get(p.orgId) : undefined;
      return c.json({ id: p.userId, username: p.username, role: p.role, orgId: p.orgId, orgName: org?.name ?? null, orgKind: org?.kind ?? null, actions: [...(roleSpec(p.role)?.actions ?? [])] }, 200);
    },
  );
  op(app, selfOnly(), createRoute({ method: 'get', path: '/api/v1/me/tokens', tags: ['auth'], summary: 'Your tokens (sessions and API tokens)', responses: { 200: json(z.object({ items: z.array(z.object({ id: z.number(), name: z.string(), createdAt: z.string(), expiresAt: z.string().nullable(), revoked: z.boolean() })) }), 'tokens'), 401: ERRORS[401] } }),
    (c) => {
      c.get('access').allowSelf();
      return c.json({ items: deps.users.listTokens(c.get('user').id) }, 200);
    },
  );
  op(app, selfOnly(), createRoute({
      method: 'post', path: '/api/v1/me/tokens', tags: ['auth'], summary: 'Issue an API token for an integration (shown once)',
      request: { body: { content: { 'application/json': { schema: z.object({ name: z.string().min(1).max(64), ttlDays: z.number().int().min(1).max(3650).optional() }).strict() } }, required: true } },
      responses: { 201: json(z.object({ token: z.string(), name: z.string() }), 'the token'), 400: ERRORS[400], 401: ERRORS[401] },
    }),
    async (c) => {
      const access = c.get('access');
      access.allowSelf();
      const { name, ttlDays } = c.req.valid('json');
      if (name === 'session') return apiError(c, 400, 'bad-request', "'session' is reserved");
      const token = deps.users.issueToken(c.get('user').id, name, ttlDays ? ttlDays * 86400 : undefined);
      await deps.domain.audit.record({ action: 'token.issue', actor: await access.getPrincipal(), ip: clientIp(c), detail: { name, ttlDays: ttlDays ?? null } });
      return c.json({ token, name }, 201);
    },
  );
  op(app, selfOnly(), createRoute({ method: 'delete', path: '/api/v1/me/tokens/{id}', tags: ['auth'], summary: 'Revoke one of your tokens', request: { params: z.object({ id: z.coerce.number().int().positive() }) }, responses: { 200: json(z.object({ revoked: z.boolean() }), 'done'), ...ERRORS } }),
    (c) => {
      c.get('access').allowSelf();
      return c.json({ revoked: deps.users.revokeTokenById(c.get('user').id, c.req.valid('param').id) }, 200);
    },
  );
}

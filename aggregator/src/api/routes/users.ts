/**
 * GET   /api/v1/users              users of the organisations you manage
 * POST  /api/v1/users              {username, password, role, orgId}
 * PATCH /api/v1/users/{id}         {role?, orgId?, password?}
 * POST  /api/v1/users/{id}/disable disables and revokes all the user's tokens
 * Only an admin may give the admin role. Every change is audited.
 */
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { ApiDeps, ApiEnv } from '../app.ts';
import { apiError } from '../app.ts';
import { permission } from '../registry.ts';
import { ROLE_NAMES, mayGrantRole, roleWithin } from '../../authz/policy.ts';
import { ERRORS, clientIp, json, z , op } from './common.ts';

const UserSchema = z.object({ id: z.number(), username: z.string(), role: z.string(), orgId: z.string().nullable(), createdAt: z.string(), disabled: z.boolean() }).openapi('User');
const Role = z.enum(ROLE_NAMES as [string, ...string[]]);
const Password = z.string().min(12, 'at least 12 characters').max(1024);

export function userRoutes(app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  const { users } = deps;
  const { repos, audit } = deps.domain;
  const orgRes = async (orgId: string | null) => {
    const org = orgId ? await repos.orgs.get(orgId) : undefined;
    return org ? ({ type: 'org', orgId: org.id, areaId: org.areaId } as const) : undefined;
  };

  op(app, permission('manage_users'), createRoute({ method: 'get', path: '/api/v1/users', tags: ['users'], summary: 'Users you manage', responses: { 200: json(z.object({ items: z.array(UserSchema) }), 'users'), ...ERRORS } }),
    async (c) => {
      const all = users.list();
      const orgs = new Map((await repos.orgs.list()).map((o) => [o.id, o]));
      const access = c.get('access');
      const p = await access.getPrincipal();
      const items = await access.filterBy('manage_users', all, (u) => {
        const org = u.orgId ? orgs.get(u.orgId) : undefined;
        // Users without an organisation (bootstrap admins) are listed to system-wide admins only.
        return org ? { type: 'org', orgId: org.id, areaId: org.areaId } : p.orgId ? { type: 'org', orgId: '', areaId: '' } : { type: 'collection' };
      });
      return c.json({ items }, 200);
    },
  );

  op(app, permission('manage_users', async (c) => ({ type: 'org', orgId: ((await c.req.json().catch(() => ({}))) as { orgId?: string }).orgId ?? '' })), createRoute({
      method: 'post', path: '/api/v1/users', tags: ['users'], summary: 'Create a user in an organisation you manage',
      request: { body: { content: { 'application/json': { schema: z.object({ username: z.string().regex(/^[a-zA-Z0-9._-]{2,64}$/), password: Password, role: Role, orgId: z.string() }).strict() } }, required: true } },
      responses: { 201: json(UserSchema, 'created'), ...ERRORS, 409: ERRORS[400] },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const p = c.get('access').granted!.principal;
      // Escalation guard: only roles of the org's kind, and none wider than the creator's own.
      const targetOrg = await repos.orgs.get(body.orgId);
      if (!targetOrg) return apiError(c, 400, 'bad-request', `unknown organisation ${body.orgId}`);
      const may = mayGrantRole(p.role, body.role, targetOrg.kind);
      if (!may.ok) return apiError(c, 403, 'forbidden', may.reason);
      if (users.byUsername(body.username) || users.list().some((u) => u.username === body.username)) return apiError(c, 409, 'conflict', `user ${body.username} exists`);
      const u = users.create(body.username, body.password, body.role, body.orgId);
      const org = await repos.orgs.get(body.orgId);
      await audit.record({ action: 'user.create', actor: p, ip: clientIp(c), resource: { type: 'user', id: String(u.id), ownerOrgId: body.orgId, areaId: org?.areaId }, detail: { username: u.username, role: u.role, orgId: u.orgId } });
      return c.json(users.list().find((x) => x.id === u.id), 201);
    },
  );

  op(app, permission('manage_users', async (c) => (await orgRes(users.list().find((u) => u.id === Number(c.req.param('id')))?.orgId ?? null)) ?? { type: 'org', orgId: '' }), createRoute({
      method: 'patch', path: '/api/v1/users/{id}', tags: ['users'], summary: "Change a user's role, organisation or password",
      request: { params: z.object({ id: z.coerce.number().int().positive() }), body: { content: { 'application/json': { schema: z.object({ role: Role.optional(), orgId: z.string().optional(), password: Password.optional() }).strict() } }, required: true } },
      responses: { 200: json(UserSchema, 'updated'), ...ERRORS },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const access = c.get('access');
      const p = access.granted!.principal;
      const target = users.list().find((x) => x.id === id);
      if (!target) return apiError(c, 404, 'not-found', 'no such user');
      const changesRole = body.role !== undefined || body.orgId !== undefined;
      // Nobody widens their own rights: one's own role and organisation are changed by someone else.
      if (target.id === p.userId && changesRole) return apiError(c, 403, 'forbidden', 'nobody changes their own role or organisation');
      // A password reset of a user with wider rights would be a takeover of those rights.
      if (target.id !== p.userId && !roleWithin(target.role, p.role)) return apiError(c, 403, 'forbidden', `user ${target.username} has rights your role ${p.role} does not have`);
      if (changesRole) {
        const orgId = body.orgId ?? target.orgId;
        const org = orgId ? await repos.orgs.get(orgId) : undefined;
        if (orgId && !org) return apiError(c, 400, 'bad-request', `unknown organisation ${orgId}`);
        const may = mayGrantRole(p.role, body.role ?? target.role, org?.kind ?? null);
        if (!may.ok) return apiError(c, 403, 'forbidden', may.reason);
      }
      if (body.orgId) {
        const target = await orgRes(body.orgId);
        if (!target) return apiError(c, 400, 'bad-request', `unknown organisation ${body.orgId}`);
        const r = await access.check('manage_users', { type: 'org', orgId: body.orgId });
        if (!r.ok) return apiError(c, r.status, r.code, r.message);
      }
      users.update(id, body);
      const u = users.list().find((x) => x.id === id)!;
      await audit.record({ action: 'user.update', actor: p, ip: clientIp(c), resource: { type: 'user', id: String(id), ownerOrgId: u.orgId }, detail: { role: body.role ?? null, orgId: body.orgId ?? null, passwordChanged: body.password !== undefined } });
      return c.json(u, 200);
    },
  );

  op(app, permission('manage_users', async (c) => (await orgRes(users.list().find((u) => u.id === Number(c.req.param('id')))?.orgId ?? null)) ?? { type: 'org', orgId: '' }), createRoute({
      method: 'post', path: '/api/v1/users/{id}/disable', tags: ['users'], summary: 'Disable a user and revoke their tokens',
      request: { params: z.object({ id: z.coerce.number().int().positive() }) },
      responses: { 200: json(z.object({ disabled: z.boolean() }), 'done'), ...ERRORS },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const p = c.get('access').granted!.principal;
      const target = users.list().find((x) => x.id === id);
      if (target && target.id !== p.userId && !roleWithin(target.role, p.role)) return apiError(c, 403, 'forbidden', `user ${target.username} has rights your role ${p.role} does not have`);
      const disabled = users.disable(id);
      const u = users.list().find((x) => x.id === id);
      await audit.record({ action: 'user.disable', actor: c.get('access').granted!.principal, ip: clientIp(c), resource: { type: 'user', id: String(id), ownerOrgId: u?.orgId ?? null } });
      return c.json({ disabled }, 200);
    },
  );
}

/**
 * GET  /api/v1/areas                         the area tree (flat, with parentId)
 * GET  /api/v1/purposes                      camera purposes
 * GET  /api/v1/orgs                          organisations
 * GET  /api/v1/sites                         sites in your scope (view_health)
 * POST /api/v1/sites                         create or update a site (manage_sites in its area / of your org)
 * PUT  /api/v1/sites/{id}/agents/{agentId}   place an agent at a site (manage_sites on both)
 */
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { ApiDeps, ApiEnv } from '../app.ts';
import { apiError } from '../app.ts';
import { permission, permissions } from '../registry.ts';
import { decide } from '../../authz/decide.ts';
import { ORG_KINDS } from '../../domain/types.ts';
import { ERRORS, clientIp, json, z , op } from './common.ts';

const AreaSchema = z.object({ id: z.string(), parentId: z.string().nullable(), name: z.string(), kind: z.string(), lat: z.number().nullable(), lon: z.number().nullable() }).openapi('Area');
const OrgSchema = z.object({ id: z.string(), name: z.string(), kind: z.enum(ORG_KINDS), areaId: z.string(), purposes: z.array(z.string()).nullable() }).openapi('Org');
const SiteSchema = z.object({ id: z.string(), name: z.string(), orgId: z.string(), areaId: z.string(), address: z.string().nullable(), lat: z.number().nullable(), lon: z.number().nullable() }).openapi('Site');
const slug = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/);

export function modelRoutes(app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  const { repos, audit } = deps.domain;
  op(app, permission('view_inventory'), createRoute({ method: 'get', path: '/api/v1/areas', tags: ['model'], summary: 'The area tree', responses: { 200: json(z.object({ items: z.array(AreaSchema) }), 'areas'), ...ERRORS } }),
    async (c) => c.json({ items: await repos.areas.list() }, 200),
  );
  op(app, permission('view_inventory'), createRoute({ method: 'get', path: '/api/v1/purposes', tags: ['model'], summary: 'Camera purposes', responses: { 200: json(z.object({ items: z.array(z.object({ id: z.string(), name: z.string() })) }), 'purposes'), ...ERRORS } }),
    async (c) => c.json({ items: await repos.purposes.list() }, 200),
  );
  op(app, permission('view_inventory'), createRoute({ method: 'get', path: '/api/v1/orgs', tags: ['model'], summary: 'Organisations (grantees are chosen from these)', responses: { 200: json(z.object({ items: z.array(OrgSchema) }), 'organisations'), ...ERRORS } }),
    async (c) => c.json({ items: await repos.orgs.list() }, 200),
  );
  op(app, permission('view_health'), createRoute({ method: 'get', path: '/api/v1/sites', tags: ['model'], summary: 'Sites in your scope', responses: { 200: json(z.object({ items: z.array(SiteSchema.extend({ agents: z.array(z.string()) })) }), 'sites'), ...ERRORS } }),
    async (c) => {
      const [sites, orgs, placements] = await Promise.all([repos.sites.list(), repos.orgs.list(), repos.sites.listPlacements()]);
      const kind = new Map(orgs.map((o) => [o.id, o.kind]));
      const visible = await c.get('access').filterBy('view_health', sites, (s) => ({ type: 'site', orgId: s.orgId, orgKind: kind.get(s.orgId) ?? 'business', areaId: s.areaId }));
      return c.json({ items: visible.map((s) => ({ ...s, agents: placements.filter((p) => p.siteId === s.id).map((p) => p.agentId) })) }, 200);
    },
  );
  op(app, permission('manage_sites'), createRoute({
      method: 'post', path: '/api/v1/sites', tags: ['model'], summary: 'Create or update a site',
      request: { body: { content: { 'application/json': { schema: z.object({ id: slug, name: z.string().min(1).max(200), orgId: slug, areaId: slug, address: z.string().max(300).nullable().default(null), lat: z.number().min(-90).max(90).nullable().default(null), lon: z.number().min(-180).max(180).nullable().default(null) }).strict() } }, required: true } },
      responses: { 200: json(SiteSchema, 'the site'), ...ERRORS },
    }),
    async (c) => {
      const site = c.req.valid('json');
      const access = c.get('access');
      const org = await repos.orgs.get(site.orgId);
      if (!org || !(await repos.areas.list()).some((a) => a.id === site.areaId)) return apiError(c, 400, 'bad-request', 'unknown organisation or area');
      const existing = await repos.sites.get(site.id);
      // Allowed on the site as it will be, and (when moving it) as it was.
      for (const target of [{ orgId: site.orgId, areaId: site.areaId }, ...(existing ? [existing] : [])]) {
        const kind = (await repos.orgs.get(target.orgId))?.kind ?? 'business';
        const r = decide(await access.getPrincipal(), 'manage_sites', { type: 'site', orgId: target.orgId, orgKind: kind, areaId: target.areaId }, await access.context());
        if (!r.allow) return apiError(c, 403, 'forbidden', `manage_sites denied: ${r.reason}`);
      }
      await repos.sites.upsert(site);
      await audit.record({ action: existing ? 'site.update' : 'site.create', actor: await access.getPrincipal(), ip: clientIp(c), resource: { type: 'site', id: site.id, ownerOrgId: site.orgId, areaId: site.areaId }, detail: { site } });
      return c.json(site, 200);
    },
  );
  op(app, permissions({ action: 'manage_sites', ref: (c) => ({ type: 'site', siteId: c.req.param('id') ?? '' }) }, { action: 'manage_sites', ref: (c) => ({ type: 'agent', agentId: c.req.param('agentId') ?? '' }) }), createRoute({
      method: 'put', path: '/api/v1/sites/{id}/agents/{agentId}', tags: ['model'], summary: 'Place an agent at a site',
      request: { params: z.object({ id: z.string().max(64), agentId: z.string().max(64) }) },
      responses: { 200: json(z.object({ siteId: z.string(), agentId: z.string() }), 'placed'), ...ERRORS },
    }),
    async (c) => {
      const { id, agentId } = c.req.valid('param');
      await repos.sites.attachAgent(agentId, id);
      const site = await repos.sites.get(id);
      await audit.record({ action: 'agent.place', actor: await c.get('access').getPrincipal(), ip: clientIp(c), resource: { type: 'agent', id: agentId, ownerOrgId: site?.orgId, areaId: site?.areaId }, detail: { siteId: id } });
      return c.json({ siteId: id, agentId }, 200);
    },
  );
}

/**
 * GET  /api/v1/alerts?state=active|cleared|all&kind=&agentId=   alerts in your view_health scope, newest first
 * POST /api/v1/alerts/{id}/ack                                  take an active alert in hand (it stays active
 *                                                               until its cause clears); recorded with who and when
 */
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { ApiEnv } from '../app.ts';
import type { DomainServices } from '../../services.ts';
import { permission } from '../registry.ts';
import { cameraScope } from '../../authz/authorizer.ts';
import { ALERT_KINDS } from '../../alerts/repository.ts';
import { ERRORS, PageQuery, json, op, pageOf, z } from './common.ts';
import { paginate } from '../../inventory/query.ts';
import type { Resource } from '../../authz/decide.ts';

const AlertSchema = z
  .object({
    id: z.number(), kind: z.enum(ALERT_KINDS), agentId: z.string(), cameraId: z.string().nullable(), state: z.enum(['pending', 'active', 'cleared']),
    since: z.string(), raisedAt: z.string().nullable(), clearedAt: z.string().nullable(), lastSeenAt: z.string(), detail: z.record(z.string(), z.unknown()),
    acknowledgedAt: z.string().nullable().optional(), acknowledgedBy: z.string().nullable().optional(),
  })
  .openapi('Alert');

export function alertRoutes(app: OpenAPIHono<ApiEnv>, domain: DomainServices): void {
  op(
    app,
    permission('view_health'),
    createRoute({
      method: 'get', path: '/api/v1/alerts', tags: ['alerts'], summary: 'Alerts in your scope, newest first',
      request: { query: z.object({ state: z.enum(['active', 'cleared', 'all']).default('active'), kind: z.enum(ALERT_KINDS).optional(), agentId: z.string().max(64).optional(), ...PageQuery }) },
      responses: { 200: json(pageOf(AlertSchema, 'AlertPage'), 'alerts'), ...ERRORS },
    }),
    async (c) => {
      const { state, kind, agentId, page, pageSize } = c.req.valid('query');
      const all = domain.alertStore.list({ state, limit: 10_000 }).filter((a) => (!kind || a.kind === kind) && (!agentId || a.agentId === agentId));
      const resourceOf = await alertResources(domain);
      const visible = await c.get('access').filterBy('view_health', all, (a) => resourceOf(a.agentId, a.cameraId));
      return c.json(paginate(visible, page, pageSize), 200);
    },
  );

  op(
    app,
    permission('view_health'),
    createRoute({
      method: 'post', path: '/api/v1/alerts/{id}/ack', tags: ['alerts'], summary: 'Acknowledge an active alert in your scope',
      request: { params: z.object({ id: z.coerce.number().int().positive() }) },
      responses: { 200: json(AlertSchema, 'the acknowledged alert'), 409: json(z.object({ error: z.object({ code: z.string(), message: z.string() }) }), 'not active, or acknowledged already'), ...ERRORS },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const alert = domain.alertStore.get(id);
      const resourceOf = await alertResources(domain);
      // An alert outside the caller's scope does not exist for them.
      const [visible] = alert ? await c.get('access').filterBy('view_health', [alert], (a) => resourceOf(a.agentId, a.cameraId)) : [];
      if (!visible) return c.json({ error: { code: 'not-found', message: 'no such alert' } }, 404);
      const user = c.get('user');
      if (!domain.alertStore.acknowledge(id, user.username, new Date().toISOString())) {
        return c.json({ error: { code: 'conflict', message: visible.state === 'active' ? 'already acknowledged' : 'the alert is not active' } }, 409);
      }
      return c.json(domain.alertStore.get(id)!, 200);
    },
  );
}

/** How each alert maps to what it is about (a camera, a site, an agent not yet placed), for scoping. */
async function alertResources(domain: DomainServices): Promise<(agentId: string, cameraId: string | null) => Resource> {
  const [inventory, placements, sites, orgs] = await Promise.all([domain.repos.inventory.list(), domain.repos.sites.listPlacements(), domain.repos.sites.list(), domain.repos.orgs.list()]);
  const cams = new Map(inventory.map((x) => [`${x.agentId}/${x.cameraId}`, x]));
  const siteOf = new Map(placements.map((p) => [p.agentId, sites.find((s) => s.id === p.siteId)]));
  const kindOf = new Map(orgs.map((o) => [o.id, o.kind]));
  return (agentId, cameraId) => {
    const cam = cameraId ? cams.get(`${agentId}/${cameraId}`) : undefined;
    if (cam) return { type: 'camera', camera: cameraScope(cam) };
    const site = siteOf.get(agentId);
    return site ? { type: 'site', orgId: site.orgId, orgKind: kindOf.get(site.orgId) ?? 'business', areaId: site.areaId } : { type: 'unplaced-agent', agentId };
  };
}

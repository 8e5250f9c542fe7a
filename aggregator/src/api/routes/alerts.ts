/**
 * GET /api/v1/alerts?state=active|cleared|all&kind=&agentId=   alerts in your view_health scope, newest first
 */
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { ApiEnv } from '../app.ts';
import type { DomainServices } from '../../services.ts';
import { requirePermission } from '../../authz/gate.ts';
import { cameraScope } from '../../authz/authorizer.ts';
import { ALERT_KINDS } from '../../alerts/repository.ts';
import { ERRORS, PageQuery, json, op, pageOf, z } from './common.ts';
import { paginate } from '../../inventory/query.ts';
import type { Resource } from '../../authz/decide.ts';

const AlertSchema = z
  .object({
    id: z.number(), kind: z.enum(ALERT_KINDS), agentId: z.string(), cameraId: z.string().nullable(), state: z.enum(['pending', 'active', 'cleared']),
    since: z.string(), raisedAt: z.string().nullable(), clearedAt: z.string().nullable(), lastSeenAt: z.string(), detail: z.record(z.string(), z.unknown()),
  })
  .openapi('Alert');

export function alertRoutes(app: OpenAPIHono<ApiEnv>, domain: DomainServices): void {
  op(
    app,
    createRoute({
      method: 'get', path: '/api/v1/alerts', tags: ['alerts'], summary: 'Alerts in your scope, newest first',
      middleware: [requirePermission('view_health')] as const,
      request: { query: z.object({ state: z.enum(['active', 'cleared', 'all']).default('active'), kind: z.enum(ALERT_KINDS).optional(), agentId: z.string().max(64).optional(), ...PageQuery }) },
      responses: { 200: json(pageOf(AlertSchema, 'AlertPage'), 'alerts'), ...ERRORS },
    }),
    async (c) => {
      const { state, kind, agentId, page, pageSize } = c.req.valid('query');
      const all = domain.alertStore.list({ state, limit: 10_000 }).filter((a) => (!kind || a.kind === kind) && (!agentId || a.agentId === agentId));
      const [inventory, placements, sites, orgs] = await Promise.all([domain.repos.inventory.list(), domain.repos.sites.listPlacements(), domain.repos.sites.list(), domain.repos.orgs.list()]);
      const cams = new Map(inventory.map((x) => [`${x.agentId}/${x.cameraId}`, x]));
      const siteOf = new Map(placements.map((p) => [p.agentId, sites.find((s) => s.id === p.siteId)]));
      const kindOf = new Map(orgs.map((o) => [o.id, o.kind]));
      const resourceOf = (agentId: string, cameraId: string | null): Resource => {
        const cam = cameraId ? cams.get(`${agentId}/${cameraId}`) : undefined;
        if (cam) return { type: 'camera', camera: cameraScope(cam) };
        const site = siteOf.get(agentId);
        return site ? { type: 'site', orgId: site.orgId, orgKind: kindOf.get(site.orgId) ?? 'business', areaId: site.areaId } : { type: 'unplaced-agent', agentId };
      };
      const visible = await c.get('access').filterBy('view_health', all, (a) => resourceOf(a.agentId, a.cameraId));
      return c.json(paginate(visible, page, pageSize), 200);
    },
  );
}

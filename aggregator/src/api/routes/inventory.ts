/**
 * GET /api/v1/cameras                       list, filter, search (paged)
 * GET /api/v1/cameras/{agentId}/{cameraId}  one camera
 * GET /api/v1/cameras/export.csv            CSV of the filtered list (export_inventory; audited)
 * GET /api/v1/cameras/export.geojson        GeoJSON of the filtered list (export_inventory; audited)
 * GET /api/v1/cameras/duplicates            likely duplicates among the cameras in scope
 */
import { createRoute } from '@hono/zod-openapi';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { ApiEnv } from '../app.ts';
import type { DomainServices } from '../../services.ts';
import { permission } from '../registry.ts';
import { ORG_KINDS } from '../../domain/types.ts';
import type { InventoryFilter } from '../../inventory/query.ts';
import { toCsv, toGeoJson } from '../../inventory/export.ts';
import { findDuplicates } from '../../inventory/duplicates.ts';
import { CameraParams, ERRORS, PageQuery, clientIp, json, pageOf, z , op } from './common.ts';

export const InventoryCameraSchema = z
  .object({
    agentId: z.string(), cameraId: z.string(), name: z.string().nullable(), siteId: z.string().nullable(),
    ownerOrgId: z.string(), ownerOrgKind: z.enum(ORG_KINDS), ownerOrgName: z.string(), areaId: z.string(), purposes: z.array(z.string()),
    lat: z.number().nullable(), lon: z.number().nullable(), address: z.string().nullable(), serial: z.string().nullable(), mac: z.string().nullable(),
    manufacturer: z.string().nullable(), model: z.string().nullable(), status: z.enum(['online', 'not_recording', 'offline', 'unknown']),
    online: z.boolean(), recording: z.boolean(), problem: z.string().nullable(), conformance: z.enum(['pass', 'warn', 'fail']).nullable(), lastReportAt: z.string().nullable(),
  })
  .openapi('InventoryCamera');

const FilterQuery = z.object({
  q: z.string().max(200).optional().openapi({ description: 'free text (accent-insensitive): name, address, serial, MAC, model, owner' }),
  area: z.string().max(64).optional().openapi({ description: 'an area id; its whole subtree matches' }),
  purpose: z.string().max(64).optional(),
  owner: z.string().max(64).optional().openapi({ description: 'owner organisation id' }),
  ownerKind: z.enum(ORG_KINDS).optional(),
  status: z.enum(['online', 'not_recording', 'offline', 'unknown']).optional(),
  conformance: z.enum(['pass', 'warn', 'fail']).optional(),
});

export function inventoryRoutes(app: OpenAPIHono<ApiEnv>, domain: DomainServices): void {
  // Scope and filter run as one indexed query (inventory/scope.ts), not per camera in JavaScript.
  const scoped = async (access: ApiEnv['Variables']['access'], f: InventoryFilter) => {
    access.checked = true;
    return domain.inventory.all(await access.getPrincipal(), await access.context(), 'view_inventory', f);
  };

  op(app, permission('view_inventory'), createRoute({
      method: 'get', path: '/api/v1/cameras', tags: ['inventory'], summary: 'Cameras in your scope, filtered and searched',
      request: { query: FilterQuery.extend(PageQuery) },
      responses: { 200: json(pageOf(InventoryCameraSchema, 'InventoryPage'), 'a page of cameras'), ...ERRORS },
    }),
    async (c) => {
      const { page, pageSize, ...f } = c.req.valid('query');
      const access = c.get('access');
      access.checked = true;
      return c.json(await domain.inventory.page(await access.getPrincipal(), await access.context(), 'view_inventory', f, page, pageSize), 200);
    },
  );

  for (const format of ['csv', 'geojson'] as const) {
    op(app, permission('export_inventory'), createRoute({
        method: 'get', path: `/api/v1/cameras/export.${format}`, tags: ['inventory'], summary: `Export the cameras in your scope as ${format.toUpperCase()}`,
        request: { query: FilterQuery },
        responses: { 200: { description: format === 'csv' ? 'text/csv' : 'application/geo+json' }, ...ERRORS },
      }),
      async (c) => {
        const access = c.get('access');
        const cams = await scoped(access, c.req.valid('query'));
        const principal = await access.getPrincipal();
        await domain.audit.record({ action: 'inventory.export', actor: principal, ip: clientIp(c), detail: { format, count: cams.length, filter: c.req.valid('query') } });
        const name = `camfleet-inventory.${format}`;
        c.header('content-disposition', `attachment; filename="${name}"`);
        if (format === 'csv') return c.body(toCsv(cams), 200, { 'content-type': 'text/csv; charset=utf-8' });
        return c.body(JSON.stringify(toGeoJson(cams)), 200, { 'content-type': 'application/geo+json' });
      },
    );
  }

  op(app, permission('view_inventory'), createRoute({
      method: 'get', path: '/api/v1/cameras/duplicates', tags: ['inventory'], summary: 'Likely duplicates among the cameras in your scope',
      request: { query: z.object({ withinMetres: z.coerce.number().positive().max(1000).default(10) }) },
      responses: {
        200: json(z.object({ items: z.array(z.object({ reason: z.enum(['same-serial', 'same-mac', 'nearby-same-purpose']), cameras: z.array(z.string()), detail: z.string() })) }).openapi('DuplicateFlags'), 'flags for review'),
        ...ERRORS,
      },
    }),
    async (c) => c.json({ items: findDuplicates(await scoped(c.get('access'), {}), { withinMetres: c.req.valid('query').withinMetres }) }, 200),
  );

  op(app, permission('view_inventory', (c) => ({ type: 'camera', agentId: c.req.param('agentId') ?? '', cameraId: c.req.param('cameraId') ?? '' })), createRoute({
      method: 'get', path: '/api/v1/cameras/{agentId}/{cameraId}', tags: ['inventory'], summary: 'One camera',
      request: { params: CameraParams },
      responses: { 200: json(InventoryCameraSchema, 'the camera'), ...ERRORS },
    }),
    async (c) => c.json(await domain.repos.inventory.get(c.req.valid('param')), 200),
  );
}

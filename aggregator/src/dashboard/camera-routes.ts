/**
 * What the camera page needs beyond the inventory, through the one authorization point:
 *
 *   GET /api/v1/cameras/:agentId/:cameraId/health?since=<ISO time>   (view_health on the camera)
 *     -> {items: [{at, online, recording, fps, bitrateKbps, gapsLastHour, bytesStored}]}, oldest first;
 *        `since` defaults to 24 hours ago; at most 2000 samples (the newest) are returned.
 *   GET /api/v1/cameras/:agentId/:cameraId/record                    (view_inventory on the camera)
 *     -> {record, conformance}: the agent's probe of the camera (never a credential) and the
 *        rule-by-rule result against the standard, as last reported; null when not reported.
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import type { ApiEnv } from '../api/app.ts';
import { apiError } from '../api/app.ts';
import { permission, route } from '../api/registry.ts';
import type { TimeSeriesStore } from '../timeseries/port.ts';
import type { FleetStore } from '../fleet/store.ts';

const Query = z.object({ since: z.string().datetime({ offset: true }).optional() }).strict();
const MAX_SAMPLES = 2000;

export interface CameraRouteDeps {
  /** Health history through the time-series port (SQLite table or VictoriaMetrics). */
  timeseries: Pick<TimeSeriesStore, 'cameraHealth'>;
  fleet: Pick<FleetStore, 'listCameras'>;
  now?: () => Date;
}

const cameraRef = (c: { req: { param(name: string): string | undefined } }) => ({
  type: 'camera' as const,
  agentId: c.req.param('agentId') ?? '',
  cameraId: c.req.param('cameraId') ?? '',
});

export function cameraRoutes(deps: CameraRouteDeps) {
  const now = deps.now ?? (() => new Date());
  return (app: Hono<ApiEnv>) => {
    route(
      app,
      { method: 'get', path: '/api/v1/cameras/:agentId/:cameraId/health', tags: ['inventory'], summary: "A camera's health samples for the chart", authz: permission('view_health', cameraRef) },
      async (c) => {
        const q = Query.safeParse(c.req.query());
        if (!q.success) return apiError(c, 400, 'bad-request', 'since must be an ISO 8601 time with an offset');
        const since = new Date(q.data.since ?? now().getTime() - 24 * 3600_000);
        const items = await deps.timeseries.cameraHealth({ agentId: c.req.param('agentId') ?? '', cameraId: c.req.param('cameraId') ?? '', since, limit: MAX_SAMPLES });
        return c.json({ items });
      },
    );

    route(app, { method: 'get', path: '/api/v1/cameras/:agentId/:cameraId/record', tags: ['inventory'], summary: "A camera's probe record and conformance result", authz: permission('view_inventory', cameraRef) }, (c) => {
      const cam = deps.fleet.listCameras().find((x) => x.agentId === c.req.param('agentId') && x.cameraId === c.req.param('cameraId'));
      return c.json({ record: cam?.record ?? null, conformance: cam?.conformance ?? null });
    });
  };
}

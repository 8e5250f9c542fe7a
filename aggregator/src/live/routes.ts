/**
 * Live view for viewers, through the one route registry:
 *
 *   GET /api/v1/cameras/:agentId/:cameraId/live   fragmented MP4 over chunked HTTP
 *       view_snapshot on the camera + stated purpose (X-Camfleet-Purpose); audited live.start/live.stop
 *
 * Why view_snapshot: live view is today's "look at the current picture" footage action (operators
 * hold it, technicians and administrators do not); a dedicated view_live action is future work
 * (live/README.md). Chunked HTTP (fetch + ReadableStream in the browser) rather than a WebSocket
 * towards viewers: the bearer token goes in the Authorization header like every API call (a
 * browser WebSocket cannot send one, and tokens never go in URLs), and the route is guarded and
 * listed like every other.
 */
import type { Hono } from 'hono';
import type { ApiEnv } from '../api/app.ts';
import { apiError } from '../api/app.ts';
import { permission, route } from '../api/registry.ts';
import { LiveError, type LiveService } from './service.ts';

export interface LiveRouteDeps {
  live: LiveService;
  agentOnline(agentId: string): boolean;
  cameraOnline(agentId: string, cameraId: string): boolean;
}

export function liveRoutes(deps: LiveRouteDeps) {
  return (app: Hono<ApiEnv>) => {
    route(
      app,
      {
        method: 'get',
        path: '/api/v1/cameras/:agentId/:cameraId/live',
        summary: 'Live view of one camera: fragmented MP4 (init segment, then keyframe fragments), chunked',
        tags: ['live'],
        authz: permission('view_snapshot', (c) => ({ type: 'camera', agentId: c.req.param('agentId') ?? '', cameraId: c.req.param('cameraId') ?? '' })),
        responses: {
          200: { description: 'video/mp4 stream' },
          503: { description: 'site-offline / camera-offline / too-many-viewers' },
        },
      },
      async (c) => {
        const gate = c.get('access');
        const g = gate.granted!;
        const cam = g.resource.type === 'camera' ? g.resource.camera : undefined;
        if (!cam) return apiError(c, 403, 'forbidden', 'live view needs a camera');
        if (!deps.agentOnline(cam.agentId)) return apiError(c, 503, 'site-offline', 'the site is offline');
        if (!deps.cameraOnline(cam.agentId, cam.cameraId)) return apiError(c, 503, 'camera-offline', 'the camera is offline');
        try {
          const { sessionId, stream } = await deps.live.open({
            principal: g.principal,
            token: c.get('token'),
            agentId: cam.agentId,
            cameraId: cam.cameraId,
            purpose: g.statedPurpose ?? null,
            via: g.decision.rule,
            grantId: g.decision.grantId ?? null,
            ownerOrgId: cam.ownerOrgId ?? null,
            areaId: cam.areaId ?? null,
            ip: gate.ip,
          });
          return new Response(stream, {
            status: 200,
            headers: { 'content-type': 'video/mp4', 'cache-control': 'no-store', 'x-camfleet-live-session': sessionId, 'x-content-type-options': 'nosniff' },
          });
        } catch (err) {
          if (err instanceof LiveError) return apiError(c, 503, err.code, err.message);
          throw err;
        }
      },
    );
  };
}

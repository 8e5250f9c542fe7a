/**
 * Clips for the browser, through the one authorization point:
 *
 *   GET /api/v1/cameras/:agentId/:cameraId/clips      the camera's clips (view_clips + stated purpose)
 *   GET /api/v1/clips/:agentId/:clipId/video          a complete clip's MP4, with Range support
 *                                                     (view_clips on its camera + purpose; audited as clip.view)
 *
 * A route registrar for `ApiDeps.routes`: mounted after authentication, so `c.get('access')` is set.
 */
import type { Hono } from 'hono';
import type { ApiEnv } from '../api/app.ts';
import { apiError } from '../api/app.ts';
import { clientIp } from '../api/routes/common.ts';
import { permission, route } from '../api/registry.ts';
import type { ClipService, ClipRow } from '../clips/clips.ts';
import type { AuditTrail } from '../audit/trail.ts';
import { fileResponse } from './range.ts';
import { RecentViews } from '../audit/recent-views.ts';

export interface ClipRouteDeps {
  clips: Pick<ClipService, 'get' | 'list' | 'filePath'>;
  audit: Pick<AuditTrail, 'record'>;
  /** Views of one clip by one user within this window make one audit entry (default 10 min). */
  viewWindowMs?: number;
  now?: () => number;
}

const enc = encodeURIComponent;

/** What the dashboard shows of a clip: never its path on disk. */
export function clipView(c: ClipRow) {
  return {
    id: `${c.agentId}/${c.clipId}`,
    agentId: c.agentId,
    clipId: c.clipId,
    cameraId: c.cameraId,
    from: c.from,
    to: c.to,
    bytes: c.bytes,
    sha256: c.sha256,
    status: c.state,
    reason: c.reason,
    receivedChunks: c.receivedChunks,
    chunks: c.chunks,
    completedAt: c.completedAt,
    videoUrl: c.state === 'complete' ? `/api/v1/clips/${enc(c.agentId)}/${enc(c.clipId)}/video` : null,
  };
}

export function clipRoutes(deps: ClipRouteDeps) {
  const views = new RecentViews(deps.viewWindowMs ?? 10 * 60_000, deps.now);
  return (app: Hono<ApiEnv>) => {
    route(
      app,
      {
        method: 'get', path: '/api/v1/cameras/:agentId/:cameraId/clips', tags: ['clips'], summary: "A camera's clips (state a purpose)",
        authz: permission('view_clips', (c) => ({ type: 'camera', agentId: c.req.param('agentId') ?? '', cameraId: c.req.param('cameraId') ?? '' })),
      },
      (c) => {
        const items = deps.clips.list({ agentId: c.req.param('agentId'), cameraId: c.req.param('cameraId'), limit: 200 });
        return c.json({ items: items.map(clipView) });
      },
    );

    route(
      app,
      {
        method: 'get', path: '/api/v1/clips/:agentId/:clipId/video', tags: ['clips'], summary: "A complete clip's MP4 with Range support (state a purpose; audited)",
        // The clip's camera decides: a clip of a camera the user may not see is "not found".
        authz: permission('view_clips', (c) => ({
          type: 'camera',
          agentId: c.req.param('agentId') ?? '',
          cameraId: deps.clips.get(c.req.param('agentId') ?? '', c.req.param('clipId') ?? '')?.cameraId ?? '',
        })),
      },
      async (c) => {
        const clip = deps.clips.get(c.req.param('agentId'), c.req.param('clipId'));
        const file = clip?.state === 'complete' ? deps.clips.filePath(clip) : undefined;
        if (!clip || !file) return apiError(c, 404, 'not-found', 'no complete clip with that id');
        const granted = c.get('access').granted!;
        const cam = granted.resource.type === 'camera' ? granted.resource.camera : undefined;
        const range = c.req.header('range');
        // Every served response is attributable. One entry per viewing, not per seek: repeats by
        // this user of this clip within the window collapse into the entry already written. The
        // Range header never decides (`bytes=1-`, `bytes=-N` or a malformed one carry the clip too).
        // The purpose is part of the viewing: the same clip looked at for another purpose is recorded again.
        const viewed = `${clip.agentId}/${clip.clipId}\n${granted.statedPurpose ?? ''}`;
        if (views.due(granted.principal.userId, viewed)) {
          await deps.audit.record({
            action: 'clip.view', actor: granted.principal, ip: clientIp(c), purpose: granted.statedPurpose ?? null,
            resource: { type: 'camera', id: `${clip.agentId}/${clip.cameraId}`, ownerOrgId: cam?.ownerOrgId, areaId: cam?.areaId },
            detail: { clipId: clip.clipId, from: clip.from, to: clip.to, sha256: clip.sha256, via: granted.decision.rule, grantId: granted.decision.grantId ?? null, range: range?.slice(0, 64) ?? null },
          });
          views.mark(granted.principal.userId, viewed);
        }
        try {
          return fileResponse(file, range, 'video/mp4', { 'Content-Disposition': `inline; filename="${clip.clipId.replace(/[^A-Za-z0-9._-]/g, '_')}.mp4"` });
        } catch {
          return apiError(c, 404, 'not-found', 'the clip file is missing');
        }
      },
    );
  };
}

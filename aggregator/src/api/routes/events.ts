/**
 * GET /api/v1/events                                   events of cameras in scope (view_events; audited)
 * GET /api/v1/events/{agentId}/{eventId}/snapshot      the event's JPEG (view_snapshot + stated purpose; audited)
 */
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { ApiEnv } from '../app.ts';
import type { DomainServices } from '../../services.ts';
import { permission } from '../registry.ts';
import { cameraScope } from '../../authz/authorizer.ts';
import { ERRORS, PageQuery, clientIp, json, pageOf, z , op } from './common.ts';
import { paginate } from '../../inventory/query.ts';
import { eventSentence } from '../../alerts/text.ts';

const EventSchema = z
  .object({ agentId: z.string(), eventId: z.string(), kind: z.string(), cameraId: z.string().nullable(), startedAt: z.string(), endedAt: z.string().nullable(), data: z.record(z.string(), z.unknown()), hasSnapshot: z.boolean(), text: z.object({ vi: z.string(), en: z.string() }).describe('the event as a sentence, Vietnamese and English') })
  .openapi('Event');

export function eventRoutes(app: OpenAPIHono<ApiEnv>, domain: DomainServices): void {
  op(app, permission('view_events'), createRoute({
      method: 'get', path: '/api/v1/events', tags: ['events'], summary: 'Events of the cameras in your scope, newest first',
      request: { query: z.object({ agentId: z.string().max(64).optional(), cameraId: z.string().max(64).optional(), kind: z.string().max(64).optional(), since: z.string().datetime({ offset: true }).optional(), ...PageQuery }) },
      responses: { 200: json(pageOf(EventSchema, 'EventPage'), 'a page of events'), ...ERRORS },
    }),
    async (c) => {
      const { page, pageSize, ...f } = c.req.valid('query');
      const access = c.get('access');
      const inventory = new Map((await domain.repos.inventory.list()).map((cam) => [`${cam.agentId}/${cam.cameraId}`, cam]));
      const rows = domain.events.events({ ...f, limit: 10_000 });
      const visible = [];
      const allowed = new Set((await access.filter('view_events', [...inventory.values()].map(cameraScope))).map((x) => `${x.agentId}/${x.cameraId}`));
      // Events tied to no camera belong to the agent's site: shown only with view_events on one of its cameras.
      const agentsInScope = new Set([...allowed].map((k) => k.split('/')[0]));
      for (const e of rows) if (e.cameraId ? allowed.has(`${e.agentId}/${e.cameraId}`) : agentsInScope.has(e.agentId)) visible.push(e);
      const result = paginate(visible.map(({ seq: _seq, receivedAt: _r, ...e }) => ({ ...e, text: eventSentence(e.kind, e.data) })), page, pageSize);
      const principal = await access.getPrincipal();
      await domain.audit.record({ action: 'events.view', actor: principal, ip: clientIp(c), purpose: access.statedPurpose ?? null, detail: { filter: f, returned: result.items.length, events: result.items.slice(0, 50).map((e) => `${e.agentId}/${e.eventId}`) } });
      return c.json(result, 200);
    },
  );

  op(app, permission('view_snapshot', (c) => ({ type: 'camera', agentId: c.req.param('agentId') ?? '', cameraId: domain.eventCamera(c.req.param('agentId') ?? '', c.req.param('eventId') ?? '') ?? '' })), createRoute({
      method: 'get', path: '/api/v1/events/{agentId}/{eventId}/snapshot', tags: ['events'], summary: "An event's snapshot (state a purpose)",
      request: { params: z.object({ agentId: z.string().max(64), eventId: z.string().max(128) }) },
      responses: { 200: { description: 'image/jpeg' }, ...ERRORS },
    }),
    async (c) => {
      const { agentId, eventId } = c.req.valid('param');
      const jpeg = domain.events.eventSnapshot(agentId, eventId);
      const granted = c.get('access').granted!;
      const cam = granted.resource.type === 'camera' ? granted.resource.camera : undefined;
      await domain.audit.record({
        action: 'snapshot.view', outcome: jpeg ? 'done' : 'failed', actor: granted.principal, ip: clientIp(c), purpose: granted.statedPurpose ?? null,
        resource: { type: 'camera', id: `${agentId}/${cam?.cameraId ?? ''}`, ownerOrgId: cam?.ownerOrgId, areaId: cam?.areaId },
        detail: { eventId, via: granted.decision.rule, grantId: granted.decision.grantId ?? null },
      });
      if (!jpeg) return c.json({ error: { code: 'not-found', message: 'this event has no snapshot' } }, 404);
      return c.body(new Uint8Array(jpeg), 200, { 'content-type': 'image/jpeg', 'cache-control': 'no-store' });
    },
  );
}

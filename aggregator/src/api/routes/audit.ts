/**
 * GET /api/v1/audit          audit entries in your scope, newest first (cursor: beforeSeq)
 * GET /api/v1/audit/verify   checks the whole chain (city-wide auditors and admins)
 */
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { ApiEnv } from '../app.ts';
import type { DomainServices } from '../../services.ts';
import { permission } from '../registry.ts';
import { ERRORS, json, z , op } from './common.ts';

const EntrySchema = z
  .object({
    seq: z.number(), at: z.string(), actorUserId: z.number().nullable(), actorUsername: z.string().nullable(), actorOrgId: z.string().nullable(),
    action: z.string(), outcome: z.string(), resourceType: z.string().nullable(), resourceId: z.string().nullable(), ownerOrgId: z.string().nullable(),
    areaId: z.string().nullable(), ip: z.string().nullable(), purpose: z.string().nullable(), detail: z.record(z.string(), z.unknown()), prevHash: z.string(), hash: z.string(),
  })
  .openapi('AuditEntry');

export function auditRoutes(app: OpenAPIHono<ApiEnv>, domain: DomainServices): void {
  op(app, permission('view_audit'), createRoute({
      method: 'get', path: '/api/v1/audit', tags: ['audit'], summary: 'Audit entries in your scope, newest first',
      request: {
        query: z.object({
          since: z.string().datetime({ offset: true }).optional(), until: z.string().datetime({ offset: true }).optional(),
          action: z.string().max(64).optional(), actorOrgId: z.string().max(64).optional(), ownerOrgId: z.string().max(64).optional(), resourceId: z.string().max(200).optional(),
          beforeSeq: z.coerce.number().int().positive().optional().openapi({ description: 'cursor: entries older than this seq' }),
          pageSize: z.coerce.number().int().min(1).max(500).default(100),
        }),
      },
      responses: { 200: json(z.object({ items: z.array(EntrySchema), nextBeforeSeq: z.number().nullable() }).openapi('AuditPage'), 'entries'), ...ERRORS },
    }),
    async (c) => {
      const { pageSize, ...q } = c.req.valid('query');
      const access = c.get('access');
      const items: Awaited<ReturnType<DomainServices['audit']['query']>> = [];
      let cursor = q.beforeSeq;
      // Read in batches until a page of entries in scope is filled (scope filtering happens per entry).
      for (let round = 0; round < 50 && items.length < pageSize; round++) {
        const batch = await domain.audit.query({ ...q, beforeSeq: cursor, limit: 500 });
        if (!batch.length) { cursor = undefined; break; }
        const visible = await access.filterBy('view_audit', batch, (e) => ({ type: 'audit-entry', actorOrgId: e.actorOrgId, ownerOrgId: e.ownerOrgId, areaId: e.areaId }));
        for (const e of visible) {
          if (items.length >= pageSize) break;
          items.push(e);
        }
        cursor = items.length >= pageSize ? items[items.length - 1]!.seq : batch[batch.length - 1]!.seq;
        if (batch.length < 500 && items.length < pageSize) { cursor = undefined; break; }
      }
      return c.json({ items, nextBeforeSeq: items.length >= pageSize ? (cursor ?? null) : null }, 200);
    },
  );

  op(app, permission('view_audit', () => ({ type: 'audit-entry', actorOrgId: null, ownerOrgId: null, areaId: null })), createRoute({
      method: 'get', path: '/api/v1/audit/verify', tags: ['audit'], summary: 'Verify the hash chain of the whole trail',
      responses: {
        200: json(z.object({ ok: z.boolean(), entries: z.number(), lastSeq: z.number(), lastHash: z.string(), problems: z.array(z.object({ seq: z.number(), problem: z.string(), message: z.string() })) }).openapi('AuditVerification'), 'the report'),
        ...ERRORS,
      },
    }),
    async (c) => c.json(await domain.audit.verify(), 200),
  );
}

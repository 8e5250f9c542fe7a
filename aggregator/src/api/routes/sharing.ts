/**
 * GET  /api/v1/sharing/terms               the current sharing terms and their version
 * GET  /api/v1/sharing/grants              your organisation's grants, and those shared with it
 * POST /api/v1/sharing/grants              share cameras (owner; needs consent to the current terms)
 * POST /api/v1/sharing/grants/{id}/revoke  revoke at once (owner)
 */
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { ApiEnv } from '../app.ts';
import type { DomainServices } from '../../services.ts';
import { permission } from '../registry.ts';
import { ORG_KINDS } from '../../domain/types.ts';
import { CONSENT_VERSION, SHARING_LEVELS } from '../../sharing/types.ts';
import { ERRORS, clientIp, domainErrorResponse, json, z , op } from './common.ts';

const Key = z.object({ agentId: z.string().min(1).max(64), cameraId: z.string().min(1).max(64) });
const GrantSchema = z
  .object({
    id: z.string(), ownerOrgId: z.string(), cameras: z.array(Key), granteeOrgIds: z.array(z.string()), granteeKinds: z.array(z.enum(ORG_KINDS)),
    levels: z.array(z.enum(SHARING_LEVELS)), purposes: z.array(z.string()), hours: z.object({ from: z.number(), to: z.number() }).nullable(),
    validFrom: z.string(), validUntil: z.string().nullable(), consentVersion: z.string(), consentedAt: z.string(), consentedBy: z.number(),
    revokedAt: z.string().nullable(), revokedBy: z.number().nullable(),
  })
  .openapi('SharingGrant');

export const GrantRequestSchema = z
  .object({
    cameras: z.array(Key).min(1).max(1000),
    granteeOrgIds: z.array(z.string().max(64)).max(100).default([]),
    granteeKinds: z.array(z.enum(ORG_KINDS)).max(10).default([]),
    levels: z.array(z.enum(SHARING_LEVELS)).min(1),
    purposes: z.array(z.string().max(64)).max(20).default([]).openapi({ description: 'purposes the grantee may state; empty = any' }),
    hours: z.object({ from: z.number().int().min(0).max(23), to: z.number().int().min(1).max(24) }).strict().nullable().optional().openapi({ description: 'local hours [from, to); wraps past midnight when from > to' }),
    validFrom: z.string().datetime({ offset: true }).optional(),
    validUntil: z.string().datetime({ offset: true }).nullable().optional(),
    consent: z.object({ version: z.string(), accepted: z.literal(true) }).strict().openapi({ description: `accept the current terms: version ${CONSENT_VERSION}` }),
  })
  .strict()
  .openapi('GrantRequest');

export const SHARING_TERMS =
  'The owner shares the listed cameras with the named organisations, at the listed levels, for the listed purposes and hours, ' +
  'until the given date or until revoked. The owner may revoke at any time; revocation takes effect at once. Every access ' +
  'to shared footage, events and snapshots is recorded in the audit trail, which the owner can read.';

export function sharingRoutes(app: OpenAPIHono<ApiEnv>, domain: DomainServices): void {
  op(app, permission('manage_sharing'), createRoute({
      method: 'get', path: '/api/v1/sharing/terms', tags: ['sharing'], summary: 'The sharing terms an owner consents to',
      responses: { 200: json(z.object({ version: z.string(), text: z.string() }), 'the terms'), ...ERRORS },
    }),
    (c) => c.json({ version: CONSENT_VERSION, text: SHARING_TERMS }, 200),
  );

  op(app, permission('view_inventory'), createRoute({
      method: 'get', path: '/api/v1/sharing/grants', tags: ['sharing'], summary: "Your organisation's grants, and grants shared with it",
      responses: { 200: json(z.object({ own: z.array(GrantSchema), sharedWithUs: z.array(GrantSchema) }).openapi('GrantLists'), 'grants'), ...ERRORS },
    }),
    async (c) => c.json(await domain.sharing.listFor(await c.get('access').getPrincipal()), 200),
  );

  op(app, permission('manage_sharing', async (c) => ({ type: 'grant-owner', ownerOrgId: (await c.get('access').getPrincipal()).orgId ?? '' })), createRoute({
      method: 'post', path: '/api/v1/sharing/grants', tags: ['sharing'], summary: 'Share cameras you own (records your consent)',
      request: { body: { content: { 'application/json': { schema: GrantRequestSchema } }, required: true } },
      responses: { 201: json(GrantSchema, 'the grant'), ...ERRORS, 409: json(z.object({ error: z.object({ code: z.string(), message: z.string() }) }), 'exists') },
    }),
    async (c) => {
      try {
        const grant = await domain.sharing.create(c.get('access').granted!.principal, c.req.valid('json'), { ip: clientIp(c) });
        return c.json(grant, 201);
      } catch (err) {
        return domainErrorResponse(c, err);
      }
    },
  );

  op(app, permission('manage_sharing', (c) => ({ type: 'grant', grantId: c.req.param('id') ?? '' })), createRoute({
      method: 'post', path: '/api/v1/sharing/grants/{id}/revoke', tags: ['sharing'], summary: 'Revoke a grant at once (owner)',
      request: { params: z.object({ id: z.string().max(128) }) },
      responses: { 200: json(GrantSchema, 'the revoked grant'), ...ERRORS },
    }),
    async (c) => {
      try {
        return c.json(await domain.sharing.revoke(c.get('access').granted!.principal, c.req.valid('param').id, { ip: clientIp(c) }), 200);
      } catch (err) {
        return domainErrorResponse(c, err);
      }
    },
  );
}

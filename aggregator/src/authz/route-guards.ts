/**
 * Permissions that depend on the request rather than the route alone: an agent command's action
 * follows its name (body). Used in the route's declaration (`decidedBy` in api/registry.ts), so
 * it runs before the handler like every other check.
 */
import type { Context } from 'hono';
import type { Action } from './policy.ts';
import type { ResourceRef } from './authorizer.ts';
import type { AccessGate } from './gate.ts';

type Env = { Variables: { access: AccessGate } };

const agentRef = (c: Context<Env>): ResourceRef => ({ type: 'agent', agentId: c.req.param('id') ?? '' });

/** What each agent command asks for: footage needs the footage permission on that camera. */
export async function commandPermission(c: Context<Env>): Promise<{ action: Action; ref: ResourceRef }> {
  const body = (await c.req.json().catch(() => ({}))) as { name?: unknown; args?: { cameraId?: unknown } };
  const cameraId = typeof body.args?.cameraId === 'string' ? body.args.cameraId : undefined;
  const agentId = c.req.param('id') ?? '';
  const onCamera = (action: Action) => ({ action, ref: cameraId ? ({ type: 'camera', agentId, cameraId } as const) : agentRef(c) });
  if (body.name === 'clip.request') return onCamera('request_clip');
  if (body.name === 'snapshot') return onCamera('view_snapshot');
  return { action: 'manage_sites', ref: agentRef(c) };
}

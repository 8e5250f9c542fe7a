/**
 * Permission guards for API routes that other modules mount without calling requirePermission
 * themselves (commands, agent revocation, the live stream). Applied by the API before those
 * routes run; the guard picks the action from the request. New routes should rather use
 * requirePermission directly (see README.md).
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { Action } from './policy.ts';
import type { ResourceRef } from './authorizer.ts';
import type { AccessGate } from './gate.ts';

type Env = { Variables: { access: AccessGate } };

export interface RouteGuard {
  method: string;
  path: string;
  decide(c: Context<Env>): Promise<{ action: Action; ref: ResourceRef }>;
}

const agentRef = (c: Context<Env>): ResourceRef => ({ type: 'agent', agentId: c.req.param('id') ?? '' });

/** What each agent command asks for: footage needs the footage permission on that camera. */
async function commandPermission(c: Context<Env>): Promise<{ action: Action; ref: ResourceRef }> {
  const body = (await c.req.json().catch(() => ({}))) as { name?: unknown; args?: { cameraId?: unknown } };
  const cameraId = typeof body.args?.cameraId === 'string' ? body.args.cameraId : undefined;
  const agentId = c.req.param('id') ?? '';
  const onCamera = (action: Action) => ({ action, ref: cameraId ? ({ type: 'camera', agentId, cameraId } as const) : agentRef(c) });
  if (body.name === 'clip.request') return onCamera('request_clip');
  if (body.name === 'snapshot') return onCamera('view_snapshot');
  return { action: 'manage_sites', ref: agentRef(c) };
}

export const ROUTE_GUARDS: RouteGuard[] = [
  { method: 'POST', path: '/api/v1/agents/:id/commands', decide: commandPermission },
  // The command's own handler narrows reading to the agent (its mayRead hook); the role must at least see health.
  { method: 'GET', path: '/api/v1/commands/:id', decide: async () => ({ action: 'view_health', ref: { type: 'collection' } }) },
  { method: 'POST', path: '/api/v1/agents/:id/revoke', decide: async (c) => ({ action: 'manage_sites', ref: agentRef(c) }) },
  { method: 'GET', path: '/api/v1/stream', decide: async () => ({ action: 'view_health', ref: { type: 'collection' } }) },
];

export function guardMiddleware<E extends Env>(guard: RouteGuard): MiddlewareHandler<E> {
  return async (c, next) => {
    if (c.req.method !== guard.method) return next();
    const { action, ref } = await guard.decide(c as unknown as Context<Env>);
    const result = await c.get('access').check(action, ref);
    if (!result.ok) return c.json({ error: { code: result.code, message: result.message } }, result.status);
    c.get('access').granted = result.granted;
    return next();
  };
}

/**
 * Per-request access: the authenticated user's principal and decision context, loaded once on
 * first use, and the hono middleware `requirePermission` that every API route goes through.
 *
 *   app.get('/api/v1/cameras/:agentId/:cameraId/clips',
 *     requirePermission('view_clips', (c) => ({ type: 'camera', agentId: c.req.param('agentId'), cameraId: c.req.param('cameraId') })),
 *     (c) => { const { principal, statedPurpose } = c.get('access').granted!; ... });
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { User } from '../auth/users.ts';
import { decide, type CameraScope, type Decision, type DecisionContext, type Principal, type Resource } from './decide.ts';
import type { Action } from './policy.ts';
import { cameraScope, type Authorizer, type ResourceRef } from './authorizer.ts';
import type { AuditRecordInput } from '../audit/trail.ts';

/** The header (or `purpose` query parameter) carrying the purpose a user states for an access. */
export const PURPOSE_HEADER = 'x-camfleet-purpose';

export interface Granted {
  action: Action;
  principal: Principal;
  resource: Resource;
  decision: Extract<Decision, { allow: true }>;
  statedPurpose: string | undefined;
}

export type GateResult = { ok: true; granted: Granted } | { ok: false; status: 400 | 403 | 404; code: string; message: string };

export class AccessGate {
  private principal?: Promise<Principal>;
  private contexts = new Map<string, Promise<DecisionContext>>();
  /** The last permission granted on this request (set by requirePermission). */
  granted?: Granted;
  /** Set once any permission was checked: the API refuses to answer a route that checked none. */
  checked = false;

  constructor(
    private readonly authorizer: Authorizer,
    readonly user: User,
    readonly statedPurpose: string | undefined,
    /** The caller's address, for the audit trail. */
    readonly ip: string | null = null,
  ) {}

  /** Declares a route that concerns only the caller (their profile, their tokens): no resource to check. */
  allowSelf(): void {
    this.checked = true;
  }

  /**
   * Writes an access to footage to the audit trail of the authorization point (e.g. a footage
   * command, whose route has no trail of its own). Throws when there is none: no record, no access.
   */
  recordAccess(input: AuditRecordInput): Promise<void> {
    return this.authorizer.recordAccess(input);
  }

  getPrincipal(): Promise<Principal> {
    return (this.principal ??= this.authorizer.principalFor(this.user));
  }

  async context(): Promise<DecisionContext> {
    const key = this.statedPurpose ?? '';
    let ctx = this.contexts.get(key);
    if (!ctx) {
      ctx = this.getPrincipal().then((p) => this.authorizer.contextFor(p, this.statedPurpose));
      this.contexts.set(key, ctx);
    }
    return ctx;
  }

  async check(action: Action, ref: ResourceRef): Promise<GateResult> {
    this.checked = true;
    const resource = await this.authorizer.resolve(ref);
    if (!resource) return { ok: false, status: 404, code: 'not-found', message: `no such ${ref.type}` };
    const principal = await this.getPrincipal();
    const decision = decide(principal, action, resource, await this.context());
    if (decision.allow) return { ok: true, granted: { action, principal, resource, decision, statedPurpose: this.statedPurpose } };
    await this.authorizer.recordDenied(principal, action, resource, decision.reason, this.ip, this.statedPurpose);
    if (decision.reason === 'purpose-required') {
      return { ok: false, status: 400, code: 'purpose-required', message: `state the purpose of this access in the ${PURPOSE_HEADER} header or the purpose query parameter` };
    }
    return { ok: false, status: 403, code: 'forbidden', message: `${action} denied: ${decision.reason}` };
  }

  /** Keeps the items the user may take `action` on (list routes; one context for all items). */
  async filter<T extends CameraScope>(action: Action, items: readonly T[]): Promise<T[]> {
    this.checked = true;
    const principal = await this.getPrincipal();
    const ctx = await this.context();
    return items.filter((item) => decide(principal, action, { type: 'camera', camera: cameraScope(item) }, ctx).allow);
  }

  /** Like filter, for resources that are not cameras. */
  async filterBy<T>(action: Action, items: readonly T[], toResource: (item: T) => Resource): Promise<T[]> {
    this.checked = true;
    const principal = await this.getPrincipal();
    const ctx = await this.context();
    return items.filter((item) => decide(principal, action, toResource(item), ctx).allow);
  }
}

export function statedPurposeOf(c: Context): string | undefined {
  const v = (c.req.header(PURPOSE_HEADER) ?? c.req.query('purpose') ?? '').trim();
  return v ? v.slice(0, 64) : undefined;
}

type AccessEnv = { Variables: { access: AccessGate } };

/**
 * Guards a route: the user must be allowed `action` on the resource `ref` names (default: the
 * collection, for list routes that then filter with `access.filter`). 404 when the resource does
 * not exist, 400 when a footage action lacks a stated purpose, 403 otherwise.
 */
export function requirePermission<E extends AccessEnv>(
  action: Action,
  ref: (c: Context<E>) => ResourceRef | Promise<ResourceRef> = () => ({ type: 'collection' }),
): MiddlewareHandler<E> {
  return async (c, next) => {
    const gate = c.get('access');
    if (!gate) return c.json({ error: { code: 'unauthenticated', message: 'authentication required' } }, 401);
    const result = await gate.check(action, await ref(c));
    if (!result.ok) return c.json({ error: { code: result.code, message: result.message } }, result.status);
    gate.granted = result.granted;
    await next();
  };
}

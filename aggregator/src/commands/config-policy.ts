/**
 * The centre's side of remote agent configuration (`config.apply`) and of sharing on the agent:
 *
 * - Who: a configuration carries the recording retention (how long footage of people is kept, a
 *   data-protection decision) and the cameras an agent records, so beyond `manage_sites` on the
 *   agent it needs a role that may change recording retention: RETENTION_ROLES. A technician
 *   (site_manager) or an organisation's IT admin (org_admin) manages boxes, not footage lifetime.
 * - What: only the settings the centre manages, and a camera's secret only as the name of a
 *   secret already in the box's keystore (`{ keystore: name }`); `{ env }`, `{ file }`, `{ value }`
 *   and credentials in URLs are refused here, so they are never stored in the command table or
 *   sent. The agent enforces the same and more (it alone knows its keystore and which host each
 *   credential belongs to: agent/src/runtime/remote-config.ts).
 * - Audit: every accepted change is written to the audit trail, before it is sent, with its diff
 *   (paths and new values; secrets by name only, URLs without credentials).
 * - Sharing: a footage command allowed through a sharing grant carries that grant's id to the
 *   agent (`args.grantId`), which refuses it once the grant is revoked there; a grant id the user
 *   put in the arguments is never passed on.
 */
import type { AccessGate } from '../authz/gate.ts';

/** Roles that may change recording retention, and so an agent's configuration. */
export const RETENTION_ROLES: readonly string[] = ['owner', 'admin'];

/** Top-level keys the centre may set (agent/src/runtime/remote-config.ts MANAGED_KEYS). */
export const MANAGED_KEYS = ['heartbeatSeconds', 'probeIntervalMinutes', 'keepaliveSeconds', 'cameras', 'detection', 'recording', 'log'] as const;

export type ConfigCommandCheck =
  | { ok: true; /** Writes the audit entry (config.apply only; a no-op otherwise). */ record(commandId: string): Promise<void> }
  | { ok: false; status: 400 | 403; code: string; message: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Why a patch may not leave the centre, or undefined when its shape is acceptable. */
export function patchProblem(patch: unknown): string | undefined {
  if (!isObject(patch)) return 'args.patch must be an object of settings';
  const refused = Object.keys(patch).filter((k) => !(MANAGED_KEYS as readonly string[]).includes(k));
  if (refused.length) return `not changeable remotely (owned by the box): ${refused.join(', ')}`;
  if (patch.cameras !== undefined) {
    if (!Array.isArray(patch.cameras)) return 'cameras: a list of camera entries, each with its id';
    for (const [i, cam] of patch.cameras.entries()) {
      if (!isObject(cam)) return `cameras[${i}]: must be an object`;
      const pw = cam.password;
      if (pw !== undefined && pw !== null && !(isObject(pw) && Object.keys(pw).length === 1 && typeof pw.keystore === 'string')) {
        return `cameras[${i}].password: only the name of a secret in the box's keystore ({ keystore: <name> })`;
      }
      for (const f of ['onvifUrl', 'rtspUrl', 'subRtspUrl']) {
        const u = cam[f];
        if (typeof u !== 'string') continue;
        try {
          const url = new URL(u);
          if (url.username || url.password) return `cameras[${i}].${f}: no credentials in URLs`;
        } catch {
          return `cameras[${i}].${f}: not a URL`;
        }
      }
    }
  }
  return undefined;
}

/** The patch as paths and values, for the audit trail: secrets by keystore name, URLs without credentials. */
export function redactedDiff(patch: Record<string, unknown>): Array<{ path: string; to: unknown }> {
  const out: Array<{ path: string; to: unknown }> = [];
  const walk = (path: string, v: unknown) => {
    if (isObject(v) && !(Object.keys(v).length === 1 && 'keystore' in v)) {
      for (const [k, x] of Object.entries(v)) walk(path ? `${path}.${k}` : k, x);
      return;
    }
    out.push({ path, to: redactValue(path, v) });
  };
  for (const [key, value] of Object.entries(patch)) {
    if (key === 'cameras' && Array.isArray(value)) {
      for (const cam of value) {
        const id = isObject(cam) && typeof cam.id === 'string' ? cam.id : '?';
        if (isObject(cam)) for (const [k, x] of Object.entries(cam)) if (k !== 'id') walk(`cameras.${id}.${k}`, x);
      }
    } else walk(key, value);
  }
  return out;
}

function redactValue(path: string, v: unknown): unknown {
  const leaf = path.split('.').at(-1) ?? '';
  if (/password|secret|token|key/i.test(leaf)) return isObject(v) && typeof v.keystore === 'string' ? { keystore: v.keystore } : v === null ? null : '[redacted]';
  if (typeof v === 'string' && /^[a-z][a-z0-9+.-]*:\/\//i.test(v)) return v.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, '$1');
  return v;
}

/** Checks a config.apply (role, patch shape) and prepares its audit entry; other commands pass. */
export async function authorizeConfigCommand(gate: AccessGate, agentId: string, name: string, args: Record<string, unknown>): Promise<ConfigCommandCheck> {
  if (name !== 'config.apply') return { ok: true, record: async () => {} };
  const principal = await gate.getPrincipal();
  if (!RETENTION_ROLES.includes(principal.role)) {
    return { ok: false, status: 403, code: 'forbidden', message: `changing an agent's configuration needs a role that may change recording retention (${RETENTION_ROLES.join(', ')})` };
  }
  const problem = patchProblem(args.patch);
  if (problem) return { ok: false, status: 400, code: 'invalid-config', message: problem };
  const diff = redactedDiff(args.patch as Record<string, unknown>);
  return {
    ok: true,
    record: (commandId) =>
      gate.recordAccess({
        action: 'agent.config.apply',
        outcome: 'allowed',
        actor: principal,
        ip: gate.ip,
        resource: { type: 'agent', id: agentId },
        detail: { commandId, diff },
      }),
  };
}

const FOOTAGE_ACTION: Readonly<Record<string, 'request_clip' | 'view_snapshot'>> = { 'clip.request': 'request_clip', snapshot: 'view_snapshot' };

/**
 * The arguments the agent receives: for a footage command, the grant it was allowed under (when
 * it was a grant), so the agent can refuse it once that grant is revoked. Call after the
 * footage permission was granted (the decision is asked again to learn its rule).
 */
export async function argsForAgent(gate: AccessGate, agentId: string, name: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
  const { grantId: _fromUser, ...rest } = args;
  const action = Object.hasOwn(FOOTAGE_ACTION, name) ? FOOTAGE_ACTION[name]! : undefined;
  if (!action || typeof args.cameraId !== 'string') return rest;
  const r = await gate.check(action, { type: 'camera', agentId, cameraId: args.cameraId });
  const grantId = r.ok && r.granted.decision.rule === 'grant' ? r.granted.decision.grantId : undefined;
  return grantId ? { ...rest, grantId } : rest;
}

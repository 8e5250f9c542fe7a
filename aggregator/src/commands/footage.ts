/**
 * Commands that return footage (a snapshot) or make the agent upload it (clip.request) are
 * accesses to footage like any GET of a clip: the request must name one camera (a string id,
 * else it is refused, never downgraded to an agent-level check without a purpose), the user needs
 * the footage permission on that camera with a stated purpose, and the access is written to the
 * audit trail (purpose, the rule that allowed it, the grant if any, the command id) before the
 * command is sent, so a command that went out is a command that was recorded.
 */
import { z } from 'zod';
import type { AccessGate } from '../authz/gate.ts';
import type { Action } from '../authz/policy.ts';
import type { RecentViews } from '../audit/recent-views.ts';

export const FOOTAGE_COMMANDS: Readonly<Record<string, { action: Action; audit: string }>> = {
  'clip.request': { action: 'request_clip', audit: 'clip.request' },
  snapshot: { action: 'view_snapshot', audit: 'snapshot.request' },
};

const CameraArgs = z.object({ cameraId: z.string().min(1).max(128) }).passthrough();

export type FootageCommandCheck =
  | { ok: true; /** Writes the audit entry (footage commands only; a no-op otherwise). */ record(commandId: string): Promise<void> }
  | { ok: false; status: 400 | 403 | 404; code: string; message: string };

export async function authorizeFootageCommand(gate: AccessGate, agentId: string, name: string, args: Record<string, unknown>): Promise<FootageCommandCheck> {
  const footage = Object.hasOwn(FOOTAGE_COMMANDS, name) ? FOOTAGE_COMMANDS[name]! : undefined;
  if (!footage) return { ok: true, record: async () => {} };
  const parsed = CameraArgs.safeParse(args);
  if (!parsed.success) return { ok: false, status: 400, code: 'bad-request', message: `${name} needs args.cameraId, the id of one camera (a string)` };
  // Checked again here whatever the route's guard did, so this decision (and no other) is the one audited.
  const r = await gate.check(footage.action, { type: 'camera', agentId, cameraId: parsed.data.cameraId });
  if (!r.ok) return r;
  const g = r.granted;
  const cam = g.resource.type === 'camera' ? g.resource.camera : undefined;
  if (!cam) return { ok: false, status: 403, code: 'forbidden', message: `${name} needs a camera` };
  return {
    ok: true,
    record: async (commandId) => {
      await gate.recordAccess({
        action: footage.audit, outcome: 'allowed', actor: g.principal, ip: gate.ip, purpose: g.statedPurpose ?? null,
        resource: { type: 'camera', id: `${cam.agentId}/${cam.cameraId}`, ownerOrgId: cam.ownerOrgId, areaId: cam.areaId },
        detail: {
          commandId, via: g.decision.rule, grantId: g.decision.grantId ?? null,
          ...(typeof args.from === 'string' ? { from: args.from } : {}), ...(typeof args.to === 'string' ? { to: args.to } : {}),
        },
      });
    },
  };
}

/**
 * Reading a footage command's result is a look at footage too (a snapshot's JPEG): the footage
 * permission is checked again, now, with the purpose stated on this read (a grant revoked since
 * the command was sent stops it), and the read is audited as `snapshot.view`, once per user and
 * command within the window of `views`. Results without footage (pending, errors, other commands)
 * pass unchanged.
 */
export async function authorizeFootageResult(
  gate: AccessGate,
  record: { commandId: string; agentId: string; name: string; args: Record<string, unknown>; state: string },
  views: RecentViews,
): Promise<{ ok: true } | { ok: false; status: 400 | 403 | 404; code: string; message: string }> {
  if (record.name !== 'snapshot' || record.state !== 'ok') return { ok: true };
  const cameraId = typeof record.args.cameraId === 'string' ? record.args.cameraId : '';
  const r = await gate.check('view_snapshot', { type: 'camera', agentId: record.agentId, cameraId });
  if (!r.ok) return r;
  const g = r.granted;
  const cam = g.resource.type === 'camera' ? g.resource.camera : undefined;
  const footage = `command:${record.commandId}`;
  if (views.due(g.principal.userId, footage)) {
    await gate.recordAccess({
      action: 'snapshot.view', actor: g.principal, ip: gate.ip, purpose: g.statedPurpose ?? null,
      resource: { type: 'camera', id: `${record.agentId}/${cameraId}`, ownerOrgId: cam?.ownerOrgId, areaId: cam?.areaId },
      detail: { commandId: record.commandId, via: g.decision.rule, grantId: g.decision.grantId ?? null },
    });
    views.mark(g.principal.userId, footage);
  }
  return { ok: true };
}

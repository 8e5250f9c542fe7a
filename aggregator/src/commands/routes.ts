/**
 * POST /api/v1/agents/:id/commands  {name, args?, timeoutSeconds?} -> 202 {commandId, state, ...}
 * GET  /api/v1/commands/:id          -> the command's state: pending | ok | error | timeout (to its requester only)
 */
import { randomUUID } from 'node:crypto';
import type { Hono } from 'hono';
import { z } from 'zod';
import { apiError, type ApiEnv } from '../api/app.ts';
import type { User } from '../auth/users.ts';
import type { CommandService } from './commands.ts';
import { commandPermission } from '../authz/route-guards.ts';
import { decidedBy, permission, route } from '../api/registry.ts';
import { authorizeFootageCommand, authorizeFootageResult } from './footage.ts';
import { RecentViews } from '../audit/recent-views.ts';
import { argsForAgent, authorizeConfigCommand } from './config-policy.ts';

/** What an operator may ask of an agent; clip transfer control stays internal. */
const PublicCommand = z.enum(['clip.request', 'snapshot', 'reprobe', 'config.apply']);

const CommandRequest = z
  .object({
    name: PublicCommand,
    args: z.record(z.string(), z.unknown()).default({}),
    timeoutSeconds: z.number().positive().max(86_400).optional(),
  })
  .strict();

export interface CommandRouteOptions {
  commands: CommandService;
  defaultTimeoutSeconds: number;
  agentExists(agentId: string): boolean;
  /** Hook for the authorization module; default: any authenticated user. */
  mayCommand?(user: User, agentId: string, name: string): boolean;
  mayRead?(user: User, agentId: string): boolean;
}

export function commandRoutes(opts: CommandRouteOptions) {
  const resultViews = new RecentViews(10 * 60_000);
  return (app: Hono<ApiEnv>) => {
    route(app, {
      method: 'post', path: '/api/v1/agents/:id/commands', tags: ['commands'], summary: 'Send a command to an agent (clip.request: request_clip on the camera and a stated purpose; snapshot: view_snapshot; others: manage_sites)',
      authz: decidedBy(['request_clip', 'view_snapshot', 'manage_sites'], commandPermission),
      responses: { 202: { description: 'the command record' } },
    }, async (c) => {
      const agentId = c.req.param('id');
      const body = CommandRequest.safeParse(await c.req.json().catch(() => undefined));
      if (!body.success) return apiError(c, 400, 'bad-request', body.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '));
      if (!opts.agentExists(agentId)) return apiError(c, 404, 'not-found', `no active agent '${agentId}'`);
      const user = c.get('user');
      if (opts.mayCommand && !opts.mayCommand(user, agentId, body.data.name)) return apiError(c, 403, 'forbidden', 'not allowed to command this agent');
      // Footage commands: one well-formed camera, the footage permission on it, and an audit entry before sending.
      const footage = await authorizeFootageCommand(c.get('access'), agentId, body.data.name, body.data.args);
      if (!footage.ok) return apiError(c, footage.status, footage.code, footage.message);
      // config.apply: a role that may change retention, keystore secrets only, audited with its diff (config-policy.ts).
      const config = await authorizeConfigCommand(c.get('access'), agentId, body.data.name, body.data.args);
      if (!config.ok) return apiError(c, config.status, config.code, config.message);
      const commandId = randomUUID();
      await footage.record(commandId);
      await config.record(commandId);
      const timeoutMs = (body.data.timeoutSeconds ?? opts.defaultTimeoutSeconds) * 1000;
      const record = opts.commands.send(agentId, body.data.name, await argsForAgent(c.get('access'), agentId, body.data.name, body.data.args), { timeoutMs, requestedBy: user.username, commandId });
      return c.json(record, 202);
    });

    // The handler narrows reading to the requester; the role must at least see health.
    route(app, { method: 'get', path: '/api/v1/commands/:id', tags: ['commands'], summary: "A command's state (its requester only)", authz: permission('view_health') }, (c) => {
      const record = opts.commands.get(c.req.param('id'));
      const user = c.get('user');
      // A result can hold footage (a snapshot): only whoever asked for it reads it, and only while
      // still allowed to, stating a purpose; each read is audited (footage.ts).
      if (!record || record.requestedBy !== user.username || (opts.mayRead && !opts.mayRead(user, record.agentId))) {
        return apiError(c, 404, 'not-found', 'no such command');
      }
      return authorizeFootageResult(c.get('access'), record, resultViews).then((r) => (r.ok ? c.json(record) : apiError(c, r.status, r.code, r.message)));
    });
  };
}

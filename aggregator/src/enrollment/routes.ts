/**
 * POST /api/v1/enroll: a one-time token in, the agent's identity and MQTT settings out.
 *
 * Public (the token is the credential), so it is throttled per address with backoff (wrong
 * tokens from one address slow that address down; see auth/rate-limit.ts), and every attempt,
 * refused or not, is logged and reported to `onAttempt` (server.ts writes it to the audit trail).
 */
import { readFileSync } from 'node:fs';
import type { Hono } from 'hono';
import { z } from 'zod';
import type { Logger } from '@camfleet/shared';
import { apiError, type ApiEnv } from '../api/app.ts';
import { clientIp } from '../api/routes/common.ts';
import { publicRoute, route } from '../api/registry.ts';
import { AttemptThrottle, MemoryAttemptStore } from '../auth/rate-limit.ts';
import { EnrollmentError, type EnrollmentService } from './enrollment.ts';

const EnrollRequest = z.object({ token: z.string().min(8).max(200) }).strict();

export interface EnrollAttempt {
  ip: string | null;
  outcome: 'enrolled' | 'refused' | 'throttled' | 'bad-request';
  /** Why it was refused (token-invalid, token-used, token-expired). */
  code?: string;
  agentId?: string;
  siteId?: string;
}

export interface EnrollRouteOptions {
  enrollment: EnrollmentService;
  /** Configured URL; otherwise built from the request's host name and the broker's port. */
  publicMqttUrl?: string;
  /** The plaintext MQTT port; absent when the broker is TLS only. */
  mqttPort?: number;
  tlsPort?: number;
  caFile?: string;
  onEnrolled?(agentId: string, siteId: string): void;
  /** Default: in memory, 5 free failures per address, then backoff from 1 s to 15 min. */
  throttle?: AttemptThrottle;
  logger?: Logger;
  /** Every attempt (for the audit trail). */
  onAttempt?(attempt: EnrollAttempt): void | Promise<void>;
}

export function enrollmentRoutes(opts: EnrollRouteOptions) {
  // One name for all: enrollment is throttled per address only (the token itself is the secret).
  const throttle = opts.throttle ?? new AttemptThrottle(new MemoryAttemptStore(), 'enroll', { freeFailures: 5, freeFailuresPerAddress: 5 });
  const report = async (a: EnrollAttempt) => {
    const log = { ip: a.ip, outcome: a.outcome, code: a.code, agentId: a.agentId, siteId: a.siteId };
    if (a.outcome === 'enrolled') opts.logger?.info(log, 'agent enrolled');
    else opts.logger?.warn(log, 'enrollment refused');
    try {
      await opts.onAttempt?.(a);
    } catch (err) {
      opts.logger?.error({ err: (err as Error).message }, 'enrollment attempt not recorded');
    }
  };
  return (app: Hono<ApiEnv>) => {
    route(
      app,
      {
        method: 'post', path: '/api/v1/enroll', tags: ['enrollment'], summary: "Trade a one-time enrollment token for an agent's identity and MQTT settings",
        authz: publicRoute('the one-time enrollment token is the credential; throttled per address'),
        responses: { 200: { description: 'agent id, MQTT password and URL' }, 400: { description: 'bad request' }, 401: { description: 'unknown or expired token' }, 409: { description: 'token used' }, 429: { description: 'too many failed attempts' } },
      },
      async (c) => {
        const ip = clientIp(c);
        const wait = await throttle.retryAfter('enroll', ip);
        if (wait > 0) {
          await report({ ip, outcome: 'throttled' });
          c.header('retry-after', String(wait));
          return apiError(c, 429, 'rate-limited', `too many failed enrollments; try again in ${wait} s`);
        }
        const body = EnrollRequest.safeParse(await c.req.json().catch(() => undefined));
        if (!body.success) {
          await throttle.fail('enroll', ip);
          await report({ ip, outcome: 'bad-request' });
          return apiError(c, 400, 'bad-request', 'expected {"token": "..."}');
        }
        let enrolled;
        try {
          enrolled = opts.enrollment.enroll(body.data.token);
        } catch (err) {
          if (err instanceof EnrollmentError) {
            await throttle.fail('enroll', ip);
            await report({ ip, outcome: 'refused', code: err.code });
            return apiError(c, err.code === 'token-used' ? 409 : 401, err.code, err.message);
          }
          throw err;
        }
        await throttle.succeed('enroll', ip);
        await report({ ip, outcome: 'enrolled', agentId: enrolled.agentId, siteId: enrolled.siteId });
        opts.onEnrolled?.(enrolled.agentId, enrolled.siteId);
        const host = new URL(c.req.url).hostname;
        const mqttUrl = opts.publicMqttUrl ?? (opts.tlsPort ? `mqtts://${host}:${opts.tlsPort}` : `mqtt://${host}:${opts.mqttPort}`);
        return c.json({
          agentId: enrolled.agentId,
          password: enrolled.password,
          siteId: enrolled.siteId,
          mqttUrl,
          caPem: opts.caFile ? readFileSync(opts.caFile, 'utf8') : undefined,
        });
      },
    );
  };
}

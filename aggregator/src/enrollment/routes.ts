/** POST /api/v1/enroll: a one-time token in, the agent's identity and MQTT settings out. */
import { readFileSync } from 'node:fs';
import type { Hono } from 'hono';
import { z } from 'zod';
import { apiError, type ApiEnv } from '../api/app.ts';
import { EnrollmentError, type EnrollmentService } from './enrollment.ts';

const EnrollRequest = z.object({ token: z.string().min(8).max(200) }).strict();

export interface EnrollRouteOptions {
  enrollment: EnrollmentService;
  /** Configured URL; otherwise built from the request's host name and the broker's port. */
  publicMqttUrl?: string;
  mqttPort: number;
  tlsPort?: number;
  caFile?: string;
  onEnrolled?(agentId: string, siteId: string): void;
}

export function enrollmentRoutes(opts: EnrollRouteOptions) {
  return (app: Hono<ApiEnv>) => {
    app.post('/api/v1/enroll', async (c) => {
      const body = EnrollRequest.safeParse(await c.req.json().catch(() => undefined));
      if (!body.success) return apiError(c, 400, 'bad-request', 'expected {"token": "..."}');
      let enrolled;
      try {
        enrolled = opts.enrollment.enroll(body.data.token);
      } catch (err) {
        if (err instanceof EnrollmentError) return apiError(c, err.code === 'token-used' ? 409 : 401, err.code, err.message);
        throw err;
      }
      opts.onEnrolled?.(enrolled.agentId, enrolled.siteId);
      const host = new URL(c.req.url).hostname;
      const mqttUrl =
        opts.publicMqttUrl ?? (opts.tlsPort ? `mqtts://${host}:${opts.tlsPort}` : `mqtt://${host}:${opts.mqttPort}`);
      return c.json({
        agentId: enrolled.agentId,
        password: enrolled.password,
        siteId: enrolled.siteId,
        mqttUrl,
        caPem: opts.caFile ? readFileSync(opts.caFile, 'utf8') : undefined,
      });
    });
  };
}

/** Mounts the domain's routes (inventory, sharing, audit, users, alerts, model) on the API. */
import type { Hono } from 'hono';
import type { ApiDeps, ApiEnv } from '../app.ts';

export function mountDomainRoutes(app: Hono<ApiEnv>, deps: ApiDeps): void {
  void app;
  void deps;
}

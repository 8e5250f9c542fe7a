/**
 * The permission matrix: every role against every kind of route, inside and outside its scope.
 * 1 = allowed (2xx), 0 = denied (403). Footage requests state a purpose that fits the camera.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CONSENT_VERSION } from '../src/sharing/types.ts';
import { smallCity } from './fixtures/small-city.ts';

type Req = { name: string; method: string; path: string; body?: () => unknown };

const REQUESTS: Req[] = [
  { name: 'camera ward A (public order)', method: 'GET', path: '/api/v1/cameras/agent-a/cam-a' },
  { name: 'camera ward B (urban order)', method: 'GET', path: '/api/v1/cameras/agent-b/cam-b' },
  { name: 'shop camera (private)', method: 'GET', path: '/api/v1/cameras/agent-shop/cam-1' },
  { name: 'snapshot ward A', method: 'GET', path: '/api/v1/events/agent-a/ev-cam-a/snapshot?purpose=public_order' },
  { name: 'snapshot ward B', method: 'GET', path: '/api/v1/events/agent-b/ev-cam-b/snapshot?purpose=urban_order' },
  { name: 'snapshot shop', method: 'GET', path: '/api/v1/events/agent-shop/ev-cam-1/snapshot?purpose=business_security' },
  { name: 'export CSV', method: 'GET', path: '/api/v1/cameras/export.csv' },
  { name: 'audit trail', method: 'GET', path: '/api/v1/audit' },
  { name: 'list users', method: 'GET', path: '/api/v1/users' },
  {
    name: 'share shop camera', method: 'POST', path: '/api/v1/sharing/grants',
    body: () => ({ cameras: [{ agentId: 'agent-shop', cameraId: 'cam-1' }], granteeOrgIds: ['police'], levels: ['health'], consent: { version: CONSENT_VERSION, accepted: true } }),
  },
  { name: 'fleet', method: 'GET', path: '/api/v1/fleet' },
  { name: 'events list', method: 'GET', path: '/api/v1/events' },
  { name: 'place agent at site A', method: 'PUT', path: '/api/v1/sites/site-a/agents/agent-a' },
  { name: 'alerts', method: 'GET', path: '/api/v1/alerts' },
  { name: 'audit verify', method: 'GET', path: '/api/v1/audit/verify' },
  { name: 'duplicates', method: 'GET', path: '/api/v1/cameras/duplicates' },
  { name: 'export GeoJSON', method: 'GET', path: '/api/v1/cameras/export.geojson' },
  { name: 'sites', method: 'GET', path: '/api/v1/sites' },
  { name: 'orgs', method: 'GET', path: '/api/v1/orgs' },
  { name: 'sharing terms', method: 'GET', path: '/api/v1/sharing/terms' },
  { name: 'grants list', method: 'GET', path: '/api/v1/sharing/grants' },
  { name: 'me', method: 'GET', path: '/api/v1/me' },
  {
    // Roles valid for the org's kind and within the creator's own (roles.test.ts tests escalation).
    name: 'create user in the shop', method: 'POST', path: '/api/v1/users',
    body: () => ({ username: `u${Math.random().toString(36).slice(2, 10)}`, password: 'a long enough password', role: 'org_admin', orgId: 'shop' }),
  },
  {
    name: 'create user in ward B', method: 'POST', path: '/api/v1/users',
    body: () => ({ username: `u${Math.random().toString(36).slice(2, 10)}`, password: 'a long enough password', role: 'site_manager', orgId: 'ward-b-committee' }),
  },
  {
    name: 'update site B', method: 'POST', path: '/api/v1/sites',
    body: () => ({ id: 'site-b', name: 'Ward B office (moved)', orgId: 'ward-b-committee', areaId: 'ward-b' }),
  },
  {
    name: 'update the shop site', method: 'POST', path: '/api/v1/sites',
    body: () => ({ id: 'site-shop', name: 'Shop (renamed)', orgId: 'shop', areaId: 'ward-a' }),
  },
  {
    name: 'request a clip of camera A', method: 'POST', path: '/api/v1/agents/agent-a/commands?purpose=public_order',
    body: () => ({ name: 'clip.request', args: { cameraId: 'cam-a', from: '2026-01-01T00:00:00Z', to: '2026-01-01T00:01:00Z' } }),
  },
  { name: 'reprobe agent A', method: 'POST', path: '/api/v1/agents/agent-a/commands', body: () => ({ name: 'reprobe', args: {} }) },
];

//             camA camB shop snapA snapB snapS csv audit users grant fleet events place alerts verify dups geo sites orgs terms grants me  uShop uWardB siteB siteShop clip reprobe
const MATRIX: Record<string, number[]> = {
  admin:        [1,  1,   1,   0,    0,    0,    1,  1,    1,    0,    1,    0,     1,    1,     1,     1,   1,  1,    1,   0,    1,     1,  1,    1,     1,    1, 0, 1],
  operator:     [1,  1,   0,   1,    1,    0,    1,  0,    0,    0,    1,    1,     0,    1,     0,     1,   1,  1,    1,   0,    1,     1,  0,    0,     0,    0, 0, 0],
  police:       [1,  0,   0,   1,    0,    0,    0,  0,    0,    0,    1,    1,     0,    1,     0,     1,   0,  1,    1,   0,    1,     1,  0,    0,     0,    0, 1, 0],
  command:      [1,  0,   0,   1,    0,    0,    0,  0,    0,    0,    1,    1,     0,    1,     0,     1,   0,  1,    1,   0,    1,     1,  0,    0,     0,    0, 0, 0],
  construction: [0,  1,   0,   0,    1,    0,    1,  0,    0,    0,    1,    1,     0,    1,     0,     1,   1,  1,    1,   0,    1,     1,  0,    0,     0,    0, 0, 0],
  inspector:    [1,  1,   0,   0,    0,    0,    1,  0,    0,    0,    1,    0,     0,    1,     0,     1,   1,  1,    1,   0,    1,     1,  0,    0,     0,    0, 0, 0],
  'ward-a':     [1,  0,   0,   1,    0,    0,    1,  0,    0,    0,    1,    1,     0,    1,     0,     1,   1,  1,    1,   0,    1,     1,  0,    0,     0,    0, 1, 0],
  'tech-a':     [1,  0,   0,   0,    0,    0,    0,  0,    0,    0,    1,    0,     1,    1,     0,     1,   0,  1,    1,   0,    1,     1,  0,    0,     0,    0, 0, 1],
  'shop-owner': [0,  0,   1,   0,    0,    1,    1,  1,    0,    1,    1,    1,     0,    1,     0,     1,   1,  1,    1,   1,    1,     1,  0,    0,     0,    1, 0, 0],
  'shop-admin': [0,  0,   1,   0,    0,    0,    0,  0,    1,    0,    1,    0,     0,    1,     0,     1,   0,  1,    1,   0,    1,     1,  1,    0,     0,    1, 0, 0],
  auditor:      [1,  1,   0,   0,    0,    0,    0,  1,    0,    0,    0,    0,     0,    0,     1,     1,   0,  0,    1,   0,    1,     1,  0,    0,     0,    0, 0, 0],
};

test('every role, every route, inside and outside its scope', async () => {
  const city = await smallCity();
  const failures: string[] = [];
  for (const [user, row] of Object.entries(MATRIX)) {
    assert.is(row.length, REQUESTS.length, `row ${user}`);
    for (const [i, req] of REQUESTS.entries()) {
      const res = await city.call(user, req.method, req.path, req.body?.());
      const allowed = res.status >= 200 && res.status < 300;
      if (!allowed && res.status !== 403) failures.push(`${user} ${req.name}: unexpected ${res.status} ${await res.text()}`);
      else if (allowed !== (row[i] === 1)) failures.push(`${user} ${req.name}: expected ${row[i] ? 'allow' : 'deny'}, got ${res.status}`);
    }
  }
  assert.equal(failures, []);
});

test('without a token: 401; with a revoked token: 401', async () => {
  const city = await smallCity();
  assert.is((await city.app.request('/api/v1/cameras')).status, 401);
  city.users.revokeToken(city.tokens.police!);
  assert.is((await city.call('police', 'GET', '/api/v1/cameras')).status, 401);
});

test('footage needs a stated purpose, and one within the organisation\'s function', async () => {
  const city = await smallCity();
  const noPurpose = await city.call('police', 'GET', '/api/v1/events/agent-a/ev-cam-a/snapshot');
  assert.is(noPurpose.status, 400);
  assert.is(((await noPurpose.json()) as { error: { code: string } }).error.code, 'purpose-required');
  assert.is((await city.call('police', 'GET', '/api/v1/events/agent-a/ev-cam-a/snapshot?purpose=urban_order')).status, 403);
  const ok = await city.call('police', 'GET', '/api/v1/events/agent-a/ev-cam-a/snapshot', undefined, { 'x-camfleet-purpose': 'public_order' });
  assert.is(ok.status, 200);
  assert.is(ok.headers.get('content-type'), 'image/jpeg');
});

test('lists are narrowed to the scope: each sees exactly its cameras', async () => {
  const city = await smallCity();
  const keys = async (who: string) => ((await (await city.call(who, 'GET', '/api/v1/cameras')).json()) as { items: Array<{ agentId: string; cameraId: string }> }).items.map((c) => `${c.agentId}/${c.cameraId}`).sort();
  assert.equal(await keys('admin'), ['agent-a/cam-a', 'agent-b/cam-b', 'agent-shop/cam-1', 'agent-shop/cam-2']);
  assert.equal(await keys('operator'), ['agent-a/cam-a', 'agent-b/cam-b']);
  assert.equal(await keys('police'), ['agent-a/cam-a']);
  assert.equal(await keys('ward-a'), ['agent-a/cam-a']);
  assert.equal(await keys('shop-owner'), ['agent-shop/cam-1', 'agent-shop/cam-2']);
  const fleet = (await (await city.call('ward-a', 'GET', '/api/v1/fleet')).json()) as { agents: Array<{ id: string }> };
  assert.equal(fleet.agents.map((a) => a.id), ['agent-a']);
});

test('a route registered without a declaration: the API refuses to start', async () => {
  const city = await smallCity();
  const { createApi } = await import('../src/api/app.ts');
  // Before: such a route was caught only after its handler had run (500 unguarded-route).
  assert.throws(
    () => createApi({ fleet: city.fleet, users: city.users, domain: city.domain, version: 't', routes: [(a) => a.get('/api/v1/unguarded', (c) => c.json({ secret: 1 }))] }),
    /GET \/api\/v1\/unguarded/,
  );
});

// ---- Every declared route x every role x two scopes, on a real aggregator's full route table ----

/** Sample values per path parameter: scope A (ward A, where ward-a's officer works) and B (ward B). */
const SAMPLES: Record<string, [string, string]> = {
  agentId: ['agent-a', 'agent-b'],
  cameraId: ['cam-a', 'cam-b'],
  eventId: ['ev-cam-a', 'ev-cam-b'],
  clipId: ['clip-none', 'clip-none'],
};
/** `:id` depends on what the route is about; ids that exist nowhere keep the walk free of side effects. */
function idFor(path: string, scope: 0 | 1): string {
  if (path.startsWith('/api/v1/agents/')) return ['agent-a', 'agent-b'][scope]!;
  if (path.startsWith('/api/v1/sites/')) return ['site-a', 'site-b'][scope]!;
  return '999999';
}
const fill = (path: string, scope: 0 | 1) =>
  path.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    if (name === 'id') return idFor(path, scope);
    const sample = SAMPLES[name];
    if (!sample) throw new Error(`no sample value for :${name} in ${path}: add one to SAMPLES`);
    return sample[scope];
  });
const bodyFor = (path: string) => (path.endsWith('/commands') ? { name: 'reprobe', args: {} } : {});

test('every route x every role x scope: declared, 401 without a token, denied before the handler without the action, never 500', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { AggregatorConfigSchema } = await import('../src/config.ts');
  const { startAggregator } = await import('../src/server.ts');
  const { loadSeed, parseSeed } = await import('../src/seed/load.ts');
  const { declaredRoutes } = await import('../src/api/registry.ts');
  const { ROLES } = await import('../src/authz/policy.ts');
  const { createLogger } = await import('@camfleet/shared');
  const { SMALL_CITY } = await import('./fixtures/small-city.ts');
  const dir = mkdtempSync(join(tmpdir(), 'camfleet-matrix-'));
  const agg = await startAggregator(
    AggregatorConfigSchema.parse({
      dataDir: dir,
      mqtt: { host: '127.0.0.1', port: 0 },
      http: { host: '127.0.0.1', port: 0 },
      metrics: { prometheus: { token: { value: 'a-scraper-token-of-enough-length' } } },
      log: { level: 'fatal' },
    }),
    createLogger('test', { level: 'silent' }),
  );
  try {
    await loadSeed(parseSeed(SMALL_CITY), { repos: agg.domain.repos, fleet: agg.fleet, users: agg.users }, { userPassword: 'small-city-password' });
    const roleOf = Object.fromEntries(SMALL_CITY.users.map((u) => [u.username, u.role]));
    const tokens = Object.fromEntries(SMALL_CITY.users.map((u) => [u.username, agg.users.issueToken(agg.users.byUsername(u.username)!.id, 'matrix')]));
    const routes = declaredRoutes(agg.api as never);
    const failures: string[] = [];
    let requests = 0;
    const call = async (method: string, path: string, token?: string, body?: unknown) => {
      requests++;
      const res = await agg.api.request(path, {
        method,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}), 'x-camfleet-purpose': 'public_order' },
        body: body && method !== 'GET' && method !== 'HEAD' ? JSON.stringify(body) : undefined,
      });
      // Never read a body to its end: the live stream does not end.
      await res.body?.cancel().catch(() => undefined);
      return res.status;
    };

    // The OpenAPI document lists every route.
    const doc = (await (await agg.api.request('/api/v1/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    for (const r of routes) {
      const p = r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      if (!doc.paths[p]?.[r.method]) failures.push(`${r.httpMethod} ${r.path}: missing from the OpenAPI document`);
    }

    for (const r of routes) {
      const methods = r.httpMethod === 'GET' ? ['GET', 'HEAD'] : [r.httpMethod];
      for (const method of methods) {
        for (const scope of [0, 1] as const) {
          const path = fill(r.path, scope);
          const label = `${method} ${path}`;
          const anon = await call(method, path, undefined, bodyFor(r.path));
          if (r.authz.kind === 'public') {
            if (anon === 401 || anon >= 500) failures.push(`${label} (public) without a token: ${anon}`);
          } else if (anon !== 401) failures.push(`${label} without a token: ${anon}, expected 401`);
          if (r.authz.kind === 'public' || r.authz.kind === 'credential') continue;
          for (const [user, role] of Object.entries(roleOf)) {
            // Logging out ends the session it is called with: use a throwaway token for it.
            const token = r.path.endsWith('/logout') ? agg.users.issueToken(agg.users.byUsername(user)!.id, 'throwaway') : tokens[user]!;
            const status = await call(method, path, token, bodyFor(r.path));
            const actions = new Set<string>(ROLES[role as keyof typeof ROLES].actions);
            const needed = r.authz.kind === 'permission' ? r.authz.checks.map((c) => c.action) : r.authz.kind === 'decided' ? r.authz.actions : [];
            const lacks = r.authz.kind === 'permission' ? needed.some((a) => !actions.has(a)) : r.authz.kind === 'decided' ? needed.every((a) => !actions.has(a)) : false;
            // 503: a documented state (the live view needs the agent connected), not a failure.
            if ((status >= 500 && status !== 503) || status === 401) failures.push(`${user} ${label}: ${status}`);
            else if (lacks && status !== 403 && status !== 404) failures.push(`${user} ${label}: ${status}, expected a denial (role ${role} lacks ${needed.join('/')})`);
            else if (r.authz.kind === 'self' && status === 403) failures.push(`${user} ${label}: 403 on a self route`);
            // Scope: ward A's officer reaches nothing of ward B's agent or cameras.
            if (user === 'ward-a' && scope === 1 && /:agentId|\/agents\/:id/.test(r.path) && status >= 200 && status < 300) failures.push(`${user} ${label}: ${status} outside its area`);
          }
        }
      }
    }
    assert.equal(failures, []);
    // The whole table was walked: every route of the running aggregator, every role.
    assert.ok(routes.length >= 40, `${routes.length} routes declared`);
    assert.ok(requests > routes.length * Object.keys(roleOf).length * 2, `${requests} requests`);
    console.log(`route table: ${routes.length} routes x ${Object.keys(roleOf).length} roles x 2 scopes (+HEAD): ${requests} requests`);
  } finally {
    await agg.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('HEAD goes through the route declaration: a role without the action is refused before the handler', async () => {
  const city = await smallCity();
  // The auditor may not view health; before, HEAD skipped the path-table guard (it compared methods).
  const head = await city.call('auditor', 'HEAD', '/api/v1/commands/some-id');
  assert.is(head.status, 403);
  assert.is((await city.call('auditor', 'HEAD', '/api/v1/fleet')).status, 403);
  assert.is((await city.call('operator', 'HEAD', '/api/v1/fleet')).status, 200);
});

test.run();

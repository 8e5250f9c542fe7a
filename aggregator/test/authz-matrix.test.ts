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

test('a route that checks no permission is refused (deny by default)', async () => {
  const city = await smallCity();
  const { createApi } = await import('../src/api/app.ts');
  const app = createApi({ fleet: city.fleet, users: city.users, domain: city.domain, version: 't', routes: [(a) => a.get('/api/v1/unguarded', (c) => c.json({ secret: 1 }))] });
  const res = await app.request('/api/v1/unguarded', { headers: { authorization: `Bearer ${city.tokens.admin}` } });
  assert.is(res.status, 500);
  assert.is(((await res.json()) as { error: { code: string } }).error.code, 'unguarded-route');
});

test.run();

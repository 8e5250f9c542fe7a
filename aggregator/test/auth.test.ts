import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LoginLimiter } from '../src/auth/rate-limit.ts';
import { smallCity } from './fixtures/small-city.ts';

const login = (app: Awaited<ReturnType<typeof smallCity>>['app'], username: string, password: string) =>
  app.request('/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });

test('login gives a session token that works and ends at logout', async () => {
  const city = await smallCity();
  const res = await login(city.app, 'police', 'small-city-password');
  assert.is(res.status, 200);
  const { token, user } = (await res.json()) as { token: string; user: { role: string; actions: string[] } };
  assert.is(user.role, 'police_officer');
  assert.ok(user.actions.includes('request_clip'));
  const me = await city.app.request('/api/v1/me', { headers: { authorization: `Bearer ${token}` } });
  assert.is(me.status, 200);
  assert.is((await city.app.request('/api/v1/auth/logout', { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status, 200);
  assert.is((await city.app.request('/api/v1/me', { headers: { authorization: `Bearer ${token}` } })).status, 401);
});

test('repeated wrong passwords are rate limited (429 with Retry-After), and audited', async () => {
  const city = await smallCity();
  for (let i = 0; i < 5; i++) assert.is((await login(city.app, 'police', 'wrong')).status, 401);
  const limited = await login(city.app, 'police', 'small-city-password');
  assert.is(limited.status, 429);
  assert.ok(Number(limited.headers.get('retry-after')) > 0);
  assert.is((await city.domain.audit.query({ action: 'login.failure', limit: 10 })).length, 5);
});

test('the limiter forgets failures after its window', () => {
  let t = 0;
  const l = new LoginLimiter({ maxFailures: 2, windowMs: 1000, now: () => t });
  l.fail('a', '1.2.3.4');
  l.fail('a', '1.2.3.4');
  assert.ok(l.retryAfter('a', '1.2.3.4') > 0);
  assert.is(l.retryAfter('b', null), 0);
  t = 1001;
  assert.is(l.retryAfter('a', '1.2.3.4'), 0);
});

test.run();

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AttemptThrottle, MemoryAttemptStore, loginThrottle } from '../src/auth/rate-limit.ts';
import { SqliteAttemptStore } from '../src/auth/attempts-sqlite.ts';
import { openDatabase } from '../src/db/database.ts';
import { smallCity } from './fixtures/small-city.ts';

type App = Awaited<ReturnType<typeof smallCity>>['app'];

/** A request as if from `ip` (the node server's binding hono's getConnInfo reads). */
const fromIp = (ip: string) => ({ incoming: { socket: { remoteAddress: ip, remotePort: 40000, remoteFamily: 'IPv4' } } });

const login = (app: App, username: string, password: string, ip?: string) =>
  app.request(
    '/api/v1/auth/login',
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) },
    ip ? fromIp(ip) : undefined,
  );

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
  for (let i = 0; i < 5; i++) assert.is((await login(city.app, 'police', 'wrong', '10.0.0.9')).status, 401);
  const limited = await login(city.app, 'police', 'small-city-password', '10.0.0.9');
  assert.is(limited.status, 429);
  assert.ok(Number(limited.headers.get('retry-after')) > 0);
  assert.is((await city.domain.audit.query({ action: 'login.failure', limit: 10 })).length, 5);
});

test('hole 8: wrong passwords from one address cannot lock the user out elsewhere', async () => {
  const city = await smallCity();
  // Today's limiter counted per username: five wrong passwords from anywhere locked "police" out for 15 minutes.
  for (let i = 0; i < 12; i++) await login(city.app, 'police', 'wrong', '203.0.113.66');
  assert.is((await login(city.app, 'police', 'wrong', '203.0.113.66')).status, 429, 'the guessing address is slowed down');
  const res = await login(city.app, 'police', 'small-city-password', '198.51.100.7');
  assert.is(res.status, 200, 'the user, from their own address, logs in');
});

test('hole 8: the login backoff doubles, is capped, and a success clears it', async () => {
  let t = 1_000_000;
  const th = new AttemptThrottle(new MemoryAttemptStore(), 'login', { freeFailures: 2, baseDelayMs: 1000, maxDelayMs: 8000, now: () => t });
  await th.fail('a', '1.2.3.4');
  assert.is(await th.retryAfter('a', '1.2.3.4'), 0, 'first failure is free');
  const waits: number[] = [];
  for (let i = 0; i < 6; i++) {
    await th.fail('a', '1.2.3.4');
    waits.push(await th.retryAfter('a', '1.2.3.4'));
  }
  assert.equal(waits, [1, 2, 4, 8, 8, 8]);
  assert.is(await th.retryAfter('a', '5.6.7.8'), 0, 'another address is not slowed');
  assert.is(await th.retryAfter('b', '1.2.3.4'), 0, 'another name from the same address is not slowed (below the address limit)');
  t += 9000;
  await th.succeed('a', '1.2.3.4');
  await th.fail('a', '1.2.3.4');
  assert.is(await th.retryAfter('a', '1.2.3.4'), 0, 'a success starts the count again');
});

test('hole 8: the login backoff is persisted (SQLite adapter): a restart does not reset it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'camfleet-attempts-'));
  try {
    const file = join(dir, 'a.db');
    let db = openDatabase(file);
    let th = loginThrottle(new SqliteAttemptStore(db), { freeFailures: 3 });
    for (let i = 0; i < 4; i++) await th.fail('police', '203.0.113.66');
    assert.ok((await th.retryAfter('police', '203.0.113.66')) > 0);
    db.close();
    db = openDatabase(file);
    th = loginThrottle(new SqliteAttemptStore(db), { freeFailures: 3 });
    assert.ok((await th.retryAfter('police', '203.0.113.66')) > 0, 'still backing off after reopening');
    assert.is(await th.retryAfter('police', '198.51.100.7'), 0);
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('hole 8: login never runs a synchronous scrypt on the event loop', async () => {
  const city = await smallCity();
  const crypto = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  const original = crypto.scryptSync;
  let syncCalls = 0;
  crypto.scryptSync = ((...args: Parameters<typeof original>) => {
    syncCalls++;
    return original(...args);
  }) as typeof original;
  syncBuiltinESMExports();
  try {
    assert.is((await login(city.app, 'police', 'small-city-password')).status, 200);
    assert.is((await login(city.app, 'operator', 'wrong')).status, 401);
    assert.is((await login(city.app, 'nobody-by-that-name', 'wrong')).status, 401);
  } finally {
    crypto.scryptSync = original;
    syncBuiltinESMExports();
  }
  assert.is(syncCalls, 0);
});

test.run();

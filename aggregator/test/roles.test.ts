/**
 * Hole 5 of issue 13: role escalation. A user may grant only roles valid for the target
 * organisation's kind and no wider than its own (actions and reach); nobody changes its own role
 * or organisation; nobody takes over (password, disable) a user whose role is wider than its own.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Writable } from 'node:stream';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runProgram } from '@camfleet/shared';
import { COMMANDS } from '../src/cli/commands/index.ts';
import { tempDir } from '../../test/support/tmp.ts';
import { SMALL_CITY, smallCity } from './fixtures/small-city.ts';

const PASSWORD = 'a long enough password';
let n = 0;
const newUser = (role: string, orgId: string) => ({ username: `u${++n}-${role.replace(/_/g, '-')}`, password: PASSWORD, role, orgId });

test("a business's org admin cannot create state roles or footage roles in its own org", async () => {
  const city = await smallCity();
  for (const role of ['police_officer', 'ward_officer', 'auditor', 'operator', 'owner', 'site_manager', 'admin']) {
    const res = await city.call('shop-admin', 'POST', '/api/v1/users', newUser(role, 'shop'));
    assert.is(res.status, 403, `org_admin of a business giving ${role}: ${res.status} ${await res.text()}`);
  }
  // What it may do: another org admin of its own business.
  assert.is((await city.call('shop-admin', 'POST', '/api/v1/users', newUser('org_admin', 'shop'))).status, 201);
  assert.not.ok(city.users.list().some((u) => u.orgId === 'shop' && u.role === 'police_officer'), 'no police officer was created in the shop');
});

test('nobody changes their own role or organisation', async () => {
  const city = await smallCity();
  const me = city.users.byUsername('shop-admin')!;
  const res = await city.call('shop-admin', 'PATCH', `/api/v1/users/${me.id}`, { role: 'owner' });
  assert.is(res.status, 403, await res.text());
  assert.is(city.users.byUsername('shop-admin')!.role, 'org_admin');
  const admin = city.users.byUsername('admin')!;
  assert.is((await city.call('admin', 'PATCH', `/api/v1/users/${admin.id}`, { role: 'org_admin' })).status, 403, 'not even an admin');
  assert.is((await city.call('admin', 'PATCH', `/api/v1/users/${admin.id}`, { orgId: 'police' })).status, 403);
  // A password change of one's own is not a role change (self-service stays possible).
  assert.is((await city.call('shop-admin', 'PATCH', `/api/v1/users/${me.id}`, { password: 'another long password' })).status, 200);
});

test('a system admin (no footage rights) cannot hand out footage roles', async () => {
  const city = await smallCity();
  assert.is((await city.call('admin', 'POST', '/api/v1/users', newUser('ward_officer', 'ward-b-committee'))).status, 403);
  assert.is((await city.call('admin', 'POST', '/api/v1/users', newUser('police_officer', 'police'))).status, 403);
  const tech = city.users.byUsername('tech-a')!;
  assert.is((await city.call('admin', 'PATCH', `/api/v1/users/${tech.id}`, { role: 'ward_officer' })).status, 403);
  // Within its own rights, and valid for the org's kind: allowed.
  assert.is((await city.call('admin', 'POST', '/api/v1/users', newUser('site_manager', 'ward-b-committee'))).status, 201);
});

test("roles must fit the organisation's kind, also when a user is moved", async () => {
  const city = await smallCity();
  // site_manager is within an admin's rights but a business has no such role.
  assert.is((await city.call('admin', 'POST', '/api/v1/users', newUser('site_manager', 'shop'))).status, 403);
  const tech = city.users.byUsername('tech-a')!;
  assert.is((await city.call('admin', 'PATCH', `/api/v1/users/${tech.id}`, { orgId: 'shop' })).status, 403);
  assert.is(city.users.byUsername('tech-a')!.orgId, 'ward-a-committee');
});

test("nobody takes over a user whose role is wider than their own (password reset, disable)", async () => {
  const city = await smallCity();
  const owner = city.users.byUsername('shop-owner')!;
  assert.is((await city.call('shop-admin', 'PATCH', `/api/v1/users/${owner.id}`, { password: 'i now own your footage' })).status, 403);
  assert.is((await city.call('shop-admin', 'POST', `/api/v1/users/${owner.id}/disable`)).status, 403);
  assert.ok(city.users.byUsername('shop-owner'), 'still enabled');
});

test('out of band (CLI) too, a role must exist for the organisation\'s kind', async () => {
  const tmp = tempDir();
  try {
    const seed = join(tmp.path, 'city.json');
    writeFileSync(seed, JSON.stringify({ ...SMALL_CITY, users: [] }));
    const cli = async (args: string[]) => {
      let out = '';
      const sink = new Writable({ write(chunk, _e, cb) { out += chunk; cb(); } });
      const code = await runProgram({ name: 'camfleet-aggregator', version: 't', description: '', commands: COMMANDS }, [...args, '--data-dir', tmp.path], { stdout: sink, stderr: sink, env: { PW: PASSWORD } });
      return { code, out };
    };
    assert.is((await cli(['seed', '--file', seed])).code, 0);
    const bad = await cli(['user', 'create', '--username', 'shop-cop', '--role', 'police_officer', '--org', 'shop', '--password-env', 'PW']);
    assert.is.not(bad.code, 0, bad.out);
    assert.match(bad.out, /does not exist/);
    assert.is((await cli(['user', 'create', '--username', 'cop', '--role', 'police_officer', '--org', 'police', '--password-env', 'PW'])).code, 0);
    const moved = await cli(['user', 'update', '--username', 'cop', '--org', 'shop']);
    assert.is.not(moved.code, 0, moved.out);
  } finally {
    tmp.cleanup();
  }
});

test.run();

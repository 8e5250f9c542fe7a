import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../src/db/database.ts';
import { createSqliteDomainRepos } from '../src/domain/sqlite.ts';
import { AreaTree } from '../src/domain/area-tree.ts';
import { FleetStore } from '../src/fleet/store.ts';
import { UserStore } from '../src/auth/users.ts';
import { loadSeed, parseSeed, readSeedFile } from '../src/seed/load.ts';

const HANOI = fileURLToPath(new URL('../seed/hanoi.json', import.meta.url));

function fresh() {
  const db = openDatabase(':memory:');
  return { db, repos: createSqliteDomainRepos(db), fleet: new FleetStore(db), users: new UserStore(db) };
}

test('the Hanoi seed loads: city, wards and communes, agencies, a few hundred cameras', async () => {
  const deps = fresh();
  const seed = readSeedFile(HANOI);
  const result = await loadSeed(seed, deps, { userPassword: 'demo-password-1' });
  const areas = new AreaTree(await deps.repos.areas.list());
  assert.ok(areas.subtree('hanoi').size >= 15, 'a dozen-plus wards and communes under the city');
  assert.equal(areas.path('hoan-kiem'), ['hanoi', 'hoan-kiem']);
  const cameras = await deps.repos.inventory.list();
  assert.ok(cameras.length >= 300, `a few hundred cameras (${cameras.length})`);
  assert.ok(new Set(cameras.map((c) => c.areaId)).size >= 15, 'spread across wards');
  const kinds = new Set((await deps.repos.orgs.list()).map((o) => o.kind));
  for (const k of ['city_committee', 'police', 'command', 'department', 'ward_committee', 'business', 'citizen']) assert.ok(kinds.has(k as never), k);
  assert.ok(result.usersCreated.length > 10);
  assert.ok(deps.users.authenticate('police.duty', 'demo-password-1'), 'demo users can log in');
  assert.ok(cameras.every((c) => c.status === 'unknown'), 'no camera state is made up: it comes from agents');
});

test('loading twice is idempotent and keeps existing users\' passwords', async () => {
  const deps = fresh();
  const seed = readSeedFile(HANOI);
  await loadSeed(seed, deps, { userPassword: 'first-password' });
  const before = await deps.repos.inventory.list();
  const again = await loadSeed(seed, deps, { userPassword: 'second-password' });
  assert.equal(again.usersCreated.length, 0);
  assert.equal(again.agentsCreated, 0);
  assert.equal((await deps.repos.inventory.list()).length, before.length);
  assert.ok(deps.users.authenticate('admin', 'first-password'));
  assert.not.ok(deps.users.authenticate('admin', 'second-password'));
});

test('any depth: a city reorganised into districts, then wards, then neighbourhoods', async () => {
  const deps = fresh();
  const seed = parseSeed({
    areas: [
      { id: 'nbhd-1', name: 'Tổ dân phố 1', kind: 'neighbourhood', parent: 'ward-a' },
      { id: 'ward-a', name: 'Ward A', kind: 'ward', parent: 'district-1' },
      { id: 'district-1', name: 'District 1', kind: 'district', parent: 'city' },
      { id: 'city', name: 'City', kind: 'city' },
    ],
    purposes: [{ id: 'traffic', name: 'Traffic' }],
    orgs: [{ id: 'ward-a-committee', name: 'Ward A committee', kind: 'ward_committee', area: 'ward-a' }],
  });
  await loadSeed(seed, deps);
  const tree = new AreaTree(await deps.repos.areas.list());
  assert.equal(tree.path('nbhd-1'), ['city', 'district-1', 'ward-a', 'nbhd-1']);
  assert.ok(tree.contains('district-1', 'nbhd-1'));
  assert.not.ok(tree.contains('nbhd-1', 'district-1'));
});

test('a seed with a dangling reference is refused before anything is written', () => {
  assert.throws(
    () => parseSeed({ areas: [{ id: 'city', name: 'City', kind: 'city' }], purposes: [], orgs: [{ id: 'x', name: 'X', kind: 'police', area: 'nowhere' }] }),
    /org x: unknown area nowhere/,
  );
  assert.throws(() => parseSeed({ areas: [], purposes: [], orgs: [{ id: 'x', name: 'X', kind: 'pirates', area: 'a' }] }), /invalid seed/);
});

test('cameras an agent reports join the inventory of its site', async () => {
  const deps = fresh();
  await loadSeed(
    parseSeed({
      areas: [{ id: 'city', name: 'City', kind: 'city' }, { id: 'w', name: 'W', kind: 'ward', parent: 'city' }],
      purposes: [],
      orgs: [{ id: 'shop', name: 'Shop', kind: 'business', area: 'w' }],
      sites: [{ id: 'shop-site', name: 'Shop', org: 'shop', area: 'w', lat: 21, lon: 105, agents: ['agent-shop'] }],
    }),
    deps,
  );
  const created = await deps.repos.inventory.mergeReported('agent-shop', [{ cameraId: 'c1', serial: 'S1', mac: 'aa:bb' }]);
  assert.equal(created, 1);
  const cam = await deps.repos.inventory.get({ agentId: 'agent-shop', cameraId: 'c1' });
  assert.equal(cam?.ownerOrgId, 'shop');
  assert.equal(cam?.areaId, 'w');
  assert.equal(cam?.lat, 21);
  assert.equal(cam?.status, 'unknown');
  assert.equal(await deps.repos.inventory.mergeReported('agent-unplaced', [{ cameraId: 'c1' }]), 0);
});

test.run();

/**
 * How the scoped inventory API scales: the Hanoi seed multiplied to N cameras, then per role the
 * time of GET /api/v1/cameras (authorization of every camera + filter + page), the CSV export and
 * the duplicate scan, in-process (no sockets). Prints figures; asserts nothing.
 *
 *   npm run bench -- inventory-api
 */
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../../aggregator/src/db/database.ts';
import { FleetStore } from '../../aggregator/src/fleet/store.ts';
import { UserStore } from '../../aggregator/src/auth/users.ts';
import { createDomainServices } from '../../aggregator/src/services.ts';
import { createApi } from '../../aggregator/src/api/app.ts';
import { loadSeed, readSeedFile } from '../../aggregator/src/seed/load.ts';
import { findDuplicates } from '../../aggregator/src/inventory/duplicates.ts';

const HANOI = fileURLToPath(new URL('../../aggregator/seed/hanoi.json', import.meta.url));

async function run(copies: number) {
  const db = openDatabase(':memory:');
  const fleet = new FleetStore(db);
  const users = new UserStore(db);
  const domain = createDomainServices(db);
  const seed = readSeedFile(HANOI);
  // Each copy: the same sites' agents get more cameras (ids suffixed), spread a little.
  const cameras = [];
  for (let k = 0; k < copies; k++) for (const c of seed.cameras) cameras.push({ ...c, id: `${c.id}-${k}`, lat: c.lat ? c.lat + k * 1e-4 : c.lat, serial: c.serial ? `${c.serial}-${k}` : undefined, mac: undefined, state: undefined });
  await loadSeed({ ...seed, cameras, grants: [] }, { repos: domain.repos, fleet, users }, { userPassword: 'bench-password-123' });
  const app = createApi({ fleet, users, domain, version: 'bench' });
  const who = ['admin', 'operator.city', 'police.duty', 'ward.hoan-kiem', 'owner.trang-tien-plaza'];
  const tokens = Object.fromEntries(who.map((u) => [u, users.issueToken(users.byUsername(u)!.id, 'bench')]));
  const time = async (fn: () => Promise<unknown>, n = 5) => {
    await fn();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await fn();
    return (performance.now() - t0) / n;
  };
  console.log(`\n${cameras.length} cameras`);
  for (const u of who) {
    let total = 0;
    const list = await time(async () => {
      const res = await app.request('/api/v1/cameras?pageSize=100', { headers: { authorization: `Bearer ${tokens[u]}` } });
      total = ((await res.json()) as { total: number }).total;
    });
    console.log(`  ${u.padEnd(24)} GET /cameras: ${list.toFixed(1)} ms  (${total} in scope, ${((list * 1000) / cameras.length).toFixed(1)} µs per camera)`);
  }
  const csv = await time(async () => (await app.request('/api/v1/cameras/export.csv', { headers: { authorization: `Bearer ${tokens.admin}` } })).text(), 3);
  console.log(`  admin CSV export of all: ${csv.toFixed(1)} ms (audited each time)`);
  const inv = await domain.repos.inventory.list();
  const dup = await time(async () => findDuplicates(inv), 3);
  console.log(`  duplicate scan: ${dup.toFixed(1)} ms`);
  domain.close();
  db.close();
}

for (const copies of [1, 10, 25]) await run(copies);

/**
 * How the scoped inventory scales: the Hanoi seed multiplied to about 100,000 cameras (env
 * CAMFLEET_BENCH_CAMERAS), loaded into each engine (SQLite in memory, and PostgreSQL in a
 * throwaway cluster when it is installed), then per role the p50/p99 of what GET /api/v1/cameras
 * runs per request: the principal's context (areas, grants in force), the scope turned into a
 * query, one page of 100 and the total. Also the full scoped list (what the CSV/GeoJSON exports
 * read), and, as the reference, the previous way (every camera authorised in JS) on SQLite.
 * Goal (issue 12): p99 ≤ 100 ms for any role. Prints figures; asserts nothing.
 *
 *   npm run bench -- inventory-api
 *
 * Cameras carry no live state here (the seed's cameras have none until agents report), so the
 * fleet join is present but finds nothing.
 */
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../../aggregator/src/db/database.ts';
import { FleetStore } from '../../aggregator/src/fleet/store.ts';
import { UserStore } from '../../aggregator/src/auth/users.ts';
import { createDomainServices, type DomainServices } from '../../aggregator/src/services.ts';
import { loadSeed, readSeedFile } from '../../aggregator/src/seed/load.ts';
import { decide } from '../../aggregator/src/authz/decide.ts';
import { PgStorage } from '../../aggregator/src/storage/postgres.ts';
import { postgresBinDir, startPostgres } from '../../test/support/postgres.ts';

const HANOI = fileURLToPath(new URL('../../aggregator/seed/hanoi.json', import.meta.url));
const TARGET = Number(process.env.CAMFLEET_BENCH_CAMERAS ?? 100_000);
const RUNS = Number(process.env.CAMFLEET_BENCH_RUNS ?? 60);
const WHO = ['admin', 'operator.city', 'police.duty', 'ward.hoan-kiem', 'owner.trang-tien-plaza'];

const seed = readSeedFile(HANOI);
const copies = Math.max(1, Math.round(TARGET / seed.cameras.length));
const cameras: typeof seed.cameras = [];
for (let k = 0; k < copies; k++) {
  for (const c of seed.cameras) cameras.push({ ...c, id: `${c.id}-${k}`, lat: c.lat ? c.lat + k * 1e-5 : c.lat, serial: c.serial ? `${c.serial}-${k}` : undefined, mac: undefined, state: undefined });
}

const pct = (xs: number[], p: number) => {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

async function measure(engine: string, domain: DomainServices, users: UserStore, reference: boolean) {
  console.log(`\n${engine}: ${cameras.length} cameras`);
  for (const u of WHO) {
    const user = users.byUsername(u)!;
    let total = 0;
    const times: number[] = [];
    for (let i = 0; i < RUNS + 3; i++) {
      const t0 = performance.now();
      const p = await domain.authorizer.principalFor(user);
      const ctx = await domain.authorizer.contextFor(p);
      total = (await domain.inventory.page(p, ctx, 'view_inventory', {}, 1 + (i % 5), 100)).total;
      if (i >= 3) times.push(performance.now() - t0);
    }
    const p = await domain.authorizer.principalFor(user);
    const ctx = await domain.authorizer.contextFor(p);
    const t0 = performance.now();
    const all = await domain.inventory.all(p, ctx, 'view_inventory', {});
    const full = performance.now() - t0;
    const search = [] as number[];
    for (let i = 0; i < 10; i++) {
      const t1 = performance.now();
      await domain.inventory.page(p, ctx, 'view_inventory', { q: 'hoan kiem', ownerKind: 'police' }, 1, 100);
      search.push(performance.now() - t1);
    }
    console.log(
      `  ${u.padEnd(24)} page of 100: p50 ${pct(times, 50).toFixed(1)} ms, p99 ${pct(times, 99).toFixed(1)} ms (${total} in scope)` +
        ` | filtered search p50 ${pct(search, 50).toFixed(1)} ms | full scoped list (exports) ${full.toFixed(0)} ms for ${all.length}`,
    );
  }
  if (reference) {
    // The previous way: every camera of the city read and authorised in JS, on each request.
    const user = users.byUsername('owner.trang-tien-plaza')!;
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const p = await domain.authorizer.principalFor(user);
      const ctx = await domain.authorizer.contextFor(p);
      const cams = await domain.repos.inventory.list();
      cams.filter((c) => decide(p, 'view_inventory', { type: 'camera', camera: c }, ctx).allow).slice(0, 100);
      times.push(performance.now() - t0);
    }
    console.log(`  reference (authorise every camera in JS, owner): ${pct(times, 50).toFixed(0)} ms per request`);
  }
}

async function seedInto(domain: DomainServices, fleet: FleetStore, users: UserStore) {
  const t0 = performance.now();
  await loadSeed({ ...seed, cameras: [], grants: [] }, { repos: domain.repos, fleet, users }, { userPassword: 'bench-password-123' });
  // The cameras in batches (the seed loader upserts one by one: 100,000 round trips on PostgreSQL).
  const sites = new Map(seed.sites.map((s) => [s.id, s]));
  await domain.repos.inventory.upsertMany(
    cameras.map((c) => {
      const site = sites.get(c.site)!;
      return {
        agentId: c.agent, cameraId: c.id, name: c.name ?? null, siteId: site.id, ownerOrgId: c.owner ?? site.org, areaId: c.area ?? site.area, purposes: c.purposes,
        lat: c.lat ?? site.lat ?? null, lon: c.lon ?? site.lon ?? null, address: c.address ?? site.address ?? null, serial: c.serial ?? null, mac: null,
        manufacturer: c.manufacturer ?? null, model: c.model ?? null,
      };
    }),
  );
  return ((performance.now() - t0) / 1000).toFixed(1);
}

{
  const db = openDatabase(':memory:');
  const fleet = new FleetStore(db);
  const users = new UserStore(db);
  const domain = createDomainServices(db);
  console.log(`sqlite: loaded in ${await seedInto(domain, fleet, users)} s`);
  await measure('sqlite (in memory)', domain, users, true);
  domain.close();
  db.close();
}

if (!postgresBinDir()) {
  console.log('\npostgres: not installed (apt-get install postgresql); skipped');
} else {
  const cluster = await startPostgres({ prefix: 'camfleet-bench-pg-' });
  try {
    const storage = await PgStorage.open(await cluster.createDatabase('bench'), { maxAttempts: 1 });
    // Users and agents stay on SQLite (their modules are not on PostgreSQL yet); the inventory,
    // city model and grants the scope query reads are in PostgreSQL.
    const db = openDatabase(':memory:');
    const fleet = new FleetStore(db);
    const users = new UserStore(db);
    // Users reference organisations on their own engine: the city model without cameras there first.
    await loadSeed({ ...seed, cameras: [], grants: [] }, { repos: createDomainServices(db).repos, fleet, users }, { userPassword: 'bench-password-123' });
    const domain = createDomainServices(db, { postgres: storage.pool });
    console.log(`\npostgres: loaded in ${await seedInto(domain, fleet, users)} s`);
    await storage.pool.query('ANALYZE');
    await measure('postgres 15 (throwaway cluster, fsync off)', domain, users, false);
    domain.close();
    db.close();
    await storage.close();
  } finally {
    await cluster.stop();
  }
}

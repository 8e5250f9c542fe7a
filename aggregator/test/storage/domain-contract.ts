/**
 * The contract of the domain and sharing ports, run against every adapter (domain.test.ts runs
 * it on SQLite and on PostgreSQL). The scope checks compare the scoped query with `decide`
 * camera by camera, for every role and organisation of a generated city.
 */
import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import type { DomainRepos } from '../../src/domain/repositories.ts';
import type { GrantRepository } from '../../src/sharing/repository.ts';
import { AreaTree } from '../../src/domain/area-tree.ts';
import { ORG_KINDS, type OrgKind, type InventoryEntry } from '../../src/domain/types.ts';
import { decide, type DecisionContext, type Principal } from '../../src/authz/decide.ts';
import { ROLE_NAMES, type Action } from '../../src/authz/policy.ts';
import { inventoryScopeFor, resolveFilter } from '../../src/inventory/scope.ts';
import { filterInventory } from '../../src/inventory/query.ts';
import { CONSENT_VERSION, type SharingGrant } from '../../src/sharing/types.ts';

export interface DomainStores {
  repos: DomainRepos;
  grants: GrantRepository;
  /** A user id the grants can name as consenting (the users module is not under test here). */
  userId: number;
  /** Reports live state for an agent's camera (the fleet module's write). */
  reportState(agentId: string, cameraId: string, state: { online: boolean; recording: boolean; verdict: 'pass' | 'fail' }): Promise<void>;
  close(): Promise<void>;
}

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PURPOSES = ['public_order', 'traffic', 'urban_order', 'business_security', 'fire'];

export function domainContract(suite: Test, name: string, open: () => Promise<DomainStores>): void {
  let st: DomainStores;
  suite.before.each(async () => {
    st = await open();
  });
  suite.after.each(async () => {
    await st.close();
  });

  suite(`${name}: areas, purposes, orgs, sites and placements round-trip`, async () => {
    const { repos } = st;
    await repos.areas.upsert({ id: 'hn', parentId: null, name: 'Hà Nội', kind: 'city', lat: 21, lon: 105.8 });
    await repos.areas.upsert({ id: 'hk', parentId: 'hn', name: 'Hoàn Kiếm', kind: 'ward', lat: null, lon: null });
    await repos.purposes.upsert({ id: 'traffic', name: 'Traffic' });
    await repos.purposes.upsert({ id: 'traffic', name: 'Traffic control' });
    await repos.orgs.upsert({ id: 'pol', name: 'Police', kind: 'police', areaId: 'hn', purposes: ['traffic'] });
    await repos.orgs.upsert({ id: 'shop', name: 'Shop', kind: 'business', areaId: 'hk', purposes: null });
    await repos.sites.upsert({ id: 's1', name: 'Site', orgId: 'shop', areaId: 'hk', address: '1 Tràng Tiền', lat: 21.02, lon: 105.85 });
    await repos.sites.attachAgent('ag1', 's1');
    assert.equal((await repos.areas.list()).map((a) => a.id), ['hk', 'hn']);
    assert.equal(await repos.purposes.list(), [{ id: 'traffic', name: 'Traffic control' }]);
    assert.equal(await repos.orgs.get('pol'), { id: 'pol', name: 'Police', kind: 'police', areaId: 'hn', purposes: ['traffic'] });
    assert.equal((await repos.orgs.get('shop'))?.purposes, null);
    assert.equal(await repos.orgs.get('nope'), undefined);
    assert.equal((await repos.sites.siteOfAgent('ag1'))?.id, 's1');
    assert.equal(await repos.sites.agentsOfSite('s1'), ['ag1']);
    assert.equal(await repos.sites.listPlacements(), [{ agentId: 'ag1', siteId: 's1' }]);
    assert.equal((await repos.sites.get('s1'))?.lat, 21.02);
  });

  suite(`${name}: inventory upsert, reported cameras merge into the site's inventory, live state joins`, async () => {
    const { repos } = st;
    await repos.areas.upsert({ id: 'hn', parentId: null, name: 'Hà Nội', kind: 'city', lat: null, lon: null });
    await repos.orgs.upsert({ id: 'shop', name: 'Shop', kind: 'business', areaId: 'hn', purposes: null });
    await repos.sites.upsert({ id: 's1', name: 'Site', orgId: 'shop', areaId: 'hn', address: 'addr', lat: 21, lon: 105 });
    await repos.sites.attachAgent('ag1', 's1');
    const entry: InventoryEntry = {
      agentId: 'ag1', cameraId: 'gate', name: 'Cổng chính', siteId: 's1', ownerOrgId: 'shop', areaId: 'hn', purposes: ['business_security'],
      lat: 21.1, lon: 105.1, address: 'Phố Huế', serial: 'SN1', mac: null, manufacturer: 'Hikvision', model: 'DS-2CD',
    };
    await repos.inventory.upsert(entry);
    assert.equal(await repos.inventory.mergeReported('ag1', [{ cameraId: 'gate', model: 'X' }, { cameraId: 'yard', name: 'Yard', serial: 'SN2' }]), 1);
    assert.equal(await repos.inventory.mergeReported('unplaced', [{ cameraId: 'c' }]), 0);
    const gate = await repos.inventory.get({ agentId: 'ag1', cameraId: 'gate' });
    assert.equal(gate?.model, 'X');
    assert.equal(gate?.purposes, ['business_security']);
    assert.equal(gate?.ownerOrgKind, 'business');
    assert.equal(gate?.status, 'unknown');
    const yard = await repos.inventory.get({ agentId: 'ag1', cameraId: 'yard' });
    assert.equal([yard?.siteId, yard?.ownerOrgId, yard?.areaId, yard?.address, yard?.serial, yard?.purposes], ['s1', 'shop', 'hn', 'addr', 'SN2', []]);
    await st.reportState('ag1', 'gate', { online: true, recording: false, verdict: 'fail' });
    const live = await repos.inventory.get({ agentId: 'ag1', cameraId: 'gate' });
    assert.equal([live?.status, live?.online, live?.conformance], ['not_recording', true, 'fail']);
    assert.equal((await repos.inventory.list()).length, 2);
    // Free text is accent-insensitive and searches what a merge learnt.
    const all = { all: true, ownOrgId: null, areaIds: [], excludeOwnerKinds: [], purposes: null, grantCameras: [] };
    const tree = new AreaTree(await repos.areas.list());
    assert.equal((await repos.inventory.listScoped(all, resolveFilter({ q: 'cong CHINH' }, tree))).items.map((c) => c.cameraId), ['gate']);
    assert.equal((await repos.inventory.listScoped(all, resolveFilter({ q: 'sn2' }, tree))).items.map((c) => c.cameraId), ['yard']);
    assert.equal((await repos.inventory.listScoped(all, resolveFilter({ status: 'not_recording' }, tree))).total, 1);
    assert.equal((await repos.inventory.listScoped(all, resolveFilter({ conformance: 'fail' }, tree))).total, 1);
    assert.equal((await repos.inventory.listScoped(all, resolveFilter({ q: '100%' }, tree))).total, 0, 'LIKE wildcards in a search are literal');
    // An org changing kind moves its cameras with it (the copy used by scope queries).
    await repos.orgs.upsert({ id: 'shop', name: 'Shop', kind: 'citizen', areaId: 'hn', purposes: null });
    assert.equal((await repos.inventory.listScoped(all, resolveFilter({ ownerKind: 'citizen' }, tree))).total, 2);
  });

  suite(`${name}: grants create, list in force, per camera, revoke once`, async () => {
    const { repos, grants } = st;
    await repos.areas.upsert({ id: 'hn', parentId: null, name: 'HN', kind: 'city', lat: null, lon: null });
    await repos.orgs.upsert({ id: 'shop', name: 'Shop', kind: 'business', areaId: 'hn', purposes: null });
    const g: SharingGrant = {
      id: 'g1', ownerOrgId: 'shop', cameras: [{ agentId: 'a', cameraId: 'c2' }, { agentId: 'a', cameraId: 'c1' }], granteeOrgIds: ['pol'], granteeKinds: ['ward_committee'],
      levels: ['health', 'events'], purposes: ['public_order'], hours: { from: 22, to: 6 }, validFrom: '2026-01-01T00:00:00.000Z', validUntil: '2027-01-01T00:00:00.000Z',
      consentVersion: CONSENT_VERSION, consentedAt: '2026-01-01T00:00:00.000Z', consentedBy: st.userId, revokedAt: null, revokedBy: null,
    };
    await grants.create(g);
    assert.equal(await grants.get('g1'), { ...g, cameras: [{ agentId: 'a', cameraId: 'c1' }, { agentId: 'a', cameraId: 'c2' }] });
    const mid = new Date('2026-06-01T00:00:00Z');
    assert.equal((await grants.listInForceFor('pol', 'police', mid)).map((x) => x.id), ['g1']);
    assert.equal((await grants.listInForceFor('w1', 'ward_committee', mid)).map((x) => x.id), ['g1']);
    assert.equal((await grants.listInForceFor('other', 'police', mid)).length, 0);
    assert.equal((await grants.listInForceFor('pol', 'police', new Date('2027-06-01T00:00:00Z'))).length, 0);
    assert.equal((await grants.listForCamera({ agentId: 'a', cameraId: 'c1' })).map((x) => x.id), ['g1']);
    assert.equal((await grants.listByOwner('shop')).length, 1);
    assert.ok(await grants.revoke('g1', st.userId, mid));
    assert.not.ok(await grants.revoke('g1', st.userId, mid));
    assert.equal((await grants.listInForceFor('pol', 'police', mid)).length, 0);
    assert.equal((await grants.get('g1'))?.revokedBy, st.userId);
  });

  suite(`${name}: the scoped query returns exactly what decide() allows, for every role and organisation`, async () => {
    const { repos, grants } = st;
    const rand = rng(12);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
    await repos.areas.upsert({ id: 'city', parentId: null, name: 'Thành phố', kind: 'city', lat: null, lon: null });
    const wards = ['w1', 'w2', 'w3'];
    for (const w of wards) await repos.areas.upsert({ id: w, parentId: 'city', name: `Phường ${w}`, kind: 'ward', lat: null, lon: null });
    for (const w of wards) await repos.areas.upsert({ id: `${w}-x`, parentId: w, name: `Tổ ${w}`, kind: 'block', lat: null, lon: null });
    const areaIds = ['city', ...wards, ...wards.map((w) => `${w}-x`)];
    const orgs: Array<{ id: string; kind: OrgKind; areaId: string; purposes: string[] | null }> = [];
    for (const kind of ORG_KINDS) {
      for (let k = 0; k < 2; k++) {
        const o = { id: `${kind}-${k}`, kind, areaId: k === 0 && !['business', 'citizen', 'ward_committee'].includes(kind) ? 'city' : pick(wards), purposes: rand() < 0.3 ? null : [pick(PURPOSES), pick(PURPOSES)] };
        orgs.push(o);
        await repos.orgs.upsert({ ...o, name: `Org ${o.id}` });
      }
    }
    const batch: InventoryEntry[] = [];
    for (let i = 0; i < 160; i++) {
      const owner = pick(orgs);
      // Half one by one, half (and one twice: an update) in one batch: both paths must agree.
      await (i % 2 ? async (e: InventoryEntry) => void batch.push(e) : (e: InventoryEntry) => repos.inventory.upsert(e))({
        agentId: `ag${i % 23}`, cameraId: `cam${i}`, name: `Camera ${i}`, siteId: null, ownerOrgId: owner.id, areaId: pick(areaIds),
        purposes: rand() < 0.2 ? [] : [pick(PURPOSES)], lat: null, lon: null, address: null, serial: null, mac: null, manufacturer: null, model: null,
      });
    }
    await repos.inventory.upsertMany([...batch, { ...batch[0]!, purposes: ['fire', 'traffic'], name: 'Đèn đỏ' }]);
    assert.equal((await repos.inventory.get(batch[0]!))?.purposes, ['fire', 'traffic']);
    const cams = await repos.inventory.list();
    assert.is(cams.length, 160);
    const privateOwned = cams.filter((c) => c.ownerOrgKind === 'business' || c.ownerOrgKind === 'citizen');
    let gid = 0;
    for (const owner of orgs.filter((o) => o.kind === 'business' || o.kind === 'citizen')) {
      const own = privateOwned.filter((c) => c.ownerOrgId === owner.id).slice(0, 4);
      if (!own.length) continue;
      await grants.create({
        id: `g${gid++}`, ownerOrgId: owner.id, cameras: own.map((c) => ({ agentId: c.agentId, cameraId: c.cameraId })), granteeOrgIds: [pick(orgs).id],
        granteeKinds: rand() < 0.5 ? ['police'] : [], levels: rand() < 0.7 ? ['health'] : ['events'], purposes: [], hours: null,
        validFrom: '2026-01-01T00:00:00.000Z', validUntil: null, consentVersion: CONSENT_VERSION, consentedAt: '2026-01-01T00:00:00.000Z', consentedBy: st.userId, revokedAt: null, revokedBy: null,
      });
    }
    // One grant shared with a camera the owner does not own: it must reach nothing.
    await grants.create({
      id: 'g-foreign', ownerOrgId: 'business-0', cameras: [{ agentId: cams[0]!.agentId, cameraId: cams[0]!.cameraId }], granteeOrgIds: ['police-0'], granteeKinds: [],
      levels: ['health'], purposes: [], hours: null, validFrom: '2026-01-01T00:00:00.000Z', validUntil: null, consentVersion: CONSENT_VERSION, consentedAt: '2026-01-01T00:00:00.000Z',
      consentedBy: st.userId, revokedAt: null, revokedBy: null,
    });
    const tree = new AreaTree(await repos.areas.list());
    const now = new Date('2026-06-01T03:00:00Z');
    let compared = 0;
    let nonEmpty = 0;
    const principals: Principal[] = [{ userId: 1, username: 'root', role: 'admin', orgId: null, orgKind: null, orgAreaId: null, orgPurposes: null }];
    for (const o of orgs) for (const role of ROLE_NAMES) principals.push({ userId: 1, username: 'u', role, orgId: o.id, orgKind: o.kind, orgAreaId: o.areaId, orgPurposes: o.purposes });
    for (const p of principals) {
      const ctx: DecisionContext = { areas: tree, grants: p.orgId && p.orgKind ? await grants.listInForceFor(p.orgId, p.orgKind, now) : [], now, utcOffsetMinutes: 420, purposes: new Set(PURPOSES) };
      for (const action of ['view_inventory', 'view_events'] as Action[]) {
        const expected = cams.filter((c) => decide(p, action, { type: 'camera', camera: c }, ctx).allow).map((c) => `${c.agentId}/${c.cameraId}`);
        const got = (await repos.inventory.listScoped(inventoryScopeFor(p, action, ctx), resolveFilter({}, tree))).items.map((c) => `${c.agentId}/${c.cameraId}`);
        assert.equal(got.slice().sort(), expected.slice().sort(), `${p.role} of ${p.orgId} (${action})`);
        compared++;
        if (expected.length) nonEmpty++;
      }
    }
    assert.ok(nonEmpty > 20 && nonEmpty < compared, `the generated city exercises both reach and refusal (${nonEmpty}/${compared})`);
    // Filters and paging on top of a scope agree with the in-memory filter.
    const police: Principal = { userId: 1, username: 'u', role: 'police_officer', orgId: 'police-0', orgKind: 'police', orgAreaId: 'city', orgPurposes: null };
    const pctx: DecisionContext = { areas: tree, grants: await grants.listInForceFor('police-0', 'police', now), now, utcOffsetMinutes: 420, purposes: new Set(PURPOSES) };
    const scope = inventoryScopeFor(police, 'view_inventory', pctx);
    const inScope = cams.filter((c) => decide(police, 'view_inventory', { type: 'camera', camera: c }, pctx).allow);
    for (const f of [{ area: 'w2' }, { purpose: 'traffic' }, { ownerKind: 'police' as const }, { q: 'phuong w1' }, { q: 'camera 1' }, { owner: 'police-1', area: 'w1' }]) {
      const want = filterInventory(inScope, f, tree).map((c) => c.cameraId).sort();
      const got = (await repos.inventory.listScoped(scope, resolveFilter(f, tree))).items.map((c) => c.cameraId).sort();
      assert.equal(got, want, JSON.stringify(f));
    }
    const page2 = await repos.inventory.listScoped(scope, resolveFilter({}, tree), { offset: 10, limit: 10 });
    const full = await repos.inventory.listScoped(scope, resolveFilter({}, tree));
    assert.equal(page2.total, full.items.length);
    assert.equal(page2.items.map((c) => c.cameraId), full.items.slice(10, 20).map((c) => c.cameraId), 'pages follow the list order');
  });
}

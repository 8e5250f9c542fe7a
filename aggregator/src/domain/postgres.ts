/** The PostgreSQL implementation of the city model's repositories (see repositories.ts). */
import type { PgQueryable } from '../storage/postgres.ts';
import type { DomainRepos, ReportedCamera } from './repositories.ts';
import type { Area, CameraKey, CameraStatus, InventoryCamera, InventoryEntry, Org, OrgKind, Site } from './types.ts';
import { cameraSearchText, type InventoryScope, type PageRequest, type ResolvedFilter } from '../inventory/scope.ts';
import { fold } from '../inventory/query.ts';

type Row = Record<string, unknown>;
const s = (v: unknown): string | null => (v == null ? null : String(v));
const n = (v: unknown): number | null => (v == null ? null : Number(v));

const toArea = (r: Row): Area => ({ id: r.id as string, parentId: s(r.parent_id), name: r.name as string, kind: r.kind as string, lat: n(r.lat), lon: n(r.lon) });
const toOrg = (r: Row): Org => ({ id: r.id as string, name: r.name as string, kind: r.kind as OrgKind, areaId: r.area_id as string, purposes: (r.purposes as string[] | null) ?? null });
const toSite = (r: Row): Site => ({
  id: r.id as string, name: r.name as string, orgId: r.org_id as string, areaId: r.area_id as string, address: s(r.address), lat: n(r.lat), lon: n(r.lon),
});

// Live state is the fleet module's (cameras, agents): joined read-only here until the inventory
// keeps its own copy of the latest state (see README).
const INVENTORY_FROM = `FROM inventory_cameras i
  JOIN orgs o ON o.id = i.owner_org_id
  LEFT JOIN cameras c ON c.agent_id = i.agent_id AND c.camera_id = i.camera_id
  LEFT JOIN agents a ON a.id = i.agent_id`;
const INVENTORY_COLUMNS = `SELECT i.*, o.kind AS owner_kind, o.name AS owner_name,
    c.online AS c_online, c.recording AS c_recording, c.problem AS c_problem, c.updated_at AS c_updated,
    c.conformance->>'verdict' AS c_verdict, c.record->>'serialNumber' AS r_serial, c.record->'scopes'->>'mac' AS r_mac,
    a.online AS a_online`;
const INVENTORY_SELECT = `${INVENTORY_COLUMNS} ${INVENTORY_FROM}`;
const ORDER = 'ORDER BY i.area_id, i.agent_id, i.camera_id';

function toInventoryCamera(r: Row): InventoryCamera {
  const reported = r.c_updated != null;
  const agentOnline = r.a_online === true;
  const online = reported && agentOnline && r.c_online === true;
  const recording = online && r.c_recording === true;
  const status: CameraStatus = !reported ? 'unknown' : !online ? 'offline' : recording ? 'online' : 'not_recording';
  return {
    agentId: r.agent_id as string,
    cameraId: r.camera_id as string,
    name: s(r.name),
    siteId: s(r.site_id),
    ownerOrgId: r.owner_org_id as string,
    ownerOrgKind: r.owner_kind as OrgKind,
    ownerOrgName: r.owner_name as string,
    areaId: r.area_id as string,
    purposes: r.purposes as string[],
    lat: n(r.lat),
    lon: n(r.lon),
    address: s(r.address),
    serial: s(r.serial) ?? s(r.r_serial),
    mac: s(r.mac) ?? s(r.r_mac),
    manufacturer: s(r.manufacturer),
    model: s(r.model),
    status,
    online,
    recording,
    problem: reported && !agentOnline ? 'agent offline' : s(r.c_problem),
    conformance: (s(r.c_verdict) as InventoryCamera['conformance']) ?? null,
    lastReportAt: s(r.c_updated),
  };
}

const STATUS_SQL = `CASE WHEN c.updated_at IS NULL THEN 'unknown'
  WHEN NOT (COALESCE(a.online, false) AND c.online) THEN 'offline'
  WHEN c.recording THEN 'online' ELSE 'not_recording' END`;

/** WHERE clause (positional parameters) of a scoped, filtered query; null when the scope reaches nothing. */
export interface ScopedSqlPg {
  where: string | null;
  params: unknown[];
  needsState: boolean;
  /** Scope parts over the count summary's columns (ownership, area, kind, purposes), OR-ed; null: none. */
  base: string | null;
  /** The grant part (explicit cameras); null: none. */
  grant: string | null;
  filters: string[];
  /** No text, status or conformance filter: the total can come from the summary. */
  summable: boolean;
}

export function scopedWherePg(scope: InventoryScope, f: ResolvedFilter): ScopedSqlPg {
  const params: unknown[] = [];
  let grant: string | null = null;
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const reach: string[] = [];
  if (!scope.all) {
    if (scope.ownOrgId) reach.push(`i.owner_org_id = ${p(scope.ownOrgId)}`);
    if (scope.areaIds.length) {
      const parts = [`i.area_id = ANY(${p(scope.areaIds)}::text[])`];
      if (scope.excludeOwnerKinds.length) parts.push(`NOT (i.owner_kind = ANY(${p(scope.excludeOwnerKinds)}::text[]))`);
      if (scope.purposes) parts.push(`i.purposes && ${p(scope.purposes)}::text[]`);
      reach.push(`(${parts.join(' AND ')})`);
    }
    if (scope.grantCameras.length) {
      grant = `(i.agent_id, i.camera_id, i.owner_org_id) IN (SELECT * FROM unnest(${p(scope.grantCameras.map((g) => g.agentId))}::text[], ${p(scope.grantCameras.map((g) => g.cameraId))}::text[], ${p(scope.grantCameras.map((g) => g.ownerOrgId))}::text[]))`;
    }
    if (!reach.length && !grant) return { where: null, params, needsState: false, base: null, grant: null, filters: [], summable: false };
  }
  const base = reach.length ? `(${reach.join(' OR ')})` : null;
  const scopeCond = scope.all ? [] : [`(${[...reach, ...(grant ? [grant] : [])].join(' OR ')})`];
  const conds: string[] = [];
  if (f.areaIds) conds.push(`i.area_id = ANY(${p(f.areaIds)}::text[])`);
  if (f.purpose) conds.push(`i.purposes @> ARRAY[${p(f.purpose)}::text]`);
  if (f.owner) conds.push(`i.owner_org_id = ${p(f.owner)}`);
  if (f.ownerKind) conds.push(`i.owner_kind = ${p(f.ownerKind)}`);
  const summable = conds.length;
  for (const t of f.terms) {
    const like = p(`%${t.term.replace(/[\\%_]/g, (m) => `\\${m}`)}%`);
    conds.push(`(i.search LIKE ${like} OR i.owner_org_id IN (SELECT id FROM orgs WHERE search LIKE ${like}) OR i.area_id = ANY(${p(t.areaIds)}::text[]))`);
  }
  let needsState = false;
  if (f.status) {
    conds.push(`${STATUS_SQL} = ${p(f.status)}`);
    needsState = true;
  }
  if (f.conformance) {
    conds.push(`c.conformance->>'verdict' = ${p(f.conformance)}`);
    needsState = true;
  }
  const all = [...scopeCond, ...conds];
  return { where: all.length ? all.join(' AND ') : 'true', params, needsState, base, grant, filters: conds, summable: summable === conds.length };
}

export function createPostgresDomainRepos(db: PgQueryable): DomainRepos {
  const now = () => new Date().toISOString();
  const rows = async (sql: string, params: unknown[] = []) => (await db.query(sql, params)).rows as Row[];
  const setSearch = async (agentId: string, cameraId: string) => {
    const [r] = await rows('SELECT * FROM inventory_cameras WHERE agent_id = $1 AND camera_id = $2', [agentId, cameraId]);
    if (!r) return;
    const text = cameraSearchText({ agentId, cameraId, name: s(r.name), address: s(r.address), serial: s(r.serial), mac: s(r.mac), manufacturer: s(r.manufacturer), model: s(r.model) });
    await db.query('UPDATE inventory_cameras SET search = $3 WHERE agent_id = $1 AND camera_id = $2', [agentId, cameraId, text]);
  };
  return {
    areas: {
      async list() {
        return (await rows('SELECT * FROM areas ORDER BY id')).map(toArea);
      },
      async upsert(a) {
        await db.query(
          `INSERT INTO areas (id, parent_id, name, kind, lat, lon) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (id) DO UPDATE SET parent_id = excluded.parent_id, name = excluded.name, kind = excluded.kind, lat = excluded.lat, lon = excluded.lon`,
          [a.id, a.parentId, a.name, a.kind, a.lat, a.lon],
        );
      },
    },
    purposes: {
      async list() {
        return (await rows('SELECT id, name FROM purposes ORDER BY id')) as Array<{ id: string; name: string }>;
      },
      async upsert(p) {
        await db.query('INSERT INTO purposes (id, name) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET name = excluded.name', [p.id, p.name]);
      },
    },
    orgs: {
      async list() {
        return (await rows('SELECT * FROM orgs ORDER BY id')).map(toOrg);
      },
      async get(id) {
        const [r] = await rows('SELECT * FROM orgs WHERE id = $1', [id]);
        return r ? toOrg(r) : undefined;
      },
      async upsert(o) {
        await db.query(
          `INSERT INTO orgs (id, name, kind, area_id, purposes, search) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind, area_id = excluded.area_id, purposes = excluded.purposes, search = excluded.search`,
          [o.id, o.name, o.kind, o.areaId, o.purposes, fold(o.name)],
        );
        // Each camera carries its owner's kind so scope queries need no join.
        await db.query('UPDATE inventory_cameras SET owner_kind = $2 WHERE owner_org_id = $1 AND owner_kind <> $2', [o.id, o.kind]);
      },
    },
    sites: {
      async list() {
        return (await rows('SELECT * FROM sites ORDER BY id')).map(toSite);
      },
      async get(id) {
        const [r] = await rows('SELECT * FROM sites WHERE id = $1', [id]);
        return r ? toSite(r) : undefined;
      },
      async upsert(site) {
        await db.query(
          `INSERT INTO sites (id, name, org_id, area_id, address, lat, lon, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (id) DO UPDATE SET name = excluded.name, org_id = excluded.org_id, area_id = excluded.area_id,
             address = excluded.address, lat = excluded.lat, lon = excluded.lon`,
          [site.id, site.name, site.orgId, site.areaId, site.address, site.lat, site.lon, now()],
        );
      },
      async attachAgent(agentId, siteId) {
        await db.query('INSERT INTO site_agents (agent_id, site_id) VALUES ($1, $2) ON CONFLICT (agent_id) DO UPDATE SET site_id = excluded.site_id', [agentId, siteId]);
      },
      async siteOfAgent(agentId) {
        const [r] = await rows('SELECT s.* FROM site_agents sa JOIN sites s ON s.id = sa.site_id WHERE sa.agent_id = $1', [agentId]);
        return r ? toSite(r) : undefined;
      },
      async agentsOfSite(siteId) {
        return (await rows('SELECT agent_id FROM site_agents WHERE site_id = $1 ORDER BY agent_id', [siteId])).map((r) => r.agent_id as string);
      },
      async listPlacements() {
        return (await rows('SELECT agent_id, site_id FROM site_agents ORDER BY agent_id')).map((r) => ({ agentId: r.agent_id as string, siteId: r.site_id as string }));
      },
    },
    inventory: {
      async list() {
        return (await rows(`${INVENTORY_SELECT} ${ORDER}`)).map(toInventoryCamera);
      },
      async listScoped(scope: InventoryScope, filter: ResolvedFilter, page?: PageRequest) {
        const q = scopedWherePg(scope, filter);
        const { where, params, needsState } = q;
        if (where === null) return { items: [], total: 0 };
        let total: number;
        if (q.summable) {
          // From the trigger-kept summary (few rows); cameras reached only through a grant are counted directly.
          const and = (xs: string[]) => (xs.length ? xs.join(' AND ') : 'true');
          const parts: string[] = [];
          if (scope.all || q.base) parts.push(`(SELECT COALESCE(SUM(n), 0) FROM inventory_scope_counts i WHERE ${and([...(scope.all ? [] : [q.base!]), ...q.filters])})`);
          if (!scope.all && q.grant) parts.push(`(SELECT COUNT(*) FROM inventory_cameras i WHERE ${and([q.grant, ...(q.base ? [`NOT ${q.base}`] : []), ...q.filters])})`);
          const [sum] = await rows(`SELECT (${parts.join(' + ')})::int AS n`, params);
          total = Number(sum?.n ?? 0);
        } else {
          const [count] = await rows(`SELECT COUNT(*)::int AS n ${needsState ? INVENTORY_FROM : 'FROM inventory_cameras i'} WHERE ${where}`, params);
          total = Number(count?.n ?? 0);
        }
        const limit = page ? ` LIMIT ${Math.max(0, Math.floor(page.limit))} OFFSET ${Math.max(0, Math.floor(page.offset))}` : '';
        // Keys first (sorted and paged from the inventory alone, index order), then the joins for that page only.
        const items = (
          await rows(
            `WITH k AS MATERIALIZED (SELECT i.agent_id, i.camera_id, i.area_id ${needsState ? INVENTORY_FROM : 'FROM inventory_cameras i'} WHERE ${where} ${ORDER}${limit})
             ${INVENTORY_COLUMNS} FROM k JOIN inventory_cameras i ON i.agent_id = k.agent_id AND i.camera_id = k.camera_id
               ${INVENTORY_FROM.slice(INVENTORY_FROM.indexOf('JOIN orgs'))}
             ORDER BY k.area_id, k.agent_id, k.camera_id`,
            params,
          )
        ).map(toInventoryCamera);
        return { items, total };
      },
      async get(key: CameraKey) {
        const [r] = await rows(`${INVENTORY_SELECT} WHERE i.agent_id = $1 AND i.camera_id = $2`, [key.agentId, key.cameraId]);
        return r ? toInventoryCamera(r) : undefined;
      },
      async upsert(e: InventoryEntry) {
        const t = now();
        await db.query(
          `INSERT INTO inventory_cameras (agent_id, camera_id, name, site_id, owner_org_id, area_id, purposes, lat, lon, address,
             serial, mac, manufacturer, model, created_at, updated_at, owner_kind, search)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, COALESCE((SELECT kind FROM orgs WHERE id = $5), ''), $16)
           ON CONFLICT (agent_id, camera_id) DO UPDATE SET name = excluded.name, site_id = excluded.site_id,
             owner_org_id = excluded.owner_org_id, area_id = excluded.area_id, purposes = excluded.purposes,
             lat = excluded.lat, lon = excluded.lon, address = excluded.address, serial = excluded.serial, mac = excluded.mac,
             manufacturer = excluded.manufacturer, model = excluded.model, updated_at = excluded.updated_at,
             owner_kind = excluded.owner_kind, search = excluded.search`,
          [e.agentId, e.cameraId, e.name, e.siteId, e.ownerOrgId, e.areaId, e.purposes, e.lat, e.lon, e.address, e.serial, e.mac, e.manufacturer, e.model, t, cameraSearchText(e)],
        );
      },
      async upsertMany(entries: readonly InventoryEntry[]) {
        const t = now();
        // One row per camera (the last given wins, as with upsert one by one): a statement may not update a row twice.
        const unique = [...new Map(entries.map((e) => [`${e.agentId}\u0000${e.cameraId}`, e])).values()];
        for (let start = 0; start < unique.length; start += 2000) {
          const batch = unique.slice(start, start + 2000);
          const col = <K extends keyof InventoryEntry>(k: K) => batch.map((e) => e[k]);
          await db.query(
            `INSERT INTO inventory_cameras (agent_id, camera_id, name, site_id, owner_org_id, area_id, purposes, lat, lon, address,
               serial, mac, manufacturer, model, created_at, updated_at, owner_kind, search)
             SELECT x.agent_id, x.camera_id, x.name, x.site_id, x.owner_org_id, x.area_id, ARRAY(SELECT jsonb_array_elements_text(x.purposes)),
               x.lat, x.lon, x.address, x.serial, x.mac, x.manufacturer, x.model, $15, $15, COALESCE(o.kind, ''), x.search
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[], $8::float8[], $9::float8[], $10::text[],
               $11::text[], $12::text[], $13::text[], $14::text[], $16::text[])
               AS x(agent_id, camera_id, name, site_id, owner_org_id, area_id, purposes, lat, lon, address, serial, mac, manufacturer, model, search)
             LEFT JOIN orgs o ON o.id = x.owner_org_id
             ON CONFLICT (agent_id, camera_id) DO UPDATE SET name = excluded.name, site_id = excluded.site_id,
               owner_org_id = excluded.owner_org_id, area_id = excluded.area_id, purposes = excluded.purposes,
               lat = excluded.lat, lon = excluded.lon, address = excluded.address, serial = excluded.serial, mac = excluded.mac,
               manufacturer = excluded.manufacturer, model = excluded.model, updated_at = excluded.updated_at,
               owner_kind = excluded.owner_kind, search = excluded.search`,
            [col('agentId'), col('cameraId'), col('name'), col('siteId'), col('ownerOrgId'), col('areaId'), batch.map((e) => JSON.stringify(e.purposes)),
              col('lat'), col('lon'), col('address'), col('serial'), col('mac'), col('manufacturer'), col('model'), t, batch.map((e) => cameraSearchText(e))],
          );
        }
      },
      async mergeReported(agentId: string, cameras: readonly ReportedCamera[]) {
        const [site] = await rows('SELECT s.*, o.kind AS org_kind FROM site_agents sa JOIN sites s ON s.id = sa.site_id JOIN orgs o ON o.id = s.org_id WHERE sa.agent_id = $1', [agentId]);
        const t = now();
        let created = 0;
        for (const c of cameras) {
          if (site) {
            const r = await db.query(
              `INSERT INTO inventory_cameras (agent_id, camera_id, name, site_id, owner_org_id, area_id, purposes, lat, lon, address,
                 serial, mac, manufacturer, model, created_at, updated_at, owner_kind)
               VALUES ($1, $2, $3, $4, $5, $6, '{}', $7, $8, $9, $10, $11, $12, $13, $14, $14, $15)
               ON CONFLICT (agent_id, camera_id) DO NOTHING`,
              [agentId, c.cameraId, c.name ?? null, site.id, site.org_id, site.area_id, site.lat, site.lon, site.address,
                c.serial ?? null, c.mac ?? null, c.manufacturer ?? null, c.model ?? null, t, site.org_kind],
            );
            created += r.rowCount ?? 0;
          }
          await db.query(
            `UPDATE inventory_cameras SET name = COALESCE(name, $1), serial = COALESCE($2, serial), mac = COALESCE($3, mac),
               manufacturer = COALESCE($4, manufacturer), model = COALESCE($5, model), updated_at = $6
             WHERE agent_id = $7 AND camera_id = $8`,
            [c.name ?? null, c.serial ?? null, c.mac ?? null, c.manufacturer ?? null, c.model ?? null, t, agentId, c.cameraId],
          );
          await setSearch(agentId, c.cameraId);
        }
        return created;
      },
    },
  };
}

/** The SQLite implementation of the city model's repositories (see repositories.ts). */
import type { Db } from '../db/database.ts';
import type { DomainRepos, ReportedCamera } from './repositories.ts';
import { cameraSearchText, type InventoryScope, type PageRequest, type ResolvedFilter } from '../inventory/scope.ts';
import { fold } from '../inventory/query.ts';
import type { Area, CameraKey, CameraStatus, InventoryCamera, InventoryEntry, Org, OrgKind, Site } from './types.ts';

type Row = Record<string, unknown>;
const s = (v: unknown): string | null => (v == null ? null : String(v));
const n = (v: unknown): number | null => (v == null ? null : Number(v));

function toArea(r: Row): Area {
  return { id: r.id as string, parentId: s(r.parent_id), name: r.name as string, kind: r.kind as string, lat: n(r.lat), lon: n(r.lon) };
}
function toOrg(r: Row): Org {
  return {
    id: r.id as string,
    name: r.name as string,
    kind: r.kind as OrgKind,
    areaId: r.area_id as string,
    purposes: r.purposes == null ? null : (JSON.parse(r.purposes as string) as string[]),
  };
}
function toSite(r: Row): Site {
  return {
    id: r.id as string,
    name: r.name as string,
    orgId: r.org_id as string,
    areaId: r.area_id as string,
    address: s(r.address),
    lat: n(r.lat),
    lon: n(r.lon),
  };
}

// Live state is the fleet module's (cameras, agents): joined read-only here until the inventory
// keeps its own copy of the latest state (see README).
const INVENTORY_FROM = `FROM inventory_cameras i
  JOIN orgs o ON o.id = i.owner_org_id
  LEFT JOIN cameras c ON c.agent_id = i.agent_id AND c.camera_id = i.camera_id
  LEFT JOIN agents a ON a.id = i.agent_id`;

const INVENTORY_COLUMNS = `
  SELECT i.*, o.kind AS owner_kind, o.name AS owner_name,
    c.online AS c_online, c.recording AS c_recording, c.problem AS c_problem, c.updated_at AS c_updated,
    json_extract(c.conformance, '$.verdict') AS c_verdict,
    json_extract(c.record, '$.serialNumber') AS r_serial, json_extract(c.record, '$.scopes.mac') AS r_mac,
    a.online AS a_online`;

const INVENTORY_SELECT = `${INVENTORY_COLUMNS}
  FROM inventory_cameras i
  JOIN orgs o ON o.id = i.owner_org_id
  LEFT JOIN cameras c ON c.agent_id = i.agent_id AND c.camera_id = i.camera_id
  LEFT JOIN agents a ON a.id = i.agent_id`;

function toInventoryCamera(r: Row): InventoryCamera {
  const reported = r.c_updated != null;
  const agentOnline = r.a_online === 1;
  const online = reported && agentOnline && r.c_online === 1;
  const recording = online && r.c_recording === 1;
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
    purposes: JSON.parse(r.purposes as string) as string[],
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

export function createSqliteDomainRepos(db: Db): DomainRepos {
  const now = () => new Date().toISOString();
  /**
   * The total of a scope without text/state filters, from `inventory_scope_counts` (cameras per
   * area, owner kind, owner and purposes, kept by triggers): a few hundred rows to add up instead
   * of every camera in scope. Cameras reached only through a grant are counted directly (few).
   */
  const countFromSummary = (q: ScopedSql, all: boolean): number => {
    const and = (xs: string[]) => (xs.length ? xs.join(' AND ') : '1 = 1');
    let n = 0;
    if (all || q.base) n += Number(db.prepare(`SELECT COALESCE(SUM(n), 0) FROM inventory_scope_counts i WHERE ${and([...(all ? [] : [q.base!]), ...q.filters])}`).pluck().get(q.params));
    if (!all && q.grant) n += Number(db.prepare(`SELECT COUNT(*) FROM inventory_cameras i WHERE ${and([q.grant, ...(q.base ? [`NOT ${q.base}`] : []), ...q.filters])}`).pluck().get(q.params));
    return n;
  };
  return {
    areas: {
      async list() {
        return (db.prepare('SELECT * FROM areas ORDER BY id').all() as Row[]).map(toArea);
      },
      async upsert(a) {
        db.prepare(
          `INSERT INTO areas (id, parent_id, name, kind, lat, lon) VALUES (@id, @parentId, @name, @kind, @lat, @lon)
           ON CONFLICT (id) DO UPDATE SET parent_id = excluded.parent_id, name = excluded.name, kind = excluded.kind,
             lat = excluded.lat, lon = excluded.lon`,
        ).run(a);
      },
    },
    purposes: {
      async list() {
        return db.prepare('SELECT id, name FROM purposes ORDER BY id').all() as { id: string; name: string }[];
      },
      async upsert(p) {
        db.prepare('INSERT INTO purposes (id, name) VALUES (@id, @name) ON CONFLICT (id) DO UPDATE SET name = excluded.name').run(p);
      },
    },
    orgs: {
      async list() {
        return (db.prepare('SELECT * FROM orgs ORDER BY id').all() as Row[]).map(toOrg);
      },
      async get(id) {
        const r = db.prepare('SELECT * FROM orgs WHERE id = ?').get(id) as Row | undefined;
        return r ? toOrg(r) : undefined;
      },
      async upsert(o) {
        db.prepare(
          `INSERT INTO orgs (id, name, kind, area_id, purposes) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind, area_id = excluded.area_id, purposes = excluded.purposes`,
        ).run(o.id, o.name, o.kind, o.areaId, o.purposes ? JSON.stringify(o.purposes) : null);
        db.prepare('UPDATE orgs SET search = ? WHERE id = ?').run(fold(o.name), o.id);
        // Each camera carries its owner's kind so scope queries need no join.
        db.prepare('UPDATE inventory_cameras SET owner_kind = ? WHERE owner_org_id = ? AND owner_kind != ?').run(o.kind, o.id, o.kind);
      },
    },
    sites: {
      async list() {
        return (db.prepare('SELECT * FROM sites ORDER BY id').all() as Row[]).map(toSite);
      },
      async get(id) {
        const r = db.prepare('SELECT * FROM sites WHERE id = ?').get(id) as Row | undefined;
        return r ? toSite(r) : undefined;
      },
      async upsert(site) {
        db.prepare(
          `INSERT INTO sites (id, name, org_id, area_id, address, lat, lon, created_at)
           VALUES (@id, @name, @orgId, @areaId, @address, @lat, @lon, @createdAt)
           ON CONFLICT (id) DO UPDATE SET name = excluded.name, org_id = excluded.org_id, area_id = excluded.area_id,
             address = excluded.address, lat = excluded.lat, lon = excluded.lon`,
        ).run({ ...site, createdAt: now() });
      },
      async attachAgent(agentId, siteId) {
        db.prepare('INSERT INTO site_agents (agent_id, site_id) VALUES (?, ?) ON CONFLICT (agent_id) DO UPDATE SET site_id = excluded.site_id').run(agentId, siteId);
      },
      async siteOfAgent(agentId) {
        const r = db.prepare('SELECT s.* FROM site_agents sa JOIN sites s ON s.id = sa.site_id WHERE sa.agent_id = ?').get(agentId) as Row | undefined;
        return r ? toSite(r) : undefined;
      },
      async agentsOfSite(siteId) {
        return db.prepare('SELECT agent_id FROM site_agents WHERE site_id = ? ORDER BY agent_id').pluck().all(siteId) as string[];
      },
      async listPlacements() {
        return db.prepare('SELECT agent_id AS agentId, site_id AS siteId FROM site_agents ORDER BY agent_id').all() as Array<{ agentId: string; siteId: string }>;
      },
    },
    inventory: {
      async list() {
        return (db.prepare(`${INVENTORY_SELECT} ORDER BY i.area_id, i.agent_id, i.camera_id`).all() as Row[]).map(toInventoryCamera);
      },
      async listScoped(scope: InventoryScope, filter: ResolvedFilter, page?: PageRequest) {
        const q = scopedWhere(scope, filter);
        const { where, params, needsState } = q;
        if (where === null) return { items: [], total: 0 };
        // A broad scope (many cameras of an area subtree, or everything) walks the covering scope
        // index in list order and stops after the page; a narrow one is left to the planner (an
        // index search per area/owner, then a sort of its few keys).
        const plain = needsState ? INVENTORY_FROM : 'FROM inventory_cameras i';
        const total = q.summable ? countFromSummary(q, scope.all) : Number((db.prepare(`SELECT COUNT(*) AS n ${plain} WHERE ${where}`).get(params) as { n: number }).n);
        const broad = total > BROAD_SCOPE && (scope.all || scope.areaIds.length > 0);
        const inv = broad ? 'inventory_cameras i INDEXED BY inventory_cameras_scope' : 'inventory_cameras i';
        const from = needsState ? `FROM ${inv}${INVENTORY_FROM.slice(INVENTORY_FROM.indexOf('\n'))}` : `FROM ${inv}`;
        // Keys first (sorted, paged, from the inventory alone), then the joins for that page only.
        const limit = page ? ' LIMIT @limit OFFSET @offset' : '';
        // CROSS JOIN makes SQLite start from the page's keys (otherwise it may walk the whole inventory).
        const rows = db
          .prepare(
            `WITH k AS (SELECT i.agent_id, i.camera_id, i.area_id ${from} WHERE ${where} ORDER BY i.area_id, i.agent_id, i.camera_id${limit})
             ${INVENTORY_COLUMNS} FROM k CROSS JOIN inventory_cameras i ON i.agent_id = k.agent_id AND i.camera_id = k.camera_id
               ${INVENTORY_FROM.slice(INVENTORY_FROM.indexOf('JOIN orgs'))}
             ORDER BY k.area_id, k.agent_id, k.camera_id`,
          )
          .all({ ...params, ...(page ?? {}) }) as Row[];
        return { items: rows.map(toInventoryCamera), total };
      },
      async get(key: CameraKey) {
        const r = db.prepare(`${INVENTORY_SELECT} WHERE i.agent_id = ? AND i.camera_id = ?`).get(key.agentId, key.cameraId) as Row | undefined;
        return r ? toInventoryCamera(r) : undefined;
      },
      async upsert(e: InventoryEntry) {
        const t = now();
        db.prepare(
          `INSERT INTO inventory_cameras (agent_id, camera_id, name, site_id, owner_org_id, area_id, purposes, lat, lon, address,
             serial, mac, manufacturer, model, created_at, updated_at, owner_kind, search, purposes_key)
           VALUES (@agentId, @cameraId, @name, @siteId, @ownerOrgId, @areaId, @purposes, @lat, @lon, @address,
             @serial, @mac, @manufacturer, @model, @t, @t, COALESCE((SELECT kind FROM orgs WHERE id = @ownerOrgId), ''), @search, @purposesKey)
           ON CONFLICT (agent_id, camera_id) DO UPDATE SET name = excluded.name, site_id = excluded.site_id,
             owner_org_id = excluded.owner_org_id, area_id = excluded.area_id, purposes = excluded.purposes,
             lat = excluded.lat, lon = excluded.lon, address = excluded.address, serial = excluded.serial, mac = excluded.mac,
             manufacturer = excluded.manufacturer, model = excluded.model, updated_at = excluded.updated_at,
             owner_kind = excluded.owner_kind, search = excluded.search, purposes_key = excluded.purposes_key`,
        ).run({ ...e, purposes: JSON.stringify(e.purposes), t, search: cameraSearchText(e), purposesKey: `|${e.purposes.join('|')}|` });
      },
      async upsertMany(entries: readonly InventoryEntry[]) {
        // better-sqlite3 is synchronous: one transaction, no awaits inside.
        const one = this.upsert as (e: InventoryEntry) => Promise<void>;
        db.transaction(() => {
          for (const e of entries) void one(e);
        })();
      },
      async mergeReported(agentId: string, cameras: readonly ReportedCamera[]) {
        const site = db.prepare('SELECT s.* FROM site_agents sa JOIN sites s ON s.id = sa.site_id WHERE sa.agent_id = ?').get(agentId) as Row | undefined;
        const t = now();
        const insert = db.prepare(
          `INSERT INTO inventory_cameras (agent_id, camera_id, name, site_id, owner_org_id, area_id, purposes, lat, lon, address,
             serial, mac, manufacturer, model, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, '[]', ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (agent_id, camera_id) DO NOTHING`,
        );
        const cameraRow = db.prepare('SELECT * FROM inventory_cameras WHERE agent_id = ? AND camera_id = ?');
        const setDerived = db.prepare('UPDATE inventory_cameras SET search = ?, owner_kind = COALESCE((SELECT kind FROM orgs WHERE id = owner_org_id), owner_kind) WHERE agent_id = ? AND camera_id = ?');
        const refresh = db.prepare(
          `UPDATE inventory_cameras SET name = COALESCE(name, ?), serial = COALESCE(?, serial), mac = COALESCE(?, mac),
             manufacturer = COALESCE(?, manufacturer), model = COALESCE(?, model), updated_at = ?
           WHERE agent_id = ? AND camera_id = ?`,
        );
        let created = 0;
        db.transaction(() => {
          for (const c of cameras) {
            if (site) {
              created += insert.run(agentId, c.cameraId, c.name ?? null, site.id, site.org_id, site.area_id, site.lat, site.lon, site.address,
                c.serial ?? null, c.mac ?? null, c.manufacturer ?? null, c.model ?? null, t, t).changes;
            }
            refresh.run(c.name ?? null, c.serial ?? null, c.mac ?? null, c.manufacturer ?? null, c.model ?? null, t, agentId, c.cameraId);
            const r = cameraRow.get(agentId, c.cameraId) as Row | undefined;
            if (r) setDerived.run(cameraSearchText({ agentId, cameraId: c.cameraId, name: s(r.name), address: s(r.address), serial: s(r.serial), mac: s(r.mac), manufacturer: s(r.manufacturer), model: s(r.model) }), agentId, c.cameraId);
          }
        })();
        return created;
      },
    },
  };
}

/** Above this many cameras in scope, paging walks the list-order index instead of sorting. */
const BROAD_SCOPE = 20_000;

/** The status toInventoryCamera derives, as SQL (for the status filter). */
const STATUS_SQL = `CASE WHEN c.updated_at IS NULL THEN 'unknown'
  WHEN NOT (COALESCE(a.online, 0) = 1 AND c.online = 1) THEN 'offline'
  WHEN c.recording = 1 THEN 'online' ELSE 'not_recording' END`;

/**
 * WHERE clause of a scoped, filtered inventory query (named parameters), or null when the scope
 * reaches nothing. Lists travel as JSON arrays read with json_each (one statement whatever their length).
 */
export interface ScopedSql {
  where: string | null;
  params: Record<string, unknown>;
  needsState: boolean;
  /** Scope parts over columns the count summary has (ownership, area, kind, purposes), OR-ed; null: none. */
  base: string | null;
  /** The grant part (explicit cameras); null: none. */
  grant: string | null;
  /** Filters, all over summary columns unless `summable` is false (text, status, conformance). */
  filters: string[];
  summable: boolean;
}

export function scopedWhere(scope: InventoryScope, f: ResolvedFilter): ScopedSql {
  const params: Record<string, unknown> = {};
  const reach: string[] = [];
  let grant: string | null = null;
  if (!scope.all) {
    if (scope.ownOrgId) {
      params.ownOrg = scope.ownOrgId;
      reach.push('i.owner_org_id = @ownOrg');
    }
    if (scope.areaIds.length) {
      params.scopeAreas = JSON.stringify(scope.areaIds);
      const parts = ['i.area_id IN (SELECT value FROM json_each(@scopeAreas))'];
      if (scope.excludeOwnerKinds.length) {
        params.excludeKinds = JSON.stringify(scope.excludeOwnerKinds);
        parts.push('i.owner_kind NOT IN (SELECT value FROM json_each(@excludeKinds))');
      }
      if (scope.purposes) {
        if (!scope.purposes.length) parts.push('0');
        else parts.push(`(${scope.purposes.map((pp, k) => { params[`scopePurpose${k}`] = `|${pp}|`; return `instr(i.purposes_key, @scopePurpose${k}) > 0`; }).join(' OR ')})`);
      }
      reach.push(`(${parts.join(' AND ')})`);
    }
    if (scope.grantCameras.length) {
      params.grantCams = JSON.stringify(scope.grantCameras.map((g) => [g.agentId, g.cameraId, g.ownerOrgId]));
      grant = `(i.agent_id, i.camera_id, i.owner_org_id) IN (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]') FROM json_each(@grantCams))`;
    }
    if (!reach.length && !grant) return { where: null, params, needsState: false, base: null, grant: null, filters: [], summable: false };
  }
  const base = reach.length ? `(${reach.join(' OR ')})` : null;
  const scopeCond = scope.all ? [] : [`(${[...reach, ...(grant ? [grant] : [])].join(' OR ')})`];
  const conds: string[] = [];
  if (f.areaIds) {
    params.filterAreas = JSON.stringify(f.areaIds);
    conds.push('i.area_id IN (SELECT value FROM json_each(@filterAreas))');
  }
  if (f.purpose) {
    params.purpose = `|${f.purpose}|`;
    conds.push('instr(i.purposes_key, @purpose) > 0');
  }
  if (f.owner) {
    params.owner = f.owner;
    conds.push('i.owner_org_id = @owner');
  }
  if (f.ownerKind) {
    params.ownerKind = f.ownerKind;
    conds.push('i.owner_kind = @ownerKind');
  }
  const summableFilters = conds.slice();
  f.terms.forEach((t, k) => {
    params[`term${k}`] = `%${t.term.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    params[`termAreas${k}`] = JSON.stringify(t.areaIds);
    conds.push(`(i.search LIKE @term${k} ESCAPE '\\' OR i.owner_org_id IN (SELECT id FROM orgs WHERE search LIKE @term${k} ESCAPE '\\') OR i.area_id IN (SELECT value FROM json_each(@termAreas${k})))`);
  });
  let needsState = false;
  if (f.status) {
    params.status = f.status;
    conds.push(`${STATUS_SQL} = @status`);
    needsState = true;
  }
  if (f.conformance) {
    params.conformance = f.conformance;
    conds.push("json_extract(c.conformance, '$.verdict') = @conformance");
    needsState = true;
  }
  const all = [...scopeCond, ...conds];
  return { where: all.length ? all.join(' AND ') : '1 = 1', params, needsState, base, grant, filters: conds, summable: !needsState && f.terms.length === 0 && summableFilters.length === conds.length };
}

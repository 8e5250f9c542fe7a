import type { Migration } from '../db/database.ts';

/**
 * The city model: the area tree (any depth), purposes, organisations, sites, which agent sits at
 * which site, and the inventory of cameras with their owner, purposes and location. Live camera
 * state stays in the fleet module's `cameras` table; the inventory joins it.
 */
export const DOMAIN_MIGRATIONS: Migration[] = [
  {
    id: 'domain-001',
    sql: `
      CREATE TABLE areas (
        id TEXT PRIMARY KEY,
        parent_id TEXT REFERENCES areas(id),
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        lat REAL,
        lon REAL
      );
      CREATE INDEX areas_parent ON areas(parent_id);
      CREATE TABLE purposes (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL
      );
      CREATE TABLE orgs (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        area_id TEXT NOT NULL REFERENCES areas(id),
        purposes TEXT
      );
      CREATE TABLE sites (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        org_id TEXT NOT NULL REFERENCES orgs(id),
        area_id TEXT NOT NULL REFERENCES areas(id),
        address TEXT,
        lat REAL,
        lon REAL,
        created_at TEXT NOT NULL
      );
      CREATE TABLE site_agents (
        agent_id TEXT PRIMARY KEY,
        site_id TEXT NOT NULL REFERENCES sites(id)
      );
      CREATE TABLE inventory_cameras (
        agent_id TEXT NOT NULL,
        camera_id TEXT NOT NULL,
        name TEXT,
        site_id TEXT REFERENCES sites(id),
        owner_org_id TEXT NOT NULL REFERENCES orgs(id),
        area_id TEXT NOT NULL REFERENCES areas(id),
        purposes TEXT NOT NULL DEFAULT '[]',
        lat REAL,
        lon REAL,
        address TEXT,
        serial TEXT,
        mac TEXT,
        manufacturer TEXT,
        model TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (agent_id, camera_id)
      );
      CREATE INDEX inventory_cameras_area ON inventory_cameras(area_id);
      CREATE INDEX inventory_cameras_owner ON inventory_cameras(owner_org_id);
      ALTER TABLE users ADD COLUMN org_id TEXT REFERENCES orgs(id);
    `,
  },
  {
    id: 'domain-002',
    // Scope and search pushed into SQL (issue 12): the owner's kind copied onto each camera (state
    // vs private owners without a join), folded search text (lowercase, no diacritics) kept by the
    // adapter on write, and an index matching the list order.
    sql: `
      ALTER TABLE inventory_cameras ADD COLUMN owner_kind TEXT NOT NULL DEFAULT '';
      ALTER TABLE inventory_cameras ADD COLUMN search TEXT NOT NULL DEFAULT '';
      ALTER TABLE orgs ADD COLUMN search TEXT NOT NULL DEFAULT '';
      UPDATE inventory_cameras SET owner_kind = (SELECT kind FROM orgs WHERE orgs.id = inventory_cameras.owner_org_id);
      UPDATE orgs SET search = lower(name);
      UPDATE inventory_cameras SET search = lower(agent_id || ' ' || camera_id || ' ' || COALESCE(name, '') || ' ' || COALESCE(address, '') || ' ' ||
        COALESCE(serial, '') || ' ' || COALESCE(mac, '') || ' ' || COALESCE(manufacturer, '') || ' ' || COALESCE(model, ''));
      CREATE INDEX inventory_cameras_order ON inventory_cameras(area_id, agent_id, camera_id);
    `,
  },
  {
    id: 'domain-003',
    // Purposes as '|a|b|' beside the JSON list: a scope's purpose test becomes a few instr() per
    // row instead of parsing JSON per row (measured 6 µs → well under 1 µs per camera).
    sql: `
      ALTER TABLE inventory_cameras ADD COLUMN purposes_key TEXT NOT NULL DEFAULT '||';
      UPDATE inventory_cameras SET purposes_key = '|' || COALESCE((SELECT group_concat(value, '|') FROM json_each(inventory_cameras.purposes)), '') || '|';
      -- list order plus every column a scope tests: counting and paging a scope reads this index only
      DROP INDEX inventory_cameras_order;
      CREATE INDEX inventory_cameras_scope ON inventory_cameras(area_id, agent_id, camera_id, owner_kind, owner_org_id, purposes_key);
    `,
  },
  {
    id: 'domain-004',
    // How many cameras share each (area, owner kind, owner, purposes): the total of a scoped list
    // adds up these few rows instead of counting every camera in scope (inventory at city scale).
    sql: `
      CREATE TABLE inventory_scope_counts (
        area_id TEXT NOT NULL,
        owner_kind TEXT NOT NULL,
        owner_org_id TEXT NOT NULL,
        purposes_key TEXT NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (area_id, owner_kind, owner_org_id, purposes_key)
      ) WITHOUT ROWID;
      INSERT INTO inventory_scope_counts SELECT area_id, owner_kind, owner_org_id, purposes_key, COUNT(*) FROM inventory_cameras GROUP BY 1, 2, 3, 4;
      CREATE TRIGGER inventory_scope_counts_insert AFTER INSERT ON inventory_cameras BEGIN
        INSERT INTO inventory_scope_counts VALUES (new.area_id, new.owner_kind, new.owner_org_id, new.purposes_key, 1)
          ON CONFLICT (area_id, owner_kind, owner_org_id, purposes_key) DO UPDATE SET n = n + 1;
      END;
      CREATE TRIGGER inventory_scope_counts_delete AFTER DELETE ON inventory_cameras BEGIN
        UPDATE inventory_scope_counts SET n = n - 1
          WHERE area_id = old.area_id AND owner_kind = old.owner_kind AND owner_org_id = old.owner_org_id AND purposes_key = old.purposes_key;
        DELETE FROM inventory_scope_counts WHERE n <= 0;
      END;
      CREATE TRIGGER inventory_scope_counts_update AFTER UPDATE OF area_id, owner_kind, owner_org_id, purposes_key ON inventory_cameras BEGIN
        UPDATE inventory_scope_counts SET n = n - 1
          WHERE area_id = old.area_id AND owner_kind = old.owner_kind AND owner_org_id = old.owner_org_id AND purposes_key = old.purposes_key;
        DELETE FROM inventory_scope_counts WHERE n <= 0;
        INSERT INTO inventory_scope_counts VALUES (new.area_id, new.owner_kind, new.owner_org_id, new.purposes_key, 1)
          ON CONFLICT (area_id, owner_kind, owner_org_id, purposes_key) DO UPDATE SET n = n + 1;
      END;
    `,
  },
];

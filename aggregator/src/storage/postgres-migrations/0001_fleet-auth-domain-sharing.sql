-- Up Migration
-- PostgreSQL schema of the fleet, users/tokens, the city model (domain) and sharing.
-- Times are ISO-8601 UTC text, as on SQLite (they sort as text); lists are text[] (GIN-indexed
-- where scope queries filter on them).

CREATE TABLE agents (
  id TEXT PRIMARY KEY,
  name TEXT,
  secret_hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT,
  online BOOLEAN NOT NULL DEFAULT false,
  last_seen_at TEXT,
  connected_at TEXT,
  version TEXT,
  build TEXT,
  heartbeat JSONB
);

CREATE TABLE cameras (
  agent_id TEXT NOT NULL REFERENCES agents(id),
  camera_id TEXT NOT NULL,
  name TEXT,
  online BOOLEAN NOT NULL DEFAULT false,
  recording BOOLEAN NOT NULL DEFAULT false,
  problem TEXT,
  record JSONB,
  conformance JSONB,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (agent_id, camera_id)
);

CREATE TABLE users (
  id SERIAL PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL,
  created_at TEXT NOT NULL,
  disabled_at TEXT,
  org_id TEXT
);

CREATE TABLE api_tokens (
  id SERIAL PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  expires_at TEXT,
  revoked_at TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE areas (
  id TEXT PRIMARY KEY,
  parent_id TEXT REFERENCES areas(id),
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  lat DOUBLE PRECISION,
  lon DOUBLE PRECISION
);
CREATE INDEX areas_parent ON areas (parent_id);

CREATE TABLE purposes (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL
);

CREATE TABLE orgs (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  area_id TEXT NOT NULL REFERENCES areas(id),
  purposes TEXT[],
  -- lowercase, without diacritics: free-text search of the inventory by owner
  search TEXT NOT NULL DEFAULT ''
);
ALTER TABLE users ADD CONSTRAINT users_org FOREIGN KEY (org_id) REFERENCES orgs(id);

CREATE TABLE sites (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  org_id TEXT NOT NULL REFERENCES orgs(id),
  area_id TEXT NOT NULL REFERENCES areas(id),
  address TEXT,
  lat DOUBLE PRECISION,
  lon DOUBLE PRECISION,
  created_at TEXT NOT NULL
);

CREATE TABLE site_agents (
  agent_id TEXT PRIMARY KEY,
  site_id TEXT NOT NULL REFERENCES sites(id)
);
CREATE INDEX site_agents_site ON site_agents (site_id);

CREATE TABLE inventory_cameras (
  agent_id TEXT NOT NULL,
  camera_id TEXT NOT NULL,
  name TEXT,
  site_id TEXT REFERENCES sites(id),
  owner_org_id TEXT NOT NULL REFERENCES orgs(id),
  area_id TEXT NOT NULL REFERENCES areas(id),
  purposes TEXT[] NOT NULL DEFAULT '{}',
  lat DOUBLE PRECISION,
  lon DOUBLE PRECISION,
  address TEXT,
  serial TEXT,
  mac TEXT,
  manufacturer TEXT,
  model TEXT,
  -- owner kind copied from orgs: scope filters (state vs private owners) without a join
  owner_kind TEXT NOT NULL,
  search TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (agent_id, camera_id)
);
CREATE INDEX inventory_cameras_area ON inventory_cameras (area_id, agent_id, camera_id);
CREATE INDEX inventory_cameras_owner ON inventory_cameras (owner_org_id);
CREATE INDEX inventory_cameras_purposes ON inventory_cameras USING GIN (purposes);

CREATE TABLE sharing_grants (
  id TEXT PRIMARY KEY,
  owner_org_id TEXT NOT NULL REFERENCES orgs(id),
  grantee_org_ids TEXT[] NOT NULL,
  grantee_kinds TEXT[] NOT NULL,
  levels TEXT[] NOT NULL,
  purposes TEXT[] NOT NULL,
  hours_from INTEGER,
  hours_to INTEGER,
  valid_from TEXT NOT NULL,
  valid_until TEXT,
  consent_version TEXT NOT NULL,
  consented_at TEXT NOT NULL,
  consented_by INTEGER NOT NULL REFERENCES users(id),
  revoked_at TEXT,
  revoked_by INTEGER REFERENCES users(id)
);
CREATE INDEX sharing_grants_owner ON sharing_grants (owner_org_id);
CREATE INDEX sharing_grants_grantee_orgs ON sharing_grants USING GIN (grantee_org_ids);
CREATE INDEX sharing_grants_grantee_kinds ON sharing_grants USING GIN (grantee_kinds);

CREATE TABLE sharing_grant_cameras (
  grant_id TEXT NOT NULL REFERENCES sharing_grants(id),
  agent_id TEXT NOT NULL,
  camera_id TEXT NOT NULL,
  PRIMARY KEY (grant_id, agent_id, camera_id)
);
CREATE INDEX sharing_grant_cameras_camera ON sharing_grant_cameras (agent_id, camera_id);

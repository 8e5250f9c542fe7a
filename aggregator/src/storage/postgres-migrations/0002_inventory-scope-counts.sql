-- Up Migration
-- How many cameras share each (area, owner kind, owner, purposes): the total of a scoped list
-- adds up these few rows instead of counting every camera in scope. Kept by a trigger.

CREATE TABLE inventory_scope_counts (
  area_id TEXT NOT NULL,
  owner_kind TEXT NOT NULL,
  owner_org_id TEXT NOT NULL,
  purposes TEXT[] NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (area_id, owner_kind, owner_org_id, purposes)
);

INSERT INTO inventory_scope_counts
  SELECT area_id, owner_kind, owner_org_id, purposes, COUNT(*) FROM inventory_cameras GROUP BY 1, 2, 3, 4;

CREATE FUNCTION inventory_scope_counts_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    UPDATE inventory_scope_counts SET n = n - 1
      WHERE area_id = OLD.area_id AND owner_kind = OLD.owner_kind AND owner_org_id = OLD.owner_org_id AND purposes = OLD.purposes;
    DELETE FROM inventory_scope_counts
      WHERE area_id = OLD.area_id AND owner_kind = OLD.owner_kind AND owner_org_id = OLD.owner_org_id AND purposes = OLD.purposes AND n <= 0;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO inventory_scope_counts VALUES (NEW.area_id, NEW.owner_kind, NEW.owner_org_id, NEW.purposes, 1)
      ON CONFLICT (area_id, owner_kind, owner_org_id, purposes) DO UPDATE SET n = inventory_scope_counts.n + 1;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER inventory_scope_counts_insert_delete AFTER INSERT OR DELETE ON inventory_cameras
  FOR EACH ROW EXECUTE FUNCTION inventory_scope_counts_keep();
CREATE TRIGGER inventory_scope_counts_update AFTER UPDATE OF area_id, owner_kind, owner_org_id, purposes ON inventory_cameras
  FOR EACH ROW WHEN (ROW(OLD.area_id, OLD.owner_kind, OLD.owner_org_id, OLD.purposes) IS DISTINCT FROM ROW(NEW.area_id, NEW.owner_kind, NEW.owner_org_id, NEW.purposes))
  EXECUTE FUNCTION inventory_scope_counts_keep();

-- The list order with the scope columns: paging a broad scope walks this index.
CREATE INDEX inventory_cameras_scope ON inventory_cameras (area_id, agent_id, camera_id) INCLUDE (owner_kind, owner_org_id);

-- The org's transparency log: one entry per published revision (entry i is
-- revision i+1), and the hash of every complete Merkle subtree.
CREATE TABLE log_entries (
    org_id uuid NOT NULL REFERENCES orgs(id),
    idx    bigint NOT NULL CHECK (idx >= 0),
    data   bytea NOT NULL,
    PRIMARY KEY (org_id, idx)
);

CREATE TABLE log_nodes (
    org_id uuid NOT NULL REFERENCES orgs(id),
    level  smallint NOT NULL CHECK (level >= 0 AND level < 64),
    idx    bigint NOT NULL CHECK (idx >= 0),
    hash   bytea NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (org_id, level, idx)
);

ALTER TABLE log_entries ENABLE ROW LEVEL SECURITY;
ALTER TABLE log_entries FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON log_entries
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
    WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
ALTER TABLE log_nodes ENABLE ROW LEVEL SECURITY;
ALTER TABLE log_nodes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON log_nodes
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
    WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);

CREATE FUNCTION refuse_log_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the transparency log is append-only';
END;
$$;
CREATE TRIGGER log_entries_are_append_only BEFORE UPDATE OR DELETE ON log_entries
    FOR EACH ROW EXECUTE FUNCTION refuse_log_change();
CREATE TRIGGER log_nodes_are_append_only BEFORE UPDATE OR DELETE ON log_nodes
    FOR EACH ROW EXECUTE FUNCTION refuse_log_change();

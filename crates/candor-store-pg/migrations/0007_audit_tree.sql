-- The audit log as a Merkle tree too (its entries stay in audit_log): the same
-- machinery as the public transparency log, signed with a separate key.
CREATE TABLE audit_nodes (
    org_id uuid NOT NULL REFERENCES orgs(id),
    level  smallint NOT NULL CHECK (level >= 0 AND level < 64),
    idx    bigint NOT NULL CHECK (idx >= 0),
    hash   bytea NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (org_id, level, idx)
);
ALTER TABLE audit_nodes ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_nodes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_nodes
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
    WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
CREATE TRIGGER audit_nodes_are_append_only BEFORE UPDATE OR DELETE ON audit_nodes
    FOR EACH ROW EXECUTE FUNCTION refuse_audit_change();

-- The audit log as a Merkle tree too (its entries stay in audit_log): the same
-- machinery as the public transparency log, signed with a separate key.
CREATE TABLE audit_nodes (
    org_id TEXT NOT NULL REFERENCES orgs(id),
    level  INTEGER NOT NULL CHECK (level >= 0 AND level < 64),
    idx    INTEGER NOT NULL CHECK (idx >= 0),
    hash   BLOB NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (org_id, level, idx)
) STRICT;
CREATE TRIGGER audit_nodes_are_append_only_update BEFORE UPDATE ON audit_nodes
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_nodes_are_append_only_delete BEFORE DELETE ON audit_nodes
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

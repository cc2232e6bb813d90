-- The org's transparency log: one entry per published revision (entry i is
-- revision i+1), and the hash of every complete Merkle subtree.
CREATE TABLE log_entries (
    org_id TEXT NOT NULL REFERENCES orgs(id),
    idx    INTEGER NOT NULL CHECK (idx >= 0),
    data   BLOB NOT NULL,
    PRIMARY KEY (org_id, idx)
) STRICT;

CREATE TABLE log_nodes (
    org_id TEXT NOT NULL REFERENCES orgs(id),
    level  INTEGER NOT NULL CHECK (level >= 0 AND level < 64),
    idx    INTEGER NOT NULL CHECK (idx >= 0),
    hash   BLOB NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (org_id, level, idx)
) STRICT;

CREATE TRIGGER log_entries_are_append_only_update BEFORE UPDATE ON log_entries
BEGIN SELECT RAISE(ABORT, 'the transparency log is append-only'); END;
CREATE TRIGGER log_entries_are_append_only_delete BEFORE DELETE ON log_entries
BEGIN SELECT RAISE(ABORT, 'the transparency log is append-only'); END;
CREATE TRIGGER log_nodes_are_append_only_update BEFORE UPDATE ON log_nodes
BEGIN SELECT RAISE(ABORT, 'the transparency log is append-only'); END;
CREATE TRIGGER log_nodes_are_append_only_delete BEFORE DELETE ON log_nodes
BEGIN SELECT RAISE(ABORT, 'the transparency log is append-only'); END;

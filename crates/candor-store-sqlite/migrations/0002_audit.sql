-- Audit log of privileged writes: a hash chain per org, plus its head.
CREATE TABLE audit_log (
    org_id    TEXT NOT NULL REFERENCES orgs(id),
    seq       INTEGER NOT NULL CHECK (seq > 0),
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    target    TEXT NOT NULL,
    at        TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL,
    PRIMARY KEY (org_id, seq)
) STRICT;

-- The last entry's number and hash, so that removing entries from the end shows.
CREATE TABLE audit_heads (
    org_id TEXT PRIMARY KEY REFERENCES orgs(id),
    seq    INTEGER NOT NULL,
    hash   TEXT NOT NULL
) STRICT;

CREATE TRIGGER audit_log_is_append_only_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_is_append_only_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

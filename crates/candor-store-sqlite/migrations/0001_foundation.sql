-- Org directory: routing data only (slug, display name).
CREATE TABLE orgs (
    id         TEXT PRIMARY KEY,
    slug       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;

-- One working draft per org.
CREATE TABLE drafts (
    org_id     TEXT PRIMARY KEY REFERENCES orgs(id),
    content    TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

-- Published revisions: canonical JSON and its SHA-256, never changed once written.
CREATE TABLE revisions (
    org_id       TEXT NOT NULL REFERENCES orgs(id),
    number       INTEGER NOT NULL CHECK (number > 0),
    content_hash TEXT NOT NULL,
    content      TEXT NOT NULL,
    published_at TEXT NOT NULL,
    PRIMARY KEY (org_id, number)
) STRICT;

CREATE TRIGGER revisions_are_immutable_update BEFORE UPDATE ON revisions
BEGIN
    SELECT RAISE(ABORT, 'revisions are immutable');
END;

CREATE TRIGGER revisions_are_immutable_delete BEFORE DELETE ON revisions
BEGIN
    SELECT RAISE(ABORT, 'revisions are immutable');
END;

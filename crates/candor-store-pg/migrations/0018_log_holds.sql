-- See the SQLite migration 0017_log_holds.sql. A tenant table: row-level
-- security and the app role's grants come from the tenant registry at start-up.
CREATE TABLE log_holds (
    org_id        uuid PRIMARY KEY REFERENCES orgs(id),
    restored_size bigint NOT NULL,
    held_at       timestamptz NOT NULL,
    released_at   timestamptz,
    outcome       text CHECK (outcome IN ('recovered', 'unrecoverable')),
    released_size bigint
);

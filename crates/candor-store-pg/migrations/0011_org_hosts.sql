-- See the SQLite migration of the same number. No row-level security: like the
-- slug, a host name is looked up before the org is known.
CREATE TABLE org_hosts (
    host   text PRIMARY KEY,
    org_id uuid NOT NULL UNIQUE REFERENCES orgs(id)
);

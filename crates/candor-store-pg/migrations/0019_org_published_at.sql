-- See the SQLite migration 0018_org_published_at.sql. The app role may update
-- this one column of the directory (the grant comes from GLOBAL_TABLES).
ALTER TABLE orgs ADD COLUMN published_at timestamptz;
CREATE INDEX orgs_published_at ON orgs (published_at);

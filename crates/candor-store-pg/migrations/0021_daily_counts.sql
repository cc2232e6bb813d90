-- See the SQLite migration 0020_daily_counts.sql. A tenant table: row-level
-- security and the app role's grants come from the tenant registry at start-up.
CREATE TABLE daily_counts (
    org_id   uuid NOT NULL REFERENCES orgs(id),
    day      text NOT NULL CHECK (length(day) = 10),
    metric   text NOT NULL CHECK (metric IN ('page_view', 'document_view', 'document_download', 'access_request')),
    referrer text NOT NULL DEFAULT '',
    count    bigint NOT NULL CHECK (count >= 0),
    PRIMARY KEY (org_id, day, metric, referrer)
);

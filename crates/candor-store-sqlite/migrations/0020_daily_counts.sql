-- Privacy-preserving analytics: per org and UTC day, how many page views,
-- document views and downloads, and access requests. Counts only: no address,
-- no cookie, no identifier of a reader; the referrer is its host alone ('' when
-- none was sent). Replicas add their counts (count = count + n).
CREATE TABLE daily_counts (
    org_id   TEXT NOT NULL REFERENCES orgs(id),
    day      TEXT NOT NULL CHECK (length(day) = 10),
    metric   TEXT NOT NULL CHECK (metric IN ('page_view', 'document_view', 'document_download', 'access_request')),
    referrer TEXT NOT NULL DEFAULT '',
    count    INTEGER NOT NULL CHECK (count >= 0),
    PRIMARY KEY (org_id, day, metric, referrer)
) STRICT;

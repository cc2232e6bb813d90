-- When the org last published (or recovered) a revision, by the clock of the
-- process that stored it. Every replica polls this once a second to re-check
-- the cached pages of orgs that just published, so a publish through one
-- replica shows on the others at once while each page is otherwise checked
-- against the database only every few seconds.
ALTER TABLE orgs ADD COLUMN published_at TEXT;
CREATE INDEX orgs_published_at ON orgs (published_at);

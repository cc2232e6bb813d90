-- A restore from a backup can leave an org's transparency log shorter than the
-- one readers have already seen; publishing the next revision then would fork
-- it. `candor backup restore` holds each org here, and publishing is refused
-- until the missing entries are replayed from a copy of the public log
-- (`candor log recover --from URL`: outcome 'recovered'), or the operator states
-- that none can be found (`--unrecoverable`), which the trust page then says.
CREATE TABLE log_holds (
    org_id        TEXT PRIMARY KEY REFERENCES orgs(id),
    restored_size INTEGER NOT NULL,
    held_at       TEXT NOT NULL,
    released_at   TEXT,
    outcome       TEXT CHECK (outcome IN ('recovered', 'unrecoverable')),
    released_size INTEGER
) STRICT;

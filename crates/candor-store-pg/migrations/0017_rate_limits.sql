-- See the SQLite migration 0016_rate_limits.sql. Not a tenant table: the app
-- role's grants come from the list of global tables at start-up.
CREATE TABLE rate_limits (
    bucket       text NOT NULL,
    window_start bigint NOT NULL,
    hits         integer NOT NULL,
    PRIMARY KEY (bucket, window_start)
);
CREATE INDEX rate_limits_window ON rate_limits (window_start);

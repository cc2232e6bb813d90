-- Rate-limit counters every replica shares (password checks, reset mails), so a
-- load balancer spreading one client over several replicas does not multiply
-- its budget. Buckets are hashes (of an address, an account), never the
-- address itself; a window is named by its start in Unix seconds.
CREATE TABLE rate_limits (
    bucket       TEXT NOT NULL,
    window_start INTEGER NOT NULL,
    hits         INTEGER NOT NULL,
    PRIMARY KEY (bucket, window_start)
) STRICT;
CREATE INDEX rate_limits_window ON rate_limits (window_start);

-- Host names an org claims, and whether it proved it controls them (a token at
-- https://HOST/.well-known/candor-verification.txt). Checks only ever run
-- against verified hosts.
CREATE TABLE host_claims (
    org_id      TEXT NOT NULL REFERENCES orgs(id),
    host        TEXT NOT NULL,
    token       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    verified_at TEXT,
    PRIMARY KEY (org_id, host)
) STRICT;

-- The latest result of each check on each host, with what was observed.
CREATE TABLE evidence (
    org_id        TEXT NOT NULL REFERENCES orgs(id),
    host          TEXT NOT NULL,
    check_kind    TEXT NOT NULL,
    ran_at        TEXT NOT NULL,
    ran_ms        INTEGER NOT NULL,
    verdict       TEXT NOT NULL CHECK (verdict IN ('pass', 'warn', 'fail')),
    summary       TEXT NOT NULL,
    findings      TEXT NOT NULL,
    failing_since TEXT,
    PRIMARY KEY (org_id, host, check_kind)
) STRICT;

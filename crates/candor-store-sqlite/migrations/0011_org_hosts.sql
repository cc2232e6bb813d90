-- Host names an org is also served on (its own domain, pointed at Candor by the
-- operator), e.g. for /.well-known/security.txt. Directory data, like slugs.
CREATE TABLE org_hosts (
    host   TEXT PRIMARY KEY,
    org_id TEXT NOT NULL UNIQUE REFERENCES orgs(id)
) STRICT;

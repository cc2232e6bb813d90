-- Certificates Candor obtains itself over ACME (RFC 8555) for its own host and
-- for org hosts whose control was proven, shared by every replica: the chain,
-- its private key sealed with the master key (bound to the host), and when the
-- next attempt is due (renewal, or a retry after a failure). Like org_hosts,
-- rows are looked up by host name before any org is known.
CREATE TABLE acme_certificates (
    host            TEXT PRIMARY KEY,
    chain_pem       TEXT,
    key_nonce       BLOB,
    key_ciphertext  BLOB,
    not_after       TEXT,
    issued_at       TEXT,
    attempted_at    TEXT,
    last_error      TEXT,
    failures        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    leased_until    TEXT
) STRICT;

-- HTTP-01 answers of pending challenges, so that whichever replica the CA
-- reaches can answer.
CREATE TABLE acme_challenges (
    token             TEXT PRIMARY KEY,
    key_authorization TEXT NOT NULL,
    created_at        TEXT NOT NULL
) STRICT;

-- One ACME account per directory URL; its credentials sealed with the master key.
CREATE TABLE acme_accounts (
    directory  TEXT PRIMARY KEY,
    nonce      BLOB NOT NULL,
    ciphertext BLOB NOT NULL,
    created_at TEXT NOT NULL
) STRICT;

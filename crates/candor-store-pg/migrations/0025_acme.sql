-- See the SQLite migration 0024_acme.sql. No row-level security: like
-- org_hosts, a certificate is looked up by host name before the org is known.
CREATE TABLE acme_certificates (
    host            text PRIMARY KEY,
    chain_pem       text,
    key_nonce       bytea,
    key_ciphertext  bytea,
    not_after       timestamptz,
    issued_at       timestamptz,
    attempted_at    timestamptz,
    last_error      text,
    failures        bigint NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    leased_until    timestamptz
);

CREATE TABLE acme_challenges (
    token             text PRIMARY KEY,
    key_authorization text NOT NULL,
    created_at        timestamptz NOT NULL
);

CREATE TABLE acme_accounts (
    directory  text PRIMARY KEY,
    nonce      bytea NOT NULL,
    ciphertext bytea NOT NULL,
    created_at timestamptz NOT NULL
);

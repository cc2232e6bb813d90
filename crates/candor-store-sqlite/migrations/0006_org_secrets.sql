-- Per-org secrets (the transparency log's signing key), sealed with the
-- operator's master key: XChaCha20-Poly1305, bound to the org and the purpose.
CREATE TABLE org_secrets (
    org_id     TEXT NOT NULL REFERENCES orgs(id),
    purpose    TEXT NOT NULL,
    nonce      BLOB NOT NULL,
    ciphertext BLOB NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (org_id, purpose)
) STRICT;

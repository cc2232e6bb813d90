-- Per-org secrets (the transparency log's signing key), sealed with the
-- operator's master key: XChaCha20-Poly1305, bound to the org and the purpose.
CREATE TABLE org_secrets (
    org_id     uuid NOT NULL REFERENCES orgs(id),
    purpose    text NOT NULL,
    nonce      bytea NOT NULL,
    ciphertext bytea NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (org_id, purpose)
);
ALTER TABLE org_secrets ENABLE ROW LEVEL SECURITY;
ALTER TABLE org_secrets FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON org_secrets
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
    WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);

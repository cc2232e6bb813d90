-- See the SQLite migration of the same number.
CREATE TABLE vuln_reports (
    id              uuid PRIMARY KEY,
    org_id          uuid NOT NULL REFERENCES orgs(id),
    received_at     timestamptz NOT NULL,
    ack_due_at      timestamptz NOT NULL,
    acknowledged_at timestamptz,
    key_version     integer NOT NULL,
    nonce           bytea NOT NULL,
    ciphertext      bytea NOT NULL
);
ALTER TABLE vuln_reports ENABLE ROW LEVEL SECURITY;
ALTER TABLE vuln_reports FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON vuln_reports
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
    WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);

-- Audit log of privileged writes: a hash chain per org, plus its head.
CREATE TABLE audit_log (
    org_id    uuid NOT NULL REFERENCES orgs(id),
    seq       bigint NOT NULL CHECK (seq > 0),
    actor     text NOT NULL,
    action    text NOT NULL,
    target    text NOT NULL,
    at        timestamptz NOT NULL,
    prev_hash text NOT NULL,
    hash      text NOT NULL,
    PRIMARY KEY (org_id, seq)
);

-- The last entry's number and hash, so that removing entries from the end shows.
CREATE TABLE audit_heads (
    org_id uuid PRIMARY KEY REFERENCES orgs(id),
    seq    bigint NOT NULL,
    hash   text NOT NULL
);

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_log
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
    WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);

ALTER TABLE audit_heads ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_heads FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_heads
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
    WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);

CREATE FUNCTION refuse_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$;
CREATE TRIGGER audit_log_is_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION refuse_audit_change();

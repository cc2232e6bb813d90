-- See the SQLite migration of the same number.
CREATE TABLE host_claims (
    org_id      uuid NOT NULL REFERENCES orgs(id),
    host        text NOT NULL,
    token       text NOT NULL,
    created_at  timestamptz NOT NULL,
    verified_at timestamptz,
    PRIMARY KEY (org_id, host)
);
CREATE TABLE evidence (
    org_id        uuid NOT NULL REFERENCES orgs(id),
    host          text NOT NULL,
    check_kind    text NOT NULL,
    ran_at        timestamptz NOT NULL,
    verdict       text NOT NULL CHECK (verdict IN ('pass', 'warn', 'fail')),
    summary       text NOT NULL,
    findings      text NOT NULL,
    failing_since timestamptz,
    PRIMARY KEY (org_id, host, check_kind)
);
ALTER TABLE host_claims ENABLE ROW LEVEL SECURITY;
ALTER TABLE host_claims FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON host_claims
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
    WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
ALTER TABLE evidence ENABLE ROW LEVEL SECURITY;
ALTER TABLE evidence FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON evidence
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
    WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);

-- Deleting an org empties these too.
CREATE OR REPLACE FUNCTION candor_erase_org(erased_org uuid) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    PERFORM set_config('app.org_id', erased_org::text, true);
    PERFORM set_config('candor.erasing_org', erased_org::text, true);
    DELETE FROM evidence WHERE org_id = erased_org;
    DELETE FROM host_claims WHERE org_id = erased_org;
    DELETE FROM downloads WHERE org_id = erased_org;
    DELETE FROM download_grants WHERE org_id = erased_org;
    DELETE FROM document_requests WHERE org_id = erased_org;
    DELETE FROM document_files WHERE org_id = erased_org;
    DELETE FROM vuln_reports WHERE org_id = erased_org;
    DELETE FROM data_keys WHERE org_id = erased_org;
    DELETE FROM deliveries WHERE org_id = erased_org;
    DELETE FROM objections WHERE org_id = erased_org;
    DELETE FROM subscribers WHERE org_id = erased_org;
    DELETE FROM announcements WHERE org_id = erased_org;
    DELETE FROM org_hosts WHERE org_id = erased_org;
    DELETE FROM org_secrets WHERE org_id = erased_org;
    DELETE FROM audit_nodes WHERE org_id = erased_org;
    DELETE FROM audit_heads WHERE org_id = erased_org;
    DELETE FROM audit_log WHERE org_id = erased_org;
    DELETE FROM log_nodes WHERE org_id = erased_org;
    DELETE FROM log_entries WHERE org_id = erased_org;
    DELETE FROM revisions WHERE org_id = erased_org;
    DELETE FROM drafts WHERE org_id = erased_org;
    DELETE FROM invites WHERE org_id = erased_org;
    DELETE FROM api_tokens WHERE org_id = erased_org;
    DELETE FROM memberships WHERE org_id = erased_org;
    DELETE FROM orgs WHERE id = erased_org;
    PERFORM set_config('candor.erasing_org', '', true);
END;
$$;
REVOKE ALL ON FUNCTION candor_erase_org(uuid) FROM PUBLIC;

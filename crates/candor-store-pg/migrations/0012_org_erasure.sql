-- Deleting an org (its owner's right) must remove its revisions and logs too,
-- which are otherwise immutable. The app role has no DELETE right on them; it
-- calls candor_erase_org, which runs as the schema owner, marks the org in a
-- transaction-local setting that the immutability triggers respect for DELETE,
-- and removes every row of that org (row-level security still applies).
CREATE OR REPLACE FUNCTION refuse_revision_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('candor.erasing_org', true) = OLD.org_id::text THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'revisions are immutable';
END;
$$;
CREATE OR REPLACE FUNCTION refuse_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('candor.erasing_org', true) = OLD.org_id::text THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$;
CREATE OR REPLACE FUNCTION refuse_log_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('candor.erasing_org', true) = OLD.org_id::text THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the transparency log is append-only';
END;
$$;

CREATE FUNCTION candor_erase_org(erased_org uuid) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    PERFORM set_config('app.org_id', erased_org::text, true);
    PERFORM set_config('candor.erasing_org', erased_org::text, true);
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

-- The tables erasing an org empties, children first. Candor fills this at every
-- start from its one list of tenant tables (candor_store::tenancy), so adding a
-- tenant table no longer means restating the erase function.
CREATE TABLE candor_tenant_tables (
    name        text PRIMARY KEY,
    erase_order integer NOT NULL UNIQUE
);

CREATE OR REPLACE FUNCTION candor_erase_org(erased_org uuid) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    tenant_table text;
BEGIN
    PERFORM set_config('app.org_id', erased_org::text, true);
    PERFORM set_config('candor.erasing_org', erased_org::text, true);
    FOR tenant_table IN SELECT name FROM candor_tenant_tables ORDER BY erase_order LOOP
        EXECUTE format('DELETE FROM %I WHERE org_id = $1', tenant_table) USING erased_org;
    END LOOP;
    DELETE FROM orgs WHERE id = erased_org;
    PERFORM set_config('candor.erasing_org', '', true);
END;
$$;
REVOKE ALL ON FUNCTION candor_erase_org(uuid) FROM PUBLIC;

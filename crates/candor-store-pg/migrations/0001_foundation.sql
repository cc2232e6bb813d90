-- Run as the schema owner. The application connects as a separate role that owns
-- nothing and is bound by the row-level security policies below.

-- Org directory: routing data only (slug, display name). Not tenant content, so no RLS.
CREATE TABLE orgs (
    id         uuid PRIMARY KEY,
    slug       text NOT NULL UNIQUE,
    name       text NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE TABLE drafts (
    org_id     uuid PRIMARY KEY REFERENCES orgs(id),
    content    text NOT NULL,
    updated_at timestamptz NOT NULL
);

-- content is text, not jsonb: the canonical bytes must come back exactly as hashed.
CREATE TABLE revisions (
    org_id       uuid NOT NULL REFERENCES orgs(id),
    number       bigint NOT NULL CHECK (number > 0),
    content_hash text NOT NULL,
    content      text NOT NULL,
    published_at timestamptz NOT NULL,
    PRIMARY KEY (org_id, number)
);

ALTER TABLE drafts ENABLE ROW LEVEL SECURITY;
ALTER TABLE drafts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON drafts
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
    WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);

ALTER TABLE revisions ENABLE ROW LEVEL SECURITY;
ALTER TABLE revisions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON revisions
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
    WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);

-- Even the owner cannot rewrite history without first dropping this trigger.
CREATE FUNCTION refuse_revision_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'revisions are immutable';
END;
$$;
CREATE TRIGGER revisions_are_immutable BEFORE UPDATE OR DELETE ON revisions
    FOR EACH ROW EXECUTE FUNCTION refuse_revision_change();

-- See the SQLite migration 0015_questionnaires.sql. Row-level security and the
-- app role's grants come from the tenant registry at start-up.
CREATE TABLE questionnaires (
    id                uuid PRIMARY KEY,
    org_id            uuid NOT NULL REFERENCES orgs(id),
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    version           bigint NOT NULL,
    file_key_version  integer NOT NULL,
    file_nonce        bytea NOT NULL,
    file_ciphertext   bytea NOT NULL,
    state_key_version integer NOT NULL,
    state_nonce       bytea NOT NULL,
    state_ciphertext  bytea NOT NULL
);
CREATE INDEX questionnaires_org ON questionnaires (org_id, created_at);

-- Deleting an org (its owner's right) must remove its revisions and logs too,
-- which are otherwise immutable. The delete triggers stand aside only for an org
-- listed here, which the erasing transaction adds and removes itself.
CREATE TABLE org_erasures (
    org_id TEXT PRIMARY KEY
) STRICT;

DROP TRIGGER revisions_are_immutable_delete;
CREATE TRIGGER revisions_are_immutable_delete BEFORE DELETE ON revisions
WHEN NOT EXISTS (SELECT 1 FROM org_erasures WHERE org_id = OLD.org_id)
BEGIN
    SELECT RAISE(ABORT, 'revisions are immutable');
END;

DROP TRIGGER audit_log_is_append_only_delete;
CREATE TRIGGER audit_log_is_append_only_delete BEFORE DELETE ON audit_log
WHEN NOT EXISTS (SELECT 1 FROM org_erasures WHERE org_id = OLD.org_id)
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

DROP TRIGGER log_entries_are_append_only_delete;
CREATE TRIGGER log_entries_are_append_only_delete BEFORE DELETE ON log_entries
WHEN NOT EXISTS (SELECT 1 FROM org_erasures WHERE org_id = OLD.org_id)
BEGIN SELECT RAISE(ABORT, 'the transparency log is append-only'); END;

DROP TRIGGER log_nodes_are_append_only_delete;
CREATE TRIGGER log_nodes_are_append_only_delete BEFORE DELETE ON log_nodes
WHEN NOT EXISTS (SELECT 1 FROM org_erasures WHERE org_id = OLD.org_id)
BEGIN SELECT RAISE(ABORT, 'the transparency log is append-only'); END;

DROP TRIGGER audit_nodes_are_append_only_delete;
CREATE TRIGGER audit_nodes_are_append_only_delete BEFORE DELETE ON audit_nodes
WHEN NOT EXISTS (SELECT 1 FROM org_erasures WHERE org_id = OLD.org_id)
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

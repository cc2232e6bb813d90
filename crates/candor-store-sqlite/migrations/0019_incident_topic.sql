-- Subscribers may ask for incident updates only (topics = 'incidents').
-- SQLite cannot alter a CHECK constraint, and rebuilding `subscribers` would
-- cascade-delete its deliveries and objections (foreign keys are on and cannot
-- be turned off inside the migration's transaction). Widening a CHECK changes
-- no stored row, so the table's definition is rewritten in place by the
-- runner (`widen_topics_check`, SQLite's documented writable_schema
-- procedure, with the schema version bumped). This file only marks the step.
SELECT 1;

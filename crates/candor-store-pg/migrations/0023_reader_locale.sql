-- See the SQLite migration 0022_reader_locale.sql.
ALTER TABLE subscribers ADD COLUMN locale text NOT NULL DEFAULT 'en';
ALTER TABLE document_requests ADD COLUMN locale text NOT NULL DEFAULT 'en';

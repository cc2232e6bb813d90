-- The language a reader used when they subscribed or asked for documents:
-- the mails that follow (notices, decisions) are written in it. Rows from
-- before languages were offered were all English.
ALTER TABLE subscribers ADD COLUMN locale TEXT NOT NULL DEFAULT 'en';
ALTER TABLE document_requests ADD COLUMN locale TEXT NOT NULL DEFAULT 'en';

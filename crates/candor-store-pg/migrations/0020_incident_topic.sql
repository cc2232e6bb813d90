-- Subscribers may ask for incident updates only.
ALTER TABLE subscribers DROP CONSTRAINT subscribers_topics_check;
ALTER TABLE subscribers ADD CONSTRAINT subscribers_topics_check
    CHECK (topics IN ('all', 'subprocessors', 'incidents'));

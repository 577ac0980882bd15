-- The SQLite backend's migration 0005 moves its usage-log id and subject indexes behind the
-- appends, because a single SQLite writer pays for every random index insert in the commit.
-- PostgreSQL keeps its ordinary indexes (the primary key on the id, usage_events_footprint): its
-- appends write them through shared buffers and its WAL logs only the changed tuples. Nothing
-- changes here; the migration keeps the two backends' schema versions in step.
SELECT 1;

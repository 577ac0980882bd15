-- The usage log's lookup indexes, kept behind the appends.
--
-- Event ids and subjects arrive in no order, so indexing them as events are appended inserts
-- each at a random place in its index: at millions of events, every event of a batch dirties
-- its own index pages, and a commit writes far more index pages than event rows. Instead an
-- append writes only at the right edge of its tables, and the store indexes the events
-- appended since the last indexing run in one sorted pass once they are many (the store keeps
-- those few in memory meanwhile, and reads them back after a restart).
--
-- Keys are 64-bit: for an id, the first 8 bytes of SHA-256 of its 16 bytes; for a subject, the
-- first 8 bytes of the pseudonym (itself an HMAC). Both read big-endian as a signed integer.
-- A key may be shared, so a lookup checks the event row it leads to.

DROP INDEX usage_events_by_id;
DROP INDEX usage_events_by_subject;

-- Event ids of leaves below `usage_index_state.indexed_through`.
CREATE TABLE usage_event_ids (
    key  INTEGER NOT NULL,
    leaf INTEGER NOT NULL,
    PRIMARY KEY (key, leaf)
) STRICT, WITHOUT ROWID;

-- Subjects of leaves below `usage_index_state.indexed_through`.
CREATE TABLE usage_subject_events (
    key  INTEGER NOT NULL,
    leaf INTEGER NOT NULL,
    PRIMARY KEY (key, leaf)
) STRICT, WITHOUT ROWID;

-- How far the two indexes go, and how many shreddings there have been (another process's
-- copy of the unindexed events is stale once this changes): a single row.
CREATE TABLE usage_index_state (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    indexed_through INTEGER NOT NULL CHECK (indexed_through >= 0),
    shreds          INTEGER NOT NULL CHECK (shreds >= 0)
) STRICT;

-- Nothing is indexed yet: the store indexes the events already logged when it next opens.
INSERT INTO usage_index_state (id, indexed_through, shreds) VALUES (1, 0, 0);

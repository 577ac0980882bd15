-- The usage log: the Merkle tree of log entries, the events behind them, each subject's
-- secret, the latest signed checkpoint, and the statistics kept up to date as events arrive.
--
-- Leaf-indexed data has the leaf (or stored-hash) index as its rowid, so an append writes at
-- the right edge of each table. Days are Julian day numbers (`Date::to_julian_day`), months the
-- Julian day of their first day; times are microseconds since the Unix epoch, UTC.

-- Leaf `leaf`'s encoded log entry.
CREATE TABLE log_entries (
    leaf  INTEGER PRIMARY KEY,
    entry BLOB NOT NULL
) STRICT;

-- The tree's stored hashes (RFC 6962), by stored-hash index.
CREATE TABLE log_hashes (
    idx  INTEGER PRIMARY KEY,
    hash BLOB NOT NULL CHECK (length(hash) = 32)
) STRICT;

-- The size and root of the tree as of the last append: a single row.
CREATE TABLE log_tree (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    size INTEGER NOT NULL CHECK (size >= 0),
    root BLOB NOT NULL CHECK (length(root) = 32)
) STRICT;

-- The empty tree: no leaves, and SHA-256 of no bytes as its root.
INSERT INTO log_tree (id, size, root)
VALUES (1, 0, X'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');

-- The latest signed checkpoint (a C2SP signed note): at most one row.
CREATE TABLE log_checkpoint (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    size INTEGER NOT NULL CHECK (size >= 0),
    note TEXT NOT NULL
) STRICT;

-- Each logged subject's secret, from which their events' salts derive. Deleted on shredding.
CREATE TABLE subjects (
    pseudonym BLOB PRIMARY KEY CHECK (length(pseudonym) = 32),
    secret    BLOB NOT NULL CHECK (length(secret) = 32)
) STRICT, WITHOUT ROWID;

-- The events behind the entries, shown only to their subjects: the canonical bytes the
-- commitment covers, and the columns the footprint query needs. Deleted on shredding; the
-- entry at the same leaf stays.
CREATE TABLE usage_events (
    leaf           INTEGER PRIMARY KEY,
    -- The event's UUID as 16 bytes.
    id             BLOB NOT NULL CHECK (length(id) = 16),
    subject        BLOB NOT NULL CHECK (length(subject) = 32),
    occurred_at    INTEGER NOT NULL,
    -- Set for a confidential event: the day it becomes visible to its subject, and why not
    -- before.
    withheld_until INTEGER,
    ground         TEXT,
    canonical      BLOB NOT NULL,
    CHECK ((withheld_until IS NULL) = (ground IS NULL))
) STRICT;

-- Finds stored ids (duplicates are written nowhere).
CREATE UNIQUE INDEX usage_events_by_id ON usage_events (id);

-- A subject's events newest first, covering what counting visible and withheld ones reads.
CREATE INDEX usage_events_by_subject
    ON usage_events (subject, occurred_at, leaf, withheld_until, ground);

-- Events and records per month and combination of the statistics' dimensions.
CREATE TABLE usage_monthly (
    month          INTEGER NOT NULL,
    agency         TEXT NOT NULL,
    file           TEXT NOT NULL,
    action         TEXT NOT NULL,
    purpose        TEXT NOT NULL,
    legal_basis    TEXT NOT NULL,
    out_of_purpose INTEGER NOT NULL CHECK (out_of_purpose IN (0, 1)),
    events         INTEGER NOT NULL CHECK (events >= 0),
    records        INTEGER NOT NULL CHECK (records >= 0),
    PRIMARY KEY (month, agency, file, action, purpose, legal_basis, out_of_purpose)
) STRICT, WITHOUT ROWID;

-- Events and records per file and day of occurrence.
CREATE TABLE usage_daily (
    file    TEXT NOT NULL,
    day     INTEGER NOT NULL,
    events  INTEGER NOT NULL CHECK (events >= 0),
    records INTEGER NOT NULL CHECK (records >= 0),
    PRIMARY KEY (file, day)
) STRICT, WITHOUT ROWID;

-- Per file that has reported: its events' span, its last report, and how many.
CREATE TABLE usage_file_activity (
    file          TEXT PRIMARY KEY,
    agency        TEXT NOT NULL,
    first_event   INTEGER NOT NULL,
    last_event    INTEGER NOT NULL,
    last_reported INTEGER NOT NULL,
    events        INTEGER NOT NULL CHECK (events >= 0)
) STRICT, WITHOUT ROWID;

-- The verifiable usage log: the Merkle tree of log entries (public), the usage events behind
-- them and each subject's secret (personal data, deleted when a subject is shredded), the
-- latest signed checkpoint, and statistics kept up to date by every append.
--
-- Subjects appear only as keyed pseudonyms (32 bytes); a national ID is never stored. Every
-- append and every shred first locks the one log_head row, so they take turns across every
-- process sharing the database.

CREATE TABLE log_head (
    -- Exactly one row.
    only_row BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row),
    size     BIGINT NOT NULL CHECK (size >= 0),
    -- RFC 6962 root hash; SHA-256 of nothing for the empty tree.
    root     BYTEA NOT NULL CHECK (octet_length(root) = 32)
);

INSERT INTO log_head (size, root) VALUES (0, sha256(''::bytea));

-- Leaf i is the entry of the i-th event ever appended. Never updated or deleted.
CREATE TABLE log_entries (
    leaf  BIGINT PRIMARY KEY CHECK (leaf >= 0),
    entry BYTEA NOT NULL
);

-- The tree's hashes in stored-hash order (lantern_log::merkle). Never updated or deleted.
CREATE TABLE log_hashes (
    idx  BIGINT PRIMARY KEY CHECK (idx >= 0),
    hash BYTEA NOT NULL CHECK (octet_length(hash) = 32)
);

-- The latest signed checkpoint only.
CREATE TABLE log_checkpoint (
    only_row BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row),
    size     BIGINT NOT NULL CHECK (size >= 0),
    note     TEXT NOT NULL
);

-- Each logged subject's secret, from which the salts of their events' commitments derive.
CREATE TABLE subjects (
    pseudonym BYTEA PRIMARY KEY CHECK (octet_length(pseudonym) = 32),
    secret    BYTEA NOT NULL CHECK (octet_length(secret) = 32)
);

-- The events behind the entries, shown to their subject only. The other columns are indexes
-- over the canonical event, written with it.
CREATE TABLE usage_events (
    id              UUID PRIMARY KEY,
    leaf            BIGINT NOT NULL,
    subject         BYTEA NOT NULL CHECK (octet_length(subject) = 32),
    occurred_at     TIMESTAMPTZ NOT NULL,
    -- Set for a confidential event (密件): withheld from its subject before this date.
    withheld_until  DATE,
    withheld_ground TEXT COLLATE "C",
    canonical       BYTEA NOT NULL,
    CHECK ((withheld_until IS NULL) = (withheld_ground IS NULL))
);

-- A subject's footprint, newest first; also finds their events to shred.
CREATE INDEX usage_events_footprint ON usage_events (subject, occurred_at DESC, leaf DESC);

-- Events and records per month (UTC, the month's first day) and combination of the public
-- fields of an entry.
CREATE TABLE usage_monthly (
    month          DATE NOT NULL,
    agency         TEXT COLLATE "C" NOT NULL,
    file_id        TEXT COLLATE "C" NOT NULL,
    action         TEXT COLLATE "C" NOT NULL,
    purpose        TEXT COLLATE "C" NOT NULL,
    legal_basis    TEXT COLLATE "C" NOT NULL,
    out_of_purpose BOOLEAN NOT NULL,
    events         BIGINT NOT NULL CHECK (events > 0),
    records        BIGINT NOT NULL CHECK (records > 0),
    PRIMARY KEY (month, agency, file_id, action, purpose, legal_basis, out_of_purpose)
);

-- Events and records per file and day (UTC).
CREATE TABLE usage_daily (
    file_id TEXT COLLATE "C" NOT NULL,
    day     DATE NOT NULL,
    events  BIGINT NOT NULL CHECK (events > 0),
    records BIGINT NOT NULL CHECK (records > 0),
    PRIMARY KEY (file_id, day)
);

-- Each reporting file's span of events and when it last reported.
CREATE TABLE file_activity (
    file_id       TEXT COLLATE "C" PRIMARY KEY,
    agency        TEXT COLLATE "C" NOT NULL,
    first_event   TIMESTAMPTZ NOT NULL,
    last_event    TIMESTAMPTZ NOT NULL,
    last_reported TIMESTAMPTZ NOT NULL,
    events        BIGINT NOT NULL CHECK (events > 0)
);

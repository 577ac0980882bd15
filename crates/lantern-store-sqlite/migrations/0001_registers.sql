-- The registers: agencies and personal-data files, each change kept as a numbered version.
--
-- The JSON document in *_versions is the whole domain value (serde_json); the other columns
-- of agencies, files, file_purposes and file_categories are indexes over the CURRENT version,
-- derived from that document and rewritten in the same transaction as each new version.
-- Times are microseconds since the Unix epoch, UTC.

CREATE TABLE agencies (
    code       TEXT PRIMARY KEY,
    -- The current version; agency_versions holds it and every earlier one.
    version    INTEGER NOT NULL CHECK (version >= 1),
    supervisor TEXT REFERENCES agencies (code)
) STRICT;

CREATE TABLE agency_versions (
    code           TEXT NOT NULL REFERENCES agencies (code),
    version        INTEGER NOT NULL CHECK (version >= 1),
    document       TEXT NOT NULL CHECK (json_valid(document)),
    changed_by     TEXT NOT NULL,
    changed_at     INTEGER NOT NULL,
    -- JSON array of the top-level field names that differ from the previous version.
    changed_fields TEXT NOT NULL CHECK (json_valid(changed_fields)),
    PRIMARY KEY (code, version)
) STRICT;

CREATE TABLE files (
    id                TEXT PRIMARY KEY,
    agency            TEXT NOT NULL REFERENCES agencies (code),
    version           INTEGER NOT NULL CHECK (version >= 1),
    -- Names and description, lowercased by the store (Unicode-aware, which SQLite's lower() is
    -- not), one per line, so that a text search is a plain substring test.
    search_text       TEXT NOT NULL,
    has_sensitive     INTEGER NOT NULL CHECK (has_sensitive IN (0, 1)),
    is_large_database INTEGER NOT NULL CHECK (is_large_database IN (0, 1))
) STRICT;

-- Searches return files ordered by agency, then id.
CREATE INDEX files_by_agency ON files (agency, id);

CREATE TABLE file_versions (
    file_id        TEXT NOT NULL REFERENCES files (id),
    version        INTEGER NOT NULL CHECK (version >= 1),
    document       TEXT NOT NULL CHECK (json_valid(document)),
    changed_by     TEXT NOT NULL,
    changed_at     INTEGER NOT NULL,
    changed_fields TEXT NOT NULL CHECK (json_valid(changed_fields)),
    PRIMARY KEY (file_id, version)
) STRICT;

-- Purpose and category codes of each file's current version (described entries have none).
CREATE TABLE file_purposes (
    file_id TEXT NOT NULL REFERENCES files (id),
    code    TEXT NOT NULL,
    PRIMARY KEY (file_id, code)
) STRICT, WITHOUT ROWID;

CREATE INDEX file_purposes_by_code ON file_purposes (code, file_id);

CREATE TABLE file_categories (
    file_id TEXT NOT NULL REFERENCES files (id),
    code    TEXT NOT NULL,
    PRIMARY KEY (file_id, code)
) STRICT, WITHOUT ROWID;

CREATE INDEX file_categories_by_code ON file_categories (code, file_id);

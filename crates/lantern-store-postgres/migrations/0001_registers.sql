-- The registers: agencies and personal-data files, each change kept as a numbered version.
--
-- The JSON document in *_versions is the whole domain value (serde_json); the other columns
-- of agencies, files, file_purposes and file_categories are indexes over the CURRENT version,
-- derived from that document and rewritten in the same transaction as each new version.
--
-- Codes and ids are COLLATE "C": they sort byte by byte, as the store's contract orders them,
-- whatever the database's locale.

CREATE TABLE agencies (
    code       TEXT COLLATE "C" PRIMARY KEY,
    -- The current version; agency_versions holds it and every earlier one.
    version    INTEGER NOT NULL CHECK (version >= 1),
    supervisor TEXT COLLATE "C" REFERENCES agencies (code)
);

CREATE TABLE agency_versions (
    code           TEXT COLLATE "C" NOT NULL REFERENCES agencies (code),
    version        INTEGER NOT NULL CHECK (version >= 1),
    document       JSONB NOT NULL,
    changed_by     TEXT NOT NULL,
    changed_at     TIMESTAMPTZ NOT NULL,
    -- The top-level field names that differ from the previous version.
    changed_fields TEXT[] NOT NULL,
    PRIMARY KEY (code, version)
);

CREATE TABLE files (
    id                TEXT COLLATE "C" PRIMARY KEY,
    agency            TEXT COLLATE "C" NOT NULL REFERENCES agencies (code),
    version           INTEGER NOT NULL CHECK (version >= 1),
    -- Names and description, lowercased by the store (so case folding does not depend on the
    -- database's locale), one per line, so that a text search is a plain substring test. The
    -- register holds thousands of files, not millions: a scan answers a text search.
    search_text       TEXT NOT NULL,
    has_sensitive     BOOLEAN NOT NULL,
    is_large_database BOOLEAN NOT NULL
);

-- Searches return files ordered by agency, then id.
CREATE INDEX files_by_agency ON files (agency, id);

CREATE TABLE file_versions (
    file_id        TEXT COLLATE "C" NOT NULL REFERENCES files (id),
    version        INTEGER NOT NULL CHECK (version >= 1),
    document       JSONB NOT NULL,
    changed_by     TEXT NOT NULL,
    changed_at     TIMESTAMPTZ NOT NULL,
    changed_fields TEXT[] NOT NULL,
    PRIMARY KEY (file_id, version)
);

-- Purpose and category codes of each file's current version (described entries have none).
CREATE TABLE file_purposes (
    file_id TEXT COLLATE "C" NOT NULL REFERENCES files (id),
    code    TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (file_id, code)
);

CREATE INDEX file_purposes_by_code ON file_purposes (code, file_id);

CREATE TABLE file_categories (
    file_id TEXT COLLATE "C" NOT NULL REFERENCES files (id),
    code    TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (file_id, code)
);

CREATE INDEX file_categories_by_code ON file_categories (code, file_id);

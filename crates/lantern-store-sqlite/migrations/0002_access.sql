-- Who may act: staff accounts, their sessions, and agencies' API tokens. Secrets are never
-- stored: session ids and token secrets as SHA-256 hashes, passwords as Argon2 PHC strings.
-- Times are microseconds since the Unix epoch, UTC.

CREATE TABLE users (
    username      TEXT PRIMARY KEY,
    display_name  TEXT NOT NULL,
    agency        TEXT NOT NULL REFERENCES agencies (code),
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE sessions (
    id_hash    BLOB PRIMARY KEY CHECK (length(id_hash) = 32),
    username   TEXT NOT NULL REFERENCES users (username),
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;

CREATE TABLE api_tokens (
    -- AUTOINCREMENT: an id appears in change histories, so it must never be handed out twice.
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    secret_hash BLOB NOT NULL UNIQUE CHECK (length(secret_hash) = 32),
    agency      TEXT NOT NULL REFERENCES agencies (code),
    label       TEXT NOT NULL,
    created_at  INTEGER NOT NULL
) STRICT;

-- Citizens' sessions (the citizen portal), kept apart from staff sessions: a citizen has no
-- account, so a session names only the subject's pseudonym (HMAC of the national ID; the raw
-- number is never stored) and is found by the SHA-256 of its cookie secret.
-- Times are microseconds since the Unix epoch, UTC.

CREATE TABLE citizen_sessions (
    id_hash    BLOB PRIMARY KEY CHECK (length(id_hash) = 32),
    subject    BLOB NOT NULL CHECK (length(subject) = 32),
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;

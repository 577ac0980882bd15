-- Citizens' sessions (the citizen portal), kept apart from staff sessions: a citizen has no
-- account, so a session names only the subject's pseudonym (HMAC of the national ID; the raw
-- number is never stored) and is found by the SHA-256 of its cookie secret.

CREATE TABLE citizen_sessions (
    id_hash    BYTEA PRIMARY KEY CHECK (octet_length(id_hash) = 32),
    subject    BYTEA NOT NULL CHECK (octet_length(subject) = 32),
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);

-- Who may act: staff accounts, their sessions, and agencies' API tokens. Secrets are never
-- stored: session ids and token secrets as SHA-256 hashes, passwords as Argon2 PHC strings.

CREATE TABLE users (
    username      TEXT COLLATE "C" PRIMARY KEY,
    display_name  TEXT NOT NULL,
    agency        TEXT COLLATE "C" NOT NULL REFERENCES agencies (code),
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE sessions (
    id_hash    BYTEA PRIMARY KEY CHECK (octet_length(id_hash) = 32),
    username   TEXT COLLATE "C" NOT NULL REFERENCES users (username),
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE api_tokens (
    -- An identity is never handed out twice, and an id appears in change histories.
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    secret_hash BYTEA NOT NULL UNIQUE CHECK (octet_length(secret_hash) = 32),
    agency      TEXT COLLATE "C" NOT NULL REFERENCES agencies (code),
    label       TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);

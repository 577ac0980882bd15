-- Services that collect personal data with the subject's consent, each with its PDPA Art. 8
-- notice, versioned like the registers (the JSON document is the whole domain value); and the
-- consents citizens give to them, one row per grant (ISO/IEC TS 27560 records).

CREATE TABLE services (
    id      TEXT PRIMARY KEY,
    agency  TEXT NOT NULL REFERENCES agencies (code),
    -- The current version; service_versions holds it and every earlier one.
    version INTEGER NOT NULL CHECK (version >= 1)
);

CREATE INDEX services_by_agency ON services (agency, id);

CREATE TABLE service_versions (
    service_id     TEXT NOT NULL REFERENCES services (id),
    version        INTEGER NOT NULL CHECK (version >= 1),
    document       JSONB NOT NULL,
    changed_by     TEXT NOT NULL,
    changed_at     TIMESTAMPTZ NOT NULL,
    changed_fields TEXT[] NOT NULL,
    PRIMARY KEY (service_id, version)
);

CREATE TABLE consents (
    -- The id of the consent event that logged the grant (a UUID).
    id                 TEXT PRIMARY KEY,
    subject            BYTEA NOT NULL CHECK (octet_length(subject) = 32),
    -- The national ID sealed with the server's seal key (XChaCha20-Poly1305).
    sealed_subject     BYTEA NOT NULL,
    service_id         TEXT NOT NULL,
    notice_version     INTEGER NOT NULL,
    channel            TEXT NOT NULL CHECK (channel IN ('web', 'api', 'counter')),
    granted_at         TIMESTAMPTZ NOT NULL,
    withdrawn_at       TIMESTAMPTZ,
    withdrawal_channel TEXT CHECK (withdrawal_channel IN ('web', 'api', 'counter')),
    withdrawal_event   TEXT,
    FOREIGN KEY (service_id, notice_version) REFERENCES service_versions (service_id, version),
    CHECK ((withdrawn_at IS NULL) = (withdrawal_channel IS NULL)
       AND (withdrawn_at IS NULL) = (withdrawal_event IS NULL))
);

-- At most one consent in force per subject and service.
CREATE UNIQUE INDEX consents_in_force ON consents (subject, service_id) WHERE withdrawn_at IS NULL;
CREATE INDEX consents_by_subject ON consents (subject, granted_at);
CREATE INDEX consents_by_service ON consents (service_id, granted_at) WHERE withdrawn_at IS NULL;

-- A citizen session keeps the national ID sealed, so a consent given in it can be resolved
-- back to the person (vendor codes). Sessions from before this migration hold none.
ALTER TABLE citizen_sessions ADD COLUMN sealed_subject BYTEA NOT NULL DEFAULT ''::bytea;
